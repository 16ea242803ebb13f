/// A customer's email address: kept as typed (trimmed) for display, matched by `key`
/// (lowercased), so "Ann@Example.com " and "ann@example.com" are the same customer.
public struct Email: Hashable, Sendable, CustomStringConvertible {
    public let address: String
    /// The form used to match and index customers.
    public var key: String { address.lowercased() }

    public var description: String { address }

    /// A plausible address: one "@", a non-empty local part of at most 64 characters, a domain
    /// with a dot and no empty labels, no blanks or control characters, 254 characters at most.
    public static func parse(_ text: String) -> Result<Email, Rejection> {
        let address = text.trimmingBlanks()
        let invalid = Rejection(.invalidEmail, "\"\(address.prefix(40))\" is not an email address.")
        guard !address.isEmpty, address.count <= 254 else { return .failure(invalid) }
        guard address.isPrintable, !address.contains(where: \.isWhitespace) else {
            return .failure(invalid)
        }
        // Split on scalars: an "@" or "." followed by a combining mark still counts as one.
        let parts = address.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(invalid) }
        let local = parts[0], domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...64).contains(String(local).count), labels.count >= 2,
              labels.allSatisfy({ !$0.isEmpty && $0.first?.properties.isGraphemeExtend != true })
        else { return .failure(invalid) }
        return .success(Email(address: address))
    }
}
