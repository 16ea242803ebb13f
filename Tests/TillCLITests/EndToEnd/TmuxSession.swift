import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program running in a terminal of a private tmux server, driven like a person at the
/// keyboard: send keys, type text, read the screen, resize the window, see how it exited.
///
/// Each session has its own server (`tmux -L till-e2e-<unique> -f /dev/null`) with its socket
/// in a temporary directory of its own, so tests can run in parallel and never meet a user's
/// tmux or its configuration. `kill()` (also run by `deinit`) ends the server and removes the
/// directory. The pane stays after the program exits (`remain-on-exit`), so its last screen
/// and exit status can still be read.
///
/// tmux is run with `ChildProcess` (posix_spawn with a clean signal mask, no inherited
/// descriptors, reaped with waitpid), not `Foundation.Process`, whose `waitUntilExit()` can
/// hang once the child has started a tmux server.
final class TmuxSession {
    /// The window size now (after any `resize`).
    private(set) var width: Int
    private(set) var height: Int
    let socketName: String

    private let tmuxPath: String
    private let directory: URL
    private let clientEnvironment: [String: String]
    private var killed = false
    private var serverPID: pid_t?
    private static let target = "e2e"

    /// Starts `command` (an argument vector, run without a shell) in a detached window of
    /// `width` x `height`. `environment` is added to the program's environment (through
    /// `env K=V ... command`); `TERM` is `tmux-256color` unless `environment` sets it. (Unlike
    /// `xterm-256color` it has no `bce`, so curses writes coloured blanks as cells instead of
    /// erasing with a colour, which `capture-pane` would not report.)
    init(width: Int = 80, height: Int = 24, command: [String], environment: [String: String] = [:]) throws {
        guard !command.isEmpty else { throw TmuxError("TmuxSession needs a command to run") }
        tmuxPath = try Self.findTmux()
        self.width = width
        self.height = height
        let unique = "\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        socketName = "till-e2e-\(unique)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-e2e-\(unique)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let inherited = ProcessInfo.processInfo.environment
        clientEnvironment = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? directory.path,
            "LANG": "C.UTF-8",
            "TMUX_TMPDIR": directory.path,
        ]
        var programEnvironment = ["TERM": "tmux-256color"]
        programEnvironment.merge(environment) { _, given in given }
        let program = ["env"] + programEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command
        do {
            // One client invocation: the options are set before the program starts, so even a
            // program that exits at once leaves its pane (and its status) behind.
            try tmux([
                ["start-server"],
                ["set-option", "-g", "remain-on-exit", "on"],
                ["set-option", "-g", "remain-on-exit-format", ""],
                ["set-option", "-g", "status", "off"],
                ["set-option", "-g", "default-terminal", "tmux-256color"],
                ["set-option", "-g", "history-limit", "0"],
                ["new-session", "-d", "-s", Self.target, "-x", "\(width)", "-y", "\(height)", "--"] + program,
            ])
            serverPID = try processIDs().server
        } catch {
            kill()
            throw error
        }
    }

    deinit { kill() }

    // MARK: Input

    /// Presses keys: tmux key names (`Enter`, `Escape`, `Tab`, `BTab`, `F1`, `Up`, `NPage`,
    /// `C-c`, `M-x`, ...) or plain strings, which tmux types character by character.
    func send(_ keys: String...) throws {
        try tmux([["send-keys", "-t", Self.target] + keys])
    }

    /// Types `text` literally (UTF-8; no key names).
    func type(_ text: String) throws {
        try tmux([["send-keys", "-t", Self.target, "-l", "--", text]])
    }

    // MARK: Output

    /// The visible screen as plain text: one line per row (`height` rows), trailing blanks
    /// of each row trimmed.
    func screen() throws -> String {
        let captured = try tmux([["capture-pane", "-p", "-t", Self.target]])
        return Self.rows(of: captured).map { row in
            var row = Substring(row)
            while row.last == " " { row.removeLast() }
            return String(row)
        }.joined(separator: "\n")
    }

    /// The visible screen with its colours and attributes as ANSI SGR escapes
    /// (`capture-pane -p -e -N`: trailing blanks kept, so a background colour that runs to the
    /// right edge survives), the input of `scripts/screenshot.py`.
    func screenWithEscapes() throws -> String {
        Self.rows(of: try tmux([["capture-pane", "-p", "-e", "-N", "-t", Self.target]])).joined(separator: "\n")
    }

    /// The cursor's column and row (from 0), or nil while the program hides it.
    func cursor() throws -> (x: Int, y: Int)? {
        let fields = try format("#{cursor_flag} #{cursor_x} #{cursor_y}").split(separator: " ").compactMap { Int($0) }
        guard fields.count == 3 else { throw TmuxError("tmux gave no cursor position") }
        return fields[0] == 1 ? (fields[1], fields[2]) : nil
    }

    // MARK: Waiting

    /// Waits until `text` is on the screen and the screen has settled (two captures ~50 ms
    /// apart are identical); returns that screen. Throws, with the last screen, on timeout or
    /// when the program exits without having shown `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) throws -> String {
        try waitUntil("\"\(text)\" on screen", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until `text` is no longer on the screen and the screen has settled.
    @discardableResult
    func waitUntilGone(_ text: String, timeout: Duration = .seconds(10)) throws -> String {
        try waitUntil("\"\(text)\" gone from the screen", timeout: timeout) { !$0.contains(text) }
    }

    /// Waits until `condition` holds for a settled screen; `what` names it in the error.
    @discardableResult
    func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var last = try screen()
        while true {
            if condition(last) {
                Self.pause(milliseconds: 50)
                let again = try screen()
                if again == last { return again }
                last = again
                continue
            }
            if let status = exitStatus() {
                // The pane is dead only once tmux has read all the program's output: this
                // capture is the final screen.
                last = try screen()
                if condition(last) { return last }
                throw TmuxError("the program exited (status \(status)) before \(what)", screen: last)
            }
            if ContinuousClock.now >= deadline {
                throw TmuxError("timed out after \(timeout) waiting for \(what)", screen: last)
            }
            Self.pause(milliseconds: 20)
            last = try screen()
        }
    }

    /// Waits for the program to exit; its exit status (128 + signal if a signal ended it).
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(10)) throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let status = exitStatus() { return status }
            if ContinuousClock.now >= deadline {
                throw TmuxError("timed out after \(timeout) waiting for the program to exit", screen: try? screen())
            }
            Self.pause(milliseconds: 20)
        }
    }

    // MARK: Window and program

    /// The process ids of the tmux server and of the program (the pane's process).
    func processIDs() throws -> (server: pid_t, program: pid_t) {
        let fields = try format("#{pid} #{pane_pid}").split(separator: " ").compactMap { pid_t($0) }
        guard fields.count == 2 else { throw TmuxError("tmux gave no process ids") }
        return (fields[0], fields[1])
    }

    /// Resizes the window (the program gets SIGWINCH and the new size from its terminal).
    /// resize-window switches the window to manual sizing itself; setting `window-size manual`
    /// globally before the first session instead makes tmux 3.3a's server exit at start.
    func resize(width: Int, height: Int) throws {
        try tmux([["resize-window", "-t", Self.target, "-x", "\(width)", "-y", "\(height)"]])
        self.width = width
        self.height = height
    }

    /// Whether the program is still running (false once it exited or the server is gone).
    func isRunning() -> Bool {
        nudge()
        return (try? format("#{pane_dead}")) == "0"
    }

    /// The program's exit status once it has exited (128 + signal if a signal ended it);
    /// nil while it runs or if the server is gone.
    func exitStatus() -> Int32? {
        nudge()
        guard let fields = try? format("#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}")
            .split(separator: "|", omittingEmptySubsequences: false),
            fields.count == 3, fields[0] == "1"
        else { return nil }
        if let signal = Int32(fields[2]), signal > 0 { return 128 + signal }
        return Int32(fields[1])
    }

    /// Ends the tmux server (and with it the program) and removes the socket's directory.
    /// Safe to call more than once.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? ChildProcess.run(tmuxPath, arguments: tmuxArguments([["kill-server"]]), environment: clientEnvironment)
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: tmux

    /// Debian's tmux is built with libutempter, whose own SIGCHLD handler, installed while
    /// tmux records a pane's login, can swallow the signal of a program that exits then: tmux
    /// never reaps it and the pane never dies (tmux/tmux#311, #4559). A SIGCHLD makes the
    /// server look again; it reaps with WNOHANG, so a spare one is harmless. The next query
    /// sees the result (the server handles the signal in its event loop).
    private func nudge() {
        if let serverPID, !killed { _ = Glibc.kill(serverPID, SIGCHLD) }
    }

    /// Runs one tmux client with a `;`-separated list of commands; what it printed.
    @discardableResult
    private func tmux(_ commands: [[String]]) throws -> String {
        guard !killed else { throw TmuxError("the tmux session was already killed") }
        let arguments = tmuxArguments(commands)
        let result = try ChildProcess.run(tmuxPath, arguments: arguments, environment: clientEnvironment)
        guard result.status == 0 else {
            throw TmuxError("tmux \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.output)")
        }
        return result.output
    }

    private func tmuxArguments(_ commands: [[String]]) -> [String] {
        // tmux splits commands at an argument ending in ";" (unless it ends in "\;", which
        // it unescapes), so a user's argument ending in ";" is escaped.
        let escaped = commands.map { $0.map { $0.hasSuffix(";") ? String($0.dropLast()) + "\\;" : $0 } }
        return ["-u", "-L", socketName, "-f", "/dev/null"] + escaped.joined(separator: [";"])
    }

    /// A tmux format (`display-message -p`) for the program's pane.
    private func format(_ format: String) throws -> String {
        try tmux([["display-message", "-p", "-t", Self.target, format]]).trimmingCharacters(in: .newlines)
    }

    private static func rows(of captured: String) -> [String] {
        var rows = captured.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if rows.last == "" { rows.removeLast() }
        return rows
    }

    private static func findTmux() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/tmux" } + ["/usr/bin/tmux", "/usr/local/bin/tmux"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TmuxError(
                "tmux is not installed: the end-to-end tests run the terminal UI inside tmux (apt-get install tmux; CI installs it)")
        }
        return found
    }

    private static func pause(milliseconds: Int) {
        usleep(useconds_t(milliseconds * 1000))
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String, screen: String? = nil) {
        guard let screen else {
            description = message
            return
        }
        let rule = String(repeating: "─", count: 40)
        description = "\(message); the screen:\n\(rule)\n\(screen)\n\(rule)"
    }
}
