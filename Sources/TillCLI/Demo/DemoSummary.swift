/// What `till demo` wrote. Counts are of what the service accepted; `failures` are calls it
/// refused that the plan expected to succeed (there should be none), `declines` the card
/// declines the plan asks for on purpose (a customer whose first card is refused).
struct DemoSummary: Codable, Sendable, CustomStringConvertible {
    var orders = 0
    /// Of `orders`, those written as bulk history before the planned days.
    var historyOrders = 0
    var customers = 0
    /// Order installments taken (every tender).
    var payments = 0
    /// Order refunds plus refunds of standalone card payments.
    var refunds = 0
    /// Standalone card authorizations voided.
    var voids = 0
    /// Wallets opened by this run.
    var wallets = 0

    var seed: UInt64 = 0
    /// Orders left with a balance due (open or partially paid).
    var openOrders = 0
    var cardPayments = 0
    var cashPayments = 0
    var storeCreditPayments = 0
    var orderRefunds = 0
    /// Standalone gateway payments (`payment authorize`) and what followed them.
    var gatewayPayments = 0
    var captures = 0
    var gatewayRefunds = 0
    var walletCredits = 0
    var walletDebits = 0
    var declines = 0
    var failures = 0
    /// Rejection code -> how many times, for the failures.
    var failureCodes: [String: Int] = [:]
    /// Steps left out because an earlier step they depend on failed.
    var skipped = 0
    /// The oldest and newest order created (ISO 8601).
    var firstOrderAt: String?
    var lastOrderAt: String?
    /// Service calls made, and how long the whole run took.
    var calls = 0
    var elapsedMs: Int64 = 0

    var description: String {
        var text = "Demo data: \(orders) orders" + (historyOrders > 0 ? " (\(historyOrders) of them history)" : "")
            + " for \(customers) customers (\(openOrders) still owing), "
            + "\(payments) payments (\(cardPayments) card, \(cashPayments) cash, \(storeCreditPayments) store credit), "
            + "\(refunds) refunds, \(voids) voids, \(wallets) wallets, \(gatewayPayments) card authorizations"
        if let first = firstOrderAt, let last = lastOrderAt { text += ", from \(first.prefix(10)) to \(last.prefix(10))" }
        text += "; \(calls) calls in \(elapsedMs / 1000).\(String(elapsedMs % 1000 / 100)) s."
        if failures > 0 {
            text += "\n\(failures) calls were refused: "
                + failureCodes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ") + "."
        }
        return text
    }
}

extension DemoSummary {
    /// Adds the history before the planned days; `served` are the planned customers with an
    /// order (the history's first customers are the same people).
    mutating func add(history: DemoHistory, served: Set<Int>) {
        let part = history.summary
        add(part)  // its payments (all cash), order refunds and failures
        historyOrders = part.orders
        orders += part.orders
        refunds += part.orderRefunds
        openOrders += part.openOrders
        customers = history.served.indices.filter { history.served[$0] || served.contains($0) }.count
        if let first = part.firstOrderAt { firstOrderAt = first }
    }

    mutating func add(_ other: DemoSummary) {
        payments += other.payments
        voids += other.voids
        wallets += other.wallets
        cardPayments += other.cardPayments
        cashPayments += other.cashPayments
        storeCreditPayments += other.storeCreditPayments
        orderRefunds += other.orderRefunds
        gatewayPayments += other.gatewayPayments
        captures += other.captures
        gatewayRefunds += other.gatewayRefunds
        walletCredits += other.walletCredits
        walletDebits += other.walletDebits
        declines += other.declines
        failures += other.failures
        failureCodes.merge(other.failureCodes, uniquingKeysWith: +)
        skipped += other.skipped
        calls += other.calls
    }
}
