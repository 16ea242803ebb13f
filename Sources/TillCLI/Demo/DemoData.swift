import TillCore

/// What `till demo` wrote.
struct DemoSummary: Codable, Sendable, CustomStringConvertible {
    var orders = 0
    var customers = 0
    var payments = 0
    var refunds = 0
    var voids = 0
    var wallets = 0
    var description: String {
        "Demo data: \(orders) orders for \(customers) customers, \(payments) payments, \(refunds) refunds, \(voids) voids, \(wallets) wallets."
    }
}

/// Sample data generator (placeholder until the demo lands).
enum DemoData {
    static func fill(
        databasePath: String, orders: Int, seed: UInt64, now: Instant,
        progress: @Sendable (_ done: Int, _ total: Int) -> Void
    ) async throws -> DemoSummary {
        DemoSummary()
    }
}
