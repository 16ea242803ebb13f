import TillCore
public import TillService

/// Card payments at the gateway: state and amounts, the order and customer of installments;
/// authorize, capture, release the rest, refund, void; an "open holds" filter.
public struct CardPaymentsModel: Sendable, Equatable {
    public var payments: [PaymentView] = []
    /// Only authorizations that may still be captured (`f`), newest first.
    public var openHoldsOnly = false
    public var next: PaymentCursor?
    public var loadingMore = false
    public var selected = 0
    public var error: String?
    /// An authorize dialog whose answer never came (`payment_pending`), kept whole with its key
    /// when closed: `a` brings it back, so Enter learns the outcome instead of putting a
    /// second hold on the card. Dropped once it succeeds or its key proves spent.
    public var unanswered: AuthorizeDialog?
}

extension ConfirmDialog {
    /// The question before a void or a release of `payment`'s hold, naming the amounts and the card.
    static func ending(_ payment: PaymentView, _ command: ServiceRequest) -> ConfirmDialog {
        let card = Format.card(brand: payment.card.brand, last4: payment.card.last4)
        let authorized = Format.money(payment.authorized, payment.currency)
        if case .release = command {
            return ConfirmDialog(
                title: "Release · \(payment.id)",
                question: "Release the uncaptured \(Format.money(payment.releasable, payment.currency)) of \(authorized) on \(card)? Nothing more can be captured.",
                command: command)
        }
        return ConfirmDialog(title: "Void · \(payment.id)", question: "Void the \(authorized) authorization on \(card)?", command: command)
    }
}

extension POSState {
    var selectedCardPayment: PaymentView? { cards.payments[safe: cards.selected] }

    mutating func handleCardsKey(_ key: Key) -> [POSEffect]? {
        switch key {
        case .up, .down, .pageUp, .pageDown, .home:
            cards.selected = Table.moved(cards.selected, count: cards.payments.count, by: key)
            if cards.selected >= cards.payments.count - 5, let next = cards.next, !cards.loadingMore {
                cards.loadingMore = true
                return [.query(cards.openHoldsOnly ? .openHolds(after: next) : .cardPayments(after: next))]
            }
            return []
        case .character("f"):
            // Another list: it starts from the top.
            cards.openHoldsOnly.toggle()
            cards.payments = []
            cards.next = nil
            cards.selected = 0
            cards.loadingMore = false
            message = .info(cards.openHoldsOnly ? "Open holds only: f shows every card payment." : "Every card payment.")
            return reloadScreen()
        case .enter, .character("o"):
            guard let payment = selectedCardPayment else { return [] }
            guard let orderId = payment.orderId else {
                message = .error("\(payment.id) was authorized on its own: it belongs to no order.")
                return []
            }
            return openOrder(orderId)
        case .character("l"):
            guard let payment = selectedCardPayment else { return [] }
            guard payment.releasable > 0 else {
                message = .error(Self.nothingToRelease(payment))
                return []
            }
            overlay = .confirm(.ending(payment, .release(paymentId: payment.id, key: nextKey())))
            return []
        case .character("a"):
            if let kept = cards.unanswered {
                overlay = .authorize(kept)
                message = .error(AuthorizeDialog.keptNote)
                return []
            }
            overlay = .authorize(AuthorizeDialog(currency: defaultCurrency, key: nextKey()))
            return []
        case .character("c"), .character("r"), .character("v"):
            guard let payment = selectedCardPayment else { return [] }
            if let reason = Self.belongsToOrder(payment) {
                message = .error(reason)
                return []
            }
            switch key {
            case .character("c"), .character("r"):
                // The core's figures: what may be captured, or refunded, now.
                let capture = key == .character("c")
                let most = capture ? payment.capturable : payment.refundable
                guard most > 0 else {
                    let text = capture ? "Nothing left to capture on \(payment.id) (\(Format.state(payment.status)))."
                        : "Nothing captured to refund on \(payment.id)."
                    message = .error(text)
                    return []
                }
                overlay = .amount(AmountDialog(
                    purpose: capture ? .capture(paymentId: payment.id) : .refundPayment(paymentId: payment.id),
                    currency: payment.currency, prefill: most, limit: most, key: nextKey()))
            default:
                overlay = .confirm(.ending(payment, .void(paymentId: payment.id, key: nextKey())))
            }
            return []
        default:
            return nil
        }
    }

    /// An order's card installment is changed through its order, never here (the core's rule,
    /// `Payment.refusedOutsideItsOrder`, said in the counter's words).
    static func belongsToOrder(_ payment: PaymentView) -> String? {
        guard Payment.refusedOutsideItsOrder(payment.id, installment: payment.orderPaymentId) != nil else { return nil }
        // The action first: the ids after it may be cut at 80 columns.
        return "Enter opens its order to refund it there: order \(payment.orderId ?? "?"), installment \(payment.orderPaymentId ?? "?") of \(payment.id)."
    }

    /// Why `l` does nothing on this payment, in the operator's words (the core decided: releasable 0).
    static func nothingToRelease(_ payment: PaymentView) -> String {
        if payment.released > 0 { return "The rest of \(payment.id) was already released." }
        if payment.captured == 0 && payment.capturable > 0 { return "Nothing captured on \(payment.id) yet: void it (v) to release the hold." }
        return "Nothing left to release on \(payment.id) (\(Format.state(payment.status)))."
    }

