import ArgumentParser
import TillCore
import TillService

struct OrderCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order", abstract: "Orders and their installments.",
        subcommands: [Create.self, Get.self, List.self, Pay.self, CreateAndPay.self, Refund.self])

    struct Create: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Create an unpaid order.")
        @Option(help: "Customer email.") var email: String
        @Option(help: "Order total, e.g. 50.00.") var amount: String
        @Option(help: "ISO 4217 currency (default USD).") var currency: String?
        @Option(help: "Idempotency key: creating again with it answers the same order.") var key: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<Keyed<OrderView>, Rejection> {
            await service.createOrder(email: email, amount: amount, currency: currency, key: key)
        }
        static func human(_ keyed: Keyed<OrderView>) -> String { Human.order(keyed.response) }
    }

    struct Get: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order with its payments.")
        @Argument(help: "Order id.") var id: String
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<OrderView, Rejection> { await service.order(id: id) }
        static func human(_ order: OrderView) -> String { Human.order(order) }
    }

    struct List: ServiceCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's orders, newest first.")
        @Option(help: "Customer email (any case).") var email: String
        @Option(help: "At most this many orders.") var limit: Int = 100
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<OrderListView, Rejection> {
            await service.orders(email: email, limit: max(1, min(limit, 10_000)))
        }
        static func human(_ list: OrderListView) -> String { Human.orderList(list) }
    }

    struct Pay: TillCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Take an installment on an order.")
        @Argument(help: "Order id.") var id: String
        @Option(help: "Amount to apply, e.g. 10.00.") var amount: String
        @Option(help: "Idempotency key.") var key: String
        @OptionGroup var tender: TenderOptions
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await tender.respond(context) { await $0.pay(orderId: id, amount: amount, tender: $1, key: key) }
        }
    }

    struct CreateAndPay: TillCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(
            commandName: "create-and-pay",
            abstract: "Create an order and pay it at once; if the payment fails the order never exists.")
        @Option(help: "Customer email.") var email: String
        @Option(help: "Order total.") var amount: String
        @Option(help: "ISO 4217 currency (default USD).") var currency: String?
        @Option(help: "Amount to pay now (default: the total).") var pay: String?
        @Option(help: "Idempotency key.") var key: String
        @OptionGroup var tender: TenderOptions
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await tender.respond(context) { await $0.createAndPay(email: email, amount: amount, currency: currency, pay: pay, tender: $1, key: key) }
        }
    }

    struct Refund: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Refund part or all of an installment.")
        @Argument(help: "Order id.") var id: String
        @Option(help: "The order payment (installment) id.") var payment: String
        @Option(help: "Amount to refund.") var amount: String
        @Option(help: "Idempotency key.") var key: String
        @Option(name: .customLong("to-wallet"), help: "Give the refund as store credit to this wallet.") var toWallet: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<Keyed<OrderRefundResult>, Rejection> {
            await service.refund(orderId: id, paymentId: payment, amount: amount, key: key, toWallet: toWallet)
        }
        static func human(_ keyed: Keyed<OrderRefundResult>) -> String { Human.refund(keyed) }
    }
}

extension TenderOptions {
    /// Reads the tender before the ledger opens (a tender that cannot be read changes nothing),
    /// then makes the one call with it and prints the installment.
    func respond(
        _ context: CommandContext, _ call: (TillService, TenderInput) async -> Result<Keyed<OrderPaymentResult>, Rejection>
    ) async -> CommandResult {
        let typed: TenderInput
        do { typed = try input(context.cardInput) } catch { return context.failure(error) }
        return await context.respond({ await call($0, typed) }, human: Human.installment)
    }

    /// Exactly one tender, complete: a card needs its expiry and security code (`-` reads
    /// the number or the code from `cardInput`).
    func input(_ cardInput: CardInput) throws(Rejection) -> TenderInput {
        let given = [card != nil, cash != nil, wallet != nil].filter { $0 }.count
        guard given == 1 else {
            throw Rejection(.invalidRequest, "Give exactly one tender: --card (with --expiry and --cvv), --cash or --wallet.")
        }
        if let card {
            guard let expiry, let cvv else { throw Rejection(.invalidRequest, "A card needs --expiry MM/YY and --cvv.") }
            let typed = try cardInput.resolve(card: card, cvv: cvv)
            return .card(number: typed.card, expiry: expiry, cvv: typed.cvv)
        }
        guard expiry == nil, cvv == nil else { throw Rejection(.invalidRequest, "--expiry and --cvv go with --card.") }
        if let cash { return .cash(tendered: cash) }
        return .wallet(name: wallet ?? "")
    }
}
