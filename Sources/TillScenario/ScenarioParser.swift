import TillCore

// The scenario format: plain text that a person who has never seen Swift can read and write.
// Files end in `.till`; Tests/Scenarios/README.md says the same with more examples.
//
//     # Title: the $50 order paid $10 + $10 + $30
//     # Why it matters: installments must add up to the total exactly.
//     env TILL_NOW=2026-11-22T10:00:00Z
//     till order create --email a@example.com --amount 50.00
//       id -> ORDER
//       status = open
//       balance_due = 5000
//       payments.# = 0
//     till order pay $ORDER --amount 10.00 --cash 10.00 --key k1
//       payments.0.amount = 1000
//       payment.change = 0
//     till order pay $ORDER --amount 60.00 --card 4242424242424242 --expiry 12/30 --cvv 123 --key k2
//       error = exceeds_balance_due
//
// Lines
// - Blank lines are ignored. A line whose first non-blank character is `#` is a comment
//   (whole lines only: a `#` later in a line is ordinary text). The first comment is the
//   title (a leading `Title:` is dropped); the comments after it, up to the first command or
//   `env` line, are the summary: say there why the scenario matters. A first line starting
//   with `#!` is neither.
// - `till ARGUMENTS...` at the start of a line is a command. The runner runs it with `--json`
//   appended (unless already there) and reads its JSON output.
// - `env NAME=VALUE [NAME=VALUE...]` at the start of a line sets environment variables for
//   every later command of the file (a later `env` for the same name replaces the value).
//   Example: `env TILL_NOW=2026-11-30T10:00:00Z` moves the clock.
// - An indented line (spaces or tabs) is an expectation about the command above it.
// - Anything else is an error that names the file and line.
//
// Arguments (of `till` and `env` lines) are split like a shell would:
// - blanks separate arguments; "double quotes" and 'single quotes' group text with blanks;
// - a backslash outside quotes takes the next character literally (`\$`, `\"`, `\ `);
//   inside double quotes it escapes only `"`, `\`, `$` and a backtick;
// - `$NAME` or `${NAME}` is replaced by a captured variable (NAME: letters, digits, `_`, not
//   starting with a digit), also inside double quotes, never inside single quotes. A `$` not
//   followed by a letter, `_` or `{` is just a dollar sign (`$50.00` is text). Using a
//   variable that no earlier command captures is an error naming the line.
//
// Expectations (indented, one per line; all of a command's lines are checked and reported):
// - `PATH = VALUE`    the value at PATH equals VALUE.
// - `PATH != VALUE`   the value at PATH exists and differs from VALUE.
// - `PATH -> NAME`    PATH must exist; its value is captured into variable NAME for the
//                     lines below (a string is substituted without quotes, anything else as
//                     JSON, e.g. `5000`). Captures happen only if the command passed.
// - `PATH exists`     PATH is present (any value, null included).
// - `PATH absent`     PATH is not present.
// - `error = CODE`    the command fails: exit code non-zero and `error.code` equals CODE.
// - `exit = N`, `exit != N`   the process exit code.
// A command with no `error =` or `exit` line must exit 0.
//
// PATH is dot-separated: `status`, `payment.change`, `payments.0.amount`, `card.last4`.
// A number selects an array element from 0; a negative number counts from the end
// (`payments.-1` is the last). `#` as the last part is a length: elements of an array, keys
// of an object, characters of a string (`payments.# = 3`). A path that is not there fails
// the expectation and the message names the part that is missing.
//
// VALUE is read as JSON when it is valid JSON: a number (`5000`, `-5000`), `true`, `false`,
// `null`, a "double-quoted string", or even `[]` / `{}`. Anything else is a bare string:
// `status = open` means the JSON string "open". Types matter: `card.last4 = 4242` expects a
// number and fails on the string "4242"; write `card.last4 = "4242"` (a value with a leading
// zero like `0119` is not a JSON number, so it is already a string). Numbers compare by exact
// value (`5000` equals `5000.0`). VALUE may be `$NAME` to compare with a captured value.
//
// The JSON read is the command's standard output, or its standard error when the standard
// output is not JSON.
//
// Running: the commands run in order, each in a fresh database per file. The scenario stops at
// the first command whose expectations fail, and reports file:line, the command after
// substitution, each failed expectation as expected vs actual, and the command's full output.

/// Reads the scenario format described above.
struct ScenarioParser {
    private let lines: [Substring]
    private let file: String

