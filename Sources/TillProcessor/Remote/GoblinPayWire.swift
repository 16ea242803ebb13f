public import TillCore

/// GoblinPay's HTTP protocol, shared by the service (`till goblinpay serve`) and Till's client:
/// one POST per processor call, JSON both ways.
///
/// - `POST /v1/authorize|capture|refund|void|release` with a `GoblinPayWire.Call`; the answer is
///   200 with a `GoblinPayWire.Outcome` (approved, declined, failed). A 500 carrying a `failed`
///   outcome was refused before anything was applied. Any other answer, a dropped connection or
///   a timeout is an unknown outcome.
/// - `POST /v1/lookup` with `{"key": …}` answers a `GoblinPayWire.Lookup`.
/// - Every call carries `GoblinPay-Deadline` (milliseconds since 1970): after that moment the
///   service applies nothing under it, so once the deadline has passed, a lookup's "not applied"
///   is final and the call cannot land later.
public enum GoblinPayWire {
    public static let deadlineHeader = "GoblinPay-Deadline"

    public struct Amount: Codable, Sendable, Equatable {
        public let minorUnits: Int64
        public let currency: String

        enum CodingKeys: String, CodingKey { case minorUnits = "minor_units", currency }

        public init(_ money: Money) {
            minorUnits = money.minorUnits
            currency = money.currency.code
        }

        public func money() -> Money? {
            guard case .success(let currency) = Currency.named(currency) else { return nil }
            return Money(minorUnits: minorUnits, currency: currency)
        }
    }

    public struct Card: Codable, Sendable {
        public let number: String
        /// "MM/YYYY".
        public let expiry: String
        public let cvv: String

        public init(_ card: CardCredentials) {
            number = card.number
            let month = card.expiry.month
            expiry = (month.month < 10 ? "0" : "") + "\(month.month)/\(month.year)"
            cvv = card.cvv
        }

        public func credentials() -> CardCredentials? {
            guard case .success(let expiry) = CardExpiry.parse(expiry) else { return nil }
            return CardCredentials(number: number, expiry: expiry, cvv: cvv)
        }
    }

    /// One processor call: the key, and what the operation needs of the rest.
    public struct Call: Codable, Sendable {
        public let key: String
        public let authorization: String?
        public let amount: Amount?
        public let card: Card?

        public init(key: String, authorization: String? = nil, amount: Money? = nil, card: CardCredentials? = nil) {
            self.key = key
            self.authorization = authorization
            self.amount = amount.map(Amount.init)
            self.card = card.map(Card.init)
        }
    }

    public struct Outcome: Codable, Sendable, Equatable {
        /// "approved", "declined" or "failed".
        public let outcome: String
        public let reference: String?
        public let reason: String?

        public init(_ outcome: ProcessorOutcome) {
            switch outcome {
            case .approved(let reference): (self.outcome, self.reference, self.reason) = ("approved", reference, nil)
            case .declined(let reason): (self.outcome, self.reference, self.reason) = ("declined", nil, reason)
            case .failed(let reason), .unknown(let reason): (self.outcome, self.reference, self.reason) = ("failed", nil, reason)
            }
        }

        /// nil: not an answer this protocol knows, which makes the outcome unknown.
        public var processorOutcome: ProcessorOutcome? {
            switch (outcome, reference) {
            case ("approved", let reference?): .approved(reference: reference)
            case ("declined", _): .declined(reason: reason ?? "declined")
            case ("failed", _): .failed(reason: reason ?? "failed")
            default: nil
            }
        }
    }

    public struct Lookup: Codable, Sendable, Equatable {
        /// "applied", "not_applied" or "unknown".
        public let result: String
        public let reference: String?
        public let reason: String?

        public init(_ lookup: ProcessorLookup) {
            switch lookup {
            case .applied(let reference): (result, self.reference, reason) = ("applied", reference, nil)
            case .notApplied: (result, reference, reason) = ("not_applied", nil, nil)
            case .unknown(let reason): (result, reference, self.reason) = ("unknown", nil, reason)
            }
        }

        public var processorLookup: ProcessorLookup? {
            switch (result, reference) {
            case ("applied", let reference?): .applied(reference: reference)
            case ("not_applied", _): .notApplied
            case ("unknown", _): .unknown(reason: reason ?? "unknown")
            default: nil
            }
        }
    }
}
