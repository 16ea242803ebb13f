import ArgumentParser
import Foundation
import TillCore

/// `till batch`: one command per input line, one JSON answer per output line, flushed as each
/// command commits, so a script (or a crash test) knows exactly which operations were
/// acknowledged. Input lines are JSON arrays of arguments, e.g.
/// `["wallet", "credit", "Ann", "--amount", "1.00", "--key", "k1"]`.
///
/// The ledger and GoblinPay are opened once for the whole stream. With `--parallel N`, up to N
/// lines run at once (for lines that do not depend on each other, such as credits to many
/// wallets): the process's writer commits those waiting together, and the answers still come
/// in input order, each once its command is durable.
struct BatchCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run commands read from standard input, one JSON array of arguments per line; answer one JSON line each.")
    @Option(help: "How many lines may run at once (1 to 256; default 1: each line after the one before).")
    var parallel: Int = 1
    @OptionGroup var global: GlobalOptions

    /// Commands a batch line may not run: another stream of commands, or a long-lived program.
    static let refused: Set<String> = ["batch", "run", "demo", "sim", "pos"]

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
        // Each line is parsed as it arrives, while the lines before it run: parsing touches
        // nothing, and it is a good part of a line's time.
        let parsedLines = AsyncStream<TillCommandLine.Parsed> { continuation in
            let parsing = Task {
                for await line in lines where !line.trimmingBlanks().isEmpty { continuation.yield(Self.parsed(line)) }
                continuation.finish()
            }
            continuation.onTermination = { _ in parsing.cancel() }
        }
        var failures = 0
        await withTaskGroup(of: (Int, CommandResult).self) { group in
            var sent = 0, next = 0
            var answered: [Int: CommandResult] = [:]
            var input = parsedLines.makeAsyncIterator()
            var more = true
            while true {
                while more, sent - next < parallel {
                    guard let parsed = await input.next() else {
                        more = false
                        break
                    }
                    let number = sent
                    sent += 1
                    group.addTask {
                        (number, await TillCommandLine.execute(parsed, environment: lineEnvironment, opened: opened))
                    }
                }
                guard let (number, answer) = await group.next() else { break }
                answered[number] = answer
                // In input order: a line's answer waits for those before it.
                while let answer = answered.removeValue(forKey: next) {
                    if answer.exitCode != 0 { failures += 1 }
                    // Pretty JSON never has a raw newline inside a string, so joining its lines keeps it valid.
                    let compact = answer.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                    FileHandle.standardOutput.write(Data((compact + "\n").utf8))
                    next += 1
                }
            }
        }
        return CommandResult(exitCode: failures == 0 ? 0 : TillCommandLine.rejectedExitCode)
    }

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
