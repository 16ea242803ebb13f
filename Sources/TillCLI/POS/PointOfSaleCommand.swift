import ArgumentParser
import Foundation
import TillCore
import TillService

/// `till` and `till pos`: the point-of-sale screens on this terminal.
struct PointOfSaleCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "pos",
        abstract: "Open the point-of-sale screens (the default when no command is given).",
        discussion: "F1 or ? inside shows every key. Receipts go to $TILL_RECEIPT_DIR, else the current directory.")

    @OptionGroup var global: GlobalOptions

    func execute(_ context: CommandContext) async -> CommandResult {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            return CommandResult(
                exitCode: 64,
                stderr: "till: the POS needs a terminal; scripts use the subcommands (till --help).\n")
        }
        let service: TillService
        do { service = try await context.service() } catch { return context.failure(error) }
        let clock: @Sendable () -> Instant
        do { clock = try context.clock() } catch { return context.failure(error) }
        let receipts = context.environment["TILL_RECEIPT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.currentDirectoryPath
        // The shop's zone as the service knows it: its expiry check and the screens' agree.
        let effects = POSEffects(
            service: service, utcOffsetSeconds: service.shopZone.utcOffsetSeconds(at: clock()), receiptDirectory: receipts)
        let loop = POSLoop(effects: effects, clock: clock, databasePath: context.databasePath, environment: context.environment)
        return CommandResult(exitCode: await loop.run())
    }
}
