import Foundation
import Synchronization
import Testing
import TillCore
import TillHTTP
import TillProcessor
import TillScenario
import TillService
import TillTestSupport

/// The scripted scenarios of Tests/Scenarios replayed over `till serve`'s HTTP API: each
/// command becomes its HTTP call(s) (ScenarioOverHTTP.swift) and each answer is printed back as
/// the CLI prints it, so the expectations that pass through the CLI must pass through HTTP.
/// Each scenario runs on a fresh ledger and server.
@Suite("Scenarios replayed over HTTP")
struct ScenarioReplayTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".till") }.sorted()
    }()

    /// Every scenario, with why it is not replayed (nil: it is).
    static let selection: [(file: String, skipped: String?)] = files.map { file in
        do {
            return (file, ReplaySelection.reasonToSkip(try Scenario.load(contentsOf: directory.appendingPathComponent(file))))
        } catch {
            return (file, "does not parse: \(error)")
        }
    }

    static let replayed: [String] = selection.filter { $0.skipped == nil }.map(\.file)

    /// Replayed scenarios whose HTTP answer differs from the CLI's in what they check: a
    /// finding each, run as a known issue (it fails once the difference is gone, so the entry
    /// is removed then).
    static let knownDifferences: [String: String] = [:]

    /// The selection cannot quietly shrink: a scenario that stops being replayable must be
    /// seen here, with its reason.
    @Test func mostScenariosAreReplayedOverHTTP() {
        let skipped = Self.selection.compactMap { entry in entry.skipped.map { "\(entry.file): \($0)" } }
        #expect(Self.files.count >= 80, "found \(Self.files.count) in \(Self.directory.path)")
        #expect(Self.replayed.count >= 75, "replayed \(Self.replayed.count) of \(Self.files.count); skipped:\n\(skipped.joined(separator: "\n"))")
        #expect(Set(Self.knownDifferences.keys).isSubset(of: Self.replayed))
        #expect(Set(ReplaySelection.outOfReach.keys).isSubset(of: Self.files))
    }

    @Test(arguments: replayed)
    func scenario(_ name: String) async throws {
        let scenario = try Scenario.load(contentsOf: Self.directory.appendingPathComponent(name))
        guard let difference = Self.knownDifferences[name] else { return try await Self.expectPass(scenario) }
        await withKnownIssue(Comment(rawValue: difference)) { try await Self.expectPass(scenario) }
    }

    /// The replay fails a wrong expectation, and shows expected vs actual.
    @Test func aWrongExpectationFails() async throws {
        let scenario = try Scenario.parse(text: """
            # A deliberately wrong expectation
            till order create --email a@example.com --amount 50.00
              balance_due = 4999
            """, file: "wrong.till")
        let (report, _) = try await Self.replay(scenario)
        #expect(!report.passed)
        #expect(report.rendered.contains("4999") && report.rendered.contains("5000"), "\(report.rendered)")
    }

    static func expectPass(_ scenario: Scenario) async throws {
        let (report, log) = try await replay(scenario)
        #expect(report.passed, "\(report.rendered)\(log.notes)")
        #expect(report.commandsRun == scenario.commands.count)
        #expect(log.deviations.isEmpty, "answers unlike DESIGN §6:\n\(log.deviations.joined(separator: "\n"))")
    }

    /// Runs `scenario` against a fresh ledger and server.
    static func replay(_ scenario: Scenario) async throws -> (ScenarioReport, ReplayLog) {
        let harness = try await ReplayHarness(configuration: ReplaySelection.configuration(of: scenario))
        defer { harness.remove() }
        let log = ReplayLog()
        // No background sweeper: a scenario is commands run one after another, as the CLI runs
        // them. A sweep that claimed a request between a lost answer and its retry would make
        // the retry `request_in_progress` (seen under load: the sweep runs 5 s after start).
        try await serving({ TillServer.application(harness.api, sweeping: false, onRunning: $0) }) { base in
            let executor = HTTPReplayExecutor(base: base, clock: harness.clock, log: log)
            log.finished(await ScenarioRunner.run(scenario) { await executor.run($0, $1) })
        }

        guard let report = log.report else { throw ReplayHarness.BadConfiguration(description: "the scenario did not run") }
        return (report, log)
    }
}

/// Which scenarios have an HTTP translation: every command is one of the order / payment /
/// wallet commands with a route (TypedCommand.routes) and only options the route can carry;
/// `env` lines set only the clock (`TILL_NOW`, anywhere) or the server's configuration
/// (`TILL_HOLD_DAYS`, `TILL_GOBLINPAY_*`) before the first command, since a server is
/// configured once when it starts. `TILL_OPERATOR` and `TZ` have no HTTP equivalent.
enum ReplaySelection {
    static let configurationVariables: Set<String> = [
        "TILL_HOLD_DAYS", GoblinPayConfiguration.failureRateVariable, GoblinPayConfiguration.seedVariable,
    ]

