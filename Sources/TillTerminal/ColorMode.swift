/// Whether the terminal may draw colours. Attributes (bold, reverse, underline, dim) are always
/// drawn, so the UI reads the same without colour.
public enum ColorMode: Sendable, Hashable {
    /// Colour when the terminal has it and NO_COLOR is unset or empty (https://no-color.org).
    case automatic
    case monochrome

    public func usesColor(environment: [String: String], terminalHasColors: Bool) -> Bool {
        guard self == .automatic, terminalHasColors else { return false }
        return environment["NO_COLOR", default: ""].isEmpty
    }
}
