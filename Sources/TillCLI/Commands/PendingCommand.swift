import ArgumentParser
import TillCore
import TillService

/// `till pending [--resolve]`: the requests to GoblinPay whose outcome is not known yet, or
/// that GoblinPay applied but Till could not record (needs attention, with the reason).
struct PendingCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "Requests whose outcome is unknown or that need attention.",
        discussion: """
            Every till resolves what it may on start. --resolve asks GoblinPay about each pending \
            request now (also retrying the ones that need attention), then lists what is left.
            """)
    @Flag(help: "Resolve with GoblinPay first.") var resolve = false
    @OptionGroup var global: GlobalOptions

    struct Answer: Codable, Sendable {
        let resolved: Resolved?
        let pending: [PendingRequestView]
    }

    struct Resolved: Codable, Sendable {
        let recorded: Int
        let released: Int
        let open: Int
    }

    func execute(_ context: CommandContext) async -> CommandResult {
        let resolve = self.resolve
        return await context.respond({ service -> Result<Answer, Rejection> in
            var resolved: Resolved?
            if resolve {
                let summary = await service.resolveOpenRequests(includingAttention: true)
                resolved = Resolved(recorded: summary.recorded, released: summary.released, open: summary.open)
            }
            return await service.pendingRequests().map { Answer(resolved: resolved, pending: $0.pending) }
        }) { Human.pending($0.pending, resolved: $0.resolved) }
    }
}
