/// Frames and rules drawn with box characters.
extension CellBuffer {
    /// A single-line frame around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, title: String? = nil, style: Style = Theme.frame, titleStyle: Style = Theme.heading) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.maxX - 1
        let bottom = rect.maxY - 1
        for x in rect.x + 1..<right {
            set(x, rect.y, Cell("─", style: style))
            set(x, bottom, Cell("─", style: style))
        }
        for y in rect.y + 1..<bottom {
            set(rect.x, y, Cell("│", style: style))
            set(right, y, Cell("│", style: style))
        }
        set(rect.x, rect.y, Cell("┌", style: style))
        set(right, rect.y, Cell("┐", style: style))
        set(rect.x, bottom, Cell("└", style: style))
        set(right, bottom, Cell("┘", style: style))
        if let title, rect.width > 4 {
            write(" " + Format.fit(title, rect.width - 4) + " ", x: rect.x + 1, y: rect.y, style: titleStyle)
        }
    }

    /// A heading line: bold text followed by a thin rule to the end of `width`.
    public mutating func heading(_ title: String, x: Int, y: Int, width: Int) {
        let used = write(Format.fit(title, width), x: x, y: y, style: Theme.heading)
        if used + 1 < width {
            write(String(repeating: "─", count: width - used - 1), x: x + used + 1, y: y, style: Theme.frame)
        }
    }

    /// Text right-aligned so it ends at column `right` (exclusive).
    @discardableResult
    public mutating func writeRight(_ text: String, right: Int, y: Int, style: Style = .plain) -> Int {
        let columns = text.displayWidth
        return write(text, x: right - columns, y: y, style: style)
    }
}
