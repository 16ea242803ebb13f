/// Who did it: the operator recorded on every money event (DESIGN §3). Set by the POS sign-in,
/// `--operator` or `TILL_OPERATOR`; `till` when nobody said.
public struct OperatorName: Hashable, Sendable, CustomStringConvertible {
    /// The name as given (trimmed, NFC), for display and for the ledger.
    public let text: String

    /// Operators are one person whatever the case or accent encoding: "Ana" signs in as "ana".
    public var key: String { text.caseFolded }

    public static let maximumLength = 40

    /// The operator when nobody signed in or said otherwise.
    public static let till = OperatorName(text: "till")

    private init(text: String) { self.text = text }

    /// 1 to 40 characters after trimming, no control or zero-width characters (`invalid_name`).
    public static func parse(_ raw: String) -> Result<OperatorName, Rejection> {
        let name = raw.trimmingBlanks().canonical
        guard !name.isEmpty, name.count <= maximumLength, name.isPrintable else {
            return .failure(Rejection(
                .invalidName, "An operator name has 1 to \(maximumLength) characters and no control characters, not \(raw.echoed())."))
        }
        return .success(OperatorName(text: name))
    }

    /// A name read back from the ledger; nil if it breaks the rule (the reader reports it).
    public static func restore(_ stored: String) -> OperatorName? {
        guard case .success(let name) = parse(stored), name.text.sameBytes(stored) else { return nil }
        return name
    }

    public var description: String { text }
}