    func renderCards(into buffer: inout CellBuffer, _ area: Rect) {
        let x = area.x + 1
        let width = area.width - 2
        buffer.heading(cards.openHoldsOnly ? "Card payments · open holds" : "Card payments", x: x, y: area.y, width: width)
        let titleWidth = cards.openHoldsOnly ? 30 : 16
        if let error = cards.error { buffer.write("! " + error, x: x + titleWidth, y: area.y, style: Theme.error, limit: width - titleWidth) }
        // Wide terminals get the full card name, the refunded column and the order id; the
        // customer takes what is left (an authorization on its own has none).
        let wide = width >= 100, widest = width >= 150
        let rows = cards.payments.map { payment -> [String] in
            let money = { (value: Int64) in Format.money(value, payment.currency) }
            var row = [
                localTime(payment.authorizedAt).map { "\($0.day) \(LocalTime.months[$0.month - 1])" } ?? "",
                wide ? Format.card(brand: payment.card.brand, last4: payment.card.last4)
                    : Format.cardShort(brand: payment.card.brand, last4: payment.card.last4),
                Format.state(payment.status),
                money(payment.authorized), money(payment.captured),
            ]
            if wide { row.append(money(payment.refunded)) }
            row += [money(payment.capturable), payment.customer ?? "—"]
            if widest { row.append(payment.orderId ?? "") }
            return row
        }
        let styles = cards.payments.map { [PaymentStatus.voided, .expired, .refunded].contains($0.status) ? Theme.dim : Theme.text }
        let detailHeight = 4
        // Money columns: 10 cells at 80 columns ("$9,999.99"), 13 once there is room.
        let money = wide ? 13 : 10
        var columns: [Table.Column] = [
            .init("Date", width: 6), .init("Card", width: wide ? 19 : 11), .init("Status", width: 11),
            .init("Authorized", width: money, alignRight: true), .init("Captured", width: money, alignRight: true),
        ]
        if wide { columns.append(.init("Refunded", width: money, alignRight: true)) }
        columns += [.init("Capturable", width: money, alignRight: true), .init("Customer", width: 0)]
        if widest { columns.append(.init("Order", width: 20)) }
        Table(columns: columns).render(
            rows, selected: cards.payments.isEmpty ? nil : cards.selected, focused: overlay == nil, into: &buffer,
            Rect(x: x, y: area.y + 1, width: width, height: area.height - 1 - detailHeight), rowStyles: styles,
            emptyText: cards.openHoldsOnly ? "No open holds: f shows every card payment."
                : "No card payments yet: press a to authorize one.")
        guard let payment = selectedCardPayment else { return }
        let y = area.maxY - detailHeight
        buffer.heading("\(payment.id) · authorized \(localTime(payment.authorizedAt)?.clock ?? "") · expires \(localTime(payment.expiresAt).map { "\($0.isoDay) \($0.clock)" } ?? "")", x: x, y: y, width: width)
        let history = payment.events.suffix(3).map { event in
            "\(localTime(event.at)?.clock ?? "") \(event.kind.rawValue) \(Format.money(event.amount, payment.currency))"
        }.joined(separator: "  ·  ")
        buffer.write(history, x: x, y: y + 1, style: Theme.dim, limit: width)
        var actions = Self.belongsToOrder(payment) ?? "refundable \(Format.money(payment.refundable, payment.currency)) · capturable \(Format.money(payment.capturable, payment.currency))"
        if payment.releasable > 0 { actions += " · l releases the \(Format.money(payment.releasable, payment.currency)) rest" }
        if payment.released > 0 { actions += " · \(Format.money(payment.released, payment.currency)) released" }
        buffer.write(actions, x: x, y: y + 2, style: Theme.dim, limit: width)
    }

    func renderAuthorize(_ dialog: AuthorizeDialog, into buffer: inout CellBuffer) {
        let width = min(64, self.width - 4)
        let errorRows = dialog.error.map { errorLines($0, width: width - 4).count } ?? 0
        let rect = openDialog(width: width, height: min(height - 3, 13 + max(1, errorRows)), title: "Authorize a card", into: &buffer)
        let x = rect.x + 2
        let fieldX = x + 13
        let labels = ["Card number", "Expiry", "CVV", "Amount", "Currency"]
        for (index, label) in labels.enumerated() {
            let y = rect.y + 2 + index * 2 - (index > 0 ? 0 : 0)
            buffer.write(label, x: x, y: y, style: dialog.focus == index ? Theme.label.bolded : Theme.label)
            let focused = dialog.focus == index
            switch index {
            case 0:
                dialog.card.number.render(into: &buffer, x: fieldX, y: y, width: 24, focused: focused, shown: dialog.card.maskedNumber)
                if let hint = dialog.card.numberHint {
                    buffer.write(hint.text, x: fieldX + 26, y: y, style: hint.isProblem ? Theme.error : Theme.success, limit: rect.maxX - fieldX - 28)
                }
            case 1: dialog.card.expiry.render(into: &buffer, x: fieldX, y: y, width: 6, focused: focused, shown: dialog.card.expiryText)
            case 2: dialog.card.cvv.render(into: &buffer, x: fieldX, y: y, width: 5, focused: focused, shown: dialog.card.maskedCVV)
            case 3: dialog.amount.render(into: &buffer, x: fieldX, y: y, width: 14, focused: focused, alignRight: true)
            default: dialog.currency.render(into: &buffer, x: fieldX, y: y, width: 5, focused: focused)
            }
            if dialog.problem?.field == index, let problem = dialog.problem {
                buffer.write("! " + problem.message, x: fieldX + 16, y: y, style: Theme.error, limit: rect.maxX - fieldX - 18)
            }
        }
        // Wrapped upward from the foot: never cut before the action it asks for (issue 11).
        let said = dialog.error.map { errorLines($0, width: width - 4) } ?? []
        for (index, line) in said.enumerated() {
            buffer.write(line, x: x, y: rect.maxY - 2 - said.count + index, style: Theme.error, limit: width - 4)
        }
        dialogFoot("Enter authorize   Tab next   Esc cancel", key: dialog.key, in: rect, into: &buffer)
    }
}
