import ArgumentParser
import TillCore
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
            }, human: Capture.human)  // printed as every change to a payment
        }
    }

    struct Capture: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Capture part or all of an authorization.")
        @OptionGroup var change: PaymentAmountOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> PaymentAnswer { await service.capture(paymentId: change.id, amount: change.amount, key: change.key) }
    }

    struct Refund: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Refund part or all of what was captured.")
        @OptionGroup var change: PaymentAmountOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> PaymentAnswer { await service.refundPayment(paymentId: change.id, amount: change.amount, key: change.key) }
    }

    struct Void: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Release an authorization that was never captured.")
        @OptionGroup var payment: PaymentKeyOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> PaymentAnswer { await service.void(paymentId: payment.id, key: payment.key) }
    }

    struct Release: ServiceCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release the uncaptured rest of an authorization after a partial capture.")
        @OptionGroup var payment: PaymentKeyOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> PaymentAnswer { await service.release(paymentId: payment.id, key: payment.key) }
    }

    struct Get: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Show a card payment and its history.")
        @Argument(help: "Payment id.") var id: String
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<PaymentView, Rejection> { await service.payment(id: id) }
    }
}

/// What a capture, refund, void or release answers.
typealias PaymentAnswer = Result<Keyed<PaymentView>, Rejection>

/// `ID [--key K]`: a change to a gateway payment.
struct PaymentKeyOptions: ParsableArguments {
    @Argument(help: "Payment id.") var id: String
    @Option(help: "Idempotency key.") var key: String?
}

/// `ID --amount A [--key K]`: a capture or refund of part or all of a payment.
struct PaymentAmountOptions: ParsableArguments {
    @Argument(help: "Payment id.") var id: String
    @Option(help: "Amount, e.g. 4.00.") var amount: String
    @Option(help: "Idempotency key.") var key: String?
}

// How a gateway payment prints: the key it ran under first, when there is one.
extension ServiceCommand where Answer == Keyed<PaymentView> {
    static func human(_ keyed: Keyed<PaymentView>) -> String { Human.payment(keyed.response, key: keyed.key, replayed: keyed.replayed) }
}

extension ServiceCommand where Answer == PaymentView {
    static func human(_ payment: PaymentView) -> String { Human.payment(payment, key: nil, replayed: false) }
}
