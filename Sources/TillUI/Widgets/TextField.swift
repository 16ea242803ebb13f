import TillCore

/// An editable line of text with a cursor. What may be typed is a `Filter`, so a money field
/// never holds a letter and a card field never holds more than 19 digits.
///
/// The counter rules (DESIGN §8) live here, once, for every field of every form: a focused
/// field takes every printable key, and one it refuses is never dropped in silence (it says
/// why in `refusal`, shown while the field has the focus); a prefilled value is selected,
/// so the first key typed replaces it, while ← → Home End keep it for editing; Ctrl-U clears.
public struct TextField: Sendable, Equatable {
    public enum Filter: Sendable, Equatable {
        case any
        case email
        case digits
        case amount
        case code
    }

    public private(set) var text: String
    /// The insertion point, in characters.
    public private(set) var cursor: Int
    public let filter: Filter
    public let maxLength: Int
    /// Separators the display adds by itself (a card number's spaces, an expiry's "/"): typing
    /// one changes nothing, and that is not a refusal, the screen already shows it.
    public let separators: Set<Character>
    /// The whole text is a prefill: the next printable key replaces it.
    public private(set) var selected: Bool
    /// Why the last refused key was refused, until a correction (Backspace, Delete, Ctrl-U) or
    /// a new value: the field is flagged and the status bar says it.
    public private(set) var refusal: String?

    public init(_ text: String = "", filter: Filter = .any, maxLength: Int = 64, separators: Set<Character> = []) {
        self.filter = filter
        self.maxLength = maxLength
        self.separators = separators
        let clipped = String(text.prefix(maxLength))
        self.text = clipped
        cursor = clipped.count
        selected = !clipped.isEmpty
    }

    public var isEmpty: Bool { text.isEmpty }

    /// Replaces the whole text (prefill), cursor at the end, selected.
    public mutating func set(_ value: String) {
        text = String(value.prefix(maxLength))
        cursor = text.count
        selected = !text.isEmpty
        refusal = nil
    }

    /// Applies an editing key. Returns false for keys a field does not use (Enter, Tab,
    /// arrows up/down...), so the form can act on them. Every printable key is the field's,
    /// taken or refused (with a reason), never passed on as a command.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character):
            if separators.contains(character) { return true }
            let base = selected ? "" : text
            if let reason = refused(character, in: base) {
                refusal = reason
                return true
            }
            guard base.count < maxLength else {
                refusal = "At most \(maxLength) characters here."
                return true
            }
            if selected { clear() }
            // A mark typed on its own joins the character before it, so the cursor is
            // counted again from the text rather than moved by one.
            let before = String(text.prefix(cursor)) + String(stored(character))
            text = before + text.dropFirst(cursor)
            cursor = min(before.count, text.count)
        case .backspace:
            if selected { clear() } else {
                cursor = min(cursor, text.count)
                guard cursor > 0 else { break }
                let index = text.index(text.startIndex, offsetBy: cursor - 1)
                text.remove(at: index)
                cursor -= 1
            }
        case .delete:
            if selected { clear() } else {
                cursor = min(cursor, text.count)
                guard cursor < text.count else { break }
                text.remove(at: text.index(text.startIndex, offsetBy: cursor))
            }
        // Moving keeps a prefill for editing.
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = text.count
        case .control("u"): clear()
        default:
            return false
        }
        selected = false
        // The note stays while typing goes on (a fast typist still sees it); correcting clears it.
        if key == .backspace || key == .delete || key == .control("u") { refusal = nil }
        return true
    }

    private mutating func clear() {
        text = ""
        cursor = 0
    }

    /// What a typed character becomes in the text: codes are upper case.
    private func stored(_ character: Character) -> Character {
        filter == .code ? Character(character.uppercased()) : character
    }

    /// Why `character` may not go into `text`, or nil when it may.
    private func refused(_ character: Character, in text: String) -> String? {
        let shown = String(character).echoed(limit: 4)
        switch filter {
        case .any:
            return character.displayWidth > 0 || character == " " ? nil : "\(shown) cannot be typed here."
        case .email:
            if character.isWhitespace { return "An email has no spaces." }
            return character.displayWidth > 0 ? nil : "\(shown) cannot be typed here."
        case .digits:
            return character.isASCIIDigit ? nil : "\(shown) refused: digits only."
        case .amount:
            if character.isASCIIDigit { return nil }
            // A comma is a thousands separator to some and a decimal point to others: never
            // guess which (1,234.56 must not become 1.23456), type the plain number.
            if character == "," { return "\",\" refused: no thousands separators; the decimal point is \".\"." }
            if character == "." { return text.contains(".") ? "\".\" refused: an amount has one decimal point." : nil }
            if character.isLetter { return "\(shown) refused: letters are not amounts." }
            return "\(shown) refused: an amount is digits and one \".\"."
        case .code:
            return character.isASCII && character.isLetter ? nil : "\(shown) refused: a currency code is 3 letters (USD)."
        }
    }

    /// Draws the field in `width` columns: underlined, the cursor a reverse-video cell when
    /// focused, a selected prefill in reverse video. `shown` replaces the text for display
    /// (masking), with the cursor at its end.
    public func render(
        into buffer: inout CellBuffer, x: Int, y: Int, width: Int, focused: Bool,
        shown: String? = nil, alignRight: Bool = false
    ) {
        guard width > 0 else { return }
        // A refused key flags the field until the next edit (the status bar says why).
        let style = focused ? (refusal == nil ? Theme.fieldFocused : Theme.fieldRefused) : Theme.field
        buffer.write(String(repeating: " ", count: width), x: x, y: y, style: style)
        let display = shown ?? text
        let room = focused ? width - 1 : width
        // Keep the end visible when the text is longer than the field.
        var visible = display
        while visible.displayWidth > room, !visible.isEmpty { visible.removeFirst() }
        let start = alignRight ? x + room - visible.displayWidth : x
        buffer.write(visible, x: start, y: y, style: focused && selected ? Theme.selected : style, limit: room)
        guard focused else { return }
        if shown == nil, !alignRight, !selected {
            let before = String(text.prefix(cursor))
            let skipped = max(0, display.displayWidth - visible.displayWidth)
            let column = x + max(0, before.displayWidth - skipped)
            let under = cursor < text.count ? String(Array(text)[cursor]) : " "
            buffer.set(min(column, x + width - 1), y, Cell(under, style: Theme.cursor))
        } else {
            buffer.set(min(start + visible.displayWidth, x + width - 1), y, Cell(" ", style: Theme.cursor))
        }
    }
}
