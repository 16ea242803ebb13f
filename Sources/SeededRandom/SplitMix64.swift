/// SplitMix64 (Steele, Lea, Flood 2014): the one seeded generator of the demo, the simulator and
/// the tests. The same seed gives the same sequence on every machine and Swift version, so a run
/// replays from its seed alone. Its bounded draws are its own (not the standard library's,
/// whose algorithm may change). Not for secrets: ids and keys come from the system generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.finalize(state)
    }

    /// The SplitMix64 finalizer: spreads any 64-bit value over all 64 bits (also the last step
    /// of GoblinPay's seeded hash).
    public static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (multiply-shift: a bias below 2^-40 for ranges under 2^24).
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next().multipliedFullWidth(by: width).high)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int(int(Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    /// In `0..<bound`; 0 when `bound` is 1 or less.
    public mutating func below(_ bound: Int) -> Int { int(0...max(bound, 1) - 1) }

    /// True `percent` times in a hundred.
    public mutating func chance(percent: Int) -> Bool { below(100) < percent }

    /// True `perMille` times in a thousand.
    public mutating func chance(perMille: Int) -> Bool { below(1000) < perMille }

    /// One of `items`, or nil when there are none.
    public mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[below(items.count)] }

    /// One of `items` by integer weights (each >= 0); the last when all weigh nothing.
    public mutating func weighted<T>(_ items: [(T, Int)]) -> T? {
        var roll = below(items.reduce(0) { $0 + max(0, $1.1) })
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= max(0, weight)
        }
        return items.last?.0
    }
}
