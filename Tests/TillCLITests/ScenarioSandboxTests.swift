import Foundation
import Synchronization
import Testing
import TillCLI
import TillScenario

#if canImport(Glibc)
import Glibc
#endif

/// `till run` is a sandbox a scenario cannot leave (issue 10, finding 5): no other ledger, no
/// nested runs or long-running commands, nothing left in the temporary folder, and no card
/// number or security code in a report.
@Suite struct ScenarioSandboxTests {
    /// A fresh folder: the temporary root `till run` is pointed at, and a "production" ledger
    /// folder beside it that no scenario may reach.
    struct Folders {
        let base: URL
        var root: String { base.appendingPathComponent("tmp").path }
        var production: String { base.appendingPathComponent("production").path }
        var productionLedger: String { production + "/till.sqlite" }

        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("till-sandbox-\(UUID().uuidString)")
            for folder in [base.appendingPathComponent("tmp"), base.appendingPathComponent("production")] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
        }

        func write(_ name: String, _ text: String) throws -> String {
            let path = base.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func contents(_ folder: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        }

        func remove() { try? FileManager.default.removeItem(at: base) }
    }

    /// `till run FILE` in-process, its temporary root `folders.root`.
    static func run(_ text: String, in folders: Folders) async throws -> CommandResult {
        let file = try folders.write("scenario-\(UUID().uuidString).till", "# A scenario\n" + text)
        return await TillCommandLine.run(["run", file], environment: ["TMPDIR": folders.root])
    }

    /// Records the commands a scenario ran; answers `answer` to each.
    final class Recorder: Sendable {
        let calls = Mutex<[[String]]>([])
        let answer: String
        init(answer: String = "{}") { self.answer = answer }
        var executor: ScenarioExecutor {
            { arguments, _ in
                self.calls.withLock { $0.append(arguments) }
                return ScenarioCommandResult(exitCode: 0, stdout: self.answer)
            }
        }
    }

    // MARK: - No other ledger

    static let escapes = [
        "till wallet open Ann --db PRODUCTION\n",
        "till wallet open Ann --db=PRODUCTION\n",
        "till wallet open --db PRODUCTION Ann\n",
        "env TILL_DB=PRODUCTION\ntill wallet open Ann\n",
        "env TILL_NOW=2026-11-22T10:00:00Z TILL_DB=PRODUCTION\ntill wallet open Ann\n",
        "env XDG_DATA_HOME=FOLDER\ntill wallet open Ann\n",
        "env HOME=FOLDER\ntill wallet open Ann\n",
        "env XDG_CONFIG_HOME=FOLDER\ntill wallet open Ann\n",
    ]

