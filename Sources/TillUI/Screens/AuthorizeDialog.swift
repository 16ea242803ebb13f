import TillCore
import TillService

/// Authorize a card without an order: card, amount, currency. One idempotency key.
public struct AuthorizeDialog: Sendable, Equatable {
    public var card = CardEntry()
    public var amount = TextField(filter: .amount, maxLength: 20)
    public var currency: TextField
    /// 0 number, 1 expiry, 2 cvv, 3 amount, 4 currency.
    public var focus = 0
    public let key: String
    public var problem: FieldProblem?
    public var error: String?
    var closed = false

    /// The last answer was unknown (`payment_pending`, `request_in_progress`): the request may
    /// have gone through, so this dialog and its key are kept until it is learned.
    var unanswered = false

    init(currency: String, key: String) {
        self.currency = TextField(currency, filter: .code, maxLength: 3)
        self.key = key
    }

    /// The same typed card and amount under a new key: the old key went to another request.
    func rekeyed(_ key: String) -> AuthorizeDialog {
        var copy = AuthorizeDialog(currency: currency.text, key: key)
        copy.card = card
        copy.amount = amount
        copy.focus = focus
        return copy
    }

    static let keptNote = "Kept: this authorization had no answer. Enter learns the outcome (same key, never a second hold)."

    func request(state: POSState) -> Result<ServiceRequest, FieldProblem> {
        switch card.tender(now: state.now, utcOffsetSeconds: state.utcOffsetSeconds) {
        case .failure(let problem): return .failure(problem)
        case .success(.card(let number, let expiry, let cvv)):
            guard case .success(let code) = Currency.named(currency.text) else {
                return .failure(FieldProblem(field: 4, message: "Unknown currency."))
            }
            let text = amount.text
            if case .failure(let rejection) = Money.parsePositive(text, currency: code) {
                return .failure(FieldProblem(field: 3, message: rejection.message))
            }
            return .success(.authorize(number: number, expiry: expiry, cvv: cvv, amount: text, currency: code.code, key: key))
        case .success: return .failure(FieldProblem(field: 0, message: "Type a card number."))
        }
    }

    static var fields: [WritableKeyPath<Self, TextField>] { [\.card.number, \.card.expiry, \.card.cvv, \.amount, \.currency] }
}
