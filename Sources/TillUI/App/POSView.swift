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
        renderTabs(into: &buffer)
        let content = Rect(x: 0, y: 1, width: width, height: height - 3)
        switch screen {
        case .dashboard: renderDashboard(into: &buffer, content)
        case .newOrder: renderNewOrder(into: &buffer, content)
        case .orderDetail: renderDetail(into: &buffer, content)
        case .customers: renderCustomers(into: &buffer, content)
        case .cardPayments: renderCards(into: &buffer, content)
        case .wallets: renderWallets(into: &buffer, content)
        }
        switch overlay {
        case .help: renderHelp(into: &buffer)
        case .payment(let dialog): renderPayment(dialog, into: &buffer)
        case .amount(let dialog): renderAmount(dialog, into: &buffer)
        case .confirm(let dialog): renderConfirm(dialog, into: &buffer)
        case .authorize(let dialog): renderAuthorize(dialog, into: &buffer)
        case .openWallet(let dialog): renderOpenWallet(dialog, into: &buffer)
        case nil: break
        }
        renderHints(into: &buffer)
        renderStatus(into: &buffer)
        return buffer
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
        buffer.writeRight("F1 Help ", right: width, y: 0, style: Theme.tab)
    }

    var hints: String {
        switch overlay {
        case .help: return "any key closes help"
        case .payment(let dialog) where dialog.changeDue != nil: return "Enter close · hand back the change"
        case .payment: return "Enter charge · Tab next field · ←→ tender · Esc cancel"
        case .amount(let dialog) where !dialog.hasWalletField: return "Enter ok · Esc cancel"
        case .amount, .authorize, .openWallet: return "Enter ok · Tab next field · Esc cancel"
        case .confirm: return "y yes · n no"
        case nil: break
        }
        switch screen {
        case .dashboard: return dashboard.focus == .owing ? "↑↓ select · Enter customer · Tab recent orders · q quit"
            : "↑↓ select · Enter open · Tab owing · p pay · n new order · h customers · q quit"
        case .newOrder: return "Enter create · F8 create & pay · Tab next · Esc back"
        case .orderDetail: return "p pay · r refund · t receipt · ↑↓ select · Esc back"
        case .customers: return customers.focus == .search ? "type email, name or order id · ↑↓ choose · Tab orders · Esc back"
            : "↑↓ PgUp PgDn · Enter open · p pay · Tab search · Esc back"
        case .cardPayments: return "a auth · c capture · l release · r refund · v void · f holds · Enter order"
        case .wallets: return "o open · + credit · - debit · ↑↓ select · Esc back"
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

    func renderStatus(into buffer: inout CellBuffer) {
        let y = height - 1
        let clock = " " + localNow.shortDate + " " + localNow.clock + " "
        let right = buffer.writeRight(clock, right: width, y: y, style: Theme.dim)
        // What just happened matters more than the path: the path gives way to the message.
        let said = busy.map { " \(spinner) \($0.progressLabel)…" } ?? message.map { " " + $0.text } ?? ""
        let pathRoom = max(12, min(40, width - right - said.displayWidth - 3))
        let path = Format.fitTail(databasePath, pathRoom)
        buffer.writeRight(path, right: width - right - 1, y: y, style: Theme.dim)
        let room = width - right - path.displayWidth - 3
        if let busy {
            buffer.write(" \(spinner) \(busy.progressLabel)…", x: 0, y: y, style: Theme.warning, limit: room)
        } else if let message {
            buffer.write(" " + message.text, x: 0, y: y, style: message.isError ? Theme.error : Theme.success, limit: room)
        }
    }
}
