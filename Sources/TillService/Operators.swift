public import TillCore
import TillStore

/// An operator as `till operator list` and the POS see it: never the PIN or its hash.
public struct OperatorView: Codable, Sendable, Equatable {
    public let name: String
    public let createdAt: String
    public let disabled: Bool
    public let disabledAt: String?

    init(_ stored: StoredOperator) {
        name = stored.name.text
        createdAt = Timestamp.iso8601(stored.createdAt)
        disabled = stored.disabledAt != nil
        disabledAt = stored.disabledAt.map(Timestamp.iso8601)
    }
}

public struct OperatorListView: Codable, Sendable, Equatable {
    public let operators: [OperatorView]

    public init(operators: [OperatorView]) { self.operators = operators }
}

/// Operators and the POS sign-in. The PIN is hashed outside the write transaction (it is
/// slow on purpose), and a refused sign-in never says whether the name or the PIN was wrong:
/// an unknown name costs the same hashing as a wrong PIN.
extension TillService {
    public func addOperator(name nameText: String, pin pinText: String) async -> Result<OperatorView, Rejection> {
        let name: OperatorName
        let pin: OperatorPIN
        switch (OperatorName.parse(nameText), OperatorPIN.parse(pinText)) {
        case (.failure(let rejection), _), (_, .failure(let rejection)): return .failure(rejection)
        case (.success(let parsedName), .success(let parsedPIN)): (name, pin) = (parsedName, parsedPIN)
        }
        // `till` is the work nobody signed in for: a person by that name would merge with it in
        // every by-operator figure.
        guard name.key != OperatorName.till.key else {
            return .failure(Rejection(.invalidName, "\"till\" is reserved for work nobody signed in for: choose another name."))
        }
        let hash: PINHash
        do { hash = try database.hashPIN(pin) } catch {
            return .failure(Rejection(.storageError, "The PIN could not be hashed; nothing was changed."))
        }
        return await write { ledger, now in
            if try ledger.storedOperator(key: name.key) != nil {
                throw Rejection(.operatorExists, "An operator named \(name.text.echoed()) already exists.")
            }
            return OperatorView(try ledger.insertOperator(name, pin: hash, at: now))
        }
    }

    public func operators() async -> Result<[OperatorView], Rejection> {
        await read { ledger, _ in try ledger.operators().map(OperatorView.init) }
    }

    /// Disables an operator: they can no longer sign in; what they did stays theirs.
    public func disableOperator(name: String) async -> Result<OperatorView, Rejection> {
        guard case .success(let name) = OperatorName.parse(name) else {
            return .failure(Rejection(.notFound, "There is no operator named \(name.echoed())."))
        }
        return await write { ledger, now in
            guard try ledger.disableOperator(key: name.key, at: now), let stored = try ledger.storedOperator(key: name.key) else {
                throw Rejection(.notFound, "There is no operator named \(name.text.echoed()).")
            }
            return OperatorView(stored)
        }
    }

    /// Whether the POS must ask who is at the counter: some operator may sign in.
    public func signInRequired() async -> Result<Bool, Rejection> {
        await read { ledger, _ in try ledger.hasEnabledOperators() }
    }

    /// The operator `name` if `pin` is theirs and they are not disabled; else `unauthorized`,
    /// the same answer (and the same work) whichever part was wrong.
    public func verify(name: String, pin: String) async -> Result<OperatorName, Rejection> {
        let refused = Rejection(.unauthorized)
        guard case .success(let name) = OperatorName.parse(name), case .success(let pin) = OperatorPIN.parse(pin) else {
            return .failure(refused)
        }
        let stored: StoredOperator?
        switch await read({ ledger, _ in try ledger.storedOperator(key: name.key) }) {
        case .success(let found): stored = found
        case .failure(let rejection): return .failure(rejection)
        }
        guard let stored else {
            database.pinCheckForNobody(pin)
            return .failure(refused)
        }
        let matches: Bool
        do { matches = try database.pinMatches(pin, stored.pin) } catch { return .failure(Self.storageRejection(error)) }
        guard matches, stored.disabledAt == nil else { return .failure(refused) }
        return .success(stored.name)
    }
}
