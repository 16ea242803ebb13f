
import TillCore

/// One read-model cell that differs from what its events say (`till check`, `till sim`).
public struct ReadModelDifference: Sendable, Hashable, Codable, CustomStringConvertible {
    public let table: String
    /// The row's key, as SQL quotes it (several key columns are joined by spaces).
    public let row: String
    /// The column, or "(row)" for a row that is missing on one side.
    public let column: String
    /// The stored value and the value recomputed from the events, as SQL quotes them ("NULL" for none).
    public let stored: String
    public let fromEvents: String

    public var description: String {
        "\(table) \(row) \(column): stored \(stored), from events \(fromEvents)"
    }
}

/// What `till check` found: `PRAGMA integrity_check`'s complaints and the read-model differences.
public struct LedgerCheckReport: Sendable, Codable {
    public let integrity: [String]
    public let differences: [ReadModelDifference]

    public var isSound: Bool { integrity.isEmpty && differences.isEmpty }
}

/// Every read model recomputed from the append-only history and compared, cell by cell:
/// `payments` from `payment_events`; `orders`, `order_payments` and `order_refunds` from
/// `order_events` (and the refund rows); `wallets` from `wallet_events` (whose running
/// balances must add up); `customer_totals` and `takings_by_quarter` from the orders'
/// installments and refunds, as migration "v2-pos" built them; `drawer_sessions` from
/// `drawer_events`; times from their first events, a
/// card installment's card from its payment, each order's `email_key` from its email, and every
/// cell's type from its column's declared type. Each comparison is one SQL
/// query that returns only the rows that differ, so a sound ledger costs one pass over each
/// table. Cells are compared as SQLite values: a damaged cell is a difference, never a trap.
public enum ReadModelAudit {
    /// At most this many differences are listed (a ledger that far gone needs a backup).
    public static let limit = 1000

    struct Model {
        let table: String
        /// Key columns shared by the stored table (`s`) and the recomputed rows (`e`).
        let key: [String]
        let columns: [String]
        /// The recomputed rows, one per key, with the key and every compared column.
        let expected: String
    }

