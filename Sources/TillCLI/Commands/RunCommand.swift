import ArgumentParser
import Foundation
import TillScenario

/// `till run FILE...`: scripted scenarios, each against a fresh ledger in a temporary folder
/// that is removed when the scenario ends (see `ScenarioSandbox`).
struct RunCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run scripted scenarios (.till files or folders of them); report pass/fail.",
        discussion: """
            Each scenario runs in a sandbox: a fresh ledger in a temporary folder under $TMPDIR \
            (else /tmp), removed when the scenario ends, passed or failed, and on Ctrl-C. A \
            scenario may run only order, payment, wallet, pending, drawer, report, payouts and \
            check commands, may not use --db, and may set only TILL_NOW, TILL_HOLD_DAYS, TZ, \
            TILL_OPERATOR and TILL_GOBLINPAY_* with `env`. Reports mask --card and --cvv.
            """)
    @Argument(help: "Scenario files or folders.") var files: [String]
    @OptionGroup var global: GlobalOptions

    func execute(_ context: CommandContext) async -> CommandResult {
        let urls: [URL]
        do { urls = try ScenarioSuite.files(at: files) } catch {
            return CommandResult(exitCode: TillCommandLine.rejectedExitCode, stderr: "\(error)\n")
        }
        let root = context.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let report = await ScenarioSuite.run(files: urls, makeWorkspace: { try ScenarioSandbox.makeWorkspace(in: root) })
        return CommandResult(exitCode: report.allPassed ? 0 : 1, stdout: report.rendered + "\n")
    }
}
