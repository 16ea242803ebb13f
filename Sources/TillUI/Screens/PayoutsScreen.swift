import TillCore
public import TillService

/// Payouts (DESIGN §8): what GoblinPay paid out, what is still in transit, what does not match;
/// per payout its entries, each with its bucket, and Enter on an entry opens its order.
public struct PayoutsModel: Sendable, Equatable {
    public var overview: PayoutsOverview?
    public var selected = 0
    /// Which list the arrows move: the payouts, or the selected payout's entries.
    public var inEntries = false
    public var entry = 0
    public var loading = false
    public var error: String?
}

extension POSState {
    var selectedPayout: PayoutView? { payouts.overview?.payouts[safe: payouts.selected] }

    mutating func handlePayoutsKey(_ key: Key) -> [POSEffect]? {
        switch key {
        case .up, .down, .pageUp, .pageDown, .home:
            if payouts.inEntries {
                payouts.entry = Table.moved(payouts.entry, count: selectedPayout?.entries.count ?? 0, by: key)
            } else {
                payouts.selected = Table.moved(payouts.selected, count: payouts.overview?.payouts.count ?? 0, by: key)
                payouts.entry = 0
            }
            return []
        case .tab, .backTab:
            payouts.inEntries = !payouts.inEntries && !(selectedPayout?.entries.isEmpty ?? true)
            return []
        case .enter:
            guard payouts.inEntries, let orderId = selectedPayout?.entries[safe: payouts.entry]?.orderId else {
                if selectedPayout?.entries.isEmpty == false { payouts.inEntries = true }
                return []
            }
            return openOrder(orderId)
        case .character("i"):
            payouts.loading = true
            message = .info("Importing payouts from GoblinPay…")
            return [.query(.payouts(importing: true))]
        case .escape where payouts.inEntries:
            payouts.inEntries = false
            return []
        default:
            return nil
        }
    }

    mutating func applyPayouts(_ answer: Result<QueryAnswer, Rejection>) {
        payouts.loading = false
        switch answer {
        case .success(.payouts(let overview, let imported)):
            let selectedId = selectedPayout?.id
            payouts.overview = overview
            payouts.error = nil
            payouts.selected = overview.payouts.firstIndex { $0.id == selectedId } ?? min(payouts.selected, max(0, overview.payouts.count - 1))
            payouts.entry = min(payouts.entry, max(0, (selectedPayout?.entries.count ?? 1) - 1))
            if let imported {
                message = .info("Imported \(imported.recorded) new payout(s); \(imported.unacknowledged) to confirm with GoblinPay later.")
            }
        case .failure(let rejection):
            payouts.error = rejection.message
            message = .error(rejection.message)
        case .success:
            break
        }
    }

    func renderPayouts(into buffer: inout CellBuffer, _ area: Rect) {
        let x = area.x + 1
        let width = area.width - 2
        buffer.heading("Payouts", x: x, y: area.y, width: width)
        guard let overview = payouts.overview else {
            buffer.write(payouts.error.map { "! " + $0 } ?? "Loading…", x: x, y: area.y + 1, style: payouts.error == nil ? Theme.dim : Theme.error, limit: width)
            return
        }
        // The three figures a shop asks: paid out, on its way, and what needs a look.
        let figures = overview.reconciliation
        let unmatched = figures.mismatched.count + figures.unexpected.count
        var fx = x
        for (label, totals) in [("Paid out", figures.paidOutTotals), ("In transit", figures.inTransitTotals)] {
            let text = totals.isEmpty ? Format.money(0, defaultCurrency)
                : totals.sorted { $0.key < $1.key }.map { Format.money($0.value, $0.key) }.joined(separator: " + ")
            fx += buffer.write(label + " ", x: fx, y: area.y + 1, style: Theme.label)
            fx += buffer.write(text, x: fx, y: area.y + 1, style: Theme.money, limit: max(0, area.maxX - fx - 1)) + 3
        }
        fx += buffer.write("Unmatched ", x: fx, y: area.y + 1, style: Theme.label)
        buffer.write("\(unmatched)", x: fx, y: area.y + 1, style: unmatched == 0 ? Theme.success : Theme.error)

        let listWidth = width * 9 / 20
        let rows = overview.payouts.map { payout -> [String] in
            let summary = payout.reconciliation
            let flag = summary.mismatched + summary.unexpected > 0 ? "!" : (payout.state == "processing" ? "✓" : "…")
            return [LocalTime(iso: payout.createdAt, utcOffsetSeconds: utcOffsetSeconds)?.dayAndClock ?? payout.createdAt, Format.money(payout.amount, payout.currency), flag]
        }
        Table(columns: [.init("Created", width: 0), .init("Amount", width: 12, alignRight: true), .init(" ", width: 1)])
            .render(rows, selected: overview.payouts.isEmpty ? nil : payouts.selected, focused: overlay == nil && !payouts.inEntries,
                    into: &buffer, Rect(x: x, y: area.y + 3, width: listWidth, height: area.height - 3),
                    emptyText: "No payouts imported yet: i imports now.")
        guard let payout = selectedPayout else { return }
        let right = Rect(x: x + listWidth + 2, y: area.y + 3, width: area.maxX - x - listWidth - 3, height: area.height - 3)
        buffer.write(payout.id, x: right.x, y: right.y, style: Theme.dim, limit: right.width)
        let summary = payout.reconciliation
        buffer.write("\(summary.matched) matched · \(summary.mismatched) mismatched · \(summary.unexpected) unexpected"
                     + (summary.feesAndAdjustments > 0 ? " · \(summary.feesAndAdjustments) other" : ""),
                     x: right.x, y: right.y + 1, style: summary.mismatched + summary.unexpected > 0 ? Theme.error : Theme.label, limit: right.width)
        let entryRows = payout.entries.map { entry -> [String] in
            [entry.kind, Format.money(entry.amount, payout.currency), entry.bucket, entry.orderId ?? ""]
        }
        Table(columns: [.init("Kind", width: 8), .init("Amount", width: 10, alignRight: true), .init("Bucket", width: 10), .init("Order", width: 0)])
            .render(entryRows, selected: payouts.inEntries ? payouts.entry : nil, focused: overlay == nil && payouts.inEntries, into: &buffer,
                    Rect(x: right.x, y: right.y + 2, width: right.width, height: right.height - 2), emptyText: "No entries.")
    }
}
