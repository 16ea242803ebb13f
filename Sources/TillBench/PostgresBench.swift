import Foundation

/// `till-bench --postgres URL`: the same durable writes with the ledger on PostgreSQL (loopback
/// here), each against its SQLite figure of this run: how much slower one operation is, and how
/// concurrent clients scale, where every till of a shop shares the one database (DESIGN §7).
enum PostgresBench {
    static func run(_ report: Report, writes: WriteBench, sqliteRates: [Int: Double], log: (String) -> Void) async throws -> Report {
        var report = report
        defer { writes.dropDatabases() }
        report.section("PostgreSQL (loopback): per operation, against the same operation on SQLite")
        let sqlite = WriteBench(work: writes.work, measure: writes.measure, operations: writes.operations)
        for (name, measure) in [
            ("cash installment", { (bench: WriteBench) in try await bench.installment(card: false) }),
            ("wallet credit", { (bench: WriteBench) in try await bench.walletCredit() }),
            ("order create", { (bench: WriteBench) in try await bench.orderCreate() }),
        ] {
            log("PostgreSQL: \(name) …")
            let onSQLite = try await measure(sqlite)
            report.time("\(name): PostgreSQL (SQLite \(Report.time(onSQLite)))", try await measure(writes), against: onSQLite)
        }
        report.section("PostgreSQL: concurrent clients (wallet credits), against one PostgreSQL client and against SQLite")
        var one = 0.0
        for clients in [1, 8, 64] {
            log("PostgreSQL: \(clients) clients …")
            let (rate, _, _) = try await writes.concurrentCredits(clients: clients, total: max(writes.operations, clients * 4) * (clients == 1 ? 1 : 2))
            if clients == 1 { one = rate }
            let versus = sqliteRates[clients].map { String(format: ", %.2f× SQLite's", rate / $0) } ?? ""
            report.rate("\(clients) client\(clients == 1 ? "" : "s")\(versus)", rate, against: one)
        }
        return report
    }
}
