// The standard library's Unicode normalization (NFC), which it uses for String comparison,
// is reached through its `_Unicode` SPI: the core stays free of Foundation and of any package.
@_spi(_Unicode) import Swift

/// How the core reads text people type, without Foundation.
extension String {
    /// Drops leading and trailing white space of any kind: spaces, tabs, "\r\n" (one Character
    /// in Swift), no-break spaces.
    public func trimmingBlanks() -> String {
        // Text that starts and ends with a visible ASCII character (the usual case) has none.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        return trimmingBlanksTheLongWay()
    }

    /// `trimmingBlanks` the long way, for any text.
    func trimmingBlanksTheLongWay() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }

    /// Text typed as a name or a key, as it is kept: trimmed and in NFC; nil unless it has 1 to
    /// `maximum` characters, every one printable.
    public func typedName(maximum: Int) -> String? {
        let text = trimmingBlanks().canonical
        return !text.isEmpty && text.count <= maximum && text.isPrintable ? text : nil
    }

    /// True when no scalar is a control, format (zero-width) or line/paragraph separator
    /// character: what names and keys may not contain.
    var isPrintable: Bool {
        // ASCII, the usual case: printable is 0x20 to 0x7E (the rest are controls).
        if isASCII { return utf8.allSatisfy { (0x20...0x7E).contains($0) } }
        return everyScalarPrintable
    }

    /// `isPrintable` the long way, for any text.
    var everyScalarPrintable: Bool {
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
        // ASCII text is its own NFC.
        if isASCII { return self }
        return fullyCanonical
    }

    /// `canonical` the long way, for any text.
    var fullyCanonical: String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: _nfc)
        return String(scalars)
    }

    /// The form that matches text without regard to case: Unicode's canonical caseless form
    /// (NFD, full case folding, NFD, folding again: "ẞ" and "ß" are "ss", "ς" is "σ", "ı" stays
    /// itself), with a dot above right after "i" dropped, because "İ" (Turkish capital dotted
    /// I) folds to "i" + U+0307 and "İnci" must find "inci"; then NFC, as everything is stored.
    /// Idempotent, and always NFC (checked over every scalar when this was written).
    public var caseFolded: String {
        // ASCII folds to its lower case, and nothing else changes (`TextFastPathTests` holds the two
        // ways to one answer).
        if isASCII { return String(decoding: utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self) }
        return fullyCaseFolded
    }

    /// `caseFolded` the long way, for any text.
    var fullyCaseFolded: String {
        func decomposed(_ text: String) -> String {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: text._nfd)
            return String(scalars)
        }
        var out = String.UnicodeScalarView()
        for scalar in decomposed(Self.caseFoldedScalars(decomposed(Self.caseFoldedScalars(decomposed(self))))).unicodeScalars {
            if scalar == "\u{307}", out.last == "i" { continue }
            out.append(scalar)
        }
        return String(out).canonical
    }

    /// Each scalar of `text` (decomposed, NFD) replaced by its full case folding. A decomposed
    /// scalar that does not change when case folded (Unicode's Changes_When_Casefolded, a
    /// property lookup) folds to itself, so only the others pay for the folding's string.
    static func caseFoldedScalars(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.changesWhenCaseFolded {
                out.append(contentsOf: scalar.properties._caseFolded.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether every scalar is ASCII: then NFC and case folding are simple.
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }

    /// The same bytes: Swift's `==` calls canonically equivalent strings equal, but the
    /// ledger compares bytes, so a check of what is stored must too.
    public func sameBytes(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }

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
