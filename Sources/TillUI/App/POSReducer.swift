import TillCore
import TillService

/// `(state, event) -> (state, effects)`: the POS's only logic about input. Pure: time, sizes
/// and answers arrive as events, and everything it wants done leaves as effects.
public enum POSReducer {
    /// What to do once the first frame is up.
    public static func start(_ state: inout POSState) -> [POSEffect] {
        state.dashboard.loading = true
        return [.query(.dashboard)]
    }

    public static func update(_ state: inout POSState, _ event: POSEvent) -> [POSEffect] {
        switch event {
        case .input(.resize(let width, let height)):
            state.width = max(0, width)
            state.height = max(0, height)
            return []
        case .input(.key(let key)):
            return handle(key, &state)
        case .tick(let now):
            state.now = now
            return []
        case .loaded(let query, let answer):
            return state.apply(query, answer)
        case .completed(let command, let answer):
            guard state.busy == command else { return [] }
            state.busy = nil
            state.busySince = nil
            return state.apply(command, answer)
        case .receiptSaved(let path):
            state.message = StatusMessage(text: "Receipt saved to \(path)", isError: false)
            return []
        case .receiptFailed(let message):
            state.message = StatusMessage(text: "! Receipt not saved: \(message)", isError: true)
            return []
        case .ledgerChanged:
            return state.reloadScreen()
        case .pulse:
            return state.resolvePendingIfDue()
        case .resolved(let id, let answer):
            if state.resolving == id { state.resolving = nil }
            return state.apply(.order(id: id), answer.map(QueryAnswer.order))
        }
    }

    static func handle(_ key: Key, _ state: inout POSState) -> [POSEffect] {
        // Ctrl-C always quits: a request still in flight is resolved with GoblinPay when
        // the till next starts.
        if key == .control("c") { return [.quit] }
        // Nothing may submit twice: while a command runs, keys wait (the dialog keeps its
        // key anyway, so even a second submit would only replay).
        if state.busy != nil {
            state.message = StatusMessage(text: "Please wait: \(state.busy?.progressLabel ?? "working")…", isError: false)
            return []
        }
        if key == .function(10) { return [.quit] }
        if state.isTooSmall { return key == .character("q") ? [.quit] : [] }
        if state.overlay != nil { return state.handleOverlay(key) }
        if key == .function(1) || (key == .character("?") && !state.typing) {
            state.overlay = .help
            return []
        }
        if case .function(let number) = key, let target = ScreenID.tabs.first(where: { $0.functionKey == number }) {
            return state.go(to: target)
        }
        if !state.typing, case .character(let letter) = key {
            if letter == "q" { return [.quit] }
            if let target = ScreenID.tabs.first(where: { $0.letter == letter }) { return state.go(to: target) }
        }
        let effects = state.handleScreenKey(key)
        if let effects { return effects }
        if key == .escape { return state.goBack() }
        return []
    }
}

extension POSState {
    /// Shows `target`, remembering where we were for Esc, and loads what it needs.
    mutating func go(to target: ScreenID) -> [POSEffect] {
        if target == screen { return reloadScreen() }
        back.append(screen)
        if back.count > 20 { back.removeFirst() }
        screen = target
        message = nil
        return reloadScreen()
    }

    mutating func goBack() -> [POSEffect] {
        guard let previous = back.popLast() else { return [] }
        screen = previous
        return reloadScreen()
    }

    mutating func openOrder(_ id: String) -> [POSEffect] {
        detail = OrderDetailModel(orderId: id)
        return go(to: .orderDetail)
    }

    /// The queries that refresh what is on screen now (after navigation or an outside write).
    mutating func reloadScreen() -> [POSEffect] {
        switch screen {
        case .dashboard:
            dashboard.loading = true
            return [.query(.dashboard)]
        case .newOrder:
            return []
        case .orderDetail:
            guard let id = detail.orderId else { return [] }
            return [.query(.order(id: id))]
        case .customers:
            return customers.reload()
        case .cardPayments:
            return [.query(cards.openHoldsOnly ? .openHolds(after: nil) : .cardPayments(after: nil))]
        case .wallets:
            var effects: [POSEffect] = [.query(.wallets)]
            if let name = selectedWallet?.name { effects.append(.query(.walletHistory(name: name))) }
            return effects
        }
    }

    /// Keys for the screen underneath (no overlay). nil: not used here.
    mutating func handleScreenKey(_ key: Key) -> [POSEffect]? {
        switch screen {
        case .dashboard: return handleDashboardKey(key)
        case .newOrder: return handleNewOrderKey(key)
        case .orderDetail: return handleDetailKey(key)
        case .customers: return handleCustomersKey(key)
        case .cardPayments: return handleCardsKey(key)
        case .wallets: return handleWalletsKey(key)
        }
    }

    mutating func handleOverlay(_ key: Key) -> [POSEffect] {
        guard let overlay else { return [] }
        switch overlay {
        case .help:
            self.overlay = nil
            return []
        case .payment(var dialog):
            let effects = dialog.handle(key, state: &self)
            if case .payment = self.overlay { self.overlay = dialog.closed ? nil : .payment(dialog) }
            return effects
        case .amount(var dialog):
            let effects = dialog.handle(key, state: &self)
            if case .amount = self.overlay { self.overlay = dialog.closed ? nil : .amount(dialog) }
            return effects
        case .confirm(let dialog):
            switch key {
            case .character("y"), .character("Y"), .enter:
                self.overlay = nil
                return submit(dialog.command)
            case .character("n"), .character("N"), .escape:
                self.overlay = nil
                return []
            default:
                return []
            }
        case .authorize(var dialog):
            let effects = dialog.handle(key, state: &self)
            if case .authorize = self.overlay { self.overlay = dialog.closed ? nil : .authorize(dialog) }
            return effects
        case .openWallet(var dialog):
            let effects = dialog.handle(key, state: &self)
            if case .openWallet = self.overlay { self.overlay = dialog.closed ? nil : .openWallet(dialog) }
            return effects
        }
    }

    /// Sends a command and marks the POS busy until it answers.
    mutating func submit(_ command: POSCommand) -> [POSEffect] {
        busy = command
        busySince = now
        message = nil
        return [.command(command)]
    }
}
