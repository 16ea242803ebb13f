import Foundation
import Synchronization
import TillCore
import TillService
import TillUI

#if canImport(Glibc)
import Glibc
#endif

/// Performs the POS's effects against the service and answers each with an event. It runs
/// off the terminal thread; nothing here decides anything.
struct POSEffects: Sendable {
    let service: TillService
    let utcOffsetSeconds: Int
    /// Where receipts are written ($TILL_RECEIPT_DIR, else the current directory).
    let receiptDirectory: String
    /// The shop's name and address on receipts ($TILL_SHOP_NAME, $TILL_SHOP_ADDRESS).
    var shop = ShopDetails.unnamed
    /// Who signed in at the POS: nil until someone does (then the service's own operator acts).
    let signedIn = SignedInOperator()

    static let pageSize = 40
    /// The dashboard's lists are filled to the terminal's height: a tall terminal shows this many.
    static let dashboardRows = 60

    func perform(_ effect: POSEffect) async -> POSEvent? {
        switch effect {
        case .query(let query): return .loaded(query, await answer(query))
        case .command(let command): return .completed(command, await run(command))
        case .resolvePending(let orderId):
            _ = await service.resolveOpenRequests(target: orderId)
            return .resolved(orderId: orderId, await service.order(id: orderId))
        case .saveReceipt(let orderId, let printedAt): return await printReceipt(orderId: orderId, printedAt: printedAt)
        case .signIn(let name, let pin):
            let answer = await service.verify(name: name, pin: pin)
            // Effects run one after another: every command after this one acts as them.
            if case .success(let name) = answer { signedIn.name.withLock { $0 = name } }
            return .signedIn(answer)
        case .quit: return nil
        }
    }

    func answer(_ query: POSQuery) async -> Result<QueryAnswer, Rejection> {
        switch query {
        case .dashboard:
            return await service.dashboard(
                utcOffsetSeconds: utcOffsetSeconds, recent: Self.dashboardRows, owing: Self.dashboardRows
            ).map(QueryAnswer.dashboard)
        case .order(let id):
            return await service.order(id: id).map(QueryAnswer.order)
        case .suggestions(let prefix):
            return await service.customers(prefix: prefix, limit: 6).map(QueryAnswer.customers)
        case .customers(let text):
            return await service.findCustomers(text, limit: 50).map(QueryAnswer.customers)
        case .customer(let email):
            return await service.customer(email: email).map(QueryAnswer.customer)
        case .customerOrders(let email, let after):
            return await service.customerOrders(email: email, limit: Self.pageSize, after: after).map(QueryAnswer.orders)
        case .cardPayments(let after):
            return await service.cardPayments(limit: Self.pageSize, after: after).map(QueryAnswer.payments)
        case .wallets:
            return await service.wallets(limit: 500).map(QueryAnswer.wallets)
        case .walletHistory(let name):
            return await service.walletHistory(name: name, limit: 50).map(QueryAnswer.walletHistory)
        case .customerWallets(let email):
            return await service.wallets(customer: email).map(QueryAnswer.wallets)
        case .drawer(let currency):
            return await service.xReport(currency: currency).map(QueryAnswer.drawer)
        case .findOrders(let prefix):
            return await service.findOrders(idPrefix: prefix, limit: 2).map(QueryAnswer.orderMatches)
        case .openHolds(let after):
            return await service.openHolds(limit: Self.pageSize, after: after).map(QueryAnswer.payments)
        case .payouts(let importing):
            var imported: PayoutCycleReport?
            if importing {
                guard let source = service.payoutSource else { return .failure(Rejection(.processorError, "This till's processor has no payouts API.")) }
                switch await service.importPayouts(from: source) {
                case .success(let report): imported = report
                case .failure(let rejection): return .failure(rejection)
                }
            }
            return await service.payoutsOverview().map { QueryAnswer.payouts($0, imported: imported) }
        }
    }

    /// The service acting as whoever is signed in: every command the POS sends goes through it.
    var actingService: TillService {
        signedIn.name.withLock { name in name.map { service.acting(as: $0) } } ?? service
    }

    func run(_ command: ServiceRequest) async -> Result<CommandAnswer, Rejection> {
        await actingService.perform(command).map { reply in
            // The Z report is saved beside the receipts, in the shop's time.
            guard case .closeDrawer = command, case .drawerReport(let report) = reply.answer else {
                return CommandAnswer(reply, note: nil)
            }
            let text = DrawerReportText.lines(report) { iso in
                guard let instant = Timestamp.parse(iso) else { return iso }
                let local = LocalTime(instant, utcOffsetSeconds: utcOffsetSeconds)
                return local.isoDay + " " + local.clock
            }.joined(separator: "\n") + "\n"
            let note = switch ReceiptFolder.save(text, kind: "z-report", id: report.session ?? "none", in: receiptDirectory) {
            case .success(let path): "saved to \(path)"
            case .failure(let error): "! not saved: \(error)"
            }
            return CommandAnswer(reply, note: note)
        }
    }

    /// Reads the order as the ledger has it now (a reprint never shows an old state) and saves
    /// its receipt.
    func printReceipt(orderId: String, printedAt: Instant) async -> POSEvent {
        switch await service.order(id: orderId) {
        case .failure(let rejection): return .receiptFailed(message: "[\(rejection.code.rawValue)] \(rejection.message)")
        case .success(let order):
            let text = Receipt.text(
                order, printedAt: LocalTime(printedAt, utcOffsetSeconds: utcOffsetSeconds), utcOffsetSeconds: utcOffsetSeconds, shop: shop)
            return saveReceipt(orderId: order.id, text: text)
        }
    }

    /// Saves a receipt beside the others (see `ReceiptFolder`).
    func saveReceipt(orderId: String, text: String) -> POSEvent {
        switch ReceiptFolder.save(text, kind: "receipt", id: orderId, in: receiptDirectory) {
        case .success(let path): .receiptSaved(path: path)
        case .failure(let error): .receiptFailed(message: error.description)
        }
    }
}

/// Shared by every copy of the effects: who the POS acts as since the last sign-in.
final class SignedInOperator: Sendable {
    let name = Mutex<OperatorName?>(nil)
}
