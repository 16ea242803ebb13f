public import TillCore
public import TillService

/// Who is being paid: an existing order, or (orderId nil) the order that create-and-pay will
/// make only if this payment goes through.
public struct PaymentTarget: Sendable, Equatable {
    public let orderId: String?
    public let email: String
    public let currency: String
    /// What this payment may take: the balance due, or with payments pending on the order,
    /// what is due once they succeed (the service's `dueAfterPending`).
    public let balanceDue: Int64
    /// Payments are pending on the order: `balanceDue` already leaves them out.
    public let pending: Bool

    public init(orderId: String?, email: String, currency: String, balanceDue: Int64, pending: Bool = false) {
        self.orderId = orderId
        self.email = email
        self.currency = currency
        self.balanceDue = balanceDue
        self.pending = pending
    }

    /// An existing order as the service shows it: never offering again what is pending.
    public init(_ order: OrderView) {
        self.init(orderId: order.id, email: order.email, currency: order.currency,
                  balanceDue: order.payable, pending: order.pending != nil)
    }
}

/// Take a payment. The dialog holds one idempotency key from opening to closing: Enter twice,
/// or a retry after an error, sends the same key, so nothing is ever charged twice. A decline
/// or error keeps everything typed and says why.
public struct PaymentDialog: Sendable, Equatable {
    public private(set) var target: PaymentTarget
    public var tender: Tender.Kind = .card
    public var amount: TextField
    public var card = CardEntry()
    public var tendered = TextField(filter: .amount, maxLength: 20)
    public var wallets: [WalletView] = []
    public var walletsLoaded = false
    public var walletIndex = 0
    /// 0 is the tender row; then the tender's fields (see `fieldCount`). The dialog opens on
    /// the first field the operator types into (`firstField`): the amount is prefilled.
    public var focus = PaymentDialog.firstField
    public let key: String
    public var problem: FieldProblem?
    public var error: String?
    /// Set once a cash payment went through: the change to hand back, shown large.
    public var changeDue: Int64?
    /// Set once Enter sent the payment: from then on the dialog is that request (a retry must
    /// send the same amount under the same key), so it no longer follows the order's figures.
    var sent = false
    var closed = false

    /// The card number, the cash handed over or the wallet list: the first thing to type or
    /// choose for every tender.
    static let firstField = 2
    /// What a key the focused part cannot take was: said under the tender row or the wallets.
    public var note: String?

    init(target: PaymentTarget, key: String) {
        self.target = target
        self.key = key
        amount = TextField(Format.plainAmount(target.balanceDue, target.currency), filter: .amount, maxLength: 20)
    }

    /// The order was read again while the dialog is open: what may be charged follows it (a
    /// pending payment resolved, another till took one), and so does an untouched prefill.
    mutating func follow(_ order: OrderView) {
        let next = PaymentTarget(order)
        guard target.orderId == order.id, !sent, changeDue == nil, next != target else { return }
        let untouched = amount.text == Format.plainAmount(target.balanceDue, target.currency)
        target = next
        if untouched { amount = TextField(Format.plainAmount(next.balanceDue, next.currency), filter: .amount, maxLength: 20) }
    }

    static let fullyCovered = "Fully covered by pending payments: nothing to charge until they resolve."

    var fieldCount: Int {
        switch tender {
        case .card: 5
        case .cash: 3
        case .storeCredit: 3
        }
    }

    var currency: Currency { (try? Currency.named(target.currency).get()) ?? .usd }

    func parsed(_ field: TextField) -> Money? {
        try? Money.parsePositive(field.text, currency: currency).get()
    }

    /// What the core makes of the cash typed so far (`Order.plan`, the service's own rule):
    /// the change, or why not (more than is due, or short of the amount). Nil until both read.
    var cashPlan: Result<PaymentPlan, Rejection>? {
        guard let amount = parsed(amount), let tendered = parsed(tendered) else { return nil }
        return Order.plan(amount: amount, cash: tendered, due: Money(minorUnits: target.balanceDue, currency: currency))
    }

    /// How much more cash the amount needs (`Order.cashShortfall`), when the plan says it is short.
    var cashShortfall: Money? {
        guard case .failure(let rejection)? = cashPlan, rejection.code == .insufficientCash,
              let amount = parsed(amount), let tendered = parsed(tendered) else { return nil }
        return Order.cashShortfall(amount: amount, tendered: tendered)
    }

