import ArgumentParser
import Foundation
import TillCore
import TillProcessor
import TillService

/// What one `till` invocation printed and how it exited. Commands write here instead of to
/// the terminal, so the scenario runner and the tests drive the real command line in-process.
public struct CommandResult: Sendable, Equatable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32 = 0, stdout: String = "", stderr: String = "") {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The `till` command line as a function: arguments and environment in, output out.
public enum TillCommandLine {
    /// Exit status of any rejection; usage errors exit 64 as swift-argument-parser does.
    public static let rejectedExitCode: Int32 = 1

    /// `--amount -5` as `--amount=-5`: the parser would take "-5" for an option and answer
    /// "missing value"; attached, the value reaches the amount parser, which names the problem
    /// (`invalid_amount`, no signs). Only a word that reads as a negative number is attached.
    static func negativeValuesAttached(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            let next = index + 1 < arguments.endIndex ? arguments[index + 1] : nil
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), let next, looksNegative(next) {
                out.append(word + "=" + next)
                index += 2
            } else {
                out.append(word)
                index += 1
            }
        }
        return out
    }

    private static func looksNegative(_ word: String) -> Bool {
        guard word.hasPrefix("-"), let second = word.dropFirst().first else { return false }
        return ("0"..."9").contains(second) || second == "."
    }

    /// A usage message echoes what was typed: each line has its control characters escaped
    /// and is cut, as rejection messages are.
    static func escapedUsage(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Rejection(.invalidRequest, String($0)).message }
            .joined(separator: "\n")
    }

    /// Runs one command. `live` receives progress text meant for a terminal as it happens
    /// (the demo's progress bar); pass nil to discard it.
    public static func run(
        _ arguments: [String], environment: [String: String],
        live: (@Sendable (String) -> Void)? = nil
    ) async -> CommandResult {
        let wantsJSON = arguments.contains("--json")
        let command: any ParsableCommand
        do {
            command = try TillRoot.parseAsRoot(negativeValuesAttached(arguments))
        } catch {
            let code = TillRoot.exitCode(for: error)
            let message = escapedUsage(TillRoot.fullMessage(for: error))
            if code == .success { return CommandResult(stdout: message + "\n") }
            if wantsJSON {
                return CommandResult(
                    exitCode: code.rawValue,
                    stdout: Output.errorJSON(Rejection(.invalidRequest, TillRoot.message(for: error))))
            }
            return CommandResult(exitCode: code.rawValue, stderr: message + "\n")
        }
        guard let tillCommand = command as? any TillCommand else {
            // `till help SUBCOMMAND`: the parser's help command answers by throwing the help
            // request for that subcommand.
            var help = command
            do { try help.run() } catch { return CommandResult(stdout: TillRoot.fullMessage(for: error) + "\n") }
            return CommandResult(stdout: TillRoot.helpMessage() + "\n")
        }
        let context = CommandContext(
            global: tillCommand.global, environment: environment, json: tillCommand.global.json, live: live)
        return await tillCommand.execute(context)
    }
}

/// A leaf command: it has the global options and runs against a context.
protocol TillCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ context: CommandContext) async -> CommandResult
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The ledger file.", discussion: "Default: $TILL_DB, else $XDG_DATA_HOME/till/till.sqlite."))
    var db: String?

    @Flag(help: "Print JSON: the stable machine contract.")
    var json = false

    @Option(name: .customLong("goblinpay-failure-rate"), help: "GoblinPay's random capture failure rate, 0 to 1 (default 0.25; $TILL_GOBLINPAY_FAILURE_RATE).")
    var goblinpayFailureRate: String?

    @Option(name: .customLong("goblinpay-seed"), help: "GoblinPay's random seed ($TILL_GOBLINPAY_SEED).")
    var goblinpaySeed: String?
}

/// Everything a command needs from its surroundings, read from options and environment.
struct CommandContext: Sendable {
    let global: GlobalOptions
    let environment: [String: String]
    let json: Bool
    let live: (@Sendable (String) -> Void)?

