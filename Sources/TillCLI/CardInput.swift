import Foundation
import TillCore

#if canImport(Glibc)
import Glibc
#endif

/// Where `--card -` and `--cvv -` read from, so a card number and its security code need not
/// be in the command line (which any local user sees in `ps`).
public struct CardInput: Sendable {
    /// False where there is no standard input to read.
    let available: Bool
    /// The next line, shown `prompt` first when it asks a person; nil at end of input.
    let nextLine: @Sendable (_ prompt: String) -> String?

    /// No standard input to read: in-process runs (scenarios, `till batch` lines, whose own
    /// standard input is the stream of commands) refuse `-`.
    public static let unavailable = CardInput(available: false) { _ in nil }

    /// The process's standard input: a line each; on a terminal, a prompt on standard error and
    /// the typed text not echoed.
    public static let standardInput = CardInput(available: true) { prompt in
        guard isatty(STDIN_FILENO) == 1 else { return readLine(strippingNewline: true) }
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let canHide = tcgetattr(STDIN_FILENO, &saved) == 0
        if canHide {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        }
        defer {
            if canHide { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }

    /// The card number and security code as typed: `-` is read from this input (the number's
    /// line first), anything else is taken as given.
    func resolve(card: String, cvv: String) throws(Rejection) -> (card: String, cvv: String) {
        let number = card == "-" ? try line(for: "--card", prompt: "Card number: ") : card
        let code = cvv == "-" ? try line(for: "--cvv", prompt: "Security code: ") : cvv
        return (number, code)
    }

    private func line(for option: String, prompt: String) throws(Rejection) -> String {
        guard available else {
            throw Rejection(.invalidRequest, """
                \(option) - reads standard input, which till batch (its commands) and scenarios do not offer: \
                give the value in the line itself.
                """)
        }
        guard let line = nextLine(prompt) else {
            throw Rejection(.invalidRequest, "\(option) - reads a line from standard input, which ended before it.")
        }
        return line
    }
}
