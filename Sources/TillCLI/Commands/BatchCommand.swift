import ArgumentParser
import Foundation
import TillCore

/// `till batch`: one command per input line, one JSON answer per output line, flushed as each
/// command commits, so a script (or a crash test) knows exactly which operations were
/// acknowledged. Input lines are JSON arrays of arguments, e.g.
/// `["wallet", "credit", "Ann", "--amount", "1.00", "--key", "k1"]`.
struct BatchCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run commands read from standard input, one JSON array of arguments per line; answer one JSON line each.")
    @OptionGroup var global: GlobalOptions

    func execute(_ context: CommandContext) async -> CommandResult {
        var environment = context.environment
        environment["TILL_DB"] = context.databasePath
        // The batch's --operator (or TILL_OPERATOR) acts for every line that names nobody.
        do { environment["TILL_OPERATOR"] = try context.operatorName().text } catch { return context.failure(error) }
        var failures = 0
        while let line = readLine(strippingNewline: true) {
            guard !line.trimmingBlanks().isEmpty else { continue }
            let answer: CommandResult
            if let data = line.data(using: .utf8),
               let arguments = try? JSONSerialization.jsonObject(with: data) as? [String],
               !arguments.contains(where: { $0 == "batch" || $0 == "run" || $0 == "demo" }) {
                answer = await TillCommandLine.run(arguments + ["--json"], environment: environment)
            } else {
                answer = CommandResult(exitCode: TillCommandLine.rejectedExitCode, stdout: Output.errorJSON(Rejection(
                    .invalidRequest, "Each line is a JSON array of till arguments (not batch, run or demo).")))
            }
            if answer.exitCode != 0 { failures += 1 }
            // Pretty JSON never has a raw newline inside a string, so joining its lines keeps it valid.
            let compact = answer.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            FileHandle.standardOutput.write(Data((compact + "\n").utf8))
        }
        return CommandResult(exitCode: failures == 0 ? 0 : TillCommandLine.rejectedExitCode)
    }
}
