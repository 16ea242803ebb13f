import TillCore
public import TillService

/// An X or Z report as plain text: what `till drawer close` and `till report` print, the file
/// saved beside receipts, and the POS's report view. It only lays out the figures the report
/// carries; every one was computed by the core.
public enum DrawerReportText {
    /// The report's lines; `time` turns an ISO 8601 instant into the text to show.
    public static func lines(_ report: DrawerReportView, time: (String) -> String) -> [String] {
        let money = { (value: Int64) in Format.money(value, report.currency) }
        let less = { (value: Int64) in lessText(value, report.currency) }
        let title = report.report == .z ? "Z report" : "X report"
        var lines: [String] = []
        guard let session = report.session else {
            lines.append("\(title) · \(report.currency) · no drawer is open")
            lines += outside(report, money: money, heading: "Moved since the last close, with no drawer open:")
            if report.outsideSession.sales == 0 && report.outsideSession.refunds == 0 && report.outsideSession.voids == 0 {
                lines.append("  nothing")
            }
            return lines
        }
        lines.append("\(title) · \(report.currency) · session \(session) · \(report.state)")
        var opened = "Opened \(report.openedAt.map(time) ?? "?") by \(report.openedBy ?? "?")"
        if let closedAt = report.closedAt { opened += " · closed \(time(closedAt)) by \(report.closedBy ?? "?")" }
        lines.append(opened)
        lines.append("")
        lines.append("Cash drawer")
        lines.append(row("Float", money(report.float)))
        lines.append(row("Cash sales (tendered)", money(report.cashSales)))
        lines.append(row("Change given", less(report.changeGiven)))
        lines.append(row("Cash refunds (handed back)", less(report.cashRefunds)))
        lines.append(row("Paid in", money(report.paidIn)))
        lines.append(row("Paid out", less(report.paidOut)))
        lines.append(row("Expected in the drawer", money(report.expected)))
        if let counted = report.counted, let difference = report.difference {
            lines.append(row("Counted", money(counted)))
            lines.append(row("Difference", differenceText(difference, money: money)))
        }
        lines.append("")
        lines.append(row("Takings", money(report.takings)))
        lines.append("  card + cash after change − refunds to card or cash; store credit apart")
        for tender in [Tender.Kind.card, .cash] {
            let figures = report.tender(tender)
            lines.append(row("  \(tender.displayName): \(Format.count(figures?.sales ?? 0, "sale"))",
                             "\(money(figures?.taken ?? 0))  refunded \(money(figures?.refunded ?? 0))"))
        }
        let credit = report.tender(.storeCredit)
        lines.append(row("  Store credit redeemed: \(Format.count(credit?.sales ?? 0, "sale"))", money(report.storeCreditRedeemed)))
        lines.append(row("  Refunds given as store credit", money(report.storeCreditRefunds)))
        lines.append(row("Voided card holds: \(report.voids.count)", money(report.voids.amount)))
        lines.append("Counts: \(Format.count(report.counts.sales, "sale")), \(Format.count(report.counts.refunds, "refund")), "
            + "\(Format.count(report.counts.payIns, "pay-in")), \(Format.count(report.counts.payOuts, "pay-out"))")
        lines.append("")
        lines.append("By operator")
        for (_, figures) in report.byOperator.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(figures.name ?? "?"): \(Format.count(figures.sales, "sale")), takings \(money(figures.takings)), "
                + "cash \(money(figures.cash)), card \(money(figures.card)), store credit \(money(figures.storeCredit))")
            lines.append("    refunds \(figures.refunds) (cash handed back \(money(figures.cashRefunds))), "
                + "paid in \(money(figures.paidIn)), paid out \(money(figures.paidOut))")
        }
        let apart = report.outsideSession
        if apart.sales > 0 || apart.refunds > 0 || apart.voids > 0 {
            lines.append("")
            lines += outside(report, money: money, heading: "Moved while no drawer was open, since the last close (not in expected):")
        }
        return lines
    }

    /// "−$5.00" for money taken out, "$0.00" for none.
    public static func lessText(_ value: Int64, _ currency: String) -> String {
        value == 0 ? Format.money(0, currency) : "−" + Format.money(value, currency)
    }

    /// "$2.00 over", "$1.50 short", "none": the word carries the sign.
    public static func differenceText(_ difference: Int64, money: (Int64) -> String) -> String {
        if difference == 0 { return "none" }
        return "\(money(Int64(exactly: difference.magnitude) ?? .max)) \(difference > 0 ? "over" : "short")"
    }

    static func outside(_ report: DrawerReportView, money: (Int64) -> String, heading: String) -> [String] {
        let apart = report.outsideSession
        return [
            heading,
            "  \(Format.count(apart.sales, "sale")), takings \(money(apart.takings)): cash \(money(apart.cash)), "
                + "card \(money(apart.card)), store credit \(money(apart.storeCredit))",
            "  cash refunds handed back \(money(apart.cashRefunds)); net cash \(money(apart.cashMovement))",
        ]
    }

    private static func row(_ label: String, _ value: String) -> String {
        let padded = label.count < 34 ? label + String(repeating: " ", count: 34 - label.count) : label + " "
        return padded + value
    }
}
