/// How the core reads text people type, without Foundation.
extension String {
    /// Drops leading and trailing white space of any kind: spaces, tabs, "\r\n" (one Character
    /// in Swift), no-break spaces.
    public func trimmingBlanks() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }

    /// True when no scalar is a control, format (zero-width) or line/paragraph separator
    /// character: what names and keys may not contain.
    var isPrintable: Bool {
        unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: false
            default: true
            }
        }
    }
}
