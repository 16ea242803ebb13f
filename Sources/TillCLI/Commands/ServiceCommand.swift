import TillCore
import TillService

/// Most commands are options and one service call: the answer prints as JSON with `--json`,
/// else as `human`, which each kind of answer defines once (beside the commands that answer
/// it), so two commands answering the same view cannot print it two ways. A command that must
/// do more (read a card from standard input, save a report) writes `execute` itself.
protocol ServiceCommand: TillCommand {
    associatedtype Answer: Encodable & Sendable
    func call(_ service: TillService) async -> Result<Answer, Rejection>
    static func human(_ answer: Answer) -> String
}

extension ServiceCommand {
    func execute(_ context: CommandContext) async -> CommandResult {
        await context.respond(call, human: Self.human)
    }
}
