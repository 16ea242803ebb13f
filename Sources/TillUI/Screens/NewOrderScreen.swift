import TillCore
public import TillService

/// A new order: customer email (known customers suggested as you type), amount, currency.
/// Enter creates it; F8 creates it and takes its first payment in one step.
public struct NewOrderModel: Sendable, Equatable {
    public var email = TextField(filter: .email, maxLength: 254)
    public var amount = TextField(filter: .amount, maxLength: 20)
    public var currency: TextField
    /// 0 email, 1 amount, 2 currency.
    public var focus = 0
    public var suggestions: [CustomerView] = []
    /// The highlighted suggestion, while the operator is choosing one.
    public var suggestion: Int?
    public var problem: FieldProblem?
    public var error: String?
    /// The create request's idempotency key: kept until it succeeds, so a second Enter after
    /// a timeout cannot make a second order.
    public var key: String
    /// The create-and-pay request's key, kept the same way: after an unknown outcome, F8 again
    /// resolves the first attempt instead of making a second order and charging again.
    public var payKey: String
    /// A create-and-pay sent from this form has no answer yet (`payment_pending`): the form
    /// and `payKey` are kept when the screen is entered again, until F8 learns the outcome or
    /// the operator starts a blank form with Ctrl-N.
    public var payPending = false

    init(currency: String, key: String, payKey: String) {
        self.currency = TextField(currency, filter: .code, maxLength: 3)
        self.key = key
        self.payKey = payKey
    }

    /// Nothing typed yet: its keys were never sent, so entering the screen again may keep it.
    func isPristine(currency code: String) -> Bool {
        email.isEmpty && amount.isEmpty && currency.text == code && focus == 0 && problem == nil && error == nil
    }

    static func keptNote(_ form: NewOrderModel) -> String {
        "Kept: the create-and-pay for \(form.email.text) has no answer yet. F8 then Enter learns the outcome "
            + "(same key \(form.payKey)); Ctrl-N starts a blank form."
    }

    /// The order as typed, or the first field that needs fixing.
    func validated() -> Result<(email: String, amount: String, currency: String, total: Money), FieldProblem> {
        if case .failure(let rejection) = Email.parse(email.text) {
            return .failure(FieldProblem(field: 0, message: rejection.message))
        }
        guard case .success(let code) = Currency.named(currency.text) else {
            return .failure(FieldProblem(field: 2, message: "Unknown currency \"\(currency.text)\"."))
        }
        let typed = amount.text
        switch Money.parsePositive(typed, currency: code) {
        case .failure(let rejection): return .failure(FieldProblem(field: 1, message: rejection.message))
        case .success(let total): return .success((email.text, typed, code.code, total))
        }
    }
}

extension POSState {
    mutating func handleNewOrderKey(_ key: Key) -> [POSEffect]? {
        var form = newOrder
        defer { newOrder = form }
        // Choosing a suggested customer.
        if let index = form.suggestion {
            switch key {
            case .up:
                form.suggestion = index == 0 ? nil : index - 1
                return []
            case .down:
                form.suggestion = min(form.suggestions.count - 1, index + 1)
                return []
            case .enter, .tab:
                if form.suggestions.indices.contains(index) {
                    form.email.set(form.suggestions[index].email)
                    if let currency = form.suggestions[index].totals.first?.currency { form.currency.set(currency) }
                }
                form.suggestion = nil
                form.suggestions = []
                form.focus = 1
                return []
            case .escape:
                form.suggestion = nil
                return []
            default:
                form.suggestion = nil
            }
        }
        switch key {
        case .tab, .down:
            if key == .down, form.focus == 0, !form.suggestions.isEmpty {
                form.suggestion = 0
                return []
            }
            form.focus = (form.focus + 1) % 3
            return []
        case .backTab, .up:
            form.focus = (form.focus + 2) % 3
            return []
        case .enter, .function(8):
            // Enter creates the order; F8 pays it first (create-and-pay: no order unless it is paid).
            switch form.validated() {
            case .failure(let problem):
                form.problem = problem
                form.focus = problem.field
                return []
            case .success(let order):
                form.problem = nil
                form.error = nil
                newOrder = form
                let effects = key == .enter
                    ? submit(.createOrder(email: order.email, amount: order.amount, currency: order.currency, key: form.key))
                    : openPayment(PaymentTarget(orderId: nil, email: order.email, currency: order.currency, balanceDue: order.total.minorUnits))
                form = newOrder
                return effects
            }
        case .escape:
            return nil
        case .control("n"):
            // A blank form on purpose. An unanswered create-and-pay stays in the ledger and is
            // resolved with GoblinPay (at the next start, or `till pending --resolve`).
            if form.payPending {
                message = .info(
                    "Blank form. The unanswered create-and-pay (key \(form.payKey)) is resolved at the next start or by `till pending --resolve`.")
            }
            form = freshNewOrder(currency: defaultCurrency)
            return []
        default:
            let fieldKey = key
            var handled = false
            switch form.focus {
            case 0:
                let before = form.email.text
                handled = form.email.handle(fieldKey)
                if form.email.text != before {
                    form.problem = form.problem?.field == 0 ? nil : form.problem
                    let prefix = form.email.text
                    if prefix.count >= 1 { return [.query(.suggestions(prefix: prefix))] }
                    form.suggestions = []
                }
            case 1:
                handled = form.amount.handle(fieldKey)
                if handled, form.problem?.field == 1 { form.problem = nil }
            default:
                handled = form.currency.handle(fieldKey)
                if handled, form.problem?.field == 2 { form.problem = nil }
            }
            return handled ? [] : nil
        }
    }

