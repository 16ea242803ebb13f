/// The client's key for one mutating request. Keys are global across operations.
public struct IdempotencyKey: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let maximumLength = 255

    /// 1 to 255 characters after trimming, no control or zero-width characters:
    /// `invalid_idempotency_key`. Kept in NFC, so a key typed precomposed and decomposed is one key.
    public static func parse(_ text: String) -> Result<IdempotencyKey, Rejection> {
        guard let value = text.typedName(maximum: maximumLength) else {
            return .failure(Rejection(
                .invalidIdempotencyKey, "A key has 1 to \(maximumLength) characters and no control characters."))
        }
        return .success(IdempotencyKey(value: value))
    }

    public var description: String { value }
}

/// What a request is, in one canonical string: the operation kind, its target and every
/// parameter, sorted by name and escaped, so two requests have the same fingerprint exactly
/// when they ask for the same thing. Parameters are typed values that say themselves in one
/// canonical way ("10" and "10.00" dollars are both "USD 1000").
///
/// Card parameters go in as the card's keyed fingerprint (an HMAC computed at the edge), never
/// as the number or security code, so the canonical form is safe to store.
public struct RequestFingerprint: Hashable, Sendable, CustomStringConvertible {
    public let canonical: String

    public init(operation: String, target: String, parameters: [String: any FingerprintComponent]) {
        let fields = parameters
            .map { (Self.escape($0.key), Self.escape($0.value.fingerprintText)) }
            .sorted { $0.0 < $1.0 }
            .map { $0.0 + "=" + $0.1 }
        canonical = Self.escape(operation) + "|" + Self.escape(target) + "|" + fields.joined(separator: "&")
    }

    /// A fingerprint read back from storage, in the canonical form it was written in.
    public init(stored canonical: String) { self.canonical = canonical }

    public var description: String { canonical }

    /// Percent-escapes the separators so "a=b&c" as a value cannot pose as two parameters.
    /// Works on scalars, and escapes a combining mark that opens a component, so no mark can
    /// fuse with the separator before it ("=" + U+0338 is canonically "≠").
    private static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if offset == 0, scalar.properties.canonicalCombiningClass != .notReordered || scalar.properties.isGraphemeExtend {
                out.append(contentsOf: "%{\(String(scalar.value, radix: 16))}".unicodeScalars)
                continue
            }
            switch scalar {
            case "%": out.append(contentsOf: "%25".unicodeScalars)
            case "|": out.append(contentsOf: "%7C".unicodeScalars)
            case "&": out.append(contentsOf: "%26".unicodeScalars)
            case "=": out.append(contentsOf: "%3D".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

/// A value that can stand in a request fingerprint, written in its one canonical form.
public protocol FingerprintComponent {
    var fingerprintText: String { get }
}

extension String: FingerprintComponent {
    public var fingerprintText: String { self }
}

extension Int64: FingerprintComponent {
    public var fingerprintText: String { String(self) }
}

extension Money: FingerprintComponent {
    /// "USD 1000": the currency and the exact minor units.
    public var fingerprintText: String { "\(currency.code) \(minorUnits)" }
}

extension Currency: FingerprintComponent {
    public var fingerprintText: String { code }
}

extension Email: FingerprintComponent {
    /// The matching key, so "Ann@Example.com" and "ann@example.com" are one request.
    public var fingerprintText: String { key }
}

extension Tender.Kind: FingerprintComponent {
    public var fingerprintText: String { rawValue }
}
