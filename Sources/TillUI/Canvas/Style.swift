/// The eight colours every colour terminal has. A backend without colours (or with NO_COLOR
/// set) ignores them and keeps only the attributes, so nothing on screen may depend on colour
/// alone: selection is reverse video, errors are bold with a "!" marker.
public enum Color: UInt8, Sendable, Hashable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How one cell is drawn. `nil` colours mean the terminal's own default.
public struct Style: Sendable, Hashable {
    public var foreground: Color?
    public var background: Color?
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(
        foreground: Color? = nil, background: Color? = nil,
        bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
}