    /// The request as typed, or the first problem.
    func request(now: Instant, utcOffsetSeconds: Int) -> Result<(amount: String, tender: TenderInput), FieldProblem> {
        let amountText = amount.text
        if target.orderId != nil, target.balanceDue <= 0 {
            return .failure(FieldProblem(field: 1, message: target.pending ? Self.fullyCovered : "This order is paid in full."))
        }
        if case .failure(let rejection) = Money.parsePositive(amountText, currency: currency) {
            return .failure(FieldProblem(field: 1, message: rejection.message))
        }
        switch tender {
        case .card:
            switch card.tender(now: now, utcOffsetSeconds: utcOffsetSeconds) {
            case .failure(let problem): return .failure(FieldProblem(field: problem.field + 2, message: problem.message))
            case .success(let tender): return .success((amountText, tender))
            }
        case .cash:
            guard parsed(tendered) != nil else {
                return .failure(FieldProblem(field: 2, message: "Enter the cash handed over."))
            }
            if let short = cashShortfall { return .failure(FieldProblem(field: 2, message: "That is \(short.formatted) short.")) }
            // Refused before anything is sent, as the service would: with the same code.
            if case .failure(let rejection)? = cashPlan {
                return .failure(FieldProblem(field: 1, message: "\(rejection.message) [\(rejection.code.rawValue)]"))
            }
            return .success((amountText, .cash(tendered: tendered.text)))
        case .storeCredit:
            guard wallets.indices.contains(walletIndex) else {
                return .failure(FieldProblem(field: 2, message: "This customer has no store-credit wallet."))
            }
            return .success((amountText, .wallet(name: wallets[walletIndex].name)))
        }
    }

    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect] {
        if changeDue != nil {
            // The change screen: any of these closes it.
            if key == .enter || key == .escape || key == .character(" ") { closed = true }
            return []
        }
        note = nil
        switch key {
        case .escape:
            closed = true
            return []
        case .tab:
            focus = (focus + 1) % fieldCount
            return []
        case .backTab:
            focus = (focus + fieldCount - 1) % fieldCount
            return []
        case .function(9):
            // F9 from anywhere: a key no field can take, so typing never switches the tender.
            switchTender(by: 1)
            return []
        case .enter:
            switch request(now: state.now, utcOffsetSeconds: state.utcOffsetSeconds) {
            case .failure(let problem):
                self.problem = problem
                focus = problem.field
                return []
            case .success(let request):
                problem = nil
                error = nil
                sent = true
                let command: ServiceRequest
                if let orderId = target.orderId {
                    command = .pay(orderId: orderId, amount: request.amount, tender: request.tender, key: self.key)
                } else {
                    let total = Format.plainAmount(target.balanceDue, target.currency)
                    command = .createAndPay(
                        email: target.email, amount: total, currency: target.currency, pay: request.amount,
                        tender: request.tender, key: self.key)
                }
                return state.submit(command)
            }
        default:
            break
        }
        if focus == 0 {
            switch key {
            case .left: switchTender(by: -1)
            case .right: switchTender(by: 1)
            case .down: focus = 1
            case .character: note = "← → or F9 choose the tender; ↓ or Tab to the fields."
            default: break
            }
            return []
        }
        if tender == .storeCredit, focus == 2 {
            switch key {
            case .up:
                if walletIndex > 0 { walletIndex -= 1 } else { focus = 1 }
            case .down: walletIndex = min(max(0, wallets.count - 1), walletIndex + 1)
            case .character: note = "↑ ↓ choose a wallet; Tab to the other fields."
            default: break
            }
            return []
        }
        if key == .up {
            focus -= 1
            return []
        }
        if key == .down {
            focus = min(fieldCount - 1, focus + 1)
            return []
        }
        var field = currentField
        if field.handle(key) {
            currentField = field
            if problem?.field == focus, field.refusal == nil { problem = nil }
        }
        return []
    }

    /// The next (or previous) tender, with the focus on its first field.
    mutating func switchTender(by step: Int) {
        let order = Tender.Kind.allCases
        let index = order.firstIndex(of: tender) ?? 0
        tender = order[(index + step + order.count) % order.count]
        problem = nil
        focus = Self.firstField
    }

    /// The text field with the focus, nil on the tender row or the wallet list.
    var focusedField: TextField? {
        switch (tender, focus) {
        case (_, 1), (.card, 2...4), (.cash, 2): currentField
        default: nil
        }
    }

    /// The text field that has the focus (the tender row and wallet list are not fields).
    var currentField: TextField {
        get {
            switch (tender, focus) {
            case (_, 1): amount
            case (.card, 2): card.number
            case (.card, 3): card.expiry
            case (.card, 4): card.cvv
            case (.cash, 2): tendered
            default: TextField()
            }
        }
        set {
            switch (tender, focus) {
            case (_, 1): amount = newValue
            case (.card, 2): card.number = newValue
            case (.card, 3): card.expiry = newValue
            case (.card, 4): card.cvv = newValue
            case (.cash, 2): tendered = newValue
            default: break
            }
        }
    }
}

