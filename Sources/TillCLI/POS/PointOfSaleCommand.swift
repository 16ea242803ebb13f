import ArgumentParser
import Foundation
import TillCore
import TillService
import TillUI

/// `till` and `till pos`: the point-of-sale screens on this terminal.
struct PointOfSaleCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "pos",
        abstract: "Open the point-of-sale screens (the default when no command is given).",
        discussion: """
            F1 or ? inside shows every key. Receipts go to $TILL_RECEIPT_DIR, else the current directory, headed by \
            $TILL_SHOP_NAME and $TILL_SHOP_ADDRESS (lines separated by |). Once `till operator add` made an operator, \
            the POS starts on a sign-in screen and locks after $TILL_LOCK_AFTER seconds without a key (default 300, 0 never).
            """)

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
        let lockAfter: Int
        do {
            clock = try context.clock()
            lockAfter = try context.lockAfter()
        } catch { return context.failure(error) }
        let signInRequired: Bool
        switch await service.signInRequired() {
        case .success(let required): signInRequired = required
        case .failure(let rejection): return context.failure(rejection)
        }
        let receipts = ReceiptFolder.path(context.environment)
        // The shop's zone as the service knows it: its expiry check and the screens' agree.
        var effects = POSEffects(
            service: service, utcOffsetSeconds: service.shopZone.utcOffsetSeconds(at: clock()), receiptDirectory: receipts)
        effects.shop = ShopDetails.from(environment: context.environment)
        let session = POSSessionSettings(operatorName: service.operatorName, signInRequired: signInRequired, lockAfter: lockAfter)
        let loop = POSLoop(
            effects: effects, clock: clock, databasePath: context.databasePath, environment: context.environment, session: session)
        return CommandResult(exitCode: await loop.run())
    }
}

/// Who the POS acts as before anyone signs in (`--operator`, `TILL_OPERATOR`, else `till`),
/// whether it must ask (the ledger has operators), and its idle lock.
struct POSSessionSettings: Sendable {
    let operatorName: OperatorName
    let signInRequired: Bool
    let lockAfter: Int
}

extension CommandContext {
    /// $TILL_LOCK_AFTER: whole seconds without a key before the POS locks (default 300; 0 never).
    func lockAfter() throws(Rejection) -> Int {
        guard let text = environment["TILL_LOCK_AFTER"], !text.isEmpty else { return OperatorSession.defaultLockAfter }
        guard let seconds = Int(text), (0...86_400).contains(seconds) else {
            throw Rejection(.invalidRequest, "TILL_LOCK_AFTER=\(text.echoed()) must be whole seconds from 0 (never lock) to 86400.")
        }
        return seconds
    }
}
