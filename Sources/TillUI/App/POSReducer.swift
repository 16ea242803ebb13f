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
            // The file's name first: a long folder must not push it off the status bar.
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let folder = path.count > name.count ? String(path.dropLast(name.count + 1)) : "."
            state.message = .info("Receipt saved: \(name) in \(folder.isEmpty ? "/" : folder)")
            return []
        case .receiptFailed(let message):
            state.message = .error("! Receipt not saved: \(message)")
            return []
        case .ledgerChanged:
            return state.reloadScreen()
        case .pulse:
            state.idlePulse()
            return state.resolvePendingIfDue()
        case .resolved(let id, let answer):
            if state.resolving == id { state.resolving = nil }
            return state.apply(.order(id: id), answer.map(QueryAnswer.order))
        case .signedIn(let answer):
            return state.signInAnswered(answer)
        }
    }

    static func handle(_ key: Key, _ state: inout POSState) -> [POSEffect] {
        // Ctrl-C always quits: a request still in flight is resolved with GoblinPay when
        // the till next starts.
        if key == .control("c") { return [.quit] }
        // Any key is activity; while the sign-in screen is up it takes every key.
        state.session.idlePulses = 0
        // Too small to draw anything, the sign-in form included: only q and F10 quit.
        if state.isTooSmall { return key == .character("q") || key == .function(10) ? [.quit] : [] }
        if state.session.signIn != nil { return state.handleSignInKey(key) }
        // Nothing may submit twice: while a command runs, keys wait (the dialog keeps its
        // key anyway, so even a second submit would only replay).
        if state.busy != nil {
            state.message = .info("Please wait: \(state.busy?.progressLabel ?? "working")…")
            return []
        }
        if key == .function(10) { return [.quit] }
        if key == .control("l") { return state.lock() }
        if state.overlay != nil {
            // Function keys work in dialogs too: F1 shows the help over the dialog (which comes
            // back as it was), F2-F6 leave it for their screen. Nothing half-sent is lost: a
            // request in flight holds every key (above), and the keys an unknown outcome needs
            // live outside the dialog (the new-order form's, the authorize key).
            if key == .function(1), state.overlay != .help {
                state.underHelp = state.overlay
                state.overlay = .help
                return []
            }
            if case .function(let number) = key, let target = ScreenID.tabs.first(where: { $0.functionKey == number }) {
                state.overlay = nil
                state.underHelp = nil
                return state.go(to: target)
            }
            return state.handleOverlay(key)
        }
        if key == .function(1) || (key == .character("?") && !state.typing) {
            state.overlay = .help
            return []
        }
        if case .function(let number) = key, let target = ScreenID.tabs.first(where: { $0.functionKey == number }) {
            return state.go(to: target)
        }
        if !state.typing, case .character(let letter) = key {
            if letter == "q" { return [.quit] }
            if let target = ScreenID.allCases.first(where: { $0.letter == letter }) { return state.go(to: target) }
        }
        let effects = state.handleScreenKey(key)
        if let effects { return effects }
        if key == .escape { return state.goBack() }
        return []
    }
}

extension POSState {
    /// Shows `target` entered afresh (DESIGN §8: a fresh form, the focus on its first field)
    /// and loads what it needs. Its own key on the screen shown enters it afresh too: F4 on
    /// Customers is a new search, F3 on New order a blank form.
    mutating func go(to target: ScreenID) -> [POSEffect] {
        if target != screen {
            back = [screen]
            screen = target
        }
        message = nil
        enterAfresh(target)
        return reloadScreen()
    }

    /// Esc on a screen: to the Dashboard, and no further (no history to walk).
    mutating func goBack() -> [POSEffect] {
        screen == .dashboard ? [] : go(to: .dashboard)
    }

    /// What a screen entered afresh starts with. New order: a blank form with fresh keys,
    /// unless a create-and-pay from it has no answer yet (then the form and its key stay, and
    /// it says so, so that F8 learns the outcome instead of charging again). Customers: an
    /// empty search with the focus in it, so typed letters are a search, never commands.
    mutating func enterAfresh(_ target: ScreenID) {
        switch target {
        case .newOrder:
            if newOrder.payPending {
                message = .error(NewOrderModel.keptNote(newOrder))
            } else if !newOrder.isPristine(currency: defaultCurrency) {
                newOrder = freshNewOrder(currency: defaultCurrency)
            }
        case .customers:
            customers = CustomersModel()
        case .drawer:
            // The drawer's figures, not an old report left full screen.
            drawer.fullReport = nil
            drawer.scroll = 0
        case .dashboard, .cardPayments, .wallets, .orderDetail, .payouts:
            break
        }
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
        case .drawer:
            drawer.loading = true
            return [.query(drawerQuery)]
        case .payouts:
            payouts.loading = true
            return [.query(.payouts(importing: false))]
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
        case .drawer: return handleDrawerKey(key)
        case .payouts: return handlePayoutsKey(key)
        }
    }

    mutating func handleOverlay(_ key: Key) -> [POSEffect] {
        guard let overlay else { return [] }
        switch overlay {
        case .help:
            self.overlay = underHelp
            underHelp = nil
            return []
        case .payment(let dialog): return forward(dialog, key, Overlay.payment)
        case .amount(let dialog): return forward(dialog, key, Overlay.amount)
        case .confirm(var dialog):
            var asking = true
            let command = dialog.command
            if let effects = ConfirmationAnswer.settle(key, confirming: &asking, send: { submit(command) }) {
                self.overlay = nil
                return effects
            }
            dialog.nudged = true
            self.overlay = .confirm(dialog)
            return []
        case .authorize(let dialog): return forward(dialog, key, Overlay.authorize)
        case .openWallet(let dialog): return forward(dialog, key, Overlay.openWallet)
        case .drawer(let dialog): return forward(dialog, key, Overlay.drawer)
        }
    }

    /// Hands a key to the dialog on top. Its new state replaces it, unless it closed or it put
    /// another overlay up (a dialog may open the next one itself).
    private mutating func forward<Dialog: OverlayDialog>(_ dialog: Dialog, _ key: Key, _ wrap: (Dialog) -> Overlay) -> [POSEffect] {
        var dialog = dialog
        let shown = overlay
        let effects = dialog.handle(key, state: &self)
        if overlay == shown { overlay = dialog.closed ? nil : wrap(dialog) }
        return effects
    }

    /// Sends a command and marks the POS busy until it answers.
    mutating func submit(_ command: ServiceRequest) -> [POSEffect] {
        busy = command
        busySince = now
        message = nil
        return [.command(command)]
    }
}