extension POSState {
    /// Opens the payment dialog for an order from a list row. A row does not know what is
    /// pending on its order: the order is read as well, and the dialog follows its figures.
    mutating func openPayment(for order: OrderSummaryView) -> [POSEffect] {
        guard order.balanceDue > 0 else {
            message = .info("Order \(order.id) is paid in full.")
            return []
        }
        if let loaded = [detail.order, customers.order].compactMap({ $0 }).first(where: { $0.id == order.id }) {
            return openPayment(for: loaded) + [.query(.order(id: order.id))]
        }
        return openPayment(PaymentTarget(orderId: order.id, email: order.email, currency: order.currency, balanceDue: order.balanceDue))
            + [.query(.order(id: order.id))]
    }

    /// Opens the payment dialog for a loaded order: it offers what is due once the payments
    /// pending on it succeed, and none at all when they cover the whole balance.
    mutating func openPayment(for order: OrderView) -> [POSEffect] {
        if let due = order.dueAfterPending, due <= 0, order.balanceDue > 0 {
            message = .info("Order \(order.id): " + PaymentDialog.fullyCovered)
            return []
        }
        return openPayment(PaymentTarget(order))
    }

    mutating func openPayment(_ target: PaymentTarget) -> [POSEffect] {
        // Create-and-pay reuses the form's key (see NewOrderModel.payKey); an existing order's
        // balance already counts any payment still in flight, so a fresh key is safe there.
        overlay = .payment(PaymentDialog(target: target, key: target.orderId == nil ? newOrder.payKey : nextKey()))
        return [.query(.customerWallets(email: target.email))]
    }

