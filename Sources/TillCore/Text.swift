// The standard library's Unicode normalization (NFC), which it uses for String comparison,
// is reached through its `_Unicode` SPI: the core stays free of Foundation and of any package.
@_spi(_Unicode) import Swift

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

    /// The text in Unicode normalization form C. Swift compares strings by canonical
    /// equivalence, but SQLite compares bytes: "café" typed precomposed (NFC) and decomposed
    /// (NFD, as macOS file names and some keyboards give it) must be one key in the ledger, so
    /// every key, email and name is stored and compared in this form.
    public var canonical: String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: _nfc)
        return String(scalars)
    }

    /// The form that matches text without regard to case: NFC, then Unicode full case folding
    /// (approximated as lowercase-of-uppercase, which folds "ß" to "ss" and "ς" to "σ" as
    /// folding does), then NFC again. A dot above after "i" is dropped: "İ" (Turkish capital
    /// dotted I) folds to "i" + U+0307, and "İnci" must find "inci".
    public var caseFolded: String {
        let folded = canonical.uppercased().lowercased().canonical
        guard folded.unicodeScalars.contains("\u{307}") else { return folded }
        var out = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            if scalar == "\u{307}", out.last == "i" { continue }
            out.append(scalar)
        }
        return String(out)
    }

    /// Input as a message may show it: at most `limit` characters (then "…"), quoted, with
    /// control, format and separator characters escaped (`\u{1B}`), so an id or a name typed
    /// by anyone can neither drive the terminal nor flood the screen.
    public func echoed(limit: Int = 40) -> String {
        let cut = count > limit ? String(prefix(limit)) + "…" : self
        return "\"" + cut.escapingControls() + "\""
    }

    /// Control, format and separator scalars written as `\u{…}`; a backslash or quote as is.
    func escapingControls() -> String {
        guard !isPrintable else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
