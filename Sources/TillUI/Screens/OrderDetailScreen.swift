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
                message = .info("This order is paid in full.")
                return []
            }
            return openPayment(for: order)
        case .character("r"):
            guard order.payments.indices.contains(detail.selected) else { return [] }
            let payment = order.payments[detail.selected]
            let refundable = payment.refundable
            guard refundable > 0 else {
                message = .info("Nothing left to refund on that payment.")
                return []
            }
            overlay = .amount(AmountDialog(
                purpose: .refundOrderPayment(
                    orderId: order.id, paymentId: payment.id, tender: Self.tenderText(payment, order.currency),
                    cash: payment.tender == .cash, email: order.email),
                currency: order.currency, prefill: refundable, limit: refundable, key: nextKey()))
            // Store credit may go only to the customer's own wallets: the dialog lists them.
            return [.query(.customerWallets(email: order.email))]
        case .character("t"):
            // The runner reads the order again: the receipt is what the ledger holds now.
            return [.saveReceipt(orderId: order.id, printedAt: now)]
        default: return nil
        }
        return []
    }

    // MARK: Pending requests

    /// The order the operator is looking at: the order screen's, or the customer pane's.
    var orderOnScreen: OrderView? {
        switch screen {
        case .orderDetail: detail.order
        case .customers: customers.order.flatMap { $0.id == customers.orders[safe: customers.orderIndex]?.id ? $0 : nil }
        default: nil
        }
    }

    /// On a pulse: while an order with requests of unknown outcome is on screen (and no dialog
    /// is over it), ask GoblinPay what became of them every `resolveEvery` pulses, one pass
    /// at a time, until nothing is pending. Requests that need attention wait for an operator
    /// (`till pending --resolve`), so they alone do not keep it asking.
    mutating func resolvePendingIfDue() -> [POSEffect] {
        guard overlay == nil, busy == nil, resolving == nil, let order = orderOnScreen,
              order.pending?.contains(where: { !$0.needsAttention }) == true
        else {
            pulsesToResolve = Self.resolveEvery
            return []
        }
        pulsesToResolve -= 1
        guard pulsesToResolve <= 0 else { return [] }
        pulsesToResolve = Self.resolveEvery
        resolving = order.id
        return [.resolvePending(orderId: order.id)]
    }

    /// Says in the status bar what became of each request pending on `before` that `after`
    /// no longer has: recorded (its payment or refund is on the order) or not applied.
    mutating func announceSettled(from before: OrderView, to after: OrderView) {
        let still = Set((after.pending ?? []).map(\.key))
        let settled = (before.pending ?? []).filter { !still.contains($0.key) }
        guard !settled.isEmpty else { return }
        message = .info(settled.map { Self.outcome(of: $0, before: before, after: after) }.joined(separator: " · "))
    }

    static func outcome(of request: PendingRequestView, before: OrderView, after: OrderView) -> String {
        let amount = Format.money(request.amount, request.currency)
        if request.isRefund {
            let refunded = { (order: OrderView) in order.payments.first { $0.id == request.orderPaymentId }?.refunded ?? 0 }
            return refunded(after) > refunded(before)
                ? "The refund of \(amount) went through"
                : "The pending refund of \(amount) did not go through; nothing was refunded"
        }
        let card = request.tender == .card
        return after.payments.contains(where: { $0.id == request.orderPaymentId })
            ? (card ? "Card payment" : "Payment") + " of \(amount) went through"
            : "The pending \(card ? "card payment" : "payment") of \(amount) did not go through; nothing was charged"
    }

    /// Timeline rows for the requests still pending on `order`, after its payments: when,
    /// tender, amount, "resolving…" or "NEEDS ATTENTION" (then its reason on a line of its own),
    /// padded to `columns` cells. Given the table's `width`, the reason wraps over as many rows
    /// as it needs (its end is the action it asks for); otherwise it is one row, cut to fit.
    func pendingRows(_ order: OrderView, columns: Int, width: Int? = nil) -> (rows: [[String]], styles: [Style]) {
        var rows: [[String]] = []
        var styles: [Style] = []
        for request in order.pending ?? [] {
            let time = localTime(request.since).map { "\($0.day) \(LocalTime.months[$0.month - 1]) \($0.clock)" } ?? ""
            var tender = request.card.map { Format.card(brand: $0.brand, last4: $0.last4) } ?? request.tender.map { Format.state($0) } ?? ""
            var amount = Format.money(request.amount, request.currency)
            if request.isRefund {
                let refunded = order.payments.first { $0.id == request.orderPaymentId }
                tender = "refund · " + (refunded.map { Self.tenderText($0, order.currency) } ?? tender)
                amount = "−" + amount
            }
            let attention = request.needsAttention
            let row = [time, tender, amount, attention ? "NEEDS ATTENTION" : "resolving…"]
            rows.append(row + Array(repeating: "", count: max(0, columns - row.count)))
            styles.append(attention ? Theme.error : Theme.warning)
            if attention {
                // One cell: the row spans the table, so the reason gets the whole width.
                let reason = "  NEEDS ATTENTION: " + (request.attention ?? "GoblinPay applied it but Till could not record it")
                for line in width.map({ Format.wrap(reason, width: $0, lines: 6) }) ?? [reason] {
                    rows.append([line])
                    styles.append(Theme.error)
                }
            }
        }
        return (rows, styles)
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
        // Installments in flight cover part of the balance: shown as pending, and "Due" is what
        // is left once they succeed (the service's figure), never the pending amount again.
        let pendingCover = order.pendingPaid ?? 0
        var figures = [("Total", money(order.total), Theme.money), ("Paid", money(order.paid), Theme.money)]
        if pendingCover > 0 { figures.append(("Pending", money(pendingCover), Theme.warning)) }
        figures.append(("Due", money(order.payable), Theme.money))
        if pendingCover == 0 || order.refunded > 0 { figures.append(("Refunded", money(order.refunded), Theme.money)) }
        var y = area.y + 2
        var column = x
        for (label, value, style) in figures {
            column += buffer.write(label + " ", x: column, y: y, style: Theme.label)
            column += buffer.write(value, x: column, y: y, style: style) + 3
        }
        buffer.writeRight(status, right: x + width, y: y, style: statusStyle)
        y += 1
        let percent = { (part: Int64) in order.total > 0 ? Int(Int128(part) * 100 / Int128(order.total)) : 0 }
        let ratio = pendingCover > 0 ? "\(percent(order.paid))% paid +\(percent(pendingCover))% pending" : "\(percent(order.paid))% paid"
        let barWidth = pendingCover > 0 ? width - ratio.count - 2 : width - 12
        buffer.ratioBar(part: order.paid, pending: pendingCover, whole: order.total, x: x, y: y, width: barWidth)
        buffer.writeRight(ratio, right: x + width, y: y, style: Theme.dim)
        y += 2
        buffer.heading("Payments", x: x, y: y, width: width)
        var rows: [[String]] = []
        var styles: [Style] = []
        for payment in order.payments {
            let time = localTime(payment.createdAt).map { "\($0.day) \(LocalTime.months[$0.month - 1]) \($0.clock)" } ?? ""
            let refunded = payment.refunded > 0 ? "−" + money(payment.refunded) : ""
            rows.append([time, Self.tenderText(payment, order.currency), money(payment.amount), Format.state(payment.state), refunded])
            styles.append(Theme.text)
        }
        let pending = pendingRows(order, columns: 5, width: width)
        rows += pending.rows
        styles += pending.styles
        let table = Table(columns: [
            .init("When", width: 12), .init("Tender", width: 0), .init("Amount", width: 12, alignRight: true),
            .init("State", width: 18), .init("Refunded", width: 11, alignRight: true),
        ])
        table.render(rows, selected: order.payments.isEmpty ? nil : detail.selected, focused: overlay == nil, into: &buffer,
                     Rect(x: x, y: y + 1, width: width, height: area.maxY - y - 1), rowStyles: styles, emptyText: "No payments yet: press p to take one.")
    }
}
