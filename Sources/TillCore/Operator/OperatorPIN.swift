/// An operator's PIN for the POS sign-in: 4 to 12 ASCII digits. It is a secret: it is never
/// echoed in a message, never printed (`description` is dots), and the ledger keeps only a
/// salted, slow hash of it (TillStore's `PINHasher`).
public struct OperatorPIN: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The digits, for the hasher only.
    public let digits: String

    public static let lengths = 4...12

    private init(digits: String) { self.digits = digits }

    /// `invalid_pin`, saying the rule and never what was typed.
    public static func parse(_ raw: String) -> Result<OperatorPIN, Rejection> {
        guard lengths.contains(raw.count), raw.allSatisfy(\.isASCIIDigit) else {
            return .failure(Rejection(.invalidPin, "A PIN is \(lengths.lowerBound) to \(lengths.upperBound) digits (0-9)."))
        }
        return .success(OperatorPIN(digits: raw))
    }

    public var description: String { "••••" }
    public var debugDescription: String { "OperatorPIN(••••)" }
}
