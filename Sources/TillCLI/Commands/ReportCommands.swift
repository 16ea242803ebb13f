import ArgumentParser
import TillCore
import TillService
import TillUI

/// `till report x|z`: the drawer's reports (DESIGN §5).
struct ReportCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The drawer's X report (the open session so far) and Z report (a closed session).",
        subcommands: [X.self, Z.self])

    struct X: ServiceCommand {
        static let configuration = CommandConfiguration(
            commandName: "x", abstract: "The open session so far; with no drawer open, what moved since the last close.")
        @Option(help: "The drawer's currency, when several are open.") var currency: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<DrawerReportView, Rejection> { await service.xReport(currency: currency) }
    }

    struct Z: ServiceCommand {
        static let configuration = CommandConfiguration(commandName: "z", abstract: "A closed session's final report (default: the latest).")
        @Argument(help: "The session id (default: the latest closed session).") var session: String?
        @Option(help: "The currency of the latest closed session to show.") var currency: String?
        @OptionGroup var global: GlobalOptions

        func call(_ service: TillService) async -> Result<DrawerReportView, Rejection> { await service.zReport(session: session, currency: currency) }
    }
}

// An X or Z report as text: printed, and saved as the Z report's file (`drawer close`).
extension ServiceCommand where Answer == DrawerReportView {
    static func human(_ report: DrawerReportView) -> String {
        DrawerReportText.lines(report, time: Human.time).joined(separator: "\n") + "\n"
    }
}
