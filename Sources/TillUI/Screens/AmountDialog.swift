import TillCore
public import TillService

/// What an amount is for. Refunds ask for confirmation before they are sent.
public enum AmountPurpose: Sendable, Equatable {
    /// `tender` says where the money goes back to ("Visa ••••4242"); `cash` when it is handed
    /// back over the counter; `email` is the order's customer, whose wallets may take it instead.
    case refundOrderPayment(orderId: String, paymentId: String, tender: String, cash: Bool, email: String)
    case capture(paymentId: String)
    case refundPayment(paymentId: String)
    case credit(wallet: String)
    case debit(wallet: String)

    var title: String {
        switch self {
        case .refundOrderPayment(let orderId, _, _, _, _): "Refund · \(orderId)"
        case .capture(let id): "Capture · \(id)"
        case .refundPayment(let id): "Refund · \(id)"
        case .credit(let wallet): "Credit · \(wallet)"
        case .debit(let wallet): "Debit · \(wallet)"
        }
    }

    var needsConfirmation: Bool {
        switch self {
        case .refundOrderPayment, .refundPayment: true
        default: false
        }
    }
}

/// An amount (prefilled with what is possible), for an order refund where the money goes
/// (back to its tender, or one of the customer's own store-credit wallets, picked from a
/// list), then Enter; refunds then need an explicit y. Holds one idempotency key.
public struct AmountDialog: Sendable, Equatable {
    public let purpose: AmountPurpose
    public let currency: String
    public let limit: Int64?
    public var amount: TextField
    /// Order refunds: the customer's wallets in the order's currency (the service allows no
    /// other), and the choice: 0 the original tender, n the wallet n-1.
    public var wallets: [WalletView] = []
    public var walletsLoaded = false
    public var destination = 0
    /// 0 the amount, 1 the destination list.
    public var focus = 0
    public var confirming = false
    public let key: String
    public var problem: String?
    public var error: String?
    /// A key the confirmation or the list cannot take: says which keys it wants.
    public var note: String?
    /// Set once a cash refund went through: the cash to hand back, shown large.
    public var handBack: Int64?
    var closed = false

    init(purpose: AmountPurpose, currency: String, prefill: Int64?, limit: Int64?, key: String) {
        self.purpose = purpose
        self.currency = currency
        self.limit = limit
        self.key = key
        amount = TextField(prefill.map { Format.plainAmount($0, currency) } ?? "", filter: .amount, maxLength: 20)
    }

    var hasDestination: Bool {
        if case .refundOrderPayment = purpose { return true }
        return false
    }

    /// The wallet chosen instead of the original tender, if any.
    var toWallet: WalletView? { destination > 0 ? wallets[safe: destination - 1] : nil }

    /// Where the money goes, in words: "Back to Visa ••••4242", "Hand back cash $4.00",
    /// "To store credit: gift-ann".
    func destinationText(_ index: Int) -> String {
        guard case .refundOrderPayment(_, _, let tender, let cash, _) = purpose else { return "" }
        if index > 0, let wallet = wallets[safe: index - 1] { return "To store credit: \(wallet.name)" }
        guard cash else { return "Back to \(tender)" }
        let typed = try? Currency.named(currency).flatMap { Money.parsePositive(amount.text, currency: $0) }.get()
        return "Hand back cash" + (typed.map { " " + $0.formatted } ?? "")
    }

    func command() -> Result<ServiceRequest, FieldProblem> {
        guard case .success(let code) = Currency.named(currency) else { return .failure(FieldProblem(field: 0, message: "Unknown currency.")) }
        let text = amount.text
        let money: Money
        switch Money.parsePositive(text, currency: code) {
        case .failure(let rejection): return .failure(FieldProblem(field: 0, message: rejection.message))
        case .success(let value): money = value
        }
        if let limit, money.minorUnits > limit {
            return .failure(FieldProblem(field: 0, message: "At most \(Format.money(limit, currency)) here."))
        }
        switch purpose {
        case .refundOrderPayment(let orderId, let paymentId, _, _, _):
            return .success(.refund(orderId: orderId, orderPaymentId: paymentId, amount: text, toWallet: toWallet?.name, key: key))
        case .capture(let id): return .success(.capture(paymentId: id, amount: text, key: key))
        case .refundPayment(let id): return .success(.refundPayment(paymentId: id, amount: text, key: key))
        case .credit(let wallet): return .success(.credit(wallet: wallet, amount: text, key: key))
        case .debit(let wallet): return .success(.debit(wallet: wallet, amount: text, key: key))
        }
    }

    var asksFirst: Bool { purpose.needsConfirmation }
    func request(state: POSState) -> Result<ServiceRequest, FieldProblem> { command() }
    mutating func remindToConfirm() { note = "Press y to go ahead, n to change it." }
    mutating func show(_ found: FieldProblem?) {
        problem = found?.message
        if found == nil { error = nil }
    }

    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect] {
        note = nil
        if handBack != nil {
            // The hand-back screen: any of these closes it.
            if key == .enter || key == .escape || key == .character(" ") { closed = true }
            return []
        }
        if let effects = handleFormKey(key, state: &state) { return effects }
        switch key {
        case .tab, .backTab:
            if hasDestination { focus = 1 - focus }
        case .up where focus == 1:
            if destination > 0 { destination -= 1 } else { focus = 0 }
        case .down where focus == 1:
            destination = min(wallets.count, destination + 1)
        case .down where hasDestination:
            focus = 1
        default:
            if focus == 1 {
                if case .character = key { note = "↑ ↓ choose where the money goes." }
                return []
            }
            if amount.handle(key), amount.refusal == nil { problem = nil }
        }
        return []
    }
}