    @Test("a scenario cannot name a ledger or move where Till writes", arguments: escapes)
    func aScenarioCannotNameALedger(_ template: String) async throws {
        let folders = try Folders()
        defer { folders.remove() }
        let text = template.replacingOccurrences(of: "PRODUCTION", with: folders.productionLedger)
            .replacingOccurrences(of: "FOLDER", with: folders.production)
        let result = try await Self.run(text, in: folders)
        #expect(result.exitCode != 0, "\(result.stdout)")
        #expect(result.stdout.contains("cannot be used in a scenario") || result.stdout.contains("cannot be set in a scenario"),
                "\(result.stdout)")
        #expect(result.stdout.contains("(0 of 1 command run)"), "refused before anything ran: \(result.stdout)")
        #expect(folders.contents(folders.production).isEmpty, "the scenario reached \(folders.production)")
    }

    /// A value captured from the output becomes an argument only once substituted: it is
    /// checked then, before the command runs.
    @Test func aCapturedValueCannotBecomeDb() async throws {
        let scenario = try Scenario.parse(text: """
            # Capture
            till wallet open Ann
              name -> NAME
            till wallet get $NAME
            """, file: "capture.till")
        let recorder = Recorder(answer: #"{"name": "--db=/srv/till/till.sqlite"}"#)
        let report = await ScenarioRunner.run(scenario, executor: recorder.executor)
        #expect(!report.passed)
        #expect(report.failure?.line == 4)
        #expect(report.failure?.message?.contains("--db cannot be used in a scenario") == true, "\(report.rendered)")
        #expect(recorder.calls.withLock { $0.count } == 1)
    }

    // MARK: - No nested runs, no long-running commands

    static let refusedCommands = [
        "run other.till", "demo --orders 1", "pos", "serve", "sim --steps 1", "batch", "goblinpay serve", "--json", "help",
    ]

    @Test("nested runs, the demo and long-running commands are refused before anything runs", arguments: refusedCommands)
    func refusedBeforeAnythingRuns(_ command: String) async throws {
        let scenario = try Scenario.parse(text: """
            # Refused
            till wallet open Ann
            till \(command)
            """, file: "refused.till")
        let recorder = Recorder()
        let report = await ScenarioRunner.run(scenario, executor: recorder.executor)
        #expect(!report.passed)
        #expect(report.commandsRun == 0)
        #expect(recorder.calls.withLock { $0.isEmpty }, "ran \(recorder.calls.withLock { $0 })")
        #expect(report.failure?.line == 3)
        #expect(report.failure?.message?.contains("cannot run in a scenario") == true, "\(report.rendered)")
    }

    /// Through the real command line: a scenario that runs another scenario, or the demo, is a
    /// failing scenario, and the inner one never runs.
    @Test func tillRunRefusesNestedRunAndDemo() async throws {
        let folders = try Folders()
        defer { folders.remove() }
        let inner = try folders.write("inner.till", "# Inner\ntill wallet open Ann\n")
        for line in ["till run \(inner)\n", "till demo --orders 1\n"] {
            let result = try await Self.run(line, in: folders)
            #expect(result.exitCode == 1, "\(result.stdout)")
            #expect(result.stdout.contains("cannot run in a scenario"), "\(result.stdout)")
        }
    }

    /// The scenario that runs itself recursed until killed (896,000 temporary folders in 300
    /// s); now it fails at once.
    @Test func aScenarioThatRunsItselfFailsAtOnce() async throws {
        let folders = try Folders()
        defer { folders.remove() }
        let selfRunning = folders.base.appendingPathComponent("self.till").path
        _ = try folders.write("self.till", "# Runs itself\ntill run \(selfRunning)\n")
        let result = await TillCommandLine.run(["run", selfRunning], environment: ["TMPDIR": folders.root])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("1 scenario: 0 passed, 1 failed"), "\(result.stdout)")
    }

    // MARK: - Card data in reports

    @Test func aFailingScenarioReportShowsNoCardNumberOrSecurityCode() async throws {
        let folders = try Folders()
        defer { folders.remove() }
        for arguments in [
            "--card 4242424242424242 --expiry 12/30 --cvv 123", "--card=\"4000 0566 5566 5556\" --expiry=12/30 --cvv=987",
        ] {
            let result = try await Self.run("""
                till payment authorize \(arguments) --amount 10.00 --currency USD
                  status = not_this
                """, in: folders)
            #expect(result.exitCode == 1)
            #expect(result.stdout.contains("FAIL"), "\(result.stdout)")
            for secret in ["4242424242424242", "4000056655665556", "4000 0566 5566 5556", "--cvv 123", "--cvv=987", "123 --amount"] {
                #expect(!result.stdout.contains(secret), "the report shows \(secret):\n\(result.stdout)")
            }
            let masked = arguments.hasPrefix("--card=")
                ? "--card=••••5556 --expiry=12/30 --cvv=•••" : "--card ••••4242 --expiry 12/30 --cvv •••"
            #expect(result.stdout.contains(masked), "\(result.stdout)")
        }
    }

    // MARK: - Nothing left behind

    /// The real binary with `TMPDIR` pointed at an empty folder: a passing, a failing and a
    /// refused scenario leave it empty.
    @Test func everyRunRemovesItsTemporaryLedgers() throws {
        let folders = try Folders()
        defer { folders.remove() }
        let files = try [
            folders.write("pass.till", "# Passes\ntill wallet open Ann\n  name = Ann\n"),
            folders.write("fail.till", "# Fails\ntill wallet open Ann\n  name = Bob\n"),
            folders.write("refused.till", "# Refused\ntill wallet open Ann\ntill demo --orders 1\n"),
            folders.write("card.till", "# Card\ntill payment authorize --card 4242424242424242 --expiry 12/30 --cvv 123 --amount 1.00 --currency USD\n"),
        ]
        let (status, output) = try ChildProcess.run(
            ChildProcess.tillPath, arguments: ["run"] + files,
            environment: [
                "TMPDIR": folders.root, "HOME": folders.base.path, "PATH": "/usr/bin:/bin",
                "TILL_SECRETS_DIR": folders.base.path + "/secrets",
            ])
        #expect(status == 1)
        #expect(output.contains("4 scenarios: 2 passed, 2 failed"), "\(output)")
        #expect(folders.contents(folders.root).isEmpty, "left behind: \(folders.contents(folders.root))")
    }

    /// SIGINT in the middle of a long scenario: the run dies by the signal, its ledger gone.
    @Test func anInterruptedRunRemovesItsLedger() throws {
        let folders = try Folders()
        defer { folders.remove() }
        let long = "# Long\n" + String(repeating: "till order get ord_nope\n  error = not_found\n", count: 20_000)
        let file = try folders.write("long.till", long)
        let child = try ChildProcess(
            ChildProcess.tillPath, arguments: ["run", file],
            environment: [
                "TMPDIR": folders.root, "HOME": folders.base.path, "PATH": "/usr/bin:/bin",
                "TILL_SECRETS_DIR": folders.base.path + "/secrets",
            ])
        // Wait for the scenario's ledger to exist, so the run is under way.
        let deadline = ContinuousClock.now + .seconds(60)
        var started = false
        while !started, ContinuousClock.now < deadline {
            started = folders.contents(folders.root).contains { name in
                FileManager.default.fileExists(atPath: folders.root + "/" + name + "/ledger/till.sqlite")
            }
            if !started { usleep(20_000) }
        }
        #expect(started)
        child.kill(SIGINT)
        #expect(child.wait() == 128 + SIGINT)
        #expect(folders.contents(folders.root).isEmpty, "left behind: \(folders.contents(folders.root))")
    }
}
