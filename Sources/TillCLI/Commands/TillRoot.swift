import ArgumentParser

/// `till`: bare, it opens the POS; its subcommands are the scriptable face (DESIGN.md §5).
struct TillRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "till",
        abstract: "A point-of-sale terminal and payment gateway for a small shop.",
        discussion: """
            Orders paid in installments (card, cash, store credit), a card gateway (authorize, \
            capture, refund, void) and store-credit wallets, on a crash-safe ledger. Every command \
            accepts --json; amounts are typed in major units ("10.00") and printed in JSON as \
            integer minor units. TILL_NOW (ISO 8601) replaces the clock for scripts.
            """,
        version: TillVersion.current,
        subcommands: [
            PointOfSaleCommand.self, OrderCommands.self, PaymentCommands.self, WalletCommands.self, RunCommand.self, DemoCommand.self,
            BatchCommand.self, PendingCommand.self, SimCommand.self, InitCommand.self, CheckCommand.self,
            OperatorCommands.self,
            DrawerCommands.self, ReportCommands.self, ServeCommand.self, GoblinPayCommands.self, PayoutCommands.self,
        ],
        defaultSubcommand: PointOfSaleCommand.self
    )
}

public enum TillVersion {
    public static let current = "0.3.0"
}

/// Card, cash or store credit: exactly one.
struct TenderOptions: ParsableArguments {
    @Option(help: "Card number (spaces allowed); - reads it from standard input (a prompt on a terminal).") var card: String?
    @Option(help: "Card expiry, MM/YY.") var expiry: String?
    @Option(help: "Card security code; - reads it from standard input (the line after the card's).") var cvv: String?
    @Option(help: "Cash handed over, e.g. 20.00 (change is given).") var cash: String?
    @Option(help: "Store-credit wallet to debit.") var wallet: String?
}
