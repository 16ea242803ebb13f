/// Why the terminal could not be opened: the caller reports it and does not start the POS.
public enum TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Standard input or output is not a terminal (a pipe, a file, a test runner).
    case notATerminal
    /// Another `Terminal` is open: curses has one screen and the signal handlers are global.
    case alreadyOpen
    /// curses does not know the terminal type (TERM unset or missing from terminfo).
    case unknownTerminalType(String)

    public var description: String {
        switch self {
        case .notATerminal: "the POS needs a terminal: standard input and output must be a TTY"
        case .alreadyOpen: "the terminal is already open"
        case .unknownTerminalType(let type):
            type.isEmpty ? "TERM is not set" : "unknown terminal type '\(type)' (TERM): curses cannot drive it"
        }
    }
}
