import TillCore
public import TillService

/// One order: header, paid-vs-due bar, the payments timeline; pay, refund, save a receipt.
public struct OrderDetailModel: Sendable, Equatable {
    public var orderId: String?
    public var order: OrderView?
    public var selected = 0
    public var error: String?

    init(orderId: String? = nil) { self.orderId = orderId }
}

extension POSState {
    mutating func handleDetailKey(_ key: Key) -> [POSEffect]? {
        guard let order = detail.order else { return nil }
        switch key {
        case .up: detail.selected = max(0, detail.selected - 1)
        case .down: detail.selected = min(max(0, order.payments.count - 1), detail.selected + 1)
        case .character("p"):
            guard order.balanceDue > 0 else {
                message = StatusMessage(text: "This order is paid in full.", isError: false)
                return []
            }
            return openPayment(PaymentTarget(orderId: order.id, email: order.email, currency: order.currency, balanceDue: order.balanceDue))
        case .character("r"):
            guard order.payments.indices.contains(detail.selected) else { return [] }
            let payment = order.payments[detail.selected]
            let refundable = payment.amount - payment.refunded
            guard refundable > 0, payment.state != "voided" else {
                message = StatusMessage(text: "Nothing left to refund on that payment.", isError: false)
                return []
            }
            overlay = .amount(AmountDialog(
                purpose: .refundOrderPayment(orderId: order.id, paymentId: payment.id, tender: Self.tenderText(payment, order.currency)),
                currency: order.currency, prefill: refundable, limit: refundable, key: nextKey()))
        case .character("t"):
            return [.saveReceipt(orderId: order.id, text: Receipt.text(order, printedAt: localNow, utcOffsetSeconds: utcOffsetSeconds))]
        default: return nil
        }
        return []
    }

    static func tenderText(_ payment: OrderPaymentView, _ currency: String) -> String {
        if let card = payment.card { return Format.card(brand: card.brand, last4: card.last4) }
        if let wallet = payment.wallet { return "store credit · \(wallet)" }
        if let change = payment.change, change > 0 { return "cash, \(Format.money(change, currency)) change" }
        return Format.state(payment.tender)
    }

    func renderDetail(into buffer: inout CellBuffer, _ area: Rect) {
        guard let order = detail.order else {
            let text = detail.error.map { "! \($0)" } ?? "Loading order \(detail.orderId ?? "")…"
            buffer.write(text, x: area.x + 2, y: area.y + 1, style: detail.error == nil ? Theme.dim : Theme.error)
            return
        }
        let x = area.x + 2
        let width = area.width - 4
        buffer.heading("Order \(order.id)", x: x, y: area.y, width: width)
        buffer.write(order.email, x: x, y: area.y + 1, style: Theme.text.bolded, limit: width / 2)
        let created = localTime(order.createdAt).map { "created \($0.isoDay) \($0.clock)" } ?? ""
        buffer.writeRight(created, right: x + width, y: area.y + 1, style: Theme.dim)
        let status = Format.state(order.status).uppercased()
        let statusStyle = order.balanceDue == 0 ? Theme.success : Theme.warning
        let money = { (value: Int64) in Format.money(value, order.currency) }
        var y = area.y + 2
        var column = x
        for (label, value) in [("Total", money(order.total)), ("Paid", money(order.paid)), ("Due", money(order.balanceDue)), ("Refunded", money(order.refunded))] {
            column += buffer.write(label + " ", x: column, y: y, style: Theme.label)
            column += buffer.write(value, x: column, y: y, style: Theme.money) + 3
        }
        buffer.writeRight(status, right: x + width, y: y, style: statusStyle)
        y += 1
        buffer.ratioBar(part: order.paid, whole: order.total, x: x, y: y, width: width - 12)
        let percent = order.total > 0 ? Int(Int128(order.paid) * 100 / Int128(order.total)) : 0
        buffer.writeRight("\(percent)% paid", right: x + width, y: y, style: Theme.dim)
        y += 2
        buffer.heading("Payments", x: x, y: y, width: width)
        var rows: [[String]] = []
        var styles: [Style] = []
        for payment in order.payments {
            let time = localTime(payment.createdAt).map { "\($0.day) \(LocalTime.months[$0.month - 1]) \($0.clock)" } ?? ""
            let refunded = payment.refunded > 0 ? "−" + money(payment.refunded) : ""
            rows.append([time, Self.tenderText(payment, order.currency), money(payment.amount), Format.state(payment.state), refunded])
            styles.append(payment.state == "voided" ? Theme.dim : Theme.text)
        }
        let table = Table(columns: [
            .init("When", width: 12), .init("Tender", width: 0), .init("Amount", width: 12, alignRight: true),
            .init("State", width: 18), .init("Refunded", width: 11, alignRight: true),
        ])
        table.render(rows, selected: order.payments.isEmpty ? nil : detail.selected, focused: overlay == nil, into: &buffer,
                     Rect(x: x, y: y + 1, width: width, height: area.maxY - y - 1), rowStyles: styles, emptyText: "No payments yet: press p to take one.")
    }
}
