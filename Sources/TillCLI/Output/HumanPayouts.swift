import TillCore
import TillService

extension Human {
    static func payoutCycle(_ report: PayoutCycleReport) -> String {
        var lines = [
            "listed \(report.listed), recorded \(report.recorded), already recorded \(report.alreadyRecorded)",
            "acknowledged \(report.acknowledged), not yet \(report.unacknowledged) (\(report.acknowledgementCalls) calls)",
        ]
        for (id, reason) in report.refused.sorted(by: { $0.key < $1.key }) { lines.append("refused \(id): \(reason)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func payouts(_ payouts: [PayoutView]) -> String {
        guard !payouts.isEmpty else { return "No payouts imported.\n" }
        return payouts.map { payout in
            let amount = money(payout.amount, payout.currency)
            let summary = payout.reconciliation
            return "\(payout.id)  \(payout.createdAt)  \(amount)  \(payout.state)  "
                + "matched \(summary.matched), mismatched \(summary.mismatched), unexpected \(summary.unexpected)"
        }.joined(separator: "\n") + "\n"
    }

    static func reconciliation(_ view: ReconciliationView) -> String {
        var lines = [
            "matched \(view.matched.count), in transit \(view.inTransit.count), mismatched \(view.mismatched.count), "
                + "unexpected \(view.unexpected.count), fees and adjustments \(view.feesAndAdjustments.count)",
        ]
        for (currency, total) in view.inTransitTotals.sorted(by: { $0.key < $1.key }) {
            lines.append("in transit: \(money(total, currency))")
        }
        for (currency, total) in view.paidOutTotals.sorted(by: { $0.key < $1.key }) {
            lines.append("paid out: \(money(total, currency))")
        }
        lines.append(view.clean ? "clean" : "NOT clean: see mismatched and unexpected (--json)")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func money(_ minorUnits: Int64, _ code: String) -> String {
        guard case .success(let currency) = Currency.named(code) else { return "\(minorUnits) \(code)" }
        return Money(minorUnits: minorUnits, currency: currency).formatted
    }
}
