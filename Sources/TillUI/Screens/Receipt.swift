import TillCore
import TillService

/// A plain-text receipt: what `t` on the order screen saves to a file. The card appears as
/// brand and last four digits only.
enum Receipt {
    static func text(_ order: OrderView, printedAt: LocalTime, utcOffsetSeconds: Int) -> String {
        let width = 40
        let money = { (value: Int64) in Format.money(value, order.currency) }
        func line(_ left: String, _ right: String) -> String {
            let gap = max(1, width - left.displayWidth - right.displayWidth)
            return left + String(repeating: " ", count: gap) + right
        }
        func local(_ iso: String) -> String {
            guard let time = LocalTime(iso: iso, utcOffsetSeconds: utcOffsetSeconds) else { return iso }
            return "\(time.isoDay) \(time.clock)"
        }
        var lines = [
            String(repeating: " ", count: (width - 4) / 2) + "TILL",
            String(repeating: "=", count: width),
            line("Order", order.id),
            line("Customer", Format.fit(order.email, width - 10)),
            line("Date", local(order.createdAt)),
            String(repeating: "-", count: width),
            line("Total", money(order.total)),
        ]
        for payment in order.payments {
            lines.append(line("  \(local(payment.createdAt))", ""))
            lines.append(line("  " + Format.fit(POSState.tenderText(payment, order.currency), width - 16), money(payment.amount)))
            if payment.state == "voided" { lines.append(line("    voided", "")) }
            for refund in payment.refunds {
                lines.append(line("    refund \(local(refund.createdAt))", "-" + money(refund.amount)))
            }
        }
        lines += [
            String(repeating: "-", count: width),
            line("Paid", money(order.paid)),
            line("Refunded", money(order.refunded)),
            line("Balance due", money(order.balanceDue)),
            String(repeating: "=", count: width),
            line("Printed", "\(printedAt.isoDay) \(printedAt.clock)"),
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