    func renderNewOrder(into buffer: inout CellBuffer, _ area: Rect) {
        let form = newOrder
        let x = area.x + 2
        let fieldX = x + 12
        let fieldWidth = min(44, area.width - 16)
        buffer.heading("New order", x: x, y: area.y, width: area.width - 4)
        let labels = ["Customer", "Amount", "Currency"]
        let rows = [area.y + 2, area.y + 4, area.y + 6]
        for (index, label) in labels.enumerated() {
            let focused = form.focus == index && overlay == nil
            buffer.write(label, x: x, y: rows[index], style: focused ? Theme.label.bolded : Theme.label)
            switch index {
            case 0: form.email.render(into: &buffer, x: fieldX, y: rows[0], width: fieldWidth, focused: focused)
            case 1:
                form.amount.render(into: &buffer, x: fieldX, y: rows[1], width: 16, focused: focused, alignRight: true)
                buffer.write(form.currency.text, x: fieldX + 17, y: rows[1], style: Theme.dim)
            default:
                form.currency.render(into: &buffer, x: fieldX, y: rows[2], width: 5, focused: focused)
                buffer.write("USD, EUR, GBP, JPY, KWD…", x: fieldX + 7, y: rows[2], style: Theme.dim)
            }
            if form.problem?.field == index, let problem = form.problem {
                buffer.write("! " + problem.message, x: fieldX, y: rows[index] + 1, style: Theme.error, limit: area.maxX - fieldX - 1)
            }
        }
        var y = area.y + 8
        if form.payPending {
            for line in Format.wrap(NewOrderModel.keptNote(form), width: area.width - 4, lines: 3) {
                buffer.write(line, x: x, y: y, style: Theme.warning, limit: area.width - 4)
                y += 1
            }
        }
        if let error = form.error {
            for line in Format.wrap("! " + error, width: area.width - 4, lines: 4) {
                buffer.write(line, x: x, y: y, style: Theme.error, limit: area.width - 4)
                y += 1
            }
        }
        y = max(y + 1, area.y + 11)
        buffer.write("Enter  create the order        F8  create it and take a payment now", x: x, y: y, style: Theme.dim, limit: area.width - 4)
        buffer.write("Tab/↑↓ move between fields     ↓ on the email picks a known customer", x: x, y: y + 1, style: Theme.dim, limit: area.width - 4)
        buffer.write("Ctrl-U clears a field          Ctrl-N a blank form", x: x, y: y + 2, style: Theme.dim, limit: area.width - 4)
        // Suggestions drop down under the email field.
        if form.focus == 0, !form.suggestions.isEmpty, overlay == nil {
            let listRect = Rect(x: fieldX - 1, y: rows[0] + 1, width: fieldWidth + 2, height: min(form.suggestions.count, 6) + 2)
            buffer.clear(listRect)
            buffer.box(listRect, title: "Known customers", style: Theme.frame)
            for (index, customer) in form.suggestions.prefix(6).enumerated() {
                let y = listRect.y + 1 + index
                let style = index == form.suggestion ? Theme.selected : Theme.text
                let detail = Format.count(customer.orderCount, "order")
                buffer.write(Format.pad(customer.email, fieldWidth - detail.count - 1) + " " + detail, x: fieldX, y: y, style: style, limit: fieldWidth)
            }
        }
    }
}

