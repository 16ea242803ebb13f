public import TillUI

/// A foreground and background as one curses colour pair; `nil` is the terminal's default.
public struct ColorPairKey: Sendable, Hashable {
    public var foreground: Color?
    public var background: Color?

    public init(foreground: Color?, background: Color?) {
        self.foreground = foreground
        self.background = background
    }

    public init(_ style: Style) {
        self.init(foreground: style.foreground, background: style.background)
    }

    public var isDefault: Bool { foreground == nil && background == nil }
}

/// Hands out colour pair numbers lazily, one per (foreground, background) the UI actually uses,
/// so the 64 pairs of an 8-colour terminal are plenty. Pair 0 is the terminal's defaults.
public struct ColorPairs: Sendable {
    /// How many pairs the terminal has (COLOR_PAIRS), pair 0 included.
    public let capacity: Int
    private var numbers: [ColorPairKey: Int16] = [:]

    public init(capacity: Int) {
        self.capacity = min(max(1, capacity), Int(Int16.max))
    }

    /// The pair for `key`, and whether it is new (the caller must `init_pair` it). When the
    /// terminal runs out, the defaults (pair 0): the text stays readable, only uncoloured.
    public mutating func number(for key: ColorPairKey) -> (pair: Int16, isNew: Bool) {
        if key.isDefault { return (0, false) }
        if let existing = numbers[key] { return (existing, false) }
        let next = numbers.count + 1
        guard next < capacity else { return (0, false) }
        let pair = Int16(next)
        numbers[key] = pair
        return (pair, true)
    }
}
