/// The client's key for one mutating request. Keys are global across operations.
public struct IdempotencyKey: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let maximumLength = 255

    /// 1 to 255 characters after trimming, no control or zero-width characters:
    /// `invalid_idempotency_key`. Kept in NFC, so a key typed precomposed and decomposed is one key.
    public static func parse(_ text: String) -> Result<IdempotencyKey, Rejection> {
        let value = text.trimmingBlanks().canonical
        guard !value.isEmpty, value.count <= maximumLength,
              value.isPrintable
        else {
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

/// What is on record for a key. A rejected request leaves no record, so its key is free again.
public enum IdempotencyRecord<Response: Sendable>: Sendable {
    /// Executing now (the record is written in the same transaction that starts the work).
    case inProgress(RequestFingerprint)
    /// The processor was called and its answer was lost: the outcome must be asked for before
    /// anything else happens under this key.
    case outcomeUnknown(RequestFingerprint)
    /// Done; the stored response is answered again, byte for byte.
    case completed(RequestFingerprint, Response)

    public var fingerprint: RequestFingerprint {
        switch self {
        case .inProgress(let fingerprint), .outcomeUnknown(let fingerprint), .completed(let fingerprint, _):
            fingerprint
        }
    }
}

/// The answer to "may this request run?".
public enum IdempotencyDecision<Response: Sendable>: Sendable {
    /// No record: do the work, recording it under the key.
    case execute
    /// The same request completed before: answer its stored response, marked as replayed.
    case replay(Response)
    /// The same request's processor outcome is unknown: resolve it with the processor (never
    /// charge again), then answer.
    case resolve
    case reject(Rejection)
}

public enum Idempotency {
    /// The one rule for every mutating operation. A different fingerprint is
    /// `idempotency_key_reused` whatever the record's state, so a key can never be moved to
    /// another request; the same fingerprint replays, resolves, or waits.
    public static func decide<Response>(
        record: IdempotencyRecord<Response>?, request: RequestFingerprint
    ) -> IdempotencyDecision<Response> {
        guard let record else { return .execute }
        guard record.fingerprint == request else {
            return .reject(Rejection(.idempotencyKeyReused))
        }
        switch record {
        case .completed(_, let response): return .replay(response)
        case .outcomeUnknown: return .resolve
        case .inProgress: return .reject(Rejection(.requestInProgress))
        }
    }
}
