import SeededRandom
import TillCore

/// The simulator's one source of chance: `SplitMix64`, seeded by the run's seed. Every choice
/// (the workload, amounts, faults, crashes, the clock) is drawn from it, in one order, so a
/// seed replays exactly. No Foundation or system randomness anywhere in a run.
///
/// Its bounded draws reduce with `%`, not with SplitMix64's multiply-shift: that keeps every
/// seed's run as it was when it was recorded (the regression seeds in TillSimTests, every
/// reported trace). The modulo bias is irrelevant at these sizes.
struct SimRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B) }

    mutating func next() -> UInt64 { generator.next() }

    /// 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next() % UInt64(bound))
    }

    /// lower...upper, inclusive.
    mutating func between(_ lower: Int64, _ upper: Int64) -> Int64 {
        guard upper > lower else { return lower }
        return lower + Int64(next() % UInt64(upper - lower + 1))
    }

    /// True with probability `perMille` / 1000.
    mutating func chance(_ perMille: Int) -> Bool { below(1000) < perMille }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[below(items.count)]
    }

    /// An index drawn by integer weights (all >= 0, at least one > 0).
    mutating func weighted(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return 0 }
        var roll = below(total)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    /// A Luhn-valid 16-digit Visa-like number that is none of GoblinPay's test cards.
    mutating func ordinaryCard() -> String {
        var digits = [4] + (0..<14).map { _ in below(10) }
        digits[1] = 1 + below(9)  // never "40…": keeps clear of the test cards
        let body = digits.map(String.init).joined()
        // The check digit the core's Luhn rule accepts (exactly one of ten does).
        return body + ((0...9).map(String.init).first { CardNumber.passesLuhn(body + $0) } ?? "0")
    }
}
