public import Foundation

/// One scripted scenario: a `.till` file read into its steps. See `ScenarioParser.swift` for
/// the format, and `ScenarioRunner` to run one.
public struct Scenario: Sendable, Equatable {
    /// The file name or path it was read from, as given to `parse(text:file:)`; messages say
    /// `file:line`.
    public let file: String
    /// The first comment line (without `#` and an optional `Title:`), else the file name.
    public let title: String
    /// The comment lines right after the title, before the first step: why the scenario matters.
    public let summary: String
    /// `env` lines and commands, in file order.
    public let steps: [Step]

    public enum Step: Sendable, Equatable {
        case environment(ScenarioEnvironment)
        case command(ScenarioCommand)
    }

    /// The `till` commands alone.
    public var commands: [ScenarioCommand] {
        steps.compactMap { step in
            if case .command(let command) = step { return command }
            return nil
        }
    }

    /// Reads a scenario from its text. Errors name `file:line`.
    public static func parse(text: String, file: String) throws(ScenarioParseError) -> Scenario {
        try ScenarioParser(text: text, file: file).parse()
    }

    /// Reads a scenario file; `file` in messages is the path as given.
    public static func load(contentsOf url: URL) throws(ScenarioParseError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ScenarioParseError(file: url.path, line: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text: text, file: url.path)
    }
}

/// A scenario file that could not be read. `line` is 1-based; 0 when no line is to blame.
public struct ScenarioParseError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
    public var errorDescription: String? { description }
}

/// An argument as written: literal text and `$NAME` references, joined when the command runs.
public struct ScenarioWord: Sendable, Equatable, CustomStringConvertible {
    public enum Piece: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    public let pieces: [Piece]

    public init(_ pieces: [Piece]) {
        self.pieces = pieces
    }

    /// The variables this word refers to.
    public var variables: [String] {
        pieces.compactMap { piece in
            if case .variable(let name) = piece { return name }
            return nil
        }
    }

    /// The word with `${NAME}` where variables go: for messages.
    public var description: String {
        pieces.map { piece in
            switch piece {
            case .literal(let text): text
            case .variable(let name): "${\(name)}"
            }
        }.joined()
    }

    /// The word with every variable replaced, or the first variable that has no value.
    func substituted(_ variables: [String: ScenarioJSON]) -> Result<String, UnknownVariable> {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .variable(let name):
                guard let value = variables[name] else { return .failure(UnknownVariable(name: name)) }
                out += value.substitutionText
            }
        }
        return .success(out)
    }
}

struct UnknownVariable: Error {
    let name: String
}

/// `env NAME=VALUE ...`: environment variables for every later command of the scenario.
public struct ScenarioEnvironment: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public let name: String
        public let value: ScenarioWord
    }

    public let line: Int
    public let assignments: [Assignment]
}

/// `till ...` and the indented expectations under it.
public struct ScenarioCommand: Sendable, Equatable {
    public let line: Int
    /// The line as written.
    public let source: String
    /// The arguments after the leading `till`, before substitution; the runner adds `--json`.
    public let arguments: [ScenarioWord]
    public let expectations: [ScenarioExpectation]

    /// Whether an `error =` or `exit =` line says how the command ends; if not, it must exit 0.
    public var expectsOwnExit: Bool {
        expectations.contains { expectation in
            switch expectation.kind {
            case .error, .exitCode, .exitCodeNot: true
            default: false
            }
        }
    }
}

/// One indented line under a command.
public struct ScenarioExpectation: Sendable, Equatable {
    public let line: Int
    /// The line as written, trimmed.
    public let source: String
    public let kind: Kind

    public enum Kind: Sendable, Equatable {
        /// `PATH = VALUE`
        case equals(ScenarioPath, ScenarioValue)
        /// `PATH != VALUE`
        case notEquals(ScenarioPath, ScenarioValue)
        /// `PATH -> NAME`
        case capture(ScenarioPath, String)
        /// `PATH exists`
        case exists(ScenarioPath)
        /// `PATH absent`
        case absent(ScenarioPath)
        /// `error = CODE`: a non-zero exit and `error.code` equal to CODE.
        case error(String)
        /// `exit = N`
        case exitCode(Int32)
        /// `exit != N`
        case exitCodeNot(Int32)
    }
}

/// A dotted path into the command's JSON output: `payments.0.amount`, `payments.#`,
/// `payments.-1.id` (counted from the end).
public struct ScenarioPath: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        /// An object key, or an array index when the value there is an array.
        case name(String)
        /// `#`: the length of an array, the key count of an object, the characters of a string.
        case count
    }

    public let segments: [Segment]
    public let description: String

    /// A path written as in a scenario file (`payments.0.amount`), or nil if it is not one.
    public init?(_ text: String) {
        guard case .success(let path) = Self.read(text) else { return nil }
        self = path
    }

    private init(segments: [Segment], description: String) {
        self.segments = segments
        self.description = description
    }

    struct Problem: Error {
        let message: String
        let needsHelp: Bool
    }

    static func read(_ text: String) -> Result<ScenarioPath, Problem> {
        guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "\t" }) else {
            return .failure(Problem(message: "`\(text)` is not a path: a path has no blanks", needsHelp: true))
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var segments: [Segment] = []
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty else {
                return .failure(Problem(message: "`\(text)` has an empty part; a path looks like `payments.0.amount`", needsHelp: false))
            }
            if part == "#" {
                guard index == parts.count - 1 else {
                    return .failure(Problem(message: "in `\(text)`, `#` (a length) can only be the last part", needsHelp: false))
                }
                segments.append(.count)
            } else {
                segments.append(.name(String(part)))
            }
        }
        return .success(ScenarioPath(segments: segments, description: text))
    }
}

/// The right-hand side of `=` and `!=`.
public enum ScenarioValue: Sendable, Equatable, CustomStringConvertible {
    /// A JSON literal (`5000`, `true`, `null`, `"quoted"`), or a bare word read as a string.
    case json(ScenarioJSON)
    /// `$NAME`: the value captured into NAME, compared as JSON.
    case variable(String)

    public var description: String {
        switch self {
        case .json(let value): value.description
        case .variable(let name): "$\(name)"
        }
    }
}
