import TillCore

/// What one `till` command did.
public struct ScenarioCommandResult: Sendable, Equatable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String = "") {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs one command. `arguments` exclude the leading `till` and end with `--json`;
/// `environment` holds only what the scenario set with `env` lines: the executor adds the rest
/// (the database path, the processor settings, ...).
public typealias ScenarioExecutor =
    @Sendable (_ arguments: [String], _ environment: [String: String]) async -> ScenarioCommandResult

/// Runs a parsed scenario against an executor, one command after another.
public enum ScenarioRunner {
    /// Runs every step in order and stops at the first command whose expectations fail. The
    /// executor is called once per command that runs; a scenario that breaks `rules` fails
    /// before it is called at all. Command lines in the report have card options masked.
    public static func run(
        _ scenario: Scenario, rules: ScenarioRules = .sandbox, executor: ScenarioExecutor
    ) async -> ScenarioReport {
        var variables: [String: ScenarioJSON] = [:]
        var environment: [String: String] = [:]
        var commandsRun = 0
        let commandCount = scenario.commands.count

        func report(_ failure: ScenarioFailure?) -> ScenarioReport {
            ScenarioReport(
                file: scenario.file, title: scenario.title, summary: scenario.summary,
                commandCount: commandCount, commandsRun: commandsRun, failure: failure)
        }

        if let violation = rules.violation(in: scenario) { return report(violation) }
        for step in scenario.steps {
            switch step {
            case .environment(let line):
                for assignment in line.assignments {
                    switch assignment.value.substituted(variables) {
                    case .success(let value): environment[assignment.name] = value
                    case .failure(let unknown):
                        return report(ScenarioFailure(
                            line: line.line, message: "unknown variable $\(unknown.name): no earlier command captured it"))
                    }
                }

            case .command(let command):
                var arguments: [String] = []
                for word in command.arguments {
                    switch word.substituted(variables) {
                    case .success(let argument): arguments.append(argument)
                    case .failure(let unknown):
                        return report(ScenarioFailure(
                            line: command.line, command: CardMask.shown(command.arguments.map(\.description)),
                            message: "unknown variable $\(unknown.name): no earlier command captured it"))
                    }
                }
                if !arguments.contains("--json") { arguments.append("--json") }
                let shown = CardMask.shown(arguments)
                if let refusal = rules.refusal(of: arguments) {
                    return report(ScenarioFailure(line: command.line, command: shown, message: refusal))
                }

                let result = await executor(arguments, environment)
                commandsRun += 1
                let check = CommandCheck(command: command, result: result, variables: variables)
                let failures = check.failures()
                guard failures.isEmpty else {
                    return report(ScenarioFailure(
                        line: command.line, command: shown, failedExpectations: failures, result: result,
                        output: check.output))
                }
                for expectation in command.expectations {
                    if case .capture(let path, let name) = expectation.kind, case .success(let value) = check.resolve(path) {
                        variables[name] = value
                    }
                }
            }
        }
        return report(nil)
    }
}

/// Checks one command's result against its expectations.
struct CommandCheck {
    let command: ScenarioCommand
    let result: ScenarioCommandResult
    let variables: [String: ScenarioJSON]
    /// The JSON the command printed (standard output, else standard error), if any.
    let output: ScenarioJSON?

    init(command: ScenarioCommand, result: ScenarioCommandResult, variables: [String: ScenarioJSON]) {
        self.command = command
        self.result = result
        self.variables = variables
        self.output = ScenarioJSON(parsing: result.stdout) ?? ScenarioJSON(parsing: result.stderr)
    }

    func failures() -> [ScenarioExpectationFailure] {
        var failures: [ScenarioExpectationFailure] = []
        if !command.expectsOwnExit, result.exitCode != 0 {
            failures.append(ScenarioExpectationFailure(
                line: command.line, source: "(a command without `error =` or `exit =` must succeed)",
                expected: "exit 0", actual: exitText))
        }
        for expectation in command.expectations {
            if let failure = check(expectation) { failures.append(failure) }
        }
        return failures
    }

    private func failure(_ expectation: ScenarioExpectation, expected: String, actual: String) -> ScenarioExpectationFailure {
        ScenarioExpectationFailure(line: expectation.line, source: expectation.source, expected: expected, actual: actual)
    }

