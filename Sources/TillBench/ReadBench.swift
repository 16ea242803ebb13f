import Foundation
import TillCLI
import TillProcessor
import TillService
import TillStore

/// Reads on a large ledger (made by `till demo`'s bulk history): a customer's history page and
/// the dashboard, against the raw indexed lookup of the same page.
struct ReadBench {
    let work: String
    let measure: Measure
    let orders: Int
    let pageSize = 50

    struct Ledger {
        let folder: String
        var path: String { folder + "/till.sqlite" }
        var secrets: String { folder + "-secrets" }
        /// The customer with the most orders (`email_key`).
        let busiest: String
        let someOrder: String
        let madeIn: Double
    }

    func makeLedger() async throws -> Ledger {
        let folder = try freshDirectory(work, "large")
        let environment = ["TILL_DB": folder + "/till.sqlite", "TILL_SECRETS_DIR": folder + "-secrets", "PATH": "/usr/bin:/bin"]
        let start = ContinuousClock.now
        let made = await TillCommandLine.run(["demo", "--orders", String(orders), "--json"], environment: environment)
        guard made.exitCode == 0 else { throw BenchFailure(description: "till demo failed: \(made.stdout) \(made.stderr)") }
        let seconds = (ContinuousClock.now - start).seconds
        let raw = try RawSQLite(readOnly: folder + "/till.sqlite")
        guard let busiest = try raw.firstText("SELECT email_key FROM orders GROUP BY email_key ORDER BY count(*) DESC LIMIT 1"),
              let order = try raw.firstText("SELECT id FROM orders ORDER BY created_at DESC LIMIT 1")
        else { throw BenchFailure(description: "the demo ledger has no orders") }
        return Ledger(folder: folder, busiest: busiest, someOrder: order, madeIn: seconds)
    }

    func service(on ledger: Ledger) async throws -> TillService {
        let file = try LedgerFile.open(path: ledger.path, secretsDirectory: ledger.secrets, creating: .never)
        return await TillService.open(ledger: file, processor: GoblinPay())
    }

    /// The raw page: the same SQL and rows as the service's first page, stepped through in C
    /// (a statement prepared each time, as a cold call would), nothing built from them.
    func rawPage(_ ledger: Ledger) async throws -> Double {
        let raw = try RawSQLite(readOnly: ledger.path)
        return try await measure.each(samples: 41) {
            guard try raw.historyPage(ledger.busiest, limit: pageSize) > 0 else { throw BenchFailure(description: "no rows for the busiest customer") }
        }
    }

    func historyPage(_ ledger: Ledger, service: TillService) async throws -> Double {
        try await measure.each(samples: 41) {
            let page = try check(await service.customerOrders(email: ledger.busiest, limit: pageSize, after: nil))
            guard !page.orders.isEmpty else { throw BenchFailure(description: "an empty history page") }
        }
    }

    func dashboard(_ service: TillService) async throws -> Double {
        try await measure.each(samples: 41) { try check(await service.dashboard(utcOffsetSeconds: 0)) }
    }

    /// What the POS does before its dashboard shows figures, in process: open the ledger
    /// (checks included) and ask for the dashboard.
    func openAndDashboard(_ ledger: Ledger) async throws -> Double {
        try await measure.each {
            let service = try await service(on: ledger)
            try check(await service.dashboard(utcOffsetSeconds: 0))
        }
    }
}
