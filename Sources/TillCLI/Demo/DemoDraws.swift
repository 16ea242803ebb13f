import SeededRandom

/// The shop's habits as draws from the demo's one random source, shared by the planned
/// (service-driven) days and the bulk history before them, so both look alike.
extension SplitMix64 {
    /// A time of day in opening hours, mostly 9 to 6, some early or late (to the second).
    mutating func openingHours() -> Int64 {
        let start: Int64, span: Int64
        switch below(100) {
        case 0..<8: (start, span) = (7 * DemoPlan.hour, 2 * DemoPlan.hour)
        case 8..<15: (start, span) = (18 * DemoPlan.hour, 3 * DemoPlan.hour)
        default: (start, span) = (9 * DemoPlan.hour, 9 * DemoPlan.hour)
        }
        return start + int(0...span / 1000 - 1) * 1000
    }

    /// `days` later, in opening hours.
    mutating func later(_ time: Int64, days: ClosedRange<Int64>) -> Int64 {
        DemoPlan.midnight(time) + int(days) * DemoPlan.day + openingHours()
    }

    /// A shop price: 5.00 to 400.00, mostly small, often ending in .99 or .00.
    mutating func price() -> Int64 {
        let range: ClosedRange<Int64> =
            weighted([(500...4000, 45), (4000...12_000, 35), (12_000...25_000, 15), (25_000...40_000, 5)]) ?? 500...4000
        var cents = int(range)
        switch below(10) {
        case 0..<4: cents = cents / 100 * 100 + 99
        case 4..<6: cents = cents / 100 * 100
        case 6: cents = cents / 100 * 100 + 50
        default: break
        }
        return min(40_000, max(500, cents))
    }

    /// Cash handed over: the exact amount, or the next note up.
    mutating func cashTendered(_ amount: Int64) -> Int64 {
        let note: Int64 = weighted([(0, 25), (100, 15), (500, 20), (1000, 15), (2000, 20), (5000, 5)]) ?? 0
        guard note > 0 else { return amount }
        return (amount + note - 1) / note * note
    }

    /// `total` in `parts` installments of whole units (the last takes the cents), each >= 1.00.
    mutating func split(_ total: Int64, parts: Int) -> [Int64] {
        var amounts: [Int64] = []
        var left = total
        for part in 0..<parts - 1 {
            let after = Int64(parts - 1 - part)
            let share = left * int(Int64(25)...55) / 100 / 100 * 100
            let amount = min(max(100, share), left - 100 * after)
            guard amount >= 100 else { break }
            amounts.append(amount)
            left -= amount
        }
        amounts.append(left)
        return amounts
    }
}
