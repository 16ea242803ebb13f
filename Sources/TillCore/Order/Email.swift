/// A customer's email address: kept as typed (trimmed, in NFC) for display, matched by `key`
/// (case-folded), so "Ann@Example.com ", "ann@example.com" and "İnci@…"/"inci@…" are each one
/// customer, and so is "josé@…" however the "é" was typed.
public struct Email: Hashable, Sendable, CustomStringConvertible {
    public let address: String
    /// The form used to match and index customers.
    public var key: String { address.caseFolded }

    /// The matching form of any typed text (a whole address or the start of one).
    public static func key(for text: String) -> String { text.trimmingBlanks().caseFolded }

    /// Whether two typed addresses name one customer.
    public static func sameCustomer(_ one: String, _ other: String) -> Bool { key(for: one) == key(for: other) }

    public var description: String { address }

    /// A plausible address: one "@", a non-empty local part of at most 64 characters, a domain
    /// with a dot and no empty labels, no blanks or control characters, 254 characters at most.
    /// Its key must be one too: folding can lengthen text ("ß" is "ss"), and a key is stored
    /// where an address is read back (a wallet's owner), so every accepted address has a key
    /// that reads as an address with the same key.
    public static func parse(_ text: String) -> Result<Email, Rejection> {
        let address = text.trimmingBlanks().canonical
        guard isPlausible(address), isPlausible(address.caseFolded) else {
            return .failure(Rejection(.invalidEmail, "\(address.echoed()) is not an email address."))
        }
        return .success(Email(address: address))
    }

    private static func isPlausible(_ address: String) -> Bool {
        address.isASCII ? isPlausibleASCII(address) : isPlausibleAnyText(address)
    }

    /// `isPlausible` on an ASCII address's bytes (one byte, one character): printable and no
    /// blank is 0x21 to 0x7E; no ASCII character extends a grapheme.
    static func isPlausibleASCII(_ address: String) -> Bool {
        // One pass: where the "@" is, and the length of the domain label being read.
        var length = 0, at: Int?, label = 0, dots = 0
        for byte in address.utf8 {
            guard (0x21...0x7E).contains(byte) else { return false }
            length += 1
            if byte == UInt8(ascii: "@") {
                guard at == nil else { return false }
                at = length - 1
                label = 0
            } else if at != nil, byte == UInt8(ascii: ".") {
                guard label > 0 else { return false }
                dots += 1
                label = 0
            } else {
                label += 1
            }
        }
        guard let at, length <= 254, (1...64).contains(at) else { return false }
        return dots >= 1 && label > 0
    }

    /// `isPlausible` the long way, for any text.
    static func isPlausibleAnyText(_ address: String) -> Bool {
        guard !address.isEmpty, address.count <= 254, address.isPrintable, !address.contains(where: \.isWhitespace) else {
            return false
        }
        // Split on scalars: an "@" or "." followed by a combining mark still counts as one.
        let parts = address.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return (1...64).contains(String(local).count) && labels.count >= 2
            && labels.allSatisfy({ !$0.isEmpty && $0.first?.properties.isGraphemeExtend != true })
    }
}