    static let models: [Model] = [
        Model(table: "payments", key: ["id"], columns: ["authorized", "captured", "refunded", "voided", "authorized_at"], expected: """
            SELECT payment_id AS id, SUM(CASE kind WHEN 'authorized' THEN amount END) AS authorized,
                MIN(CASE kind WHEN 'authorized' THEN at END) AS authorized_at,
                SUM(CASE kind WHEN 'captured' THEN amount ELSE 0 END) AS captured,
                SUM(CASE kind WHEN 'refunded' THEN amount ELSE 0 END) AS refunded, MAX(CASE WHEN kind = 'voided' THEN 1 ELSE 0 END) AS voided
            FROM payment_events GROUP BY payment_id
            """),
        Model(table: "orders", key: ["id"], columns: ["currency", "total", "paid", "refunded", "status", "created_at"], expected: """
            SELECT *, CASE WHEN paid = total THEN 'paid' WHEN paid > 0 THEN 'partially_paid' ELSE 'open' END AS status FROM (
                SELECT order_id AS id, MAX(CASE kind WHEN 'created' THEN currency END) AS currency,
                    SUM(CASE kind WHEN 'created' THEN amount END) AS total, MIN(CASE kind WHEN 'created' THEN at END) AS created_at,
                    SUM(CASE kind WHEN 'paid' THEN amount ELSE 0 END) AS paid,
                    SUM(CASE kind WHEN 'refunded' THEN amount ELSE 0 END) AS refunded
                FROM order_events GROUP BY order_id) AS events
            """),
        Model(table: "order_payments", key: ["id"], columns: ["order_id", "amount", "refunded", "state", "created_at"], expected: """
            SELECT p.id, p.order_id, p.amount, p.created_at, COALESCE(r.refunded, 0) AS refunded,
                CASE WHEN COALESCE(r.refunded, 0) = 0 THEN 'completed' WHEN r.refunded = p.amount THEN 'refunded'
                    ELSE 'partially_refunded' END AS state
            FROM (SELECT reference AS id, MAX(order_id) AS order_id, SUM(amount) AS amount, MIN(at) AS created_at
                  FROM order_events WHERE kind = 'paid' GROUP BY reference) p
            LEFT JOIN (SELECT order_payment_id AS id, SUM(amount) AS refunded FROM order_refunds GROUP BY order_payment_id) r
                ON r.id = p.id
            """),
        Model(table: "order_refunds", key: ["id"], columns: ["order_id", "amount", "created_at"], expected: """
            SELECT reference AS id, MAX(order_id) AS order_id, SUM(amount) AS amount, MIN(at) AS created_at
            FROM order_events WHERE kind = 'refunded' GROUP BY reference
            """),
        // A card installment carries its gateway payment's card, as the payment row does.
        Model(
            table: "order_payments", key: ["id"],
            columns: ["payment_id", "card_brand", "card_first6", "card_last4", "card_expiry", "card_fingerprint"], expected: """
                SELECT order_payment_id AS id, id AS payment_id, card_brand, card_first6, card_last4, card_expiry, card_fingerprint
                FROM payments WHERE order_payment_id IS NOT NULL
                """),
        Model(table: "wallets", key: ["key"], columns: ["balance", "created_at"], expected: """
            SELECT wallet_key AS key, balance_after AS balance,
                (SELECT MIN(at) FROM wallet_events o WHERE o.wallet_key = w.wallet_key AND o.kind = 'opened') AS created_at
            FROM wallet_events w WHERE seq = (SELECT MAX(seq) FROM wallet_events l WHERE l.wallet_key = w.wallet_key)
            """),
        // Each event's balance is the one before it moved by its amount.
        Model(table: "wallet_events", key: ["seq"], columns: ["balance_after"], expected: """
            SELECT seq, CASE kind WHEN 'opened' THEN amount
                WHEN 'credited' THEN LAG(balance_after) OVER w + amount
                WHEN 'debited' THEN LAG(balance_after) OVER w - amount END AS balance_after
            FROM wallet_events WINDOW w AS (PARTITION BY wallet_key ORDER BY seq)
            """),
        Model(
            table: "customer_totals", key: ["email_key", "currency"],
            columns: ["email", "orders", "open_orders", "ordered", "paid", "refunded", "owing", "first_order_at", "last_order_at"],
            expected: """
                SELECT email_key, currency,
                    (SELECT email FROM orders l WHERE l.email_key = o.email_key AND l.currency = o.currency
                     ORDER BY created_at DESC, rowid DESC LIMIT 1) AS email,
                    COUNT(*) AS orders, SUM(CASE WHEN paid < total THEN 1 ELSE 0 END) AS open_orders, SUM(total) AS ordered, SUM(paid) AS paid,
                    SUM(refunded) AS refunded, SUM(total - paid) AS owing, MIN(created_at) AS first_order_at,
                    MAX(created_at) AS last_order_at
                FROM orders o GROUP BY email_key, currency
                """),
        Model(
            table: "takings_by_quarter", key: ["quarter", "currency", "tender"],
            columns: ["amount", "payments", "refunded", "refunds"], expected: LedgerSchema.takingsFromOrders),
        // A drawer session from its journal: expected = float + cash sales (after change) − cash
        // refunds + paid in − paid out; counted and the close from its `closed` line.
        Model(
            table: "drawer_sessions", key: ["id"],
            columns: ["currency", "state", "opening_float", "expected", "counted", "opened_at", "opened_by", "closed_at", "closed_by"],
            expected: """
                SELECT session_id AS id, MAX(currency) AS currency,
                    CASE WHEN MAX(CASE WHEN kind = 'closed' THEN 1 ELSE 0 END) = 1 THEN 'closed' ELSE 'open' END AS state,
                    SUM(CASE kind WHEN 'opened' THEN amount END) AS opening_float,
                    SUM(CASE WHEN kind IN ('opened', 'paid_in') OR (kind = 'sale' AND tender = 'cash') THEN amount
                        WHEN kind = 'paid_out' OR (kind = 'refund' AND tender = 'cash') THEN -amount ELSE 0 END) AS expected,
                    SUM(CASE kind WHEN 'closed' THEN amount END) AS counted,
                    MIN(CASE kind WHEN 'opened' THEN at END) AS opened_at, MAX(CASE kind WHEN 'opened' THEN operator END) AS opened_by,
                    MAX(CASE kind WHEN 'closed' THEN at END) AS closed_at, MAX(CASE kind WHEN 'closed' THEN operator END) AS closed_by
                FROM drawer_events WHERE session_id IS NOT NULL GROUP BY session_id
                """),
    ]

    /// Every difference between the read models and their events (at most `limit`).
    public static func differences(in db: any SQLConnection) throws -> [ReadModelDifference] {
        var found: [ReadModelDifference] = []
        for model in models where found.count < limit {
            found += try differences(model, in: db, limit: limit - found.count)
        }
        if found.count < limit { found += try emailKeys(in: db, limit: limit - found.count) }
        if found.count < limit { found += try DrawerFiguresModel.differences(in: db, limit: limit - found.count) }
        if found.count < limit { found += try cellTypes(in: db, limit: limit - found.count) }
        return found
    }

