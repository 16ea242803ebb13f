import Foundation
import TillCore
import TillSim

/// The pure core's decisions per second, and `till sim` steps per second.
struct CoreBench {
    let measure: Measure

    /// Installments planned per second: the core's check of one installment on an order
    /// (amount, currency, balance due, cash change), no I/O.
    func decisionsPerSecond(count: Int) throws -> Double {
        guard case .success(let email) = Email.parse("a@bench.test"),
              case .success(let order) = Order.create(id: "ord_bench", email: email, total: Money(minorUnits: 10_000, currency: .usd), at: Instant(millisecondsSinceEpoch: 0))
        else { throw BenchFailure(description: "the bench order was refused") }
        var rates: [Double] = []
        for _ in 0..<measure.rounds {
            var approved = 0
            let start = ContinuousClock.now
            for index in 0..<count {
                let amount = Money(minorUnits: Int64(1 + index % 10_000), currency: .usd)
                let tendered = Money(minorUnits: Int64(10_000 + index % 500), currency: .usd)
                if case .success = order.plan(amount: amount, tender: .cash(tendered: tendered)) { approved += 1 }
            }
            let seconds = (ContinuousClock.now - start).seconds
            guard approved == count else { throw BenchFailure(description: "the core refused \(count - approved) plans") }
            rates.append(Double(count) / seconds)
        }
        return Measure.median(rates)
    }

    func simStepsPerSecond(steps: Int) async throws -> Double {
        let start = ContinuousClock.now
        let result = await TillSim.run(SimOptions(seed: 1, steps: steps))
        let seconds = (ContinuousClock.now - start).seconds
        if let violation = result.violation { throw BenchFailure(description: "till sim found a violation: \(violation)") }
        return Double(result.steps) / seconds
    }
}
