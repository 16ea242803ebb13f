import ArgumentParser
import TillCore
import TillService

/// `till operator add|list|disable`: who may sign in at the POS. Once an operator exists, the
/// POS starts on its sign-in screen. A PIN is never an argument (any local user sees argv in
/// `ps`): it is read from standard input, with a prompt and echo off on a terminal.
struct OperatorCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "People who sign in at the POS (name + PIN).",
        subcommands: [Add.self, List.self, Disable.self])

    struct Add: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an operator; the PIN (4 to 12 digits) is read from standard input.",
            discussion: "Once an operator exists, the POS starts on its sign-in screen.")
        @Argument(help: "The operator's name (1 to 40 characters, any case).") var name: String
        @Option(help: "Only - (the default): the PIN is read from standard input, never given in the command line.")
        var pin: String = "-"
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            let typed: String
            do { typed = try Self.readPIN(option: pin, from: context.cardInput) } catch { return context.failure(error) }
            return await context.respond({ await $0.addOperator(name: name, pin: typed) }) {
                "Operator \($0.name) added: the POS now starts on its sign-in screen.\n"
            }
        }

        /// The PIN from `input`'s next line. Anything but `-` is refused without being echoed.
        static func readPIN(option: String, from input: CardInput) throws(Rejection) -> String {
            guard option == "-" else {
                throw Rejection(.invalidRequest, "--pin takes only - (the PIN is read from standard input): a PIN in the command line is visible to every local user.")
            }
            guard input.available else {
                throw Rejection(.invalidRequest, "--pin - reads standard input, which till batch and scenarios do not offer.")
            }
            guard let line = input.nextLine("PIN (4 to 12 digits): ") else {
                throw Rejection(.invalidRequest, "--pin - reads a line from standard input, which ended before it.")
            }
            return line
        }
    }

    struct List: TillCommand {
        static let configuration = CommandConfiguration(abstract: "List the operators (never their PINs).")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.operators().map(OperatorListView.init) }) { list in
                guard !list.operators.isEmpty else {
                    return "No operators: the POS acts as \(((try? context.operatorName()) ?? .till).text) without a sign-in.\n"
                }
                return list.operators.map {
                    "\($0.name)  added \(Human.time($0.createdAt))" + ($0.disabledAt.map { "  disabled \(Human.time($0))" } ?? "")
                }.joined(separator: "\n") + "\n"
            }
        }
    }

    struct Disable: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an operator: they can no longer sign in (what they did stays theirs).")
        @Argument(help: "The operator's name.") var name: String
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            await context.respond({ await $0.disableOperator(name: name) }) { "Operator \($0.name) disabled.\n" }
        }
    }
}
