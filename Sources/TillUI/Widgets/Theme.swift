/// The palette in one place. Every meaning also has a non-colour mark (bold, reverse, "!",
/// "✓"), so the monochrome fallback and NO_COLOR lose nothing.
public enum Theme {
    public static let text = Style.plain
    public static let dim = Style(dim: true)
    public static let heading = Style(foreground: .cyan, bold: true)
    public static let label = Style(foreground: .cyan)
    public static let selected = Style(reverse: true)
    public static let selectedUnfocused = Style(underline: true)
    public static let bar = Style(foreground: .black, background: .cyan)
    public static let barKey = Style(foreground: .black, background: .cyan, bold: true)
    public static let tab = Style(foreground: .white, background: .blue)
    public static let tabActive = Style(foreground: .black, background: .white, bold: true)
    public static let error = Style(foreground: .red, bold: true)
    public static let success = Style(foreground: .green, bold: true)
    public static let warning = Style(foreground: .yellow, bold: true)
    public static let money = Style(bold: true)
    public static let field = Style(underline: true)
    public static let fieldFocused = Style(foreground: .yellow, bold: true, underline: true)
    public static let fieldRefused = Style(foreground: .red, bold: true, underline: true)
    public static let cursor = Style(reverse: true)
    public static let frame = Style(foreground: .blue)
    public static let dialogFrame = Style(foreground: .yellow, bold: true)
    public static let chart = Style(foreground: .green)
    public static let chartToday = Style(foreground: .yellow, bold: true)
}

extension Style {
    /// The style with `bold` set, for emphasis inside another style.
    public var bolded: Style {
        var copy = self
        copy.bold = true
        return copy
    }
}