    /// --db, else $TILL_DB, else $XDG_DATA_HOME/till/till.sqlite (XDG's default ~/.local/share).
    var databasePath: String {
        if let db = global.db, !db.isEmpty { return db }
        if let db = environment["TILL_DB"], !db.isEmpty { return db }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return dataHome + "/till/till.sqlite"
    }

    /// GoblinPay keeps its own ledger beside the till's: it stands for the remote side.
    var processorLedgerPath: String { databasePath + ".goblinpay" }

    /// $TILL_NOW (ISO 8601) replaces the clock, for scripts and tests.
    func clock() throws(Rejection) -> @Sendable () -> Instant {
        guard let text = environment["TILL_NOW"], !text.isEmpty else { return SystemClock.now }
        guard let instant = Timestamp.parse(text) else {
            throw Rejection(.invalidRequest, "TILL_NOW=\(text.echoed()) is not an ISO 8601 time such as 2026-11-22T10:00:00Z.")
        }
        return { instant }
    }

    func goblinPayConfiguration() throws(Rejection) -> GoblinPayConfiguration {
        do {
            var configuration = try GoblinPayConfiguration.fromEnvironment(environment)
            if let text = global.goblinpayFailureRate { configuration.captureFailureRate = try GoblinPayFailureRate.parse(text) }
            if let text = global.goblinpaySeed { configuration.seed = try GoblinPayConfiguration.parseSeed(text) }
            return configuration
        } catch {
            throw Rejection(.invalidRequest, error.description)
        }
    }

    /// $TILL_HOLD_DAYS: how long an authorization holds (default 7 days).
    func holdWindow() throws(Rejection) -> TimeSpan {
        guard let text = environment["TILL_HOLD_DAYS"], !text.isEmpty else { return Payment.defaultHoldWindow }
        guard let days = Int64(text), (1...365).contains(days) else {
            throw Rejection(.invalidHoldWindow, "TILL_HOLD_DAYS=\(text.echoed()) must be a whole number of days from 1 to 365.")
        }
        return .days(days)
    }

    /// The shop's time zone ($TZ, else the system's): the one setting the service's card
    /// expiry check and the POS's screens share.
    var shopZone: ShopTimeZone { .from(environment: environment) }

    /// Opens the ledger and GoblinPay, resolving anything a previous run left unresolved.
    func service() async throws(Rejection) -> TillService {
        let clock = try clock()
        let configuration = try goblinPayConfiguration()
        let holdWindow = try holdWindow()
        do {
            let directory = (databasePath as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let processor = try GoblinPay(ledgerPath: processorLedgerPath, configuration: configuration)
            return try await TillService.open(
                path: databasePath, processor: processor, clock: clock, holdWindow: holdWindow, shopZone: shopZone)
        } catch {
            throw Rejection(.storageError, "Cannot open the ledger at \(databasePath.echoed(limit: 200)): \(TillService.storageDescription(error))")
        }
    }

    /// Runs a service call and prints its answer (JSON or the human summary).
    func respond<T: Encodable & Sendable>(
        _ call: (TillService) async -> Result<T, Rejection>, human: (T) -> String
    ) async -> CommandResult {
        let service: TillService
        do { service = try await self.service() } catch { return failure(error) }
        switch await call(service) {
        case .success(let value): return json ? CommandResult(stdout: Output.json(value)) : CommandResult(stdout: human(value))
        case .failure(let rejection): return failure(rejection)
        }
    }

    func failure(_ rejection: Rejection) -> CommandResult {
        json
            ? CommandResult(exitCode: TillCommandLine.rejectedExitCode, stdout: Output.errorJSON(rejection))
            : CommandResult(exitCode: TillCommandLine.rejectedExitCode, stderr: "error: \(rejection.code.rawValue): \(rejection.message)\n")
    }
}
