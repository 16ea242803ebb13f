import TillCore
import TillService

/// Open a wallet: name, currency, opening balance, overdraft limit, owning customer.
public struct OpenWalletDialog: Sendable, Equatable {
    public var name = TextField(filter: .any, maxLength: 64)
    public var currency: TextField
    public var balance = TextField("0.00", filter: .amount, maxLength: 20)
    public var overdraft = TextField("0.00", filter: .amount, maxLength: 20)
    public var customer = TextField(filter: .email, maxLength: 254)
    public var focus = 0
    public var problem: FieldProblem?
    public var error: String?
    var closed = false

    init(currency: String) { self.currency = TextField(currency, filter: .code, maxLength: 3) }

    static let labels = ["Name", "Currency", "Balance", "Overdraft", "Customer"]

    func request(state: POSState) -> Result<ServiceRequest, FieldProblem> {
        let name = name.text.trimmingBlanks()
        if name.isEmpty { return .failure(FieldProblem(field: 0, message: "A wallet needs a name.")) }
        guard case .success(let code) = Currency.named(currency.text) else {
            return .failure(FieldProblem(field: 1, message: "Unknown currency."))
        }
        for (field, text) in [(2, balance.text), (3, overdraft.text)] {
            if case .failure(let rejection) = Money.parse(text, currency: code) {
                return .failure(FieldProblem(field: field, message: rejection.message))
            }
        }
        let owner = customer.text.trimmingBlanks()
        if !owner.isEmpty, case .failure(let rejection) = Email.parse(owner) {
            return .failure(FieldProblem(field: 4, message: rejection.message))
        }
        return .success(.openWallet(
            name: name, currency: code.code, balance: balance.text, overdraft: overdraft.text, customer: owner.isEmpty ? nil : owner))
    }

    static var fields: [WritableKeyPath<Self, TextField>] { [\.name, \.currency, \.balance, \.overdraft, \.customer] }
}
