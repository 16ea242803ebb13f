/// One screen cell: a grapheme and its style. A wide character occupies its cell and the next;
/// the next holds an empty `text` and `isContinuation`, so a backend skips it when drawing.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: Style
    public var isContinuation: Bool

    public init(_ text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A rectangle on screen, in cells.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// The rectangle shrunk by `by` cells on every side.
    public func inset(_ by: Int) -> Rect { Rect(x: x + by, y: y + by, width: width - 2 * by, height: height - 2 * by) }
}

/// The whole screen as values: what the UI renders into and what a backend flushes. Writes
/// outside the buffer are clipped, never trapped on.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    public mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        cells[y * width + x] = cell
    }

    /// Writes `text` from (x, y), clipped to `limit` columns (and the buffer's edge). A wide
    /// character that would straddle the limit is replaced by a space. Returns columns used.
    @discardableResult
    public mutating func write(_ text: some StringProtocol, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        let end = min(width, x + (limit ?? width))
        var column = x
        for character in text {
            let columns = character.displayWidth
            if columns == 0 { continue }
            if column + columns > end {
                if column < end { set(column, y, Cell(" ", style: style)) }
                column = end
                break
            }
            if column >= 0 {
                set(column, y, Cell(String(character), style: style))
                if columns == 2 { set(column + 1, y, Cell("", style: style, isContinuation: true)) }
            }
            column += columns
        }
        return max(0, column - x)
    }

    /// Paints every cell of `rect` with `style`, keeping the text.
    public mutating func paint(_ rect: Rect, style: Style) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                cells[y * width + x].style = style
            }
        }
    }

    /// Blanks `rect` with spaces in `style`.
    public mutating func clear(_ rect: Rect, style: Style = .plain) {
        guard rect.width > 0 else { return }
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                cells[y * width + x] = Cell(" ", style: style)
            }
        }
    }

    /// The screen as plain text, one line per row with trailing blanks removed: what snapshot
    /// tests compare and what a receipt of the screen would show.
    public var text: String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for y in 0..<height {
            var line = ""
            for x in 0..<width {
                let cell = cells[y * width + x]
                if !cell.isContinuation { line += cell.text }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