/// A yes/no question before something that cannot be undone (void).
public struct ConfirmDialog: Sendable, Equatable {
    public let title: String
    public let question: String
    public let command: ServiceRequest
    /// A key other than y or n came (Enter, say): the dialog says again what it wants.
    public var nudged = false

    public init(title: String, question: String, command: ServiceRequest) {
        self.title = title
        self.question = question
        self.command = command
    }
}

extension POSState {
    func renderAmount(_ dialog: AmountDialog, into buffer: inout CellBuffer) {
        let width = min(60, self.width - 4)
        let listRows = dialog.hasDestination ? min(4, dialog.wallets.count + 1) : 0
        let said = [dialog.problem, dialog.error].compactMap { $0 }.flatMap { errorLines($0, width: width - 4) }
        let question = dialog.confirming ? Format.wrap(confirmLine(dialog), width: width - 4, lines: 4) : []
        let height = min(self.height - 3, 8 + (dialog.hasDestination ? listRows + 2 : 0) + max(1, said.count + question.count))
        let rect = openDialog(width: width, height: height, title: dialog.purpose.title, into: &buffer)
        let x = rect.x + 2
        if let handBack = dialog.handBack {
            renderCashBack("Refunded. HAND BACK CASH", style: Theme.warning, amount: handBack, currency: dialog.currency,
                           then: " in cash.", top: 1, into: &buffer, rect)
            return
        }
        var y = rect.y + 1
        if dialog.hasDestination {
            buffer.write(dialog.destinationText(dialog.destination), x: x, y: y, style: Theme.warning, limit: width - 4)
        }
        y += 1
        buffer.write("Amount", x: x, y: y, style: Theme.label)
        dialog.amount.render(into: &buffer, x: x + 14, y: y, width: 14, focused: dialog.focus == 0 && !dialog.confirming, alignRight: true)
        buffer.write(dialog.currency, x: x + 29, y: y, style: Theme.dim)
        if let limit = dialog.limit { buffer.write("max " + Format.money(limit, dialog.currency), x: x + 34, y: y, style: Theme.dim, limit: width - 36) }
        y += 2
        if dialog.hasDestination {
            buffer.write("Refund to", x: x, y: y, style: dialog.focus == 1 ? Theme.label.bolded : Theme.label)
            // The original tender, then the customer's own wallets: a list, never free text.
            let offset = max(0, dialog.destination - listRows + 1)
            for row in 0..<listRows {
                let index = offset + row
                let line: String
                if index == 0 {
                    line = dialog.destinationText(0)
                } else if let wallet = dialog.wallets[safe: index - 1] {
                    line = Format.pad("store credit: " + wallet.name, width - 34) + " " + Format.money(wallet.balance, wallet.currency)
                } else { continue }
                let chosen = index == dialog.destination
                let style = chosen ? (dialog.focus == 1 && !dialog.confirming ? Theme.selected : Theme.selectedUnfocused) : Theme.text
                buffer.write(line, x: x + 14, y: y + row, style: style, limit: width - 18)
            }
            let more = dialog.walletsLoaded ? (dialog.wallets.isEmpty ? "the customer has no store-credit wallet" : "↑ ↓ choose")
                : "looking up the customer's wallets…"
            buffer.write(more, x: x + 14, y: y + listRows, style: Theme.dim, limit: width - 18)
            y += listRows + 2
        }
        for line in said {
            buffer.write(line, x: x, y: y, style: Theme.error, limit: width - 4)
            y += 1
        }
        for line in question {
            buffer.write(line, x: x, y: y, style: Theme.warning, limit: width - 4)
            y += 1
        }
        if let note = dialog.note { buffer.write("! " + note, x: x, y: rect.maxY - 3, style: Theme.error, limit: width - 4) }
        dialogFoot(dialog.confirming ? "y yes   n no" : "Enter ok   Esc cancel", key: dialog.key, in: rect, into: &buffer)
    }

    /// The question before a refund: how much, and where it goes, then y / n.
    func confirmLine(_ dialog: AmountDialog) -> String {
        guard case .success(let command) = dialog.command() else { return "" }
        let money = (try? Currency.named(dialog.currency).flatMap { Money.parsePositive(dialog.amount.text, currency: $0) }.get())
            .map(\.formatted) ?? dialog.amount.text
        switch command {
        case .refund:
            let destination = dialog.destinationText(dialog.destination)
            return "Refund \(money)? " + destination + ".  y / n"
        case .refundPayment: return "Refund \(money) to the card?  y / n"
        default: return "Go ahead?  y / n"
        }
    }

    func renderConfirm(_ dialog: ConfirmDialog, into buffer: inout CellBuffer) {
        let width = min(56, self.width - 4)
        let question = Format.wrap(dialog.question, width: width - 4, lines: 4)
        let rect = openDialog(width: width, height: 6 + question.count, title: dialog.title, into: &buffer)
        for (index, line) in question.enumerated() {
            buffer.write(line, x: rect.x + 2, y: rect.y + 2 + index, style: Theme.warning, limit: width - 4)
        }
        let prompt = dialog.nudged ? "! Press y to go ahead, n to leave it." : "y yes   n no"
        buffer.write(prompt, x: rect.x + 2, y: rect.maxY - 2, style: dialog.nudged ? Theme.error : Theme.dim)
    }
}
