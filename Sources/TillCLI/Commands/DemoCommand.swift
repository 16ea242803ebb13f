import ArgumentParser
import TillCore
import TillService

/// `till demo`: fills the ledger with realistic sample data, with a progress bar.
struct DemoCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Fill the ledger with realistic sample data (customers, orders, payments, wallets).",
        discussion: """
            Refuses a ledger that holds orders, payments, wallets or requests it did not make (a \
            real shop's), unless --into-existing; an empty ledger, or one only the demo filled, is \
            fine. Card payments always go to GoblinPay's in-process simulator, its ledger beside \
            the till's, never to a remote processor, whatever the environment says.
            """)
    @Option(help: "How many orders to create (beyond 2000, the older ones are two years of bulk history).")
    var orders: Int = 2000
    @Option(help: "Seed for the sample data.") var seed: UInt64 = 2026
    @Flag(name: .customLong("into-existing"), help: "Add the sample data to a ledger that holds data the demo did not make.")
    var intoExisting = false
    @OptionGroup var global: GlobalOptions

    /// History streams a day at a time, so memory does not bound this; disk and patience do.
    static let maximumOrders = 10_000_000

    func execute(_ context: CommandContext) async -> CommandResult {
        guard (1...Self.maximumOrders).contains(orders) else {
            return context.failure(Rejection(.invalidRequest, "--orders must be 1 to \(Self.maximumOrders)."))
        }
        let now: Instant
        do { now = try context.clock()() } catch { return context.failure(error) }
        let live = context.json ? nil : context.live
        let summary: DemoSummary
        do {
            // A mistyped --db folder is an error, as for every command; Till's own is made.
            try context.createOwnFolder()
            summary = try await DemoData.fill(
                databasePath: context.databasePath, processorLedgerPath: try context.processorLedgerPath(),
                secretsDirectory: context.secretsDirectory, orders: orders, seed: seed, now: now,
                intoExisting: intoExisting
            ) { done, total in live?(ProgressBar.render(done: done, total: total, width: 40)) }
        } catch let refused as Rejection {
            return context.failure(refused)
        } catch {
            return context.failure(Rejection(.storageError, "The demo data could not be written: \(TillService.storageDescription(error))"))
        }
        live?("\n")
        if context.json { return CommandResult(stdout: Output.json(summary)) }
        return CommandResult(stdout: summary.description + "\n")
    }
}

/// "\r[██████████░░░░░░░░░░]  50%  1000/2000 orders".
enum ProgressBar {
    static func render(done: Int, total: Int, width: Int) -> String {
        let total = max(total, 1)
        let filled = min(width, done * width / total)
        return "\r[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] "
            + "\(done * 100 / total)%".leftPadded(4) + "  \(done)/\(total) orders"
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
