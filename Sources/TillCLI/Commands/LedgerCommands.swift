import ArgumentParser
import TillCore
import TillService

/// `till init [--db PATH]`: makes a new ledger on purpose. Commands never make one where there
/// are traces of another (a missing or empty file beside its companions, a missing folder).
struct InitCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new, empty ledger.",
        discussion: """
            Creates the folder (0700) and the ledger (0600). Refuses a path that holds a ledger \
            already, or whose companion files (GoblinPay's ledger, a -wal, a key) remain from one.
            """)
    @OptionGroup var global: GlobalOptions

    struct Answer: Codable, Sendable {
        let path: String
    }

    func execute(_ context: CommandContext) async -> CommandResult {
        do {
            let ledger = try context.openLedger(creating: .fresh)
            let answer = Answer(path: ledger.path)
            return context.json ? CommandResult(stdout: Output.json(answer)) : CommandResult(stdout: "New ledger at \(answer.path)\n")
        } catch {
            return context.failure(error)
        }
    }
}

/// `till check [--json]`: the full integrity check and every read model against its events.
struct CheckCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the ledger: integrity and read models against their events.",
        discussion: """
            Runs PRAGMA integrity_check, then recomputes every read model (payments, orders, their \
            installments and refunds, wallets, customer totals, takings) from the events and prints \
            each difference. Exits 1 if anything is wrong. Makes no processor calls.
            """)
    @OptionGroup var global: GlobalOptions

    struct Answer: Codable, Sendable {
        let ok: Bool
        let integrity: [String]
        let differences: [LedgerCheck.Difference]
    }

    func execute(_ context: CommandContext) async -> CommandResult {
        let report: LedgerCheck
        do {
            report = try context.openLedger(creating: .never).check()
        } catch {
            return context.failure(error)
        }
        let answer = Answer(ok: report.isSound, integrity: report.integrity, differences: report.differences)
        let exitCode = report.isSound ? 0 : TillCommandLine.rejectedExitCode
        if context.json { return CommandResult(exitCode: exitCode, stdout: Output.json(answer)) }
        var lines = report.integrity.map { "integrity: \($0)" } + report.differences.map(\.description)
        lines.append(report.isSound
            ? "ok: integrity check passed; every read model equals its events"
            : "damaged: \(report.integrity.count) integrity problem(s), \(report.differences.count) read-model difference(s)")
        return CommandResult(exitCode: exitCode, stdout: lines.joined(separator: "\n") + "\n")
    }
}
