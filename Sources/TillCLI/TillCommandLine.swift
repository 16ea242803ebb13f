import ArgumentParser
import Foundation
import Synchronization
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
    /// (`invalid_amount`, no signs). Only a word that reads as a negative number is attached,
    /// only to an option that takes a number, and nothing after `--`.
    public static func negativeValuesAttached(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            let next = index + 1 < arguments.endIndex ? arguments[index + 1] : nil
            if word == "--" {
                out.append(contentsOf: arguments[index...])
                break
            }
            if numericOptions.contains(word), let next, looksNegative(next) {
                out.append(word + "=" + next)
                index += 2
            } else {
                out.append(word)
                index += 1
            }
        }
        return out
    }

    private static let numericOptions: Set<String> = [
        "--amount", "--cash", "--pay", "--balance", "--overdraft", "--float", "--counted", "--limit",
        "--steps", "--seed", "--seed-count", "--orders", "--goblinpay-failure-rate", "--goblinpay-seed",
    ]

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
    /// (the demo's progress bar); pass nil to discard it. `cardInput` is where `--card -` and
    /// `--cvv -` read (the executable passes its standard input).
    public static func run(
        _ arguments: [String], environment: [String: String],
        live: (@Sendable (String) -> Void)? = nil, cardInput: CardInput = .unavailable
    ) async -> CommandResult {
        await run(arguments, environment: environment, live: live, cardInput: cardInput, opened: nil)
    }

    /// Runs one command; with `opened`, a command on that ledger uses it instead of opening
    /// the ledger and GoblinPay again (`till batch`).
    static func run(
        _ arguments: [String], environment: [String: String],
        live: (@Sendable (String) -> Void)? = nil, cardInput: CardInput = .unavailable, opened: OpenedTill?
    ) async -> CommandResult {
        await execute(parse(arguments), environment: environment, live: live, cardInput: cardInput, opened: opened)
    }

    /// A command line, parsed: the command to run, or what the parser answered (a usage error,
    /// help). Parsing touches nothing, so `till batch` parses a line while the one before commits.
    enum Parsed: Sendable {
        case command(any TillCommand)
        case answered(CommandResult)
    }

    static func parse(_ arguments: [String]) -> Parsed {
        let wantsJSON = arguments.contains("--json")
        let command: any ParsableCommand
        do {
            command = try LeafCommands.parse(arguments) ?? TillRoot.parseAsRoot(negativeValuesAttached(arguments))
        } catch {
            let code = TillRoot.exitCode(for: error)
            let message = escapedUsage(TillRoot.fullMessage(for: error))
            if code == .success { return .answered(CommandResult(stdout: message + "\n")) }
            if wantsJSON {
                return .answered(CommandResult(
                    exitCode: code.rawValue,
                    stdout: Output.errorJSON(Rejection(.invalidRequest, TillRoot.message(for: error)))))
            }
            return .answered(CommandResult(exitCode: code.rawValue, stderr: message + "\n"))
        }
        guard let tillCommand = command as? any TillCommand else {
            // `till help SUBCOMMAND`: the parser's help command answers by throwing the help
            // request for that subcommand.
            var help = command
            do { try help.run() } catch { return .answered(CommandResult(stdout: TillRoot.fullMessage(for: error) + "\n")) }
            return .answered(CommandResult(stdout: TillRoot.helpMessage() + "\n"))
        }
        return .command(tillCommand)
    }

    static func execute(
        _ parsed: Parsed, environment: [String: String],
        live: (@Sendable (String) -> Void)? = nil, cardInput: CardInput = .unavailable, opened: OpenedTill?
    ) async -> CommandResult {
        switch parsed {
        case .answered(let result): return result
        case .command(let tillCommand):
            let context = CommandContext(
                global: tillCommand.global, environment: environment, json: tillCommand.global.json, live: live,
                cardInput: cardInput, opened: opened)
            return await tillCommand.execute(context)
        }
    }
}

/// A leaf command: it has the global options and runs against a context.
protocol TillCommand: ParsableCommand, Sendable {
    var global: GlobalOptions { get }
    func execute(_ context: CommandContext) async -> CommandResult
}

/// A command whose request is decided whole inside one write (`TillService.keyedLocally`), and
/// whose answer is that write's: in `till batch` it may start while the line before it is still
/// committing. The order of the lines holds regardless: a read or any other write of such a
/// command still waits for the line before (`LineTurn`).
protocol DecidedInOneWrite: TillCommand {}

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

    @Option(name: .customLong("goblinpay-url"), help: "GoblinPay as a service, e.g. http://127.0.0.1:9090 ($TILL_GOBLINPAY_URL; default: in-process).")
    var goblinpayURL: String?

    @Option(name: .customLong("operator"), help: "Who is acting, recorded on every money event (default: $TILL_OPERATOR, else till).")
    var operatorName: String?
}

