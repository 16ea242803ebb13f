import TillCore
/// Draws the whole POS into a fresh buffer: tab bar, the screen, any overlay, the key hints
/// and the status bar (message or spinner, database path, clock).
extension POSState {
    public func render() -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        guard !isTooSmall else {
            buffer.write("Till needs at least \(Self.minimumWidth)×\(Self.minimumHeight).", x: 0, y: 0, style: Theme.warning)
            buffer.write("This terminal is \(width)×\(height): make it larger, or q to quit.", x: 0, y: 1)
            return buffer
        }
        if let signIn = session.signIn {
            renderSignIn(signIn, into: &buffer)
            return buffer
        }
        renderTabs(into: &buffer)
        let content = Rect(x: 0, y: 1, width: width, height: height - 3)
        switch screen {
        case .dashboard: renderDashboard(into: &buffer, content)
        case .newOrder: renderNewOrder(into: &buffer, content)
        case .orderDetail: renderDetail(into: &buffer, content)
        case .customers: renderCustomers(into: &buffer, content)
        case .cardPayments: renderCards(into: &buffer, content)
        case .wallets: renderWallets(into: &buffer, content)
        case .drawer: renderDrawer(into: &buffer, content)
        case .payouts: renderPayouts(into: &buffer, content)
        }
        if case .help = overlay {
            // The help is drawn over whatever dialog it was opened from.
            renderDialog(underHelp, into: &buffer)
            renderHelp(into: &buffer)
        } else {
            renderDialog(overlay, into: &buffer)
        }
        renderHints(into: &buffer)
        renderStatus(into: &buffer)
        return buffer
    }

    func renderDialog(_ overlay: Overlay?, into buffer: inout CellBuffer) {
        switch overlay {
        case .payment(let dialog): renderPayment(dialog, into: &buffer)
        case .amount(let dialog): renderAmount(dialog, into: &buffer)
        case .confirm(let dialog): renderConfirm(dialog, into: &buffer)
        case .authorize(let dialog): renderAuthorize(dialog, into: &buffer)
        case .openWallet(let dialog): renderOpenWallet(dialog, into: &buffer)
        case .drawer(let dialog): renderDrawerDialog(dialog, into: &buffer)
        case .help, nil: break
        }
    }

    func renderTabs(into buffer: inout CellBuffer) {
        buffer.write(String(repeating: " ", count: width), x: 0, y: 0, style: Theme.tab)
        var x = buffer.write(" Till ", x: 0, y: 0, style: Theme.tab.bolded)
        // The order screen has no tab of its own: the tab it was opened from stays lit.
        for tab in ScreenID.tabs {
            let label = " F\(tab.functionKey ?? 0) \(tab.title) "
            let active = tab == screen || (screen == .orderDetail && tab == back.last)
            x += buffer.write(label, x: x, y: 0, style: active && screen != .orderDetail ? Theme.tabActive : Theme.tab)
        }
        // At 80 columns the tabs fill the bar: F1 still opens help, and the hints say so.
        if width - x >= 9 { buffer.writeRight("F1 Help ", right: width, y: 0, style: Theme.tab) }
    }

    var hints: String {
        switch overlay {
        case .help: return underHelp == nil ? "any key closes help" : "any key goes back to the dialog"
        case .payment(let dialog) where dialog.changeDue != nil: return "Enter close · hand back the change"
        case .payment: return "Enter charge · Tab next field · F9 tender · Ctrl-U clear · Esc cancel"
        case .amount(let dialog) where dialog.handBack != nil: return "Enter close · hand back the cash"
        case .amount(let dialog) where dialog.confirming: return "y yes · n no (Enter is not an answer)"
        case .amount(let dialog) where !dialog.hasDestination: return "Enter ok · Ctrl-U clear · Esc cancel"
        case .amount, .authorize, .openWallet: return "Enter ok · Tab next field · Ctrl-U clear · Esc cancel"
        case .confirm: return "y yes · n no (Enter is not an answer)"
        case .drawer(let dialog) where dialog.confirming: return "y close the drawer · n back (Enter is not an answer)"
        case .drawer(let dialog) where dialog.hasReason: return "Enter ok · Tab next field · Ctrl-U clear · Esc cancel"
        case .drawer: return "Enter ok · Ctrl-U clear · Esc cancel"
        case nil: break
        }
        switch screen {
        case .dashboard: return dashboard.focus == .owing ? "↑↓ select · Enter customer · Tab recent orders · q quit"
            : "↑↓ select · Enter open · Tab owing · p pay · n new order · h customers · q quit"
        case .newOrder: return "Enter create · F8 create & pay · Tab next · Ctrl-U clear · Esc dashboard"
        case .orderDetail: return "p pay · r refund · t receipt · ↑↓ select · Esc dashboard"
        case .customers: return customers.focus == .search ? "type email, name or order id · ↑↓ choose · Tab orders · Esc dashboard"
            : "↑↓ PgUp PgDn · Enter open · p pay · Tab or Esc search"
        case .cardPayments: return "a auth · c capture · l release · r refund · v void · f holds · Enter order"
        case .wallets: return "o open · + credit · - debit · ↑↓ select · Esc dashboard"
        case .drawer: return drawer.fullReport != nil ? "↑↓ scroll · Enter or Esc back to the drawer"
            : "o open · i pay in · u pay out · c count & close · x X report · Esc dashboard"
        case .payouts: return payouts.inEntries ? "↑↓ select · Enter its order · Tab or Esc payouts"
            : "↑↓ select · Tab or Enter entries · i import now · Esc dashboard"
        }
    }

    func renderHints(into buffer: inout CellBuffer) {
        let y = height - 2
        buffer.write(String(repeating: " ", count: width), x: 0, y: y, style: Theme.bar)
        buffer.write(" " + hints, x: 0, y: y, style: Theme.bar, limit: width)
    }

    /// A braille spinner frame from the time since the command started.
    var spinner: String {
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        let elapsed = busySince.map { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch } ?? 0
        return frames[Int((max(0, elapsed) / 100) % Int64(frames.count))]
    }

    /// The status bar's right end: who is signed in (or named by TILL_OPERATOR; nothing for the
    /// default `till`) and the clock.
    var statusClock: String {
        let who = session.signInRequired || session.current != .till ? " " + Format.fit(session.current.text, 16) + " ·" : ""
        return who + " " + localNow.shortDate + " " + localNow.clock + " "
    }

    /// The status bar: the spinner, else why the focused field refused a key, else the last
    /// message; then the ledger's path and the clock. A message that does not fit is never
    /// cut: it wraps upward over the rows above (the path gives way first).
    func renderStatus(into buffer: inout CellBuffer) {
        let y = height - 1
        let clock = statusClock
        let right = buffer.writeRight(clock, right: width, y: y, style: Theme.dim)
        let said: (text: String, style: Style)? = busy.map { (" \(spinner) \($0.progressLabel)…", Theme.warning) }
            ?? focusedField?.refusal.map { (" ! " + $0, Theme.error) }
            ?? message.map { (" " + $0.text, $0.isError ? Theme.error : Theme.success) }
        let room = width - right - 1
        let pathRoom = min(40, room - (said?.text.displayWidth ?? 0) - 2)
        if let said, pathRoom < 12 {
            // Wrapped, at most a third of the screen; the last row keeps the clock.
            let lines = Format.wrap(said.text, width: room, lines: max(2, height / 3))
            for (index, line) in lines.enumerated() {
                let row = y - (lines.count - 1) + index
                if row < y { buffer.write(String(repeating: " ", count: width), x: 0, y: row) }
                buffer.write(line, x: 0, y: row, style: said.style, limit: room)
            }
            return
        }
        let path = Format.fitTail(databasePath, max(12, pathRoom))
        buffer.writeRight(path, right: width - right - 1, y: y, style: Theme.dim)
        if let said { buffer.write(said.text, x: 0, y: y, style: said.style, limit: width - right - path.displayWidth - 3) }
    }

    /// The text field that has the keyboard now, if any.
    var focusedField: TextField? {
        switch overlay {
        case .payment(let dialog): return dialog.focusedField
        case .amount(let dialog): return dialog.confirming || dialog.focus != 0 ? nil : dialog.amount
        case .authorize(let dialog):
            return [dialog.card.number, dialog.card.expiry, dialog.card.cvv, dialog.amount, dialog.currency][safe: dialog.focus]
        case .openWallet(let dialog):
            return [dialog.name, dialog.currency, dialog.balance, dialog.overdraft, dialog.customer][safe: dialog.focus]
        case .drawer(let dialog): return dialog.confirming ? nil : [dialog.amount, dialog.reason][safe: dialog.focus]
        case .help, .confirm: return nil
        case nil: break
        }
        switch screen {
        case .newOrder: return [newOrder.email, newOrder.amount, newOrder.currency][safe: newOrder.focus]
        case .customers: return customers.focus == .search ? customers.search : nil
        default: return nil
        }
    }
}
