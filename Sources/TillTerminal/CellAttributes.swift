import CNCurses
public import TillUI

/// The non-colour part of a `Style`, as curses attributes. Kept apart from colour so monochrome
/// mode drops colour and still draws selection (reverse) and emphasis.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let reverse = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)

    public init(_ style: Style) {
        var attributes: CellAttributes = []
        if style.bold { attributes.insert(.bold) }
        if style.dim { attributes.insert(.dim) }
        if style.reverse { attributes.insert(.reverse) }
        if style.underline { attributes.insert(.underline) }
        self = attributes
    }

    /// The `attr_t` bits for `setcchar`. Colour travels separately, as a pair number.
    var curses: attr_t {
        var bits = cn_a_normal()
        if contains(.bold) { bits |= cn_a_bold() }
        if contains(.dim) { bits |= cn_a_dim() }
        if contains(.reverse) { bits |= cn_a_reverse() }
        if contains(.underline) { bits |= cn_a_underline() }
        return bits
    }
}
