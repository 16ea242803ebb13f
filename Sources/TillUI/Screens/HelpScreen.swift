/// Every key, on one overlay (F1 or ?).
extension POSState {
    static let helpSections: [(String, [(String, String)])] = [
        ("Anywhere", [
            ("F2  d", "Dashboard"), ("F3  n", "New order"), ("F4  h", "Customers"),
            ("F5  g", "Card payments"), ("F6  w", "Wallets"), ("F1  ?", "This help"),
            ("Esc", "Back / close"), ("F10  q  Ctrl-C", "Quit"),
        ]),
        ("Lists", [("↑ ↓ PgUp PgDn", "Move"), ("Enter  o", "Open the order"), ("p", "Take a payment")]),
        ("Order", [("p", "Take a payment"), ("r", "Refund a payment"), ("t", "Receipt to a file")]),
        ("New order", [("Tab  ↑ ↓", "Next field"), ("Enter", "Create"), ("F8", "Create and pay now")]),
        ("Payment", [("1 2 3  ← →", "Choose tender"), ("Enter", "Charge")]),
        ("Card payments", [
            ("a", "Authorize"), ("c", "Capture"), ("l", "Release the rest"), ("r", "Refund"), ("v", "Void"),
            ("f", "Open holds only"), ("Enter  o", "Open its order"),
        ]),
        ("Wallets", [("o", "Open a wallet"), ("+  -", "Credit / debit")]),
    ]

    func renderHelp(into buffer: inout CellBuffer) {
        let width = min(76, self.width - 2)
        let rect = openDialog(width: width, height: height - 3, title: "Help · any key closes", into: &buffer)
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
