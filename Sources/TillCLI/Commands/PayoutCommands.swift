import ArgumentParser
import TillCore
import TillService

/// `till payouts …`: GoblinPay's payouts imported exactly once, and reconciled against Till's
/// own captures and refunds (DESIGN §4, §5).
struct PayoutCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payouts", abstract: "Payouts from GoblinPay: import, list, reconcile.",
        subcommands: [Sync.self, List.self, Reconcile.self])

    struct Sync: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one import cycle against GoblinPay's payouts API.",
            discussion: """
                Records every payout GoblinPay lists as notifying that Till does not have yet (each \
                once, with its entries), then acknowledges each, retrying with backoff; what does \
                not stick is tried again by the next cycle. `till serve` runs cycles by itself.
                """)
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ service in
                guard let source = service.payoutSource else {
                    return .failure(Rejection(.processorError, "This till's processor has no payouts API."))
                }
                return await service.importPayouts(from: source)
            }) { Human.payoutCycle($0) }
        }
    }

    struct List: TillCommand {
        static let configuration = CommandConfiguration(abstract: "Imported payouts, newest first, with their reconciliation.")
        @Option(help: "notifying (not acknowledged yet) or processing.") var state: String?
        @OptionGroup var global: GlobalOptions

        struct Answer: Codable, Sendable {
            let payouts: [PayoutView]
        }

        func execute(_ context: CommandContext) async -> CommandResult {
            let state = self.state
            return await context.respond({ service in
                await service.payoutViews(state: state).map(Answer.init)
            }) { Human.payouts($0.payouts) }
        }
    }

    struct Reconcile: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every capture and refund: matched, in transit, mismatched; and entries Till does not know.")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ service in await service.reconciliationView() }) { Human.reconciliation($0) }
        }
    }
}