    /// Every cell holds what its column's declared type says Till writes there (an integer in
    /// an INTEGER column, text in a TEXT one, NULL only where the column allows it): a damaged
    /// cell the reads would refuse is reported here too, with its row.
    private static func cellTypes(in db: any SQLConnection, limit: Int) throws -> [ReadModelDifference] {
        // PostgreSQL's columns are typed: a cell of another type cannot be stored there.
        guard db.dialect == .sqlite else { return [] }
        var found: [ReadModelDifference] = []
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
            ORDER BY name
            """)
        for table in tables where found.count < limit {
            let columns = try SQLRow.fetchAll(db, sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", arguments: [table])
            let keys = try columns.filter { try $0.required("pk", in: "pragma_table_info") as Int64 > 0 }
                .map { try $0.required("name", in: "pragma_table_info") as String }
            let rowKey = keys.isEmpty ? "quote(rowid)" : keys.map { "quote(\($0))" }.joined(separator: " || ' ' || ")
            for column in columns where found.count < limit {
                let name: String = try column.required("name", in: "pragma_table_info")
                let kind = switch (try column.required("type", in: "pragma_table_info") as String).uppercased() {
                case "INTEGER": "integer"
                case "TEXT": "text"
                default: ""
                }
                guard !kind.isEmpty else { continue }
                let nullable = (try column.required("notnull", in: "pragma_table_info") as Int64) == 0
                let allowed = nullable ? "('\(kind)', 'null')" : "('\(kind)')"
                for row in try SQLRow.fetchAll(db, sql: """
                    SELECT \(rowKey), typeof(\(name)) FROM \(table) WHERE typeof(\(name)) NOT IN \(allowed) LIMIT \(limit - found.count)
                    """) {
                    found.append(ReadModelDifference(
                        table: table, row: text(row, 0), column: name, stored: text(row, 1), fromEvents: nullable ? "\(kind) or null" : kind))
                }
            }
        }
        return found
    }

    private static func differences(_ model: Model, in db: any SQLConnection, limit: Int) throws -> [ReadModelDifference] {
        let join = model.key.map { "e.\($0) = s.\($0)" }.joined(separator: " AND ")
        let rowKey = model.key.map { "quote(s.\($0))" }.joined(separator: " || ' ' || ")
        let missingKey = model.key.map { "quote(e.\($0))" }.joined(separator: " || ' ' || ")
        let pairs = model.columns.map { "quote(s.\($0)), quote(e.\($0))" }.joined(separator: ", ")
        let differs = model.columns.map { "s.\($0) IS DISTINCT FROM e.\($0)" }.joined(separator: " OR ")
        var found: [ReadModelDifference] = []
        // Stored rows whose cells differ from the events (a row with no events differs in all).
        for row in try SQLRow.fetchAll(db, sql: """
            WITH e AS (\(model.expected))
            SELECT \(rowKey), \(pairs) FROM \(model.table) s LEFT JOIN e ON \(join) WHERE \(differs) LIMIT \(limit)
            """) {
            let key = text(row, 0)
            for (index, column) in model.columns.enumerated() {
                let stored = text(row, 1 + 2 * index), expected = text(row, 2 + 2 * index)
                if stored != expected {
                    found.append(ReadModelDifference(table: model.table, row: key, column: column, stored: stored, fromEvents: expected))
                }
            }
        }
        // Rows the events call for that are not stored.
        for row in try SQLRow.fetchAll(db, sql: """
            WITH e AS (\(model.expected))
            SELECT \(missingKey) FROM e WHERE NOT EXISTS (SELECT 1 FROM \(model.table) s WHERE \(join)) LIMIT \(limit)
            """) {
            found.append(ReadModelDifference(table: model.table, row: text(row, 0), column: "(row)", stored: "none", fromEvents: "a row"))
        }
        return Array(found.prefix(limit))
    }

    /// An order's `email_key` is the key of its `email` (what finds the customer's orders).
    private static func emailKeys(in db: any SQLConnection, limit: Int) throws -> [ReadModelDifference] {
        var found: [ReadModelDifference] = []
        let rows = try SQLRow.fetchCursor(db, sql: "SELECT quote(id), email, email_key, quote(email_key) FROM orders")
        while let row = try rows.next(), found.count < limit {
            let email = row[1] as SQLValue, key = row[2] as SQLValue
            let storedKey: String? = if case .text(let text) = key { text } else { nil }
            let expected: String? = if case .text(let text) = email, case .success(let parsed) = Email.parse(text) {
                parsed.key
            } else { nil }
            // Bytes, not Swift's `==`, which calls an NFD key equal to its NFC form.
            if let expected, let storedKey, expected.sameBytes(storedKey) { continue }
            found.append(ReadModelDifference(
                table: "orders", row: text(row, 0), column: "email_key", stored: text(row, 3),
                fromEvents: expected.map { "the key of its email, " + LedgerCorruption.shown($0) } ?? "an email that does not parse"))
        }
        return found
    }

    /// A quoted SQL value, cut and escaped for a message.
    private static func text(_ row: SQLRow, _ index: Int) -> String {
        let value = row[index] as SQLValue
        guard case .text(let text) = value else { return "NULL" }
        let cut = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return cut.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}
