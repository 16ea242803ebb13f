import ArgumentParser
import TillService

struct WalletCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet", abstract: "Store credit and house accounts.",
        subcommands: [Open.self, Credit.self, Debit.self, Get.self])

    struct Open: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Open a wallet.")
        @Argument(help: "Wallet name (unique, any case).") var name: String
        @Option(help: "ISO 4217 currency (default USD).") var currency: String?
        @Option(help: "Opening balance.") var balance: String?
        @Option(help: "How far below zero the balance may go.") var overdraft: String?
        @Option(help: "Email of the customer the store credit belongs to.") var customer: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({
                await $0.openWallet(name: name, currency: currency, balance: balance, overdraft: overdraft, customer: customer)
            }) { Human.wallet($0, key: nil, replayed: false) }
        }
    }

    struct Credit: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Add money to a wallet.")
        @Argument(help: "Wallet name.") var name: String
        @Option(help: "Amount.") var amount: String
        @Option(help: "Client transaction id (idempotency key).") var key: String
        @Option(help: "Currency of the amount (must be the wallet's).") var currency: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.credit(name: name, amount: amount, key: key, currency: currency) }) {
                Human.wallet($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Debit: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Take money from a wallet.")
        @Argument(help: "Wallet name.") var name: String
        @Option(help: "Amount.") var amount: String
        @Option(help: "Client transaction id (idempotency key).") var key: String
        @Option(help: "Currency of the amount (must be the wallet's).") var currency: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.debit(name: name, amount: amount, key: key, currency: currency) }) {
                Human.wallet($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Get: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Show a wallet's balance.")
        @Argument(help: "Wallet name.") var name: String
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.wallet(name: name) }) { Human.wallet($0, key: nil, replayed: false) }
        }
    }
}
