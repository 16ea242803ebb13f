import Synchronization
import TillCore

/// The simulator's one source of chance: SplitMix64, seeded by the run's seed. Every choice
/// (the workload, amounts, faults, crashes, the clock) is drawn from it, in one order, so a
/// seed replays exactly. No Foundation or system randomness anywhere in a run.
struct SimRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1CE_4E5B }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<bound (bound > 0); the modulo bias is irrelevant at these sizes.
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
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        digits.append((10 - sum % 10) % 10)
        return digits.map(String.init).joined()
    }
}

/// The simulated clock, shared with every service instance of a run. Only the simulator moves
/// it (forward only).
final class SimClock: Sendable {
    private let millis: Mutex<Int64>

    init(start: Int64) { millis = Mutex(start) }

    var now: Instant { Instant(millisecondsSinceEpoch: millis.withLock { $0 }) }
    var milliseconds: Int64 { millis.withLock { $0 } }

    func advance(by milliseconds: Int64) { millis.withLock { $0 += max(0, milliseconds) } }
}

/// Counter ids: "ord_17". Deterministic because the run is sequential.
final class SimIds: Sendable {
    private let counter = Mutex(0)

    func make(_ prefix: String) -> String {
        let number = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return "\(prefix)_\(number)"
    }
}

/// FNV-1a over the trace, two lanes for 128 bits: equal digests mean byte-identical traces.
struct TraceDigest {
    private var lanes: (UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4)

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            lanes.0 = (lanes.0 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            lanes.1 = (lanes.1 ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01b3
        }
        lanes.0 = (lanes.0 ^ 0x0A) &* 0x0000_0100_0000_01b3
        lanes.1 = (lanes.1 ^ 0x50) &* 0x0000_0100_0000_01b3
    }

    var hex: String { Self.hex(lanes.0) + Self.hex(lanes.1) }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Minor units as typed in major units for `currency`'s exponent: 1050 USD -> "10.50".
func majorUnits(_ minor: Int64, exponent: Int) -> String {
    guard exponent > 0 else { return String(minor) }
    var scale: Int64 = 1
    for _ in 0..<exponent { scale *= 10 }
    let fraction = String(minor % scale)
    return "\(minor / scale)." + String(repeating: "0", count: exponent - fraction.count) + fraction
}
