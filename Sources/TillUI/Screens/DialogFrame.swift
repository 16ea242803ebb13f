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
}
