public import TillCore
public import TillService

/// What the reducer asks the outside world to do. The runner performs each one off the UI
/// thread and answers with a `POSEvent`, so the screen never freezes on GoblinPay.
public enum POSEffect: Sendable, Equatable {
    case query(POSQuery)
    case command(ServiceRequest)
    /// Ask GoblinPay what became of the order's requests whose outcome is unknown (recording
    /// what was applied, freeing what was not), then read the order again (`.resolved`).
    case resolvePending(orderId: String)
    /// Read the order as it is now, lay out its receipt and write it to a file named after
    /// the order (`receiptSaved` / `receiptFailed`).
    case saveReceipt(orderId: String, printedAt: Instant)
    /// Check a name and PIN; on success every later command acts as that operator (`signedIn`).
    case signIn(name: String, pin: String)
    case quit
}

/// A read. Its answer comes back tagged with the query, so an answer to an old search (the
/// operator typed on) is recognised and dropped.
public enum POSQuery: Sendable, Equatable {
    case dashboard
    case order(id: String)
    case suggestions(prefix: String)
    case customers(prefix: String)
    case customer(email: String)
    case customerOrders(email: String, after: OrderCursor?)
    case cardPayments(after: PaymentCursor?)
    case wallets
    case walletHistory(name: String)
    case customerWallets(email: String)
    /// The X report of the drawer in `currency` (or what moved with none open).
    case drawer(currency: String)
    /// Orders whose id starts with the Customers search text (an id from a receipt).
    case findOrders(idPrefix: String)
    /// The Cards screen's "open holds" filter: authorizations that may still be captured.
    case openHolds(after: PaymentCursor?)
    /// Imported payouts and the reconciliation; `importing`: run an import cycle first.
    case payouts(importing: Bool)
}

/// A mutation is a `ServiceRequest`, carrying the idempotency key its dialog holds.
extension ServiceRequest {
    /// What the status bar says while it runs.
    public var progressLabel: String {
        switch self {
        case .createOrder: "Creating the order"
        case .createAndPay(_, _, _, _, let tender, _), .pay(_, _, let tender, _):
            if case .card = tender { "Waiting for GoblinPay" } else { "Recording the payment" }
        case .refund: "Refunding"
        case .authorize: "Authorizing with GoblinPay"
        case .capture: "Capturing with GoblinPay"
        case .refundPayment: "Refunding with GoblinPay"
        case .void: "Voiding with GoblinPay"
        case .release: "Releasing the rest with GoblinPay"
        case .openWallet: "Opening the wallet"
        case .credit: "Crediting"
        case .debit: "Debiting"
        case .openDrawer: "Opening the drawer"
        case .payIn, .payOut: "Recording the cash"
        case .closeDrawer: "Closing the drawer"
        }
    }

    /// The verb of a card payment's or a wallet's answer in the status bar ("Captured: pay_… is
    /// now captured"); orders and the drawer say more.
    var doneVerb: String {
        switch self {
        case .authorize: "Authorized"
        case .capture: "Captured"
        case .refund, .refundPayment: "Refunded"
        case .release: "Released the rest"
        case .void: "Voided"
        case .openWallet: "Opened"
        case .credit: "Credited"
        case .debit: "Debited"
        case .createOrder, .createAndPay, .pay, .openDrawer, .payIn, .payOut, .closeDrawer: "Done"
        }
    }
}
