/// What every dialog shares: a cleared, framed box centred on the screen, and a foot line
/// with the keys (or the spinner while its command runs) and the idempotency key it holds.
extension POSState {
    func openDialog(width: Int, height: Int, title: String, into buffer: inout CellBuffer) -> Rect {
        let rect = Rect(x: (self.width - width) / 2, y: max(1, (self.height - height) / 2), width: width, height: height)
        buffer.clear(rect)
        buffer.box(rect, title: title, style: Theme.dialogFrame)
        return rect
    }

    func dialogFoot(_ hints: String, key: String?, in rect: Rect, into buffer: inout CellBuffer) {
        let text = busy.map { "\(spinner) \($0.progressLabel)…" } ?? hints
        buffer.write(text, x: rect.x + 2, y: rect.maxY - 2, style: Theme.dim, limit: rect.width - (key == nil ? 4 : 24))
        if let key {
            buffer.writeRight("key " + Format.fitTail(key, 14), right: rect.maxX - 2, y: rect.maxY - 2, style: Theme.dim)
        }
    }

    /// An error in a dialog as the lines it needs at `width`: wrapped, never cut before the
    /// action it asks for (up to 12 lines; every message is capped at 1,000 characters anyway).
    func errorLines(_ text: String, width: Int) -> [String] {
        Format.wrap("! " + text, width: width, lines: 12)
    }

    /// Cash to hand over the counter, shown large: the change after a cash payment, the cash of
    /// a refund. `top` is the title's row in the dialog; `then` ends the "Hand back" line.
    func renderCashBack(
        _ title: String, style: Style, amount: Int64, currency: String, then: String, top: Int,
        into buffer: inout CellBuffer, _ rect: Rect
    ) {
        let text = Format.money(amount, currency)
        buffer.write(title, x: rect.x + 2, y: rect.y + top, style: style)
        let left = rect.x + max(2, (rect.width - BigText.width(text)) / 2)
        for (index, row) in BigText.rows(text).enumerated() {
            buffer.write(row, x: left, y: rect.y + top + 2 + index, style: Theme.money, limit: rect.maxX - left - 1)
        }
        buffer.write("Hand back " + text + then, x: rect.x + 2, y: rect.y + top + 6, style: Theme.money)
        buffer.write("Enter close", x: rect.x + 2, y: rect.maxY - 2, style: Theme.dim)
    }
}
