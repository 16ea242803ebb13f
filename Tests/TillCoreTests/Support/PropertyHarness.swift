import Testing
import TillCore

// How a property runs: seeds, trials that name their seed and step, shared generators.

/// The seeds every property runs from.
let seeds: ClosedRange<UInt64> = 1...20

/// Where a case came from, and the first failure of a seed.
struct Trial {
    let property: String
    let seed: UInt64
    var step = 0
    private(set) var failed = false

    init(property: String, seed: UInt64) {
        self.property = property
        self.seed = seed
    }

    /// Records an issue naming the seed and step unless `condition` holds.
    mutating func check(
        _ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard !condition else { return }
        failed = true
        Issue.record(
            Comment(rawValue: "\(property) seed \(seed) step \(step): \(message())"), sourceLocation: sourceLocation)
    }
}

/// Runs `body` once per seed with a fresh generator; the body stops a seed at its first failure.
func forEachSeed(_ property: String, _ body: (inout SeededGenerator, inout Trial) -> Void) {
    for seed in seeds {
        var random = SeededGenerator(seed: seed)
        var trial = Trial(property: property, seed: seed)
        body(&random, &trial)
    }
}

func describe<T>(_ result: Result<T, Rejection>) -> String {
    switch result {
    case .success: "success"
    case .failure(let rejection): rejection.code.rawValue
    }
}

func describe(_ code: Rejection.Code?) -> String { code?.rawValue ?? "success" }

/// What a model says an operation answers.
enum Expected<Value> {
    case accept(Value)
    case reject(Rejection.Code)

    var code: Rejection.Code? {
        if case .reject(let code) = self { return code }
        return nil
    }
}

/// An amount for a command aimed at `pivot` (what is left to capture, refund, pay or spend):
/// exactly it, one more, something within, zero, negative, the top of Int64, another currency.
func commandAmount(pivot: Int64, currency: Currency, _ random: inout SeededGenerator) -> Money {
    let minor: Int64 = switch random.below(13) {
    case 0, 1: pivot
    case 2: pivot == .max ? pivot : pivot + 1
    case 3, 4, 5: random.positiveMinorUnits(upTo: max(1, pivot))
    case 6: pivot / 2
    case 7: 0
    case 8: -random.positiveMinorUnits()
    case 9: random.element(of: [Int64.max, Int64.min])
    case 10: 1
    default: random.minorUnits()
    }
    let other = random.oneIn(12)
    return Money(minorUnits: minor, currency: other ? random.currency(otherThan: currency) : currency)
}

func randomHoldWindow(_ random: inout SeededGenerator) -> TimeSpan {
    switch random.below(6) {
    case 0: TimeSpan(milliseconds: 1)
    case 1: .days(1)
    case 2: .days(30)
    case 3: TimeSpan(milliseconds: .max)
    case 4: TimeSpan(milliseconds: random.int64(in: 1...Int64.max))
    default: Payment.defaultHoldWindow
    }
}

/// Mostly a little later than `now`; often exactly at, just before or just after the end of
/// the hold window; sometimes the end of time or before the authorization.
func randomTime(after now: Int64, authorizedAt: Int64, expiresAt: Int64, _ random: inout SeededGenerator) -> Int64 {
    switch random.below(30) {
    case 0: return expiresAt
    case 1: return expiresAt == .max ? expiresAt : expiresAt + 1
    case 2: return max(authorizedAt, expiresAt - 1)
    case 3: return random.element(of: [Int64.max, authorizedAt, authorizedAt - 1])
    default:
        let step = random.oneIn(2) ? random.int64(in: 0...60_000) : random.int64(in: 0...172_800_000)
        let (later, overflow) = now.addingReportingOverflow(step)
        return overflow ? .max : later
    }
}

/// An instant from 1900 to 2300, sometimes at a month boundary.
func randomInstant(_ random: inout SeededGenerator) -> Instant {
    let millis = random.int64(in: -2_208_988_800_000...10_413_792_000_000)
    guard random.oneIn(3) else { return Instant(millisecondsSinceEpoch: millis) }
    // The first or last millisecond of a day (month boundaries included).
    let day: Int64 = 86_400_000
    let floored = millis - ((millis % day) + day) % day
    return Instant(millisecondsSinceEpoch: random.oneIn(2) ? floored : floored - 1)
}