    private func check(_ expectation: ScenarioExpectation) -> ScenarioExpectationFailure? {
        switch expectation.kind {
        case .exitCode(let code):
            return result.exitCode == code ? nil : failure(expectation, expected: "exit \(code)", actual: exitText)

        case .exitCodeNot(let code):
            return result.exitCode != code ? nil : failure(expectation, expected: "any exit but \(code)", actual: exitText)

        case .error(let code):
            let actualCode = output?["error"]?["code"]
            if result.exitCode != 0, actualCode == .string(code) { return nil }
            return failure(expectation, expected: "a non-zero exit with error.code \"\(code)\"", actual: exitText)

        case .equals(let path, let value), .notEquals(let path, let value):
            let wanted: ScenarioJSON
            switch value {
            case .json(let json): wanted = json
            case .variable(let name):
                guard let captured = variables[name] else {
                    return failure(expectation, expected: "the value of $\(name)", actual: "$\(name) has no value")
                }
                wanted = captured
            }
            let isEquals: Bool
            if case .equals = expectation.kind { isEquals = true } else { isEquals = false }
            switch resolve(path) {
            case .failure(let missing):
                return failure(expectation, expected: isEquals ? Self.show(wanted) : "anything but \(Self.show(wanted))", actual: missing.text)
            case .success(let actual):
                if isEquals {
                    guard actual != wanted else { return nil }
                    var expected = Self.show(wanted)
                    if actual.description == wanted.substitutionText || actual.substitutionText == wanted.description {
                        expected += " (\(wanted.kindName); the output has \(actual.kindName): "
                            + (actual.kindName == "a string" ? "quote the value, e.g. \(actual))" : "write it without quotes)")
                    }
                    return failure(expectation, expected: expected, actual: Self.show(actual))
                }
                return actual != wanted ? nil : failure(expectation, expected: "anything but \(Self.show(wanted))", actual: Self.show(actual))
            }

        case .capture(let path, let name):
            if case .failure(let missing) = resolve(path) {
                return failure(expectation, expected: "a value to capture into \(name)", actual: missing.text)
            }
            return nil

        case .exists(let path):
            if case .failure(let missing) = resolve(path) {
                return failure(expectation, expected: "\(path) present", actual: missing.text)
            }
            return nil

        case .absent(let path):
            if case .success(let value) = resolve(path) {
                return failure(expectation, expected: "no \(path)", actual: Self.show(value))
            }
            return nil
        }
    }

    /// "exit 0" or "exit 1, error.code \"not_found\" (Nothing was found with that id.)".
    private var exitText: String {
        var text = "exit \(result.exitCode)"
        if case .string(let code)? = output?["error"]?["code"] {
            text += ", error.code \"\(code)\""
            if case .string(let message)? = output?["error"]?["message"] { text += " (\(message))" }
        } else if result.exitCode != 0 {
            text += output == nil ? ", output is not JSON" : ", output has no error.code"
        }
        return text
    }

    /// A value for a message, clipped so one huge value cannot drown the report.
    static func show(_ value: ScenarioJSON) -> String {
        let text = value.description
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    struct Missing: Error {
        let text: String
    }

    /// Follows a path through the output, or says which part is not there.
    func resolve(_ path: ScenarioPath) -> Result<ScenarioJSON, Missing> {
        guard var value = output else {
            let stdout = result.stdout.trimmingBlanks()
            return .failure(Missing(text: stdout.isEmpty && result.stderr.trimmingBlanks().isEmpty
                ? "missing: the command printed nothing"
                : "missing: the output is not JSON"))
        }
        var walked: [String] = []
        for segment in path.segments {
            let here = walked.isEmpty ? "the output" : walked.joined(separator: ".")
            switch segment {
            case .count:
                switch value {
                case .array(let items): value = .number(String(items.count))
                case .object(let members): value = .number(String(Set(members.map(\.key)).count))
                case .string(let text): value = .number(String(text.count))
                default: return .failure(Missing(text: "missing: \(here) is \(value.kindName), which has no length (#)"))
                }
                walked.append("#")
            case .name(let name):
                switch value {
                case .object:
                    guard let next = value[name] else {
                        return .failure(Missing(text: "missing: \(here) has no `\(name)`" + Self.keysHint(value)))
                    }
                    value = next
                case .array(let items):
                    guard let position = Int(name) else {
                        return .failure(Missing(text: "missing: \(here) is an array; `\(name)` is not an index (0, 1, ... or -1 for the last)"))
                    }
                    let index = position < 0 ? items.count + position : position
                    guard items.indices.contains(index) else {
                        return .failure(Missing(text: "missing: \(here) has \(items.count) element\(items.count == 1 ? "" : "s"), no index \(name)"))
                    }
                    value = items[index]
                default:
                    return .failure(Missing(text: "missing: \(here) is \(value.kindName) (\(Self.show(value))), it has no `\(name)`"))
                }
                walked.append(name)
            }
        }
        return .success(value)
    }

    private static func keysHint(_ value: ScenarioJSON) -> String {
        guard case .object(let members) = value else { return "" }
        let keys = members.map(\.key)
        guard !keys.isEmpty else { return " (it is empty)" }
        let shown = keys.prefix(20).joined(separator: ", ")
        return " (it has: \(shown)\(keys.count > 20 ? ", …" : ""))"
    }
}
