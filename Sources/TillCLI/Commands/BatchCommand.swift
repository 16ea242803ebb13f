import ArgumentParser
import Foundation
import Synchronization
import TillCore
import TillService

/// `till batch`: one command per input line, one JSON answer per output line, flushed as each
/// command commits, so a script (or a crash test) knows exactly which operations were
/// acknowledged. Input lines are JSON arrays of arguments, e.g.
/// `["wallet", "credit", "Ann", "--amount", "1.00", "--key", "k1"]`.
///
/// The ledger and GoblinPay are opened once for the whole stream. The lines take effect in their
/// order, as if each ran after the one before; yet a line decided in one write (a credit, a cash
/// installment) starts while the lines before it commit, so many lines share one commit. With
/// `--parallel N`, up to N lines run at once in any order (for lines that do not depend on each
/// other, such as credits to many wallets). Either way the answers come in input order, each
/// once its command is durable.
struct BatchCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run commands read from standard input, one JSON array of arguments per line; answer one JSON line each.")
    @Option(help: "How many lines may run at once, in any order (1 to 256; default 1: in order, as if each ran after the one before).")
    var parallel: Int = 1
    @OptionGroup var global: GlobalOptions

    /// Commands a batch line may not run: another stream of commands, or a long-lived program.
    static let refused: Set<String> = ["batch", "run", "demo", "sim", "pos", "serve", "goblinpay"]

    func execute(_ context: CommandContext) async -> CommandResult {
        guard (1...256).contains(parallel) else {
            return context.failure(Rejection(.invalidRequest, "--parallel takes 1 to 256 lines at once."))
        }
        var environment = context.environment
        environment["TILL_DB"] = context.databasePath
        // The batch's --operator (or TILL_OPERATOR) acts for every line that names nobody.
        do { environment["TILL_OPERATOR"] = try context.operatorName().text } catch { return context.failure(error) }
        let lineEnvironment = environment
        // The ledger, GoblinPay and the resolver are opened once, not once a line.
        let opened = OpenedTill(databasePath: context.databasePath, environment: lineEnvironment)
        let lines = AsyncStream<String> { continuation in
            // Standard input is read on a thread of its own: a blocking read must not hold a
            // worker the commands need.
            Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }.start()
        }
        // Lines are parsed ahead, several at once on whatever core is free: parsing touches
        // nothing, and it is a good part of a line's time.
        let ahead = Slots(Self.parsedAhead)
        let parsedLines = AsyncStream<Task<TillCommandLine.Parsed, Never>> { continuation in
            let parsing = Task {
                for await line in lines where !line.trimmingBlanks().isEmpty {
                    await ahead.take()
                    continuation.yield(Task { Self.parsed(line) })
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in parsing.cancel() }
        }
        let answers = AnswersInOrder()
        let running = Slots(parallel == 1 ? Self.pipelined : parallel)
        await withDiscardingTaskGroup { group in
            var number = 0
            var previous: LineProgress?
            for await parsing in parsedLines {
                let parsed = await parsing.value
                ahead.give()
                await running.take()
                var turn: LineTurn?
                if parallel == 1 {
                    // In order: a line decided in one write queues behind the line before;
                    // any other waits until that line is done (`LineTurn`).
                    if let previous {
                        if parsed.decidedInOneWrite { await previous.untilQueued() } else { await previous.untilFinished() }
                    }
                    let own = LineProgress()
                    turn = LineTurn(previous: previous, own: own)
                    previous = own
                }
                let line = number
                number += 1
                group.addTask {
                    let answer = await LineTurn.$current.withValue(turn) {
                        await TillCommandLine.execute(parsed, environment: lineEnvironment, opened: opened)
                    }
                    await turn?.finish()
                    answers.record(answer, line: line)
                    running.give()
                }
            }
        }
        return CommandResult(exitCode: answers.failures == 0 ? 0 : TillCommandLine.rejectedExitCode)
    }

    /// How many lines may be parsed ahead of the one starting, and how many may be under way in
    /// order (each line's answer waits for the commit of its group).
    private static let parsedAhead = 16
    private static let pipelined = 64

    /// A line as the command it names, or the refusal of a line that names none a batch runs.
    private static func parsed(_ line: String) -> TillCommandLine.Parsed {
        // Only the first word names the command: a wallet called `run` is a wallet.
        if let data = line.data(using: .utf8),
           let arguments = try? JSONSerialization.jsonObject(with: data) as? [String],
           let command = arguments.first, !refused.contains(command) {
            return TillCommandLine.parse(arguments + ["--json"])
        }
        return .answered(CommandResult(exitCode: TillCommandLine.rejectedExitCode, stdout: Output.errorJSON(Rejection(
            .invalidRequest, "Each line is a JSON array of till arguments (not batch, run, demo, sim or pos)."))))
    }
}

extension TillCommandLine.Parsed {
    /// Whether the line may queue its write behind the line before's (`DecidedInOneWrite`); an
    /// answer the parser gave touches nothing.
    var decidedInOneWrite: Bool {
        switch self {
        case .answered: true
        case .command(let command): command is any DecidedInOneWrite
        }
    }
}

/// The answers of a batch, printed in input order as soon as each and all before it are in.
private final class AnswersInOrder: Sendable {
    private struct State {
        var waiting: [Int: CommandResult] = [:]
        var next = 0
        var failures = 0
    }

    private let state = Mutex(State())

    var failures: Int { state.withLock { $0.failures } }

    func record(_ answer: CommandResult, line: Int) {
        state.withLock { state in
            state.waiting[line] = answer
            // The answers now due go out in one write (a group's lines are answered together).
            var due = ""
            while let answer = state.waiting.removeValue(forKey: state.next) {
                if answer.exitCode != 0 { state.failures += 1 }
                // Pretty JSON never has a raw newline inside a string, so joining its lines keeps
                // it valid; a line starts with its indentation and ends with no blank.
                due += answer.stdout.split(separator: "\n").map { $0.drop { $0 == " " } }.joined(separator: " ") + "\n"
                state.next += 1
            }
            if !due.isEmpty { FileHandle.standardOutput.write(Data(due.utf8)) }
        }
    }
}

/// A count of free places: `take` waits for one, `give` returns it.
private final class Slots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: count)) }

    func take() async {
        await withCheckedContinuation { continuation in
            let taken = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if taken { continuation.resume() }
        }
    }

    func give() {
        let woken = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            // The place passes straight to the first waiting.
            return state.waiting.removeFirst()
        }
        woken?.resume()
    }
}