/// Everything a command needs from its surroundings, read from options and environment.
struct CommandContext: Sendable {
    let global: GlobalOptions
    let environment: [String: String]
    let json: Bool
    let live: (@Sendable (String) -> Void)?
    let cardInput: CardInput
    /// A till opened once for many commands (`till batch`), if any.
    var opened: OpenedTill? = nil

    /// --db, else $TILL_DB, else $XDG_DATA_HOME/till/till.sqlite (XDG's default ~/.local/share).
    var databasePath: String { explicitDatabasePath ?? defaultDatabasePath }

    /// The path the user named (--db, $TILL_DB), if any: its folder must exist.
    private var explicitDatabasePath: String? {
        if let db = global.db, !db.isEmpty { return db }
        if let db = environment["TILL_DB"], !db.isEmpty { return db }
        return nil
    }

    /// Till owns this location, and may create its folder on first use.
    private var defaultDatabasePath: String {
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return dataHome + "/till/till.sqlite"
    }

    /// Where card-fingerprint secrets live, never in the ledger's folder: $TILL_SECRETS_DIR,
    /// else $XDG_CONFIG_HOME/till/secrets (XDG's default ~/.config).
    var secretsDirectory: String {
        if let directory = environment["TILL_SECRETS_DIR"], !directory.isEmpty { return directory }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return configHome + "/till/secrets"
    }

    /// Opens the ledger (see `LedgerFile.Creation`). Only Till's default folder, or the folder of
    /// a ledger being created on purpose (`till init`), is created, private (0700); anywhere else
    /// a missing folder is a mistyped path, and an error.
    func openLedger(creating: LedgerFile.Creation = .ifNoTrace) throws(Rejection) -> LedgerFile {
        try checkLedgerNamed()
        do {
            try createOwnFolder(creating: creating)
        } catch {
            throw LedgerFile.openingRejection(path: databasePath, error)
        }
        return try LedgerFile.open(path: databasePath, secretsDirectory: secretsDirectory, creating: creating)
    }

    /// An empty `--db` or `TILL_DB` is a script's unset variable, not a wish for the default
    /// ledger (which may be the shop's real one): refused.
    func checkLedgerNamed() throws(Rejection) {
        if global.db?.isEmpty == true {
            throw Rejection(.invalidRequest, "--db is empty: name the ledger file, or leave --db out for $TILL_DB or the default ledger.")
        }
        if global.db == nil, environment["TILL_DB"]?.isEmpty == true {
            throw Rejection(.invalidRequest, "TILL_DB is set but empty: name the ledger file, or unset TILL_DB for the default ledger.")
        }
    }

