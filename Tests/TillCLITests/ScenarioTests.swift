import Foundation
import Testing
import TillCLI
import TillScenario
import TillTestSupport

/// Every scripted scenario in Tests/Scenarios, each against a fresh ledger, through the same
/// in-process command line that `till run` uses.
@Suite struct ScenarioTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".till") }.sorted()
    }()

    @Test func atLeastFortyScenariosExist() {
        #expect(Self.files.count >= 40, "found \(Self.files.count) in \(Self.directory.path)")
    }

    @Test(arguments: files)
    func scenario(_ name: String) async throws {
        let scenario = try Scenario.load(contentsOf: Self.directory.appendingPathComponent(name))
        let ledger = TestBackend.isPostgres ? try TestBackend.ledger(at: "") : nil
        defer { ledger.map(TestBackend.remove) }
        let workspace = try ScenarioSandbox.makeWorkspace(in: FileManager.default.temporaryDirectory.path, ledger: ledger)
        defer { workspace.close() }
        let report = await ScenarioRunner.run(scenario, executor: workspace.executor)
        #expect(report.passed, "\(report.rendered)")
        #expect(report.commandsRun == scenario.commands.count)
    }

    /// `till run` fails on a scenario whose expectation is wrong, and shows expected vs actual.
    @Test func tillRunReportsAFailureWithItsDiff() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("till-failing-\(UUID().uuidString).till")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            # A deliberately wrong expectation
            till order create --email a@example.com --amount 50.00
              balance_due = 4999
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = await TillCommandLine.run(["run", file.path], environment: [:])
        #expect(result.exitCode != 0)
        #expect(result.stdout.contains("FAIL"))
        #expect(result.stdout.contains("4999"))
        #expect(result.stdout.contains("5000"))
    }
}
