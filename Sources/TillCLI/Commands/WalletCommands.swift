import ArgumentParser
import TillCore
import TillService

struct WalletCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet", abstract: "Store credit and house accounts.",
        subcommands: [Open.self, Credit.self, Debit.self, Get.self])

    struct Open: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Open a wallet.")
        @Argument(help: "Wallet name (unique, any case).") var name: String
        @Option(help: "ISO 4217 currency (default USD).") var currency: String?
        @Option(help: "Opening balance.") var balance: String?
        @Option(help: "How far below zero the balance may go.") var overdraft: String?
        @Option(help: "Email of the customer the store credit belongs to.") var customer: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<WalletView, Rejection> {
            await service.openWallet(name: name, currency: currency, balance: balance, overdraft: overdraft, customer: customer)
        }
    }

    struct Credit: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Add money to a wallet.")
        @OptionGroup var movement: WalletMovementOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> WalletAnswer { await service.credit(name: movement.name, amount: movement.amount, key: movement.key, currency: movement.currency) }
    }

    struct Debit: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Take money from a wallet.")
        @OptionGroup var movement: WalletMovementOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> WalletAnswer { await service.debit(name: movement.name, amount: movement.amount, key: movement.key, currency: movement.currency) }
    }

    struct Get: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Show a wallet's balance.")
        @Argument(help: "Wallet name.") var name: String
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<WalletView, Rejection> { await service.wallet(name: name) }
    }
}

/// `NAME --amount A --key K [--currency C]`: money into or out of a wallet.
struct WalletMovementOptions: ParsableArguments {
    @Argument(help: "Wallet name.") var name: String
    @Option(help: "Amount.") var amount: String
    @Option(help: "Client transaction id (idempotency key).") var key: String
    @Option(help: "Currency of the amount (must be the wallet's).") var currency: String?
}

/// What a credit or debit answers.
typealias WalletAnswer = Result<Keyed<WalletView>, Rejection>

// How a wallet prints: the key it ran under first, when there is one.
extension ServiceCommand where Answer == Keyed<WalletView> {
    static func human(_ keyed: Keyed<WalletView>) -> String { Human.wallet(keyed.response, key: keyed.key, replayed: keyed.replayed) }
}

extension ServiceCommand where Answer == WalletView {
    static func human(_ wallet: WalletView) -> String { Human.wallet(wallet, key: nil, replayed: false) }
}
