import ArgumentParser
import Foundation
public import TillScenario

/// `till run FILE...`: scripted scenarios, each against a fresh ledger in a temporary folder.
struct RunCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run scripted scenarios (.till files or folders of them); report pass/fail.")
    @Argument(help: "Scenario files or folders.") var files: [String]
    @OptionGroup var global: GlobalOptions

    func execute(_ context: CommandContext) async -> CommandResult {
        let urls: [URL]
        do { urls = try ScenarioSuite.files(at: files) } catch {
            return CommandResult(exitCode: TillCommandLine.rejectedExitCode, stderr: "\(error)\n")
        }
        let report = await ScenarioSuite.run(files: urls, makeExecutor: { try ScenarioSandbox.makeExecutor() })
        return CommandResult(exitCode: report.allPassed ? 0 : 1, stdout: report.rendered + "\n")
    }
}

/// A fresh ledger per scenario, the command line run in-process against it. GoblinPay's random
/// capture failures are off unless the scenario sets `TILL_GOBLINPAY_FAILURE_RATE`.
public enum ScenarioSandbox {
    public static func makeExecutor() throws -> ScenarioExecutor {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("till-scenario-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The ledger in a folder of its own: its card-fingerprint secret may not live in it.
        let ledgerFolder = directory.appendingPathComponent("ledger", isDirectory: true)
        try FileManager.default.createDirectory(at: ledgerFolder, withIntermediateDirectories: true)
        let database = ledgerFolder.appendingPathComponent("till.sqlite").path
        let secrets = directory.appendingPathComponent("secrets").path
        return { arguments, scenarioEnvironment in
            var environment = [
                "TILL_DB": database, "TILL_SECRETS_DIR": secrets, "TILL_GOBLINPAY_FAILURE_RATE": "0", "TILL_GOBLINPAY_SEED": "1",
            ]
            environment.merge(scenarioEnvironment) { $1 }
            let result = await TillCommandLine.run(arguments, environment: environment)
            return ScenarioCommandResult(exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr)
        }
    }
}
