import TillCore

/// How chancy a GoblinPay is. The same seed and the same ledger history always give the same
/// outcomes, in any process.
public struct GoblinPayConfiguration: Hashable, Sendable {
    /// Mixed into every random roll and every authorization reference.
    public var seed: UInt64
    /// How often a capture of an ordinary card (not a test card) fails before applying.
    public var captureFailureRate: GoblinPayFailureRate
    /// How often the shop's acknowledgement of a payout fails before changing anything (the
    /// partner API's flaw, DESIGN §4; 0.05 by default).
    public var ackFailureRate: GoblinPayFailureRate = .defaultAckFailure

    public static let seedVariable = "TILL_GOBLINPAY_SEED"
    public static let failureRateVariable = "TILL_GOBLINPAY_FAILURE_RATE"

    public init(seed: UInt64 = 0, captureFailureRate: GoblinPayFailureRate = .default) {
        self.seed = seed
        self.captureFailureRate = captureFailureRate
    }

    /// The configuration from `TILL_GOBLINPAY_SEED` and `TILL_GOBLINPAY_FAILURE_RATE`; a
    /// variable that is unset or blank keeps its default (seed 0, rate 0.25). Text that is set
    /// but not valid is an error naming the variable, never silently the default.
    public static func fromEnvironment(
        _ environment: [String: String]
    ) throws(GoblinPayConfigurationError) -> GoblinPayConfiguration {
        var configuration = GoblinPayConfiguration()
        if let text = environment[seedVariable], !text.allSatisfy(\.isWhitespace) {
            configuration.seed = try parseSeed(text, source: seedVariable)
        }
        if let text = environment[failureRateVariable], !text.allSatisfy(\.isWhitespace) {
            configuration.captureFailureRate = try GoblinPayFailureRate.parse(text, source: failureRateVariable)
        }
        return configuration
    }

    /// A seed as typed (`--goblinpay-seed 42`): a decimal number from 0 to 2^64 - 1, blanks
    /// around it allowed. `source` names the option or variable in the error message.
    public static func parseSeed(
        _ text: String, source: String = "--goblinpay-seed"
    ) throws(GoblinPayConfigurationError) -> UInt64 {
        let trimmed = text.trimmingBlanks()
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let seed = UInt64(trimmed)
        else {
            throw GoblinPayConfigurationError(
                source: source, text: text,
                expected: "a whole number from 0 to 18446744073709551615")
        }
        return seed
    }
}

/// A probability held exactly, as parts per million (0 = never, 1 000 000 = always): a rate
/// typed as "0.25" is 250 000, with no floating point anywhere between the text and the roll.
public struct GoblinPayFailureRate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let partsPerMillionScale = 1_000_000

    /// 0 to 1 000 000.
    public let partsPerMillion: Int

    /// Nil unless `partsPerMillion` is 0 to 1 000 000.
    public init?(partsPerMillion: Int) {
        guard (0...Self.partsPerMillionScale).contains(partsPerMillion) else { return nil }
        self.partsPerMillion = partsPerMillion
    }

    private init(exactly partsPerMillion: Int) { self.partsPerMillion = partsPerMillion }

    public static let never = GoblinPayFailureRate(exactly: 0)
    public static let always = GoblinPayFailureRate(exactly: partsPerMillionScale)
    /// 0.25, GoblinPay's rate in the original brief.
    public static let `default` = GoblinPayFailureRate(exactly: 250_000)
    /// 0.05, the payout acknowledgement's failure rate unless told otherwise.
    public static let defaultAckFailure = GoblinPayFailureRate(exactly: 50_000)

    /// A rate as typed (`--goblinpay-failure-rate 0.25`): a decimal from 0 to 1 inclusive
    /// ("0", "0.05", "1", "1.000"), at most 6 significant decimal places (zeros beyond them are
    /// fine), blanks around it allowed. No sign, exponent, percent or NaN. `source` names the
    /// option or variable in the error message.
    public static func parse(
        _ text: String, source: String = "--goblinpay-failure-rate"
    ) throws(GoblinPayConfigurationError) -> GoblinPayFailureRate {
        let invalid = GoblinPayConfigurationError(
            source: source, text: text,
            expected: "a decimal from 0 to 1 with at most 6 decimal places, like 0.25")
        let trimmed = text.trimmingBlanks()
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let wholeText = parts[0]
        let fractionText = parts.count == 2 ? parts[1] : ""
        func isDigits(_ part: Substring) -> Bool { part.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        guard !wholeText.isEmpty, isDigits(wholeText), isDigits(fractionText),
              parts.count == 1 || !fractionText.isEmpty
        else { throw invalid }
        // Digits past the sixth decimal place must be zeros: anything else has no exact value.
        guard fractionText.dropFirst(6).allSatisfy({ $0 == "0" }) else { throw invalid }
        let significant = fractionText.prefix(6)
        let padded = significant + String(repeating: "0", count: 6 - significant.count)
        // Leading zeros ("000.5") are fine; more than a few digits cannot be 0...1 anyway.
        let wholeDigits = wholeText.drop(while: { $0 == "0" })
        guard wholeDigits.count <= 1, let whole = Int(wholeDigits.isEmpty ? "0" : wholeDigits),
              let fraction = Int(padded)
        else { throw invalid }
        guard let rate = GoblinPayFailureRate(partsPerMillion: whole * partsPerMillionScale + fraction) else {
            throw invalid
        }
        return rate
    }

    public static func < (lhs: GoblinPayFailureRate, rhs: GoblinPayFailureRate) -> Bool {
        lhs.partsPerMillion < rhs.partsPerMillion
    }

    /// The exact decimal: "0.25", "0", "1", "0.000001".
    public var description: String {
        let whole = partsPerMillion / Self.partsPerMillionScale
        let fraction = partsPerMillion % Self.partsPerMillionScale
        guard fraction != 0 else { return "\(whole)" }
        let digits = String(fraction)
        var padded = String(repeating: "0", count: 6 - digits.count) + digits
        while padded.hasSuffix("0") { padded.removeLast() }
        return "\(whole).\(padded)"
    }
}

/// A GoblinPay setting that could not be read; its description is the message to show.
public struct GoblinPayConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The option or environment variable the text came from.
    public let source: String
    /// What was given (cut to 40 characters).
    public let text: String
    /// What would have been accepted.
    public let expected: String

    init(source: String, text: String, expected: String) {
        self.source = source
        self.text = String(text.prefix(40))
        self.expected = expected
    }

    public var description: String { "\(source) must be \(expected), not \"\(text)\"." }
}