    func renderPayment(_ dialog: PaymentDialog, into buffer: inout CellBuffer) {
        let width = min(66, width - 4)
        // Room for the error under the fields: the dialog grows rather than cut it.
        let errorRows = dialog.error.map { errorLines($0, width: width - 4).count } ?? 0
        let height = min(self.height - 3, 15 + max(2, errorRows))
        let title = dialog.target.orderId.map { "Take payment · \($0)" } ?? "Create and pay"
        let rect = openDialog(width: width, height: height, title: title, into: &buffer)
        let x = rect.x + 2
        let fieldX = x + 13
        var y = rect.y + 1
        let due = Format.money(dialog.target.balanceDue, dialog.target.currency)
        buffer.write(Format.fit(dialog.target.email, width - 30), x: x, y: y, style: Theme.text)
        if dialog.changeDue == nil {
            let label = dialog.target.orderId == nil ? "Order total " : dialog.target.pending ? "Due after pending " : "Balance due "
            buffer.writeRight(label + due, right: rect.maxX - 2, y: y, style: Theme.money)
        }
        y += 1
        if let change = dialog.changeDue {
            renderCashBack("Paid. CHANGE DUE", style: Theme.success, amount: change, currency: dialog.target.currency,
                           then: ".", top: 4, into: &buffer, rect)
            return
        }
        // Tender row.
        y += 1
        buffer.write("Tender", x: x, y: y, style: dialog.focus == 0 ? Theme.label.bolded : Theme.label)
        var tabX = fieldX
        for kind in Tender.Kind.allCases {
            let selected = kind == dialog.tender
            let style = selected ? (dialog.focus == 0 ? Theme.tabActive : Theme.selected) : Theme.dim
            tabX += buffer.write(" \(kind.displayName) ", x: tabX, y: y, style: style) + 1
        }
        buffer.write("F9", x: tabX + 1, y: y, style: Theme.dim)
        if dialog.focus == 0 || (dialog.focus == 2 && dialog.tender == .storeCredit), let note = dialog.note {
            buffer.write("! " + note, x: x, y: y + 1, style: Theme.error, limit: rect.width - 4)
        }
        y += 2
        buffer.write("Amount", x: x, y: y, style: dialog.focus == 1 ? Theme.label.bolded : Theme.label)
        dialog.amount.render(into: &buffer, x: fieldX, y: y, width: 14, focused: dialog.focus == 1, alignRight: true)
        buffer.write(dialog.target.currency, x: fieldX + 15, y: y, style: Theme.dim)
        problem(dialog, field: 1, into: &buffer, x: x, y: y + 1, right: rect.maxX - 2)
        y += 2
        switch dialog.tender {
        case .card:
            buffer.write("Card number", x: x, y: y, style: dialog.focus == 2 ? Theme.label.bolded : Theme.label)
            dialog.card.number.render(into: &buffer, x: fieldX, y: y, width: 24, focused: dialog.focus == 2, shown: dialog.card.maskedNumber)
            if let hint = dialog.card.numberHint, dialog.problem?.field != 2 {
                buffer.write(hint.text, x: fieldX + 26, y: y, style: hint.isProblem ? Theme.error : Theme.success, limit: rect.maxX - fieldX - 28)
            }
            problem(dialog, field: 2, into: &buffer, x: x, y: y + 1, right: rect.maxX - 2)
            y += 2
            buffer.write("Expiry", x: x, y: y, style: dialog.focus == 3 ? Theme.label.bolded : Theme.label)
            dialog.card.expiry.render(into: &buffer, x: fieldX, y: y, width: 6, focused: dialog.focus == 3, shown: dialog.card.expiryText)
            buffer.write("CVV", x: fieldX + 9, y: y, style: dialog.focus == 4 ? Theme.label.bolded : Theme.label)
            dialog.card.cvv.render(into: &buffer, x: fieldX + 13, y: y, width: 5, focused: dialog.focus == 4, shown: dialog.card.maskedCVV)
            if let expiryProblem = dialog.card.expiryProblem(now: now, utcOffsetSeconds: utcOffsetSeconds), dialog.problem == nil {
                buffer.write("! " + expiryProblem, x: fieldX + 20, y: y, style: Theme.error, limit: rect.maxX - fieldX - 22)
            }
            problem(dialog, field: 3, into: &buffer, x: x, y: y + 1, right: rect.maxX - 2)
            problem(dialog, field: 4, into: &buffer, x: x, y: y + 1, right: rect.maxX - 2)
        case .cash:
            buffer.write("Cash given", x: x, y: y, style: dialog.focus == 2 ? Theme.label.bolded : Theme.label)
            dialog.tendered.render(into: &buffer, x: fieldX, y: y, width: 14, focused: dialog.focus == 2, alignRight: true)
            buffer.write(dialog.target.currency, x: fieldX + 15, y: y, style: Theme.dim)
            problem(dialog, field: 2, into: &buffer, x: fieldX + 20, y: y, right: rect.maxX - 2)
            y += 2
            switch dialog.cashPlan {
            case .success(let plan)?: buffer.write("Change due  " + plan.change.formatted, x: fieldX, y: y, style: Theme.success)
            case .failure(let rejection)?:
                let text = dialog.cashShortfall.map { "Short by  " + $0.formatted } ?? rejection.message
                buffer.write(text, x: fieldX, y: y, style: Theme.error, limit: rect.maxX - fieldX - 2)
            case nil: break
            }
        case .storeCredit:
            buffer.write("Wallet", x: x, y: y, style: dialog.focus == 2 ? Theme.label.bolded : Theme.label)
            if dialog.wallets.isEmpty {
                let text = dialog.walletsLoaded ? "This customer has no store-credit wallet (F6 opens one)." : "Looking up wallets…"
                buffer.write(text, x: fieldX, y: y, style: Theme.dim, limit: rect.maxX - fieldX - 2)
            }
            // Four rows, scrolled so the selected wallet is always one of them.
            let offset = max(0, dialog.walletIndex - 3)
            for (row, wallet) in dialog.wallets.dropFirst(offset).prefix(4).enumerated() {
                let available = "available " + Format.money(wallet.available, wallet.currency)
                let line = Format.pad(wallet.name, rect.maxX - fieldX - available.count - 4) + " " + available
                let style = offset + row == dialog.walletIndex ? (dialog.focus == 2 ? Theme.selected : Theme.selectedUnfocused) : Theme.text
                buffer.write(line, x: fieldX, y: y + row, style: style, limit: rect.maxX - fieldX - 2)
            }
            problem(dialog, field: 2, into: &buffer, x: fieldX, y: y + 4, right: rect.maxX - 2)
        }
        if let error = dialog.error {
            // As many lines as it takes (the dialog grew for them): never cut before its action.
            let lines = errorLines(error, width: width - 4)
            for (index, line) in lines.enumerated() {
                buffer.write(line, x: x, y: rect.maxY - 2 - lines.count + index, style: Theme.error, limit: width - 4)
            }
        }
        dialogFoot("Enter charge  Tab  F9 tender  Esc cancel", key: dialog.key, in: rect, into: &buffer)
    }

    /// A field's problem, on the row under it across the dialog: room for the whole sentence.
    private func problem(_ dialog: PaymentDialog, field: Int, into buffer: inout CellBuffer, x: Int, y: Int, right: Int) {
        guard let problem = dialog.problem, problem.field == field else { return }
        buffer.write(String(repeating: " ", count: max(0, right - x)), x: x, y: y)
        buffer.write("! " + problem.message, x: x, y: y, style: Theme.error, limit: right - x)
    }
}
