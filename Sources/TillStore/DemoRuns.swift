
/// What the ledger holds, as `till demo` sees it before it writes.
public enum DemoLedgerContents: Sendable, Equatable {
    case empty
    /// Only demo runs wrote it.
    case madeByDemos
    /// Rows no demo wrote, described for a person: "3 orders, 1 wallet, 5 requests".
    case other(String)
}

/// How the ledger remembers what `till demo` made, so that a later run can tell a ledger it
/// filled from one that holds real sales. As it ends, a run records the contents it leaves:
/// the row count and highest row id of each table that holds orders, payments, wallets and
/// requests. A later run compares: the same contents means nothing else wrote since, as every
/// order, payment, wallet or keyed request adds a row, and a new row gets a higher row id even
/// where one was deleted. One row per run, whatever its size: no list of the ids it made.
extension Ledger {
    static let demoTables = [
        "orders", "order_payments", "order_refunds", "order_events", "payments", "payment_events", "wallets",
        "wallet_events", "idempotency", "processor_attempts",
    ]

    public func demoContents() throws -> DemoLedgerContents {
        let now = try currentDemoState()
        if now.allSatisfy({ $0.count == 0 }) { return .empty }
        let last = try SQLRow.fetchOne(db, sql: "SELECT contents FROM demo_runs ORDER BY id DESC LIMIT 1")
        if let last {
            let contents: String = try last.required("contents", in: "demo_runs")
            if contents == Self.text(now) { return .madeByDemos }
        }
        let counts = Dictionary(uniqueKeysWithValues: now.map { ($0.table, $0.count) })
        let described = [("orders", "order"), ("payments", "card payment"), ("wallets", "wallet"), ("idempotency", "request")]
        let parts = described.compactMap { table, noun -> String? in
            guard let count = counts[table], count > 0 else { return nil }
            return "\(count) \(noun)\(count == 1 ? "" : "s")"
        }
        return .other(parts.isEmpty ? "rows written by other commands" : parts.joined(separator: ", "))
    }

    /// Records that a demo run ended, leaving the ledger as it is now.
    public func recordDemoRun(finishedAt: Int64) throws {
        try db.execute(
            sql: "INSERT INTO demo_runs (finished_at, contents) VALUES (?, ?)",
            arguments: [finishedAt, Self.text(try currentDemoState())])
    }

    private func currentDemoState() throws -> [(table: String, count: Int64, lastRowId: Int64)] {
        try Self.demoTables.map { table in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM \(table)") else {
                throw LedgerCorruption("\(table) cannot be counted")
            }
            return (table, try row.required(at: 0, "\(table) count"), try row.required(at: 1, "\(table) last row id"))
        }
    }

    /// "orders 12/40 order_payments 30/30 ...": the form stored in `demo_runs.contents`.
    private static func text(_ state: [(table: String, count: Int64, lastRowId: Int64)]) -> String {
        state.map { "\($0.table) \($0.count)/\($0.lastRowId)" }.joined(separator: " ")
    }
}