    init(text: String, file: String) {
        self.file = file
        // "\r\n" is one Character in Swift, so Windows line ends are split on explicitly, and a
        // byte order mark some editors write is not part of the first line.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    }

    /// A parse error quotes the line it could not read: card numbers in it are masked.
    private func failure(_ line: Int, _ message: String) -> ScenarioParseError {
        ScenarioParseError(file: file, line: line, message: CardMask.scrubbed(message))
    }

    func parse() throws(ScenarioParseError) -> Scenario {
        var title: String?
        var summary: [String] = []
        var steps: [Scenario.Step] = []
        var pending: (line: Int, source: String, arguments: [ScenarioWord], expectations: [ScenarioExpectation])?

        func finishPending() {
            if let command = pending {
                steps.append(.command(ScenarioCommand(
                    line: command.line, source: command.source,
                    arguments: command.arguments, expectations: command.expectations)))
                pending = nil
            }
        }

        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let trimmed = String(rawLine).trimmingBlanks()
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") {
                if offset == 0, trimmed.hasPrefix("#!") { continue }
                let text = String(trimmed.dropFirst()).trimmingBlanks()
                if title == nil {
                    title = Self.dropTitleLabel(text)
                } else if steps.isEmpty && pending == nil {
                    summary.append(text)
                }
                continue
            }
            let indented = rawLine.first == " " || rawLine.first == "\t"
            if indented {
                guard pending != nil else {
                    throw failure(number, "an indented line is an expectation, but no `till` command comes before it")
                }
                pending?.expectations.append(try parseExpectation(trimmed, line: number))
                continue
            }
            finishPending()
            let words: [ScenarioWord]
            do {
                words = try ShellWords.split(trimmed)
            } catch {
                throw failure(number, error.message)
            }
            switch words.first?.pieces {
            case [.literal("till")]?:
                guard words.count > 1 else { throw failure(number, "`till` needs a command, e.g. `till order get $ORDER`") }
                pending = (number, trimmed, Array(words.dropFirst()), [])
            case [.literal("env")]?:
                steps.append(.environment(try parseEnvironment(Array(words.dropFirst()), line: number)))
            default:
                throw failure(
                    number,
                    "expected a command (`till ...`), `env NAME=VALUE`, a `#` comment or an indented expectation; found `\(trimmed.prefix(60))`")
            }
        }
        finishPending()
        let scenario = Scenario(
            file: file, title: title ?? Self.fileName(file),
            summary: summary.joined(separator: " "), steps: steps)
        try checkVariables(scenario)
        return scenario
    }

    private static func dropTitleLabel(_ text: String) -> String {
        guard text.lowercased().hasPrefix("title:") else { return text }
        return String(text.dropFirst("title:".count)).trimmingBlanks()
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    private func parseEnvironment(_ words: [ScenarioWord], line: Int) throws(ScenarioParseError) -> ScenarioEnvironment {
        guard !words.isEmpty else { throw failure(line, "`env` needs at least one NAME=VALUE") }
        var assignments: [ScenarioEnvironment.Assignment] = []
        for word in words {
            guard case .literal(let head)? = word.pieces.first,
                  let equals = head.firstIndex(of: "="),
                  Self.isName(head[..<equals])
            else {
                throw failure(line, "`env` takes NAME=VALUE pairs; `\(word)` is not one")
            }
            let name = String(head[..<equals])
            let rest = String(head[head.index(after: equals)...])
            var pieces = Array(word.pieces.dropFirst())
            if !rest.isEmpty { pieces.insert(.literal(rest), at: 0) }
            assignments.append(ScenarioEnvironment.Assignment(name: name, value: ScenarioWord(pieces)))
        }
        return ScenarioEnvironment(line: line, assignments: assignments)
    }

    private static let expectationHelp =
        "write `PATH = VALUE`, `PATH != VALUE`, `PATH -> NAME`, `PATH exists`, `PATH absent`, `error = CODE` or `exit = N`"

    private func parseExpectation(_ text: String, line: Int) throws(ScenarioParseError) -> ScenarioExpectation {
        let characters = Array(text)
        var found: (index: Int, length: Int, symbol: String)?
        for index in characters.indices {
            let pair = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
            if pair == "!=" || pair == "->" {
                found = (index, 2, pair)
                break
            }
            if characters[index] == "=" {
                found = (index, 1, "=")
                break
            }
        }

        guard let found else {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[1] == "exists" || parts[1] == "absent" else {
                throw failure(line, "cannot read `\(text)`: \(Self.expectationHelp)")
            }
            let path = try parsePath(String(parts[0]), line: line)
            return ScenarioExpectation(
                line: line, source: text, kind: parts[1] == "exists" ? .exists(path) : .absent(path))
        }

        let left = String(characters[..<found.index]).trimmingBlanks()
        let right = String(characters[(found.index + found.length)...]).trimmingBlanks()
        guard !left.isEmpty else { throw failure(line, "`\(text)` has no path before `\(found.symbol)`: \(Self.expectationHelp)") }
        guard !right.isEmpty else {
            let hint = found.symbol == "->" ? "a variable name" : "a value (write \"\" for an empty string)"
            throw failure(line, "`\(text)` needs \(hint) after `\(found.symbol)`")
        }

        if left == "exit", found.symbol != "->" {
            guard let code = Int32(right) else { throw failure(line, "`exit` takes a whole number, not `\(right)`") }
            return ScenarioExpectation(line: line, source: text, kind: found.symbol == "=" ? .exitCode(code) : .exitCodeNot(code))
        }
        if left == "error", found.symbol != "->" {
            guard found.symbol == "=" else {
                throw failure(line, "`error` takes `=` only; to say a command fails with another code, write `error.code != CODE`")
            }
            let code: String
            switch ScenarioJSON(parsing: right) {
            case .string(let quoted)?: code = quoted
            case nil: code = right
            case let other?: throw failure(line, "an error code is a word like `not_found`, not \(other.kindName)")
            }
            guard !code.isEmpty, !code.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw failure(line, "an error code is one word like `not_found`, not `\(right)`")
            }
            return ScenarioExpectation(line: line, source: text, kind: .error(code))
        }

        let path = try parsePath(left, line: line)
        switch found.symbol {
        case "->":
            guard Self.isName(Substring(right)) else {
                throw failure(line, "`\(right)` is not a variable name (letters, digits and `_`, not starting with a digit)")
            }
            return ScenarioExpectation(line: line, source: text, kind: .capture(path, right))
        case "!=":
            return ScenarioExpectation(line: line, source: text, kind: .notEquals(path, try parseValue(right, line: line)))
        default:
            return ScenarioExpectation(line: line, source: text, kind: .equals(path, try parseValue(right, line: line)))
        }
    }

    private func parsePath(_ text: String, line: Int) throws(ScenarioParseError) -> ScenarioPath {
        switch ScenarioPath.read(text) {
        case .success(let path): return path
        case .failure(let problem): throw failure(line, problem.message + (problem.needsHelp ? " (\(Self.expectationHelp))" : ""))
        }
    }

    private func parseValue(_ text: String, line: Int) throws(ScenarioParseError) -> ScenarioValue {
        if let name = Self.variableReference(text) { return .variable(name) }
        if let json = ScenarioJSON(parsing: text) { return .json(json) }
        if text.hasPrefix("\"") {
            throw failure(line, "`\(text)` starts like a \"quoted string\" but is not one (check the closing quote and escapes)")
        }
        return .json(.string(text))
    }

    /// `$NAME` or `${NAME}` as the whole text.
    private static func variableReference(_ text: String) -> String? {
        guard text.hasPrefix("$") else { return nil }
        var name = text.dropFirst()
        if name.hasPrefix("{") {
            guard name.hasSuffix("}") else { return nil }
            name = name.dropFirst().dropLast()
        }
        return isName(name) ? String(name) : nil
    }

    static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// Every `$NAME` must be captured by an earlier command: a typo is found before anything runs.
    private func checkVariables(_ scenario: Scenario) throws(ScenarioParseError) {
        var defined: Set<String> = []
        func check(_ names: [String], line: Int) throws(ScenarioParseError) {
            for name in names where !defined.contains(name) {
                throw failure(line, "unknown variable $\(name): no earlier command captures it (`PATH -> \(name)`)")
            }
        }
        for step in scenario.steps {
            switch step {
            case .environment(let environment):
                try check(environment.assignments.flatMap(\.value.variables), line: environment.line)
            case .command(let command):
                try check(command.arguments.flatMap(\.variables), line: command.line)
                for expectation in command.expectations {
                    switch expectation.kind {
                    case .equals(_, .variable(let name)), .notEquals(_, .variable(let name)):
                        try check([name], line: expectation.line)
                    default: break
                    }
                }
                for expectation in command.expectations {
                    if case .capture(_, let name) = expectation.kind { defined.insert(name) }
                }
            }
        }
    }
}
