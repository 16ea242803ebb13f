/// Rows under a header with a moving selection. The selected row is kept on screen by
/// scrolling just enough (it sticks to the bottom edge when moving down past it).
public struct Table: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public let title: String
        /// 0: takes what the fixed columns leave.
        public let width: Int
        public let alignRight: Bool

        public init(_ title: String, width: Int, alignRight: Bool = false) {
            self.title = title
            self.width = width
            self.alignRight = alignRight
        }
    }

    public let columns: [Column]

    public init(columns: [Column]) { self.columns = columns }

    /// Column widths for `total` columns of room, one space between columns.
    func widths(_ total: Int) -> [Int] {
        let fixed = columns.reduce(0) { $0 + $1.width } + max(0, columns.count - 1)
        let flexible = columns.filter { $0.width == 0 }.count
        let spare = max(0, total - fixed)
        return columns.map { $0.width == 0 ? max(4, spare / max(1, flexible)) : $0.width }
    }

    /// Where a list key moves the selection among `count` rows: ↑ ↓ one row, PgUp PgDn ten,
    /// Home the first.
    static func moved(_ selected: Int, count: Int, by key: Key) -> Int {
        let step = switch key {
        case .up: -1
        case .down: 1
        case .pageUp: -10
        case .pageDown: 10
        default: -selected
        }
        return max(0, min(count - 1, selected + step))
    }

    /// Rows a table shows in `height` (one line goes to the header).
    public static func visibleRows(_ height: Int) -> Int { max(0, height - 1) }

    /// Draws header and rows in `rect`; `selected` nil draws no selection. Styles per row may
    /// be given (e.g. dim for voided payments). A row of one cell (with more columns) spans
    /// the table's width: a note under the row above it.
    public func render(
        _ rows: [[String]], selected: Int?, focused: Bool, into buffer: inout CellBuffer, _ rect: Rect,
        rowStyles: [Style]? = nil, emptyText: String = "Nothing here yet."
    ) {
        guard rect.height > 0, rect.width > 0 else { return }
        let widths = widths(rect.width)
        var x = rect.x
        for (index, column) in columns.enumerated() {
            let title = Format.pad(column.title, widths[index], right: column.alignRight)
            buffer.write(title, x: x, y: rect.y, style: Theme.label, limit: rect.maxX - x)
            x += widths[index] + 1
        }
        let visible = Self.visibleRows(rect.height)
        if rows.isEmpty {
            if visible > 0 { buffer.write(emptyText, x: rect.x, y: rect.y + 1, style: Theme.dim, limit: rect.width) }
            return
        }
        let offset = selected.map { max(0, $0 - visible + 1) } ?? 0
        for row in 0..<min(visible, rows.count - offset) {
            let index = offset + row
            let y = rect.y + 1 + row
            let isSelected = index == selected
            var style = rowStyles?[safe: index] ?? Theme.text
            if isSelected { style = focused ? Theme.selected : Theme.selectedUnfocused }
            if isSelected { buffer.write(String(repeating: " ", count: rect.width), x: rect.x, y: y, style: style) }
            if rows[index].count == 1, columns.count > 1 {
                buffer.write(Format.pad(rows[index][0], rect.width), x: rect.x, y: y, style: style, limit: rect.width)
                continue
            }
            var x = rect.x
            for (column, width) in widths.enumerated() {
                let text = rows[index][safe: column] ?? ""
                buffer.write(Format.pad(text, width, right: columns[column].alignRight), x: x, y: y, style: style, limit: rect.maxX - x)
                x += width + 1
            }
        }
        // "21/40" at the header's end, where the columns leave room for it.
        let lastStart = widths.dropLast().reduce(0, +) + widths.count - 1
        let headerEnd = lastStart + (columns.last.map { $0.alignRight ? widths[widths.count - 1] : $0.title.displayWidth } ?? 0)
        let marker = "\(min(rows.count, offset + visible))/\(rows.count)"
        if rows.count > visible, rect.width - headerEnd > marker.count {
            buffer.writeRight(marker, right: rect.maxX, y: rect.y, style: Theme.dim)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
