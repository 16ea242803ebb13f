/// Every key, on one overlay (F1 or ?).
extension POSState {
    /// Every key, kept to what fits two columns at 80x24 (a test checks it does).
    static let helpSections: [(String, [(String, String)])] = [
        ("Anywhere, dialogs too", [
            ("F2 d  F3 n", "Dashboard / New"), ("F4 h  F5 g", "Customers / Cards"), ("F6 w  F7 k", "Wallets / Drawer"), ("y", "Payouts (i imports)"),
            ("F1  ?", "This help"), ("Esc", "Close / Dashboard"), ("Ctrl-L", "Lock (sign out)"), ("F10  q  Ctrl-C", "Quit"),
        ]),
        ("Fields", [("Ctrl-U", "Clear the field"), ("type", "Replaces a prefill"), ("← → Home End", "Edit a prefill")]),
        ("Lists", [("↑ ↓ PgUp PgDn", "Move"), ("Enter  o  p", "Open / pay")]),
        ("Order", [("p  r", "Pay / refund"), ("t", "Receipt to a file")]),
        ("New order", [("Tab  ↑ ↓", "Next field"), ("Enter  F8", "Create / and pay"), ("Ctrl-N", "Blank form")]),
        ("Payment", [("F9  ← →", "Choose tender"), ("Enter", "Charge")]),
        ("Card payments", [
            ("a  c", "Authorize / capture"), ("l", "Release the rest"), ("r  v", "Refund / void"), ("f  Enter", "Holds / its order"),
        ]),
        ("Wallets", [("o  +  -", "Open/credit/debit")]),
        ("Drawer", [("o  i  u", "Open / pay in / out"), ("c  x", "Close / X report")]),
        ("Confirm", [("y  n", "Yes / no; not Enter")]),
    ]

    func renderHelp(into buffer: inout CellBuffer) {
        let width = min(76, self.width - 2)
        let rect = openDialog(width: width, height: height - 3, title: underHelp == nil ? "Help · any key closes" : "Help · any key goes back to the dialog", into: &buffer)
        let columnWidth = (width - 4) / 2
        var x = rect.x + 2
        var y = rect.y + 1
        for (title, keys) in Self.helpSections {
            if y + keys.count + 1 > rect.maxY - 1 {
                x += columnWidth + 1
                y = rect.y + 1
            }
            buffer.write(title, x: x, y: y, style: Theme.heading)
            y += 1
            for (key, action) in keys {
                buffer.write(Format.pad(key, 14), x: x + 1, y: y, style: Theme.text.bolded)
                buffer.write(action, x: x + 16, y: y, style: Theme.text, limit: columnWidth - 17)
                y += 1
            }
        }
    }
}
