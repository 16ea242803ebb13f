import TillCore
import TillService

/// What an amount is for. Refunds ask for confirmation before they are sent.
public enum AmountPurpose: Sendable, Equatable {
    case refundOrderPayment(orderId: String, paymentId: String, tender: String)
    case capture(paymentId: String)
    case refundPayment(paymentId: String)
    case credit(wallet: String)
    case debit(wallet: String)

    var title: String {
        switch self {
        case .refundOrderPayment(let orderId, _, _): "Refund · \(orderId)"
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

/// An amount (prefilled with what is possible), optionally a wallet for an order refund,
/// then Enter; refunds show a second "are you sure" step. Holds one idempotency key.
public struct AmountDialog: Sendable, Equatable {
    public let purpose: AmountPurpose
    public let currency: String
    public let limit: Int64?
    public var amount: TextField
    /// Order refunds only: a wallet to credit instead of the original tender.
    public var toWallet = TextField(filter: .any, maxLength: 64)
    public var focus = 0
    public var confirming = false
    public let key: String
    public var problem: String?
    public var error: String?
    var closed = false

    init(purpose: AmountPurpose, currency: String, prefill: Int64?, limit: Int64?, key: String) {
        self.purpose = purpose
        self.currency = currency
        self.limit = limit
        self.key = key
        amount = TextField(prefill.map { Format.plainAmount($0, currency) } ?? "", filter: .amount, maxLength: 20)
    }

    var hasWalletField: Bool {
        if case .refundOrderPayment = purpose { return true }
        return false
    }

    func command() -> Result<POSCommand, FieldProblem> {
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
        case .refundOrderPayment(let orderId, let paymentId, _):
            let wallet = toWallet.text.trimmingBlanks()
            return .success(.refund(orderId: orderId, orderPaymentId: paymentId, amount: text, toWallet: wallet.isEmpty ? nil : wallet, key: key))
        case .capture(let id): return .success(.capture(paymentId: id, amount: text, key: key))
        case .refundPayment(let id): return .success(.refundPayment(paymentId: id, amount: text, key: key))
        case .credit(let wallet): return .success(.credit(wallet: wallet, amount: text, key: key))
        case .debit(let wallet): return .success(.debit(wallet: wallet, amount: text, key: key))
        }
    }

    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect] {
        if confirming {
            switch key {
            case .character("y"), .character("Y"), .enter:
                confirming = false
                if case .success(let command) = command() { return state.submit(command) }
                return []
            case .character("n"), .character("N"), .escape:
                confirming = false
                return []
            default:
                return []
            }
        }
        switch key {
        case .escape:
            closed = true
        case .enter:
            switch command() {
            case .failure(let problem): self.problem = problem.message
            case .success(let command):
                problem = nil
                error = nil
                if purpose.needsConfirmation {
                    confirming = true
                } else {
                    return state.submit(command)
                }
            }
        case .tab, .backTab, .up, .down:
            if hasWalletField { focus = 1 - focus }
        default:
            var field = focus == 0 ? amount : toWallet
            if field.handle(key) {
                if focus == 0 { amount = field } else { toWallet = field }
                problem = nil
            }
        }
        return []
    }
}

/// A yes/no question before something that cannot be undone (void).
public struct ConfirmDialog: Sendable, Equatable {
    public let title: String
    public let question: String
    public let command: POSCommand
}

extension POSState {
    func renderAmount(_ dialog: AmountDialog, into buffer: inout CellBuffer) {
        let width = min(60, self.width - 4)
        let rect = openDialog(width: width, height: 12, title: dialog.purpose.title, into: &buffer)
        let x = rect.x + 2
        var y = rect.y + 2
        if case .refundOrderPayment(_, _, let tender) = dialog.purpose {
            buffer.write("Back to " + tender, x: x, y: rect.y + 1, style: Theme.dim, limit: width - 4)
        }
        buffer.write("Amount", x: x, y: y, style: Theme.label)
        dialog.amount.render(into: &buffer, x: x + 14, y: y, width: 14, focused: dialog.focus == 0 && !dialog.confirming, alignRight: true)
        buffer.write(dialog.currency, x: x + 29, y: y, style: Theme.dim)
        if let limit = dialog.limit { buffer.write("max " + Format.money(limit, dialog.currency), x: x + 34, y: y, style: Theme.dim, limit: width - 36) }
        y += 2
        if dialog.hasWalletField {
            buffer.write("To wallet", x: x, y: y, style: Theme.label)
            dialog.toWallet.render(into: &buffer, x: x + 14, y: y, width: width - 18, focused: dialog.focus == 1 && !dialog.confirming)
            buffer.write("empty: back to the original tender", x: x + 14, y: y + 1, style: Theme.dim, limit: width - 18)
        }
        y += 3
        if let problem = dialog.problem { buffer.write("! " + problem, x: x, y: y, style: Theme.error, limit: width - 4) }
        if let error = dialog.error { buffer.write("! " + error, x: x, y: y, style: Theme.error, limit: width - 4) }
        if dialog.confirming, case .success(let command) = dialog.command() {
            buffer.write(Self.confirmQuestion(command, currency: dialog.currency) + "  y / n", x: x, y: y, style: Theme.warning, limit: width - 4)
        }
        dialogFoot("Enter ok   Esc cancel", key: dialog.key, in: rect, into: &buffer)
    }

    static func confirmQuestion(_ command: POSCommand, currency: String) -> String {
        switch command {
        case .refund(_, _, let amount, let wallet, _):
            "Refund \(amount) \(currency)" + (wallet.map { " to wallet \($0)" } ?? "") + "?"
        case .refundPayment(_, let amount, _): "Refund \(amount) \(currency) to the card?"
        default: "Go ahead?"
        }
    }

    func renderConfirm(_ dialog: ConfirmDialog, into buffer: inout CellBuffer) {
        let width = min(56, self.width - 4)
        let rect = openDialog(width: width, height: 7, title: dialog.title, into: &buffer)
        buffer.write(dialog.question, x: rect.x + 2, y: rect.y + 2, style: Theme.warning, limit: width - 4)
        buffer.write("y yes   n no", x: rect.x + 2, y: rect.y + 4, style: Theme.dim)
    }
}
