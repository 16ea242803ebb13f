public import TillCore
public import TillService

/// Everything that can change the POS's state: input, time, and answers to effects.
public enum POSEvent: Sendable, Equatable {
    case input(TerminalInput)
    /// The clock moved (drives the status-bar clock, the spinner and expiry checks).
    case tick(Instant)
    case loaded(POSQuery, Result<QueryAnswer, Rejection>)
    case completed(ServiceRequest, Result<CommandAnswer, Rejection>)
    case receiptSaved(path: String)
    case receiptFailed(message: String)
    /// Another process wrote to the ledger: reload what is on screen.
    case ledgerChanged
    /// A slow beat of the monotonic clock (once a second, also with TILL_NOW fixed): paces
    /// background work, such as resolving the pending payments of the order on screen.
    case pulse
    /// The open requests on an order were resolved with GoblinPay as far as they could be, and
    /// the order was read again.
    case resolved(orderId: String, Result<OrderView, Rejection>)
    /// The answer to a sign-in (`POSEffect.signIn`): the runner now acts as this operator.
    case signedIn(Result<OperatorName, Rejection>)
}

public enum QueryAnswer: Sendable, Equatable {
    case dashboard(DashboardView)
    case order(OrderView)
    case customers([CustomerView])
    case customer(CustomerView)
    case orders(OrderPage)
    case payments(PaymentPage)
    case wallets([WalletView])
    case walletHistory([WalletEvent])
    case drawer(DrawerReportView)
    /// Orders whose id starts with what was typed in the Customers search.
    case orderMatches([OrderSummaryView])
    /// `imported`: what the import cycle asked for did, when one ran.
    case payouts(PayoutsOverview, imported: PayoutCycleReport?)
}

public enum CommandAnswer: Sendable, Equatable {
    case order(OrderView, replayed: Bool)
    case orderPayment(OrderPaymentResult, replayed: Bool)
    case orderRefund(OrderRefundResult, replayed: Bool)
    case payment(PaymentView, replayed: Bool)
    case wallet(WalletView, replayed: Bool)
    /// The drawer opened (an X report) or closed (the Z report; `note`: "saved to PATH" or why not).
    case drawerReport(DrawerReportView, replayed: Bool, note: String?)
    case drawerMovement(DrawerMovementView, replayed: Bool)
}

extension CommandAnswer {
    /// The service's reply as the reducer reads it; `note` goes with a drawer report.
    public init(_ reply: ServiceReply, note: String?) {
        let replayed = reply.replayed
        switch reply.answer {
        case .order(let view): self = .order(view, replayed: replayed)
        case .orderPayment(let result): self = .orderPayment(result, replayed: replayed)
        case .orderRefund(let result): self = .orderRefund(result, replayed: replayed)
        case .payment(let view): self = .payment(view, replayed: replayed)
        case .wallet(let view): self = .wallet(view, replayed: replayed)
        case .drawerReport(let view): self = .drawerReport(view, replayed: replayed, note: note)
        case .drawerMovement(let view): self = .drawerMovement(view, replayed: replayed)
        }
    }
}
