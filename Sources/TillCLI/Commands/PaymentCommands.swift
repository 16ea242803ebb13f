import ArgumentParser
import TillService

struct PaymentCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment", abstract: "The card gateway: authorize, capture, refund, void, release.",
        subcommands: [Authorize.self, Capture.self, Refund.self, Void.self, Release.self, Get.self])

    struct Authorize: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Place a hold on a card.")
        @Option(help: "Card number (spaces allowed); - reads it from standard input (a prompt on a terminal).") var card: String
        @Option(help: "Expiry, MM/YY.") var expiry: String
        @Option(help: "Security code; - reads it from standard input (the line after the card's).") var cvv: String
        @Option(help: "Amount, e.g. 10.00.") var amount: String
        @Option(help: "ISO 4217 currency (default USD).") var currency: String?
        @Option(help: "Idempotency key (one is made if omitted).") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            let typed: (card: String, cvv: String)
            do { typed = try context.cardInput.resolve(card: card, cvv: cvv) } catch { return context.failure(error) }
            return await context.respond({
                await $0.authorize(number: typed.card, expiry: expiry, cvv: typed.cvv, amount: amount, currency: currency, key: key)
            }) { Human.payment($0.response, key: $0.key, replayed: $0.replayed) }
        }
    }

    struct Capture: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Capture part or all of an authorization.")
        @Argument(help: "Payment id.") var id: String
        @Option(help: "Amount to capture.") var amount: String
        @Option(help: "Idempotency key.") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.capture(paymentId: id, amount: amount, key: key) }) {
                Human.payment($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Refund: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Refund part or all of what was captured.")
        @Argument(help: "Payment id.") var id: String
        @Option(help: "Amount to refund.") var amount: String
        @Option(help: "Idempotency key.") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.refundPayment(paymentId: id, amount: amount, key: key) }) {
                Human.payment($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Void: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Release an authorization that was never captured.")
        @Argument(help: "Payment id.") var id: String
        @Option(help: "Idempotency key.") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.void(paymentId: id, key: key) }) {
                Human.payment($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Release: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release the uncaptured rest of an authorization after a partial capture.")
        @Argument(help: "Payment id.") var id: String
        @Option(help: "Idempotency key.") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.release(paymentId: id, key: key) }) {
                Human.payment($0.response, key: $0.key, replayed: $0.replayed)
            }
        }
    }

    struct Get: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Show a card payment and its history.")
        @Argument(help: "Payment id.") var id: String
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.payment(id: id) }) { Human.payment($0, key: nil, replayed: false) }
        }
    }
}