    /// Scenarios whose commands all translate, but whose expectations rest on what only a CLI
    /// invocation does.
    static let outOfReach: [String: String] = [
        "create_and_pay_lost_response_resolved_on_next_start.till":
            "its second command expects the order a lost answer left open to be resolved by the next start, which every CLI "
            + "command is; `till serve` starts once and resolves on its sweeper (every 5 s), not before the next read",
    ]

    static func reasonToSkip(_ scenario: Scenario) -> String? {
        var started = false
        for step in scenario.steps {
            switch step {
            case .environment(let line):
                for assignment in line.assignments where assignment.name != "TILL_NOW" {
                    guard configurationVariables.contains(assignment.name) else {
                        return "line \(line.line): env \(assignment.name) has no HTTP equivalent"
                    }
                    if started { return "line \(line.line): env \(assignment.name) after the first command (a server is configured when it starts)" }
                }
            case .command(let command):
                started = true
                if case .failure(let gap) = TypedCommand.read(command.arguments.map(\.description)) {
                    return "line \(command.line): \(gap)"
                }
            }
        }
        return outOfReach[URL(fileURLWithPath: scenario.file).lastPathComponent]
    }

    /// The configuration `env` lines before the first command.
    static func configuration(of scenario: Scenario) -> [String: String] {
        var found: [String: String] = [:]
        for step in scenario.steps {
            guard case .environment(let line) = step else { break }
            for assignment in line.assignments where configurationVariables.contains(assignment.name) {
                found[assignment.name] = assignment.value.description
            }
        }
        return found
    }
}

/// A clock the scenario sets: `TILL_NOW` while a scenario's environment has it, else the real time.
final class ReplayClock: Sendable {
    private let fixed = Mutex<Instant?>(nil)

    func set(_ instant: Instant?) { fixed.withLock { $0 = instant } }
    func now() -> Instant { fixed.withLock { $0 } ?? SystemClock.now() }
}

/// What a replay noticed beside the expectations (answers unlike DESIGN §6, commands the
/// client refused before any request, shown with a failure), and its report.
final class ReplayLog: Sendable {
    private let state = Mutex<(deviations: [String], notes: [String], report: ScenarioReport?)>(([], [], nil))

    func deviation(_ text: String) { state.withLock { $0.deviations.append(text) } }
    func note(_ text: String) { state.withLock { $0.notes.append(text) } }
    func finished(_ report: ScenarioReport) { state.withLock { $0.report = report } }
    var deviations: [String] { state.withLock { $0.deviations } }
    var report: ScenarioReport? { state.withLock { $0.report } }
    var notes: String {
        let notes = state.withLock { $0.notes }
        return notes.isEmpty ? "" : "\nreplay notes:\n" + notes.joined(separator: "\n")
    }
}

/// A till on a fresh ledger (SQLite or PostgreSQL: `TestBackend`) with GoblinPay in memory, configured as `till serve` would
/// be by the scenario's environment (random capture failures off and seed 1 unless it says
/// otherwise, as the CLI's scenario sandbox), its clock settable.
struct ReplayHarness: Sendable {
    let directory: URL
    let ledger: String
    let clock = ReplayClock()
    let api: TillAPI

    struct BadConfiguration: Error, CustomStringConvertible {
        let description: String
    }

    init(configuration: [String: String]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        var environment = [GoblinPayConfiguration.failureRateVariable: "0", GoblinPayConfiguration.seedVariable: "1"]
        environment.merge(configuration) { $1 }
        let processor = GoblinPay(configuration: try GoblinPayConfiguration.fromEnvironment(environment))
        var holdWindow = Payment.defaultHoldWindow
        if let text = configuration["TILL_HOLD_DAYS"] {
            guard let days = Int64(text), (1...365).contains(days) else { throw BadConfiguration(description: "TILL_HOLD_DAYS=\(text)") }
            holdWindow = .days(days)
        }
        let clock = self.clock
        ledger = try TestBackend.ledger(at: directory.appendingPathComponent("ledger/till.sqlite").path)
        let service = try await TillService.open(
            path: ledger, secretsDirectory: directory.appendingPathComponent("secrets").path,
            processor: processor, clock: { clock.now() }, holdWindow: holdWindow)
        api = TillAPI(service: service, token: APIToken(APIHarness.token), logger: APIHarness.quiet)
    }