    /// Creates the ledger's folder (0700) where Till may: its default one, or for `till init`.
    func createOwnFolder(creating: LedgerFile.Creation = .ifNoTrace) throws {
        try checkLedgerNamed()
        guard explicitDatabasePath == nil || creating == .fresh, !LedgerFile.isSharedDatabase(databasePath) else { return }
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        guard !folder.isEmpty else { return }
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The in-process GoblinPay's ledger: beside the till's, or $TILL_GOBLINPAY_DB (PostgreSQL has no "beside").
    func processorLedgerPath() throws(Rejection) -> String {
        if let path = environment["TILL_GOBLINPAY_DB"], !path.isEmpty { return path }
        guard !LedgerFile.isSharedDatabase(databasePath) else {
            throw Rejection(.invalidRequest,
                "The ledger is on PostgreSQL, shared by every till of the shop, so GoblinPay must be shared too: set TILL_GOBLINPAY_URL to "
                + "a running `till goblinpay serve` (or, on one machine only, TILL_GOBLINPAY_DB to a file for the in-process GoblinPay).")
        }
        return databasePath + ".goblinpay"
    }

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

    /// GoblinPay as a service (--goblinpay-url, else $TILL_GOBLINPAY_URL), with each call's
    /// deadline from $TILL_GOBLINPAY_TIMEOUT_MS (default 2000); nil: GoblinPay in-process.
    func goblinPayService() throws(Rejection) -> GoblinPayClient? {
        guard let url = global.goblinpayURL ?? environment["TILL_GOBLINPAY_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard url.hasPrefix("http://"), url.count > 7, !url.contains(where: { $0.isWhitespace }) else {
            throw Rejection(.invalidRequest, "The GoblinPay URL \(url.echoed()) must be http://HOST:PORT.")
        }
        var timeout = 2_000
        if let text = environment["TILL_GOBLINPAY_TIMEOUT_MS"], !text.isEmpty {
            guard let value = Int(text), GoblinPayClient.timeouts.contains(value) else {
                throw Rejection(.invalidRequest, "TILL_GOBLINPAY_TIMEOUT_MS=\(text.echoed()) must be \(GoblinPayClient.timeouts.lowerBound) to \(GoblinPayClient.timeouts.upperBound).")
            }
            timeout = value
        }
        return GoblinPayClient(url: url, timeout: .milliseconds(timeout))
    }

    /// $TILL_HOLD_DAYS: how long an authorization holds (default 7 days).
    func holdWindow() throws(Rejection) -> TimeSpan {
        guard let text = environment["TILL_HOLD_DAYS"], !text.isEmpty else { return Payment.defaultHoldWindow }
        guard let days = Int64(text), (1...365).contains(days) else {
            throw Rejection(.invalidHoldWindow, "TILL_HOLD_DAYS=\(text.echoed()) must be a whole number of days from 1 to 365.")
        }
        return .days(days)
    }

    /// --operator, else $TILL_OPERATOR, else `till`: recorded on every money event.
    func operatorName() throws(Rejection) -> OperatorName {
        guard let text = global.operatorName ?? environment["TILL_OPERATOR"].flatMap({ $0.isEmpty ? nil : $0 }) else { return .till }
        switch OperatorName.parse(text) {
        case .success(let name): return name
        case .failure(let rejection): throw rejection
        }
    }

    /// The shop's time zone ($TZ, else the system's): the one setting the service's card
    /// expiry check and the POS's screens share.
    var shopZone: ShopTimeZone { .from(environment: environment) }

    /// Opens the ledger and GoblinPay, resolving anything a previous run left unresolved (or
    /// takes the till opened already for this ledger and these settings).
    func service() async throws(Rejection) -> TillService {
        if let opened, opened.serves(self) {
            return try await opened.service(opening: openService).acting(as: try operatorName())
        }
        return try await openService()
    }

    private func openService() async throws(Rejection) -> TillService {
        let clock = try clock()
        let configuration = try goblinPayConfiguration()
        let holdWindow = try holdWindow()
        let operatorName = try operatorName()
        // The ledger first: a refused ledger must not leave a new GoblinPay file beside it.
        let remote = try goblinPayService()
        let ledger = try openLedger()
        let processor: any PaymentProcessor
        if let remote {
            processor = remote
        } else {
            let path = try processorLedgerPath()
            do {
                processor = try GoblinPay(ledgerPath: path, configuration: configuration)
            } catch {
                throw Rejection(.storageError, "Cannot open GoblinPay's ledger at \(path.echoed(limit: 200)): \(TillService.storageDescription(error))")
            }
        }
        return await TillService.open(
            ledger: ledger, processor: processor, clock: clock, holdWindow: holdWindow, shopZone: shopZone
        ).acting(as: operatorName)
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

/// A ledger, GoblinPay and the resolution of what a previous run left open, done once for
/// many commands (`till batch`): the first command that needs the service opens it, as it
/// would have alone, and every later command with the same ledger and settings runs on it
/// (its own `--operator` still applies). A failed opening is not kept: the next command tries
/// again, as a command of its own would.
final class OpenedTill: Sendable {
    private let databasePath: String
    private let environment: [String: String]
    /// The opening, shared by the commands that wait for it (`--parallel` lines start at once).
    private let opening = Mutex<Task<TillService, any Error>?>(nil)

    init(databasePath: String, environment: [String: String]) {
        self.databasePath = databasePath
        self.environment = environment
    }

    /// Whether `context` would open this same till: same ledger, same environment (clock,
    /// hold window, GoblinPay, time zone), no GoblinPay options of its own.
    func serves(_ context: CommandContext) -> Bool {
        context.databasePath == databasePath && context.environment == environment
            && context.global.goblinpayFailureRate == nil && context.global.goblinpaySeed == nil && context.global.goblinpayURL == nil
    }

    func service(opening open: @escaping @Sendable () async throws(Rejection) -> TillService) async throws(Rejection) -> TillService {
        let task = opening.withLock { task in
            if let task { return task }
            let started = Task<TillService, any Error> { try await open() }
            task = started
            return started
        }
        do {
            return try await task.value
        } catch {
            // Not kept: the next command opens again, as it would on its own.
            opening.withLock { if $0 == task { $0 = nil } }
            throw error as? Rejection ?? Rejection(.storageError, TillService.storageDescription(error))
        }
    }
}
