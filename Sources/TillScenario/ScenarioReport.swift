/// How one scenario went.
public struct ScenarioReport: Sendable, Equatable, CustomStringConvertible {
    /// The file as given when it was parsed (a path, or a name).
    public let file: String
    public let title: String
    public let summary: String
    /// Commands in the scenario, and how many of them ran.
    public let commandCount: Int
    public let commandsRun: Int
    /// Why it failed; nil when it passed.
    public let failure: ScenarioFailure?

    public init(
        file: String, title: String, summary: String = "", commandCount: Int, commandsRun: Int, failure: ScenarioFailure?
    ) {
        self.file = file
        self.title = title
        self.summary = summary
        self.commandCount = commandCount
        self.commandsRun = commandsRun
        self.failure = failure
    }

    public var passed: Bool { failure == nil }

    /// The same as `rendered`, so a failed `#expect(report.passed)` shows the diff.
    public var description: String { rendered }

    /// The file's last path component: `order_paid_in_three.till`.
    public var fileName: String { ScenarioParser.fileName(file) }

    /// The details of the failure (see `ScenarioFailure.rendered(file:)`), nil when it passed.
    public var failureText: String? { failure?.rendered(file: file) }

    /// `PASS  name.till  (4 commands)`, or `FAIL  name.till` followed by the details, indented.
    public var rendered: String {
        guard let failureText else {
            return "PASS  \(fileName)  (\(commandsRun) command\(commandsRun == 1 ? "" : "s"))"
        }
        var lines = ["FAIL  \(fileName)  (\(commandsRun) of \(commandCount) command\(commandCount == 1 ? "" : "s") run)"]
        lines.append("      \(CardMask.scrubbed(title))")
        lines += failureText.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
        return lines.joined(separator: "\n")
    }
}

/// Why a scenario failed: the command at `line` did not meet its expectations, or the scenario
/// could not run at all (`message`: a parse error, an unknown variable, no executor).
public struct ScenarioFailure: Sendable, Equatable {
    /// The 1-based line of the failing command (or `env` line); 0 when no line is to blame.
    public let line: Int
    /// The command as run, after substitution: `till order pay ord_1 --amount 10.00 ... --json`.
    public let command: String?
    public let message: String?
    public let failedExpectations: [ScenarioExpectationFailure]
    /// What the command printed, when it ran.
    public let result: ScenarioCommandResult?
    /// The JSON read from the output, shown indented.
    public let output: ScenarioJSON?

    public init(
        line: Int, command: String? = nil, message: String? = nil,
        failedExpectations: [ScenarioExpectationFailure] = [], result: ScenarioCommandResult? = nil,
        output: ScenarioJSON? = nil
    ) {
        self.line = line
        self.command = command
        self.message = message
        self.failedExpectations = failedExpectations
        self.result = result
        self.output = output
    }

    /// The diff for a person:
    ///
    ///     order_overpaid.till:9: till order pay ord_1 --amount 60.00 ... --json
    ///       line 10: error = exceeds_balance_due
    ///         expected: a non-zero exit with error.code "exceeds_balance_due"
    ///         actual:   exit 0
    ///       exit 0; output:
    ///         { ... the full JSON, indented ... }
    public func rendered(file: String) -> String {
        var lines: [String] = []
        let place = line > 0 ? "\(file):\(line)" : file
        if let command {
            lines.append("\(place): \(command)")
            if let message { lines.append("  \(CardMask.scrubbed(message))") }
        } else {
            lines.append("\(place): \(CardMask.scrubbed(message ?? "failed"))")
        }
        for failure in failedExpectations {
            // The file's own text: a card number typed anywhere in it is masked.
            lines.append("  line \(failure.line): \(CardMask.scrubbed(failure.source))")
            lines.append("    expected: \(failure.expected)")
            lines.append("    actual:   \(failure.actual)")
        }
        if let result {
            let stdout = result.stdout.trimmingTrailingNewlines()
            let stderr = result.stderr.trimmingTrailingNewlines()
            if let output, ScenarioJSON(parsing: result.stdout) != nil {
                lines.append("  exit \(result.exitCode); output:")
                lines += Self.indented(output.pretty)
            } else if stdout.isEmpty {
                lines.append("  exit \(result.exitCode); no output")
            } else {
                lines.append("  exit \(result.exitCode); output:")
                lines += Self.indented(stdout)
            }
            if !stderr.isEmpty {
                lines.append("  stderr:")
                if let output, ScenarioJSON(parsing: result.stdout) == nil {
                    lines += Self.indented(output.pretty)
                } else {
                    lines += Self.indented(stderr)
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func indented(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
    }
}

/// One expectation that did not hold.
public struct ScenarioExpectationFailure: Sendable, Equatable {
    public let line: Int
    /// The expectation as written.
    public let source: String
    public let expected: String
    public let actual: String
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text = text.dropLast() }
        return String(text)
    }
}
