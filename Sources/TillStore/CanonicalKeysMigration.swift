import GRDB
import TillCore

extension LedgerSchema {
    /// Customers are matched by `Email.key`, which became NFC + Unicode case folding (it was
    /// `lowercased()`): "josé" typed decomposed, "Straße" and "İnci" now find their customer.
    /// Orders stored under an older key get the new one, and the customer totals of every key
    /// involved are rebuilt from the orders, so two spellings of one customer become one row.
    /// ASCII addresses (nearly all) are unchanged, so this is quick.
    ///
    /// Wallet keys are left as stored: `wallet_events` is append-only and names its wallet by
    /// key, so a wallet opened under a name whose folding changed keeps answering to the old key.
    static func migrateToCanonicalKeys(_ db: Database) throws {
        var changes: [(old: String, email: String, new: String)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT DISTINCT email_key, email FROM orders")
        while let row = try rows.next() {
            let old: String = try row.required(at: 0, "orders.email_key")
            let email: String = try row.required(at: 1, "orders.email")
            let new = Email.key(for: email)
            if new != old { changes.append((old, email, new)) }
        }
        guard !changes.isEmpty else { return }
        // The identity trigger refuses any change of email_key; lift it for this one rewrite.
        let trigger = try String.fetchOne(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'orders_identity_fixed'")
        if trigger != nil { try db.execute(sql: "DROP TRIGGER orders_identity_fixed") }
        for change in changes {
            try db.execute(
                sql: "UPDATE orders SET email_key = ? WHERE email_key = ? AND email = ?",
                arguments: [change.new, change.old, change.email])
        }
        if let trigger { try db.execute(sql: trigger) }
        let keys = Array(Set(changes.flatMap { [$0.old, $0.new] }))
        let marks = databaseQuestionMarks(count: keys.count)
        try db.execute(sql: "DELETE FROM customer_totals WHERE email_key IN (\(marks))", arguments: StatementArguments(keys))
        try db.execute(sql: """
            INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid, refunded,
                owing, first_order_at, last_order_at)
            SELECT email_key, currency,
                (SELECT o.email FROM orders o WHERE o.email_key = orders.email_key AND o.currency = orders.currency
                 ORDER BY o.created_at DESC, o.id DESC LIMIT 1),
                COUNT(*), SUM(paid < total), SUM(total), SUM(paid), SUM(refunded),
                SUM(total - paid), MIN(created_at), MAX(created_at)
            FROM orders WHERE email_key IN (\(marks)) GROUP BY email_key, currency
            """, arguments: StatementArguments(keys))
    }
}
