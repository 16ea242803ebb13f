/// What a scenario may do. A scenario runs on a throwaway ledger and must not be able to leave
/// it: it may not name a ledger (`--db`, never allowed), set an environment variable that moves
/// where Till reads or writes (`TILL_DB`, `HOME`, `XDG_*`...), or start a command that runs
/// scenarios, fills ledgers, reads standard input or never returns. `ScenarioRunner` checks the
/// whole scenario before anything runs, and each command again once its variables are
/// substituted (a captured value such as a wallet name could read `--db=...`).
public struct ScenarioRules: Sendable {
    /// The first words (`order`, `wallet`...) a command may start with.
    public let commands: Set<String>
    /// The variables an `env` line may set.
    public let environment: Set<String>

    public init(commands: Set<String>, environment: Set<String>) {
        self.commands = commands
        self.environment = environment
    }

    /// Till's sandbox. Commands: the short, scriptable ones (DESIGN §5); refused, among others,
    /// `run` and `demo` (a scenario that ran itself recursed until killed), `batch` (standard
    /// input), `sim`, `pos` and `serve` (long-running) and a bare `till` (the POS); a command
    /// added later stays refused until it is listed here. Variables: the clock, the hold
    /// window, the shop's time zone, the operator and GoblinPay's simulator knobs; none of them
    /// names a file.
    public static let sandbox = ScenarioRules(
        commands: ["order", "payment", "wallet", "pending", "drawer", "report", "payouts", "check"],
        environment: [
            "TILL_NOW", "TILL_HOLD_DAYS", "TZ", "TILL_OPERATOR", "TILL_GOBLINPAY_FAILURE_RATE", "TILL_GOBLINPAY_SEED",
        ])

    /// The first step of `scenario` that breaks a rule, as the failure to report. Words made
    /// of variables are judged when they are substituted (`refusal(of:)`).
    func violation(in scenario: Scenario) -> ScenarioFailure? {
        for step in scenario.steps {
            switch step {
            case .environment(let line):
                for assignment in line.assignments where !environment.contains(assignment.name) {
                    return ScenarioFailure(line: line.line, message: refusedVariable(assignment.name))
                }
            case .command(let command):
                let shown = CardMask.shown(command.arguments.map(\.description))
                guard let first = command.arguments.first, first.pieces.count == 1, case .literal(let name) = first.pieces[0] else {
                    return ScenarioFailure(
                        line: command.line, command: shown,
                        message: "a scenario command must start with one of: \(commandList) (written out, not a variable)")
                }
                if let message = refusedCommand(name) ?? command.arguments.lazy.compactMap(Self.refusedLiteral).first {
                    return ScenarioFailure(line: command.line, command: shown, message: message)
                }
            }
        }
        return nil
    }

    /// Why a command about to run (variables substituted, without the leading `till`) is
    /// refused, or nil.
    func refusal(of arguments: [String]) -> String? {
        guard let name = arguments.first else { return refusedCommand("") }
        return refusedCommand(name) ?? arguments.lazy.compactMap(Self.refusedOption).first
    }

    private func refusedCommand(_ name: String) -> String? {
        guard !commands.contains(name) else { return nil }
        let what = name.isEmpty || name.hasPrefix("-") ? "a bare `till` (the POS)" : "`till \(Self.cut(name))`"
        return "\(what) cannot run in a scenario: a scenario runs only \(commandList) commands, on its own temporary ledger"
    }

    /// `--db` in any spelling the command line accepts (`--db PATH`, `--db=PATH`).
    private static func refusedOption(_ argument: String) -> String? {
        guard argument == "--db" || argument.hasPrefix("--db=") else { return nil }
        return "--db cannot be used in a scenario: each scenario runs on its own temporary ledger and may not name another"
    }

    /// `refusedOption` on the literal start of a word: `--db$REST` could become `--db=PATH`.
    private static func refusedLiteral(_ word: ScenarioWord) -> String? {
        guard case .literal(let text)? = word.pieces.first else { return nil }
        let complete = word.pieces.count == 1
        return Self.refusedOption(!complete && text.hasPrefix("--db") ? "--db" : text)
    }

    private func refusedVariable(_ name: String) -> String {
        "env \(Self.cut(name)) cannot be set in a scenario: it could point Till at another ledger or change where it writes; "
            + "a scenario may set only \(environment.sorted().joined(separator: ", "))"
    }

    private var commandList: String { commands.sorted().joined(separator: ", ") }

    /// Input echoed in a message: at most 40 characters, control characters escaped.
    private static func cut(_ text: String) -> String {
        let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return short.unicodeScalars.map { scalar in
            scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }.joined()
    }
}
