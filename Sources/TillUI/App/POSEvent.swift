public import TillCore
public import TillService

/// Everything that can change the POS's state: input, time, and answers to effects.
public enum POSEvent: Sendable, Equatable {
    case input(TerminalInput)
    /// The clock moved (drives the status-bar clock, the spinner and expiry checks).
    case tick(Instant)
    case loaded(POSQuery, Result<QueryAnswer, Rejection>)
    case completed(POSCommand, Result<CommandAnswer, Rejection>)
    case receiptSaved(path: String)
    case receiptFailed(message: String)
    /// Another process wrote to the ledger: reload what is on screen.
    case ledgerChanged
}

public enum QueryAnswer: Sendable, Equatable {
    case dashboard(DashboardView)
    case order(OrderView)
    case customers([CustomerView])
    case customer(CustomerView)
    case orders(OrderPage)
    case payments(PaymentPage)
    case wallets([WalletView])
    case walletHistory([WalletLine])
}

public enum CommandAnswer: Sendable, Equatable {
    case order(OrderView, replayed: Bool)
    case orderPayment(OrderPaymentResult, replayed: Bool)
    case orderRefund(OrderRefundResult, replayed: Bool)
    case payment(PaymentView, replayed: Bool)
    case wallet(WalletView, replayed: Bool)
}