    func remove() {
        TestBackend.remove(ledger)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The scenario executor: sets the clock, makes the command's HTTP calls, prints the answer as
/// `till … --json` prints it: the success body (with the `key` it ran under and `replayed`
/// from `Idempotent-Replayed` for a keyed operation, which the CLI prints in the body), or for
/// a problem `{"error": {"code", "message", + key, order_id, payment_id}}` and exit 1.
struct HTTPReplayExecutor: Sendable {
    let base: String
    let clock: ReplayClock
    let log: ReplayLog

    func run(_ arguments: [String], _ environment: [String: String]) async -> ScenarioCommandResult {
        let line = "till " + arguments.prefix(2).joined(separator: " ")
        if let text = environment["TILL_NOW"], !text.isEmpty {
            guard let instant = Timestamp.parse(text) else {
                return refused(Rejection(.invalidRequest, "TILL_NOW=\(text) is not an ISO 8601 time."), line: line, trace: [])
            }
            clock.set(instant)
        } else {
            clock.set(nil)
        }
        let command: TypedCommand
        switch TypedCommand.read(arguments) {
        case .success(let read): command = read
        case .failure(let gap): return ScenarioCommandResult(exitCode: 64, stdout: "", stderr: "no HTTP translation: \(gap)\n")
        }
        let exchanges = Exchanges(base: base)
        let outcome = await HTTPTranslation(command: command, exchanges: exchanges).run()
        let trace = exchanges.trace
        switch outcome {
        case .refusedHere(let rejection): return refused(rejection, line: line, trace: trace)
        case .usage(let message):
            let stdout = Self.errorJSON(code: "invalid_request", message: message, retry: [])
            return ScenarioCommandResult(exitCode: 64, stdout: stdout, stderr: message + "\n")
        case .reply(let reply, let key): return printed(reply, keyed: key, trace: trace)
        }
    }

    private func refused(_ rejection: Rejection, line: String, trace: [String]) -> ScenarioCommandResult {
        log.note("\(line): refused by the client before any request (\(rejection.code.rawValue))")
        return ScenarioCommandResult(
            exitCode: 1, stdout: Self.errorJSON(code: rejection.code.rawValue, message: rejection.message, retry: []),
            stderr: (trace + ["(refused by the client before any request)"]).joined(separator: "\n") + "\n")
    }

    private func printed(_ reply: Reply, keyed key: String?, trace: [String]) -> ScenarioCommandResult {
        let stderr = trace.joined(separator: "\n") + "\n"
        if reply.succeeded, case .object(let members)? = reply.json {
            var pairs = members.map { (JSONText.string($0.key), $0.value.description) }
            if let key {
                if reply.json?["key"] == nil { pairs.append((JSONText.string("key"), JSONText.string(key))) }
                if reply.json?["replayed"] == nil {
                    pairs.append((JSONText.string("replayed"), reply.header("Idempotent-Replayed") == "true" ? "true" : "false"))
                }
            }
            let text = "{" + pairs.map { $0.0 + ":" + $0.1 }.joined(separator: ",") + "}"
            return ScenarioCommandResult(exitCode: 0, stdout: (ScenarioJSON(parsing: text)?.pretty ?? text) + "\n", stderr: stderr)
        }
        guard !reply.succeeded, case .string(let code)? = reply.json?["code"] else {
            return ScenarioCommandResult(exitCode: 70, stdout: reply.text, stderr: stderr + "(not an answer the CLI could print)\n")
        }
        check(reply, code: code)
        var message = ""
        if case .string(let detail)? = reply.json?["detail"] { message = detail }
        let retry = ["key", "order_id", "payment_id"].compactMap { name -> (String, String)? in
            guard case .string(let value)? = reply.json?[name] else { return nil }
            return (name, value)
        }
        return ScenarioCommandResult(exitCode: 1, stdout: Self.errorJSON(code: code, message: message, retry: retry), stderr: stderr)
    }

    /// DESIGN §6: the status of each code, problem+json, and `Retry-After` on payment_pending.
    private func check(_ reply: Reply, code: String) {
        let expected: Int = switch code {
        case "unauthorized": 401
        case "not_found": 404
        case "request_in_progress", "wallet_exists": 409
        case "processor_declined": 402
        case "processor_error": 502
        case "payment_pending": 503
        case "amount_too_large", "unknown_currency": 400
        default: code.hasPrefix("invalid_") ? 400 : 422
        }
        let call = "\(reply.method) \(reply.path)"
        if reply.status != expected { log.deviation("\(call): \(code) answered \(reply.status), DESIGN §6 says \(expected)") }
        if reply.header("Content-Type")?.hasPrefix("application/problem+json") != true {
            log.deviation("\(call): \(code) is not application/problem+json (\(reply.header("Content-Type") ?? "no Content-Type"))")
        }
        if code == "payment_pending", reply.header("Retry-After") == nil { log.deviation("\(call): payment_pending without Retry-After") }
    }

    static func errorJSON(code: String, message: String, retry: [(String, String)]) -> String {
        let members: [(String, String?)] = [("code", JSONText.string(code)), ("message", JSONText.string(message))]
        let error = JSONText.object(members + retry.map { ($0.0, JSONText.string($0.1)) })
        let text = JSONText.object([("error", error)])
        return (ScenarioJSON(parsing: text)?.pretty ?? text) + "\n"
    }
}
