import GRDB
import TillCore

extension LedgerSchema {
    /// Text is matched in canonical form since v4: customers by `Email.key` (NFC + Unicode case
    /// folding; it was `lowercased()`), wallets by `Wallet.key` (NFC + lowercase) and requests by
    /// their key in NFC. Rows stored under an older form get the new one, compared byte for
    /// byte (Swift's `==` would call NFC and NFD equal). ASCII text, nearly all, is unchanged.
    static func migrateToCanonicalKeys(_ db: any SQLConnection) throws {
        try rekeyCustomers(db)
        try rekeyWallets(db)
        try rekeyCompletedRequests(db)
    }

    /// Orders get the new customer key, and the customer totals of every key involved are
    /// rebuilt from the orders, so two spellings of one customer become one row.
    private static func rekeyCustomers(_ db: any SQLConnection) throws {
        var changes: [(old: String, email: String, new: String)] = []
        let rows = try SQLRow.fetchCursor(db, sql: "SELECT DISTINCT email_key, email FROM orders")
        while let row = try rows.next() {
            let old: String = try row.required(at: 0, "orders.email_key")
            let email: String = try row.required(at: 1, "orders.email")
            let new = Email.key(for: email)
            if !new.sameBytes(old) { changes.append((old, email, new)) }
        }
        try withTriggersLifted(["orders_identity_fixed"], db) {
            for change in changes {
                try db.execute(
                    sql: "UPDATE orders SET email_key = ? WHERE email_key = ? AND email = ?",
                    arguments: [change.new, change.old, change.email])
            }
        }
        // A wallet's owner is a customer key too.
        for (old, new) in try keyChanges(db, sql: "SELECT DISTINCT customer_key FROM wallets WHERE customer_key IS NOT NULL", Email.key(for:)) {
            try db.execute(sql: "UPDATE wallets SET customer_key = ? WHERE customer_key = ?", arguments: [new, old])
        }
        guard !changes.isEmpty else { return }
        // Not a Set: Swift would count an NFC key and its NFD form as one element.
        let keys = changes.flatMap { [$0.old, $0.new] }
        let marks = databaseQuestionMarks(count: keys.count)
        try db.execute(sql: "DELETE FROM customer_totals WHERE email_key IN (\(marks))", arguments: SQLArguments(keys))
        try db.execute(sql: """
            INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid, refunded,
                owing, first_order_at, last_order_at)
            SELECT email_key, currency,
                (SELECT o.email FROM orders o WHERE o.email_key = orders.email_key AND o.currency = orders.currency
                 ORDER BY o.created_at DESC, o.id DESC LIMIT 1),
                COUNT(*), SUM(paid < total), SUM(total), SUM(paid), SUM(refunded),
                SUM(total - paid), MIN(created_at), MAX(created_at)
            FROM orders WHERE email_key IN (\(marks)) GROUP BY email_key, currency
            """, arguments: SQLArguments(keys))
    }

    /// Wallets opened under a decomposed name get the NFC key, with their history. Should two
    /// wallets now share a key (one opened as "café" typed each way, the duplicate this rule
    /// prevents), the older keeps the key and the other stays under its old one, untouched.
    /// Completed wallet requests keep their fingerprint (target and all): a retry of one typed
    /// decomposed answers `idempotency_key_reused`, never a second credit.
    private static func rekeyWallets(_ db: any SQLConnection) throws {
        let changes = try keyChanges(db, sql: "SELECT key, name FROM wallets ORDER BY created_at, key") { Wallet.key(for: $0) }
        guard !changes.isEmpty else { return }
        try withTriggersLifted(["wallet_events_no_update"], db) {
            for (old, new) in changes {
                let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM wallets WHERE key = ?)", arguments: [new]) ?? true
                if taken { continue }
                try db.execute(sql: "UPDATE wallets SET key = ? WHERE key = ?", arguments: [new, old])
                try db.execute(sql: "UPDATE wallet_events SET wallet_key = ? WHERE wallet_key = ?", arguments: [new, old])
            }
        }
    }

    /// Completed requests get their key in NFC, so a retry typed either way replays. An open
    /// request keeps its key: its processor keys were derived from it and GoblinPay knows them.
    private static func rekeyCompletedRequests(_ db: any SQLConnection) throws {
        let changes = try keyChanges(db, sql: "SELECT key FROM idempotency WHERE state = 'completed'") { $0.canonical }
        for (old, new) in changes {
            let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM idempotency WHERE key = ?)", arguments: [new]) ?? true
            if !taken { try db.execute(sql: "UPDATE idempotency SET key = ? WHERE key = ?", arguments: [new, old]) }
        }
    }

    /// (old, new) for each value of the query's first column whose canonical form (from the
    /// last column) differs from it byte for byte.
    private static func keyChanges(_ db: any SQLConnection, sql: String, _ canonical: (String) -> String) throws -> [(String, String)] {
        var changes: [(String, String)] = []
        let rows = try SQLRow.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let old: String = try row.required(at: 0, "key")
            let source: String = try row.required(at: row.count - 1, "key source")
            let new = canonical(source)
            if !new.sameBytes(old) { changes.append((old, new)) }
        }
        return changes
    }

    /// Runs `work` with the named triggers dropped, then puts them back exactly as they were.
    private static func withTriggersLifted(_ names: [String], _ db: any SQLConnection, _ work: () throws -> Void) throws {
        var saved: [String] = []
        for name in names {
            if let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", arguments: [name]) {
                saved.append(sql)
                try db.execute(sql: "DROP TRIGGER \(name)")
            }
        }
        try work()
        for sql in saved { try db.execute(sql: sql) }
    }
}
