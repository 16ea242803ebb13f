/// An editable line of text with a cursor. What may be typed is a `Filter`, so a money field
/// never holds a letter and a card field never holds more than 19 digits.
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

    public init(_ text: String = "", filter: Filter = .any, maxLength: Int = 64) {
        self.filter = filter
        self.maxLength = maxLength
        let clipped = String(text.prefix(maxLength))
        self.text = clipped
        cursor = clipped.count
    }

    public var isEmpty: Bool { text.isEmpty }

    /// Replaces the whole text (prefill), cursor at the end.
    public mutating func set(_ value: String) {
        text = String(value.prefix(maxLength))
        cursor = text.count
    }

    /// Applies an editing key. Returns false for keys a field does not use (Enter, Tab,
    /// arrows up/down...), so the form can act on them.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character):
            guard accepts(character), text.count < maxLength else { return true }
            // A mark typed on its own joins the character before it, so the cursor is
            // counted again from the text rather than moved by one.
            let before = String(text.prefix(cursor)) + String(stored(character))
            text = before + text.dropFirst(cursor)
            cursor = min(before.count, text.count)
        case .backspace:
            cursor = min(cursor, text.count)
            guard cursor > 0 else { return true }
            let index = text.index(text.startIndex, offsetBy: cursor - 1)
            text.remove(at: index)
            cursor -= 1
        case .delete:
            cursor = min(cursor, text.count)
            guard cursor < text.count else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = text.count
        case .control("u"):
            text = ""
            cursor = 0
        default:
            return false
        }
        return true
    }

    /// What a typed character becomes in the text: codes are upper case, and an amount's
    /// decimal comma is stored as the point `Money.parse` reads.
    private func stored(_ character: Character) -> Character {
        switch filter {
        case .code: Character(character.uppercased())
        case .amount where character == ",": "."
        default: character
        }
    }

    private func accepts(_ character: Character) -> Bool {
        switch filter {
        case .any: return character.displayWidth > 0 || character == " "
        case .email: return !character.isWhitespace && character.displayWidth > 0
        case .digits: return character.isASCIIDigit
        case .amount:
            if character.isASCIIDigit { return true }
            return (character == "." || character == ",") && !text.contains(".")
        case .code: return character.isASCII && character.isLetter
        }
    }

    /// Draws the field in `width` columns: underlined, the cursor a reverse-video cell when
    /// focused. `shown` replaces the text for display (masking), with the cursor at its end.
    public func render(
        into buffer: inout CellBuffer, x: Int, y: Int, width: Int, focused: Bool,
        shown: String? = nil, alignRight: Bool = false
    ) {
        guard width > 0 else { return }
        let style = focused ? Theme.fieldFocused : Theme.field
        buffer.write(String(repeating: " ", count: width), x: x, y: y, style: style)
        let display = shown ?? text
        let room = focused ? width - 1 : width
        // Keep the end visible when the text is longer than the field.
        var visible = display
        while visible.displayWidth > room, !visible.isEmpty { visible.removeFirst() }
        let start = alignRight ? x + room - visible.displayWidth : x
        buffer.write(visible, x: start, y: y, style: style, limit: room)
        guard focused else { return }
        if shown == nil, !alignRight {
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
