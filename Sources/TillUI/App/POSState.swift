public import TillCore
public import TillService

/// The screens, in tab-bar order, with the keys that reach them from anywhere.
public enum ScreenID: String, Sendable, CaseIterable {
    case dashboard, newOrder, customers, cardPayments, wallets, orderDetail, drawer, payouts

    public var title: String {
        switch self {
        case .dashboard: "Dashboard"
        case .newOrder: "New order"
        case .customers: "Customers"
        case .cardPayments: "Cards"
        case .wallets: "Wallets"
        case .orderDetail: "Order"
        case .drawer: "Drawer"
        case .payouts: "Payouts"
        }
    }

    /// Function key (F2...F6) for the tabs; the order detail is reached from a list.
    public var functionKey: Int? {
        switch self {
        case .dashboard: 2
        case .newOrder: 3
        case .customers: 4
        case .cardPayments: 5
        case .wallets: 6
        case .orderDetail: nil
        case .drawer: 7
        // No tab of its own (the bar is full at 80 columns): y from anywhere.
        case .payouts: nil
        }
    }

    /// Mnemonic letter, used where no text field has the focus.
    public var letter: Character? {
        switch self {
        case .dashboard: "d"
        case .newOrder: "n"
        case .customers: "h"
        case .cardPayments: "g"
        case .wallets: "w"
        case .orderDetail: nil
        // k: the cash box (c, d and r are taken by actions and the Dashboard).
        case .drawer: "k"
        // y: pa(y)outs (p pays).
        case .payouts: "y"
        }
    }

    static let tabs: [ScreenID] = [.dashboard, .newOrder, .customers, .cardPayments, .wallets, .drawer]
}

/// A line for the status bar: what just happened, or what went wrong.
public enum StatusMessage: Sendable, Equatable {
    case info(String)
    case error(String)

    public var text: String {
        switch self {
        case .info(let text), .error(let text): text
        }
    }

    public var isError: Bool {
        if case .error = self { true } else { false }
    }
}

/// The whole POS as a value. `POSReducer.update` is the only thing that changes it.
public struct POSState: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var now: Instant
    public let utcOffsetSeconds: Int
    public let databasePath: String
    public var screen: ScreenID = .dashboard
    /// The screen before this one (its tab stays lit under the order screen). Esc does not
    /// walk it: Esc goes to the Dashboard (DESIGN §8).
    public var back: [ScreenID] = []
    public var overlay: Overlay?
    /// The dialog that F1's help covers: any key on the help gives it back, as it was.
    public var underHelp: Overlay?
    /// The command in flight: input that could submit again is ignored until it answers.
    public var busy: ServiceRequest?
    public var busySince: Instant?
    public var message: StatusMessage?
    public var dashboard = DashboardModel()
    public var newOrder: NewOrderModel
    public var detail = OrderDetailModel()
    public var customers = CustomersModel()
    public var cards = CardPaymentsModel()
    public var wallets = WalletsModel()
    public var payouts = PayoutsModel()
    /// Who is signed in, the sign-in screen and the idle lock (SignInScreen.swift).
    public var session = OperatorSession()
    public var drawer = DrawerModel()
    public var defaultCurrency: String
    /// The order whose pending requests are being resolved in the background now, and the
    /// pulses left before the next pass (see `resolvePendingIfDue`).
    public var resolving: String?
    var pulsesToResolve = POSState.resolveEvery
    /// A pass every 2 pulses (2 s); the first comes 1 to 2 s after the order is on screen.
    static let resolveEvery = 2
    /// Idempotency keys are `<keyPrefix>-<n>`: the prefix is unique per run (the runner makes
    /// it), the counter makes it unique per dialog.
    let keyPrefix: String
    var keyCounter = 0

    public init(
        width: Int, height: Int, now: Instant, utcOffsetSeconds: Int, databasePath: String,
        keyPrefix: String, defaultCurrency: String = "USD"
    ) {
        self.width = width
        self.height = height
        self.now = now
        self.utcOffsetSeconds = utcOffsetSeconds
        self.databasePath = databasePath
        self.keyPrefix = keyPrefix
        self.defaultCurrency = defaultCurrency
        newOrder = NewOrderModel(currency: defaultCurrency, key: "\(keyPrefix)-0", payKey: "\(keyPrefix)-1")
        keyCounter = 2
    }

    /// A fresh idempotency key for a dialog that is opening.
    mutating func nextKey() -> String {
        defer { keyCounter += 1 }
        return "\(keyPrefix)-\(keyCounter)"
    }

    /// A blank new-order form with fresh keys (after the last one succeeded).
    mutating func freshNewOrder(currency: String) -> NewOrderModel {
        NewOrderModel(currency: currency, key: nextKey(), payKey: nextKey())
    }

    public var localNow: LocalTime { LocalTime(now, utcOffsetSeconds: utcOffsetSeconds) }

    /// True when a text field has the keyboard, so letters are text, not commands.
    var typing: Bool {
        if overlay != nil { return true }
        switch screen {
        case .newOrder: return true
        case .customers: return customers.focus == .search
        default: return false
        }
    }

    public static let minimumWidth = 80
    public static let minimumHeight = 24
    var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
}

/// What floats over the screen and takes the keys first.
public enum Overlay: Sendable, Equatable {
    case help
    case payment(PaymentDialog)
    case amount(AmountDialog)
    case confirm(ConfirmDialog)
    case authorize(AuthorizeDialog)
    case openWallet(OpenWalletDialog)
    case drawer(DrawerDialog)
}
