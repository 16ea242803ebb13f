import ArgumentParser
import TillCore
import TillService
import TillUI

/// `till drawer open|pay-in|pay-out|close`: the cash drawer (DESIGN §5).
struct DrawerCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drawer", abstract: "The cash drawer: open with a float, pay in and out, close with a count.",
        subcommands: [Open.self, PayIn.self, PayOut.self, Close.self])

    struct Open: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(abstract: "Open the drawer with its float.")
        @Option(help: "Cash in the drawer to start with, e.g. 100.00.") var float: String
        @Option(help: "ISO 4217 currency (default USD); one drawer may be open per currency.") var currency: String?
        @Option(help: "Idempotency key (optional).") var key: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<Keyed<DrawerReportView>, Rejection> {
            await service.openDrawer(float: float, currency: currency, key: key)
        }

        static func human(_ keyed: Keyed<DrawerReportView>) -> String {
            (keyed.replayed ? "(replayed) " : "") + "Drawer open: session \(keyed.response.session ?? "?"), float "
                + Format.money(keyed.response.float, keyed.response.currency) + "\n"
        }
    }

    struct PayIn: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(commandName: "pay-in", abstract: "Put cash into the open drawer, with a reason.")
        @OptionGroup var movement: DrawerMovementOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> DrawerMovementAnswer { await service.payIn(amount: movement.amount, reason: movement.reason, currency: movement.currency, key: movement.key) }
    }

    struct PayOut: ServiceCommand, DecidedInOneWrite {
        static let configuration = CommandConfiguration(commandName: "pay-out", abstract: "Take cash out of the open drawer, with a reason.")
        @OptionGroup var movement: DrawerMovementOptions
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> DrawerMovementAnswer { await service.payOut(amount: movement.amount, reason: movement.reason, currency: movement.currency, key: movement.key) }
    }

    struct Close: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close the drawer with the cash counted; prints the Z report and saves it beside the receipts.",
            discussion: "The report is saved as z-report-<session>.txt in $TILL_RECEIPT_DIR, else the current directory.")
        @Option(help: "Cash counted in the drawer.") var counted: String
        @Option(help: "The drawer's currency, when several are open.") var currency: String?
        @Option(help: "Idempotency key (optional).") var key: String?
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            let directory = ReceiptFolder.path(context.environment)
            var saved: Result<String, ReceiptFolderError>?
            var result = await context.respond({ service in
                let closed = await service.closeDrawer(counted: counted, currency: currency, key: key)
                if case .success(let keyed) = closed {
                    let text = ReportCommands.X.human(keyed.response)
                    saved = ReceiptFolder.save(text, kind: "z-report", id: keyed.response.session ?? "none", in: directory)
                }
                return closed
            }) { keyed in
                (keyed.replayed ? "(replayed)\n" : "") + ReportCommands.X.human(keyed.response)
            }
            // Where the report went, on stderr so that --json stays one document.
            switch saved {
            case .success(let path): result.stderr += "Z report saved to \(path)\n"
            case .failure(let error): result.stderr += "warning: the Z report could not be saved: \(error)\n"
            case nil: break
            }
            return result
        }
    }
}

/// What a pay-in or pay-out answers.
typealias DrawerMovementAnswer = Result<Keyed<DrawerMovementView>, Rejection>

/// `--amount A --reason TEXT --key K [--currency C]`: cash into or out of the open drawer.
struct DrawerMovementOptions: ParsableArguments {
    @Option(help: "Amount.") var amount: String
    @Option(help: "Why (1 to 200 characters).") var reason: String
    @Option(help: "Idempotency key.") var key: String
    @Option(help: "The drawer's currency, when several are open.") var currency: String?
}

extension ServiceCommand where Answer == Keyed<DrawerMovementView> {
    static func human(_ keyed: Keyed<DrawerMovementView>) -> String {
        let view = keyed.response
        let what = view.kind == "paid_in" ? "Paid in" : "Paid out"
        return (keyed.replayed ? "(replayed) " : "")
            + "\(what) \(Format.money(view.amount, view.currency)) (\(view.reason)) by \(view.operator); "
            + "expected in the drawer \(Format.money(view.expected, view.currency))\n"
    }
}
