import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tmux driver against programs that exist today: `till demo` (a live progress bar on a
/// terminal) and small shell programs that read keys, print colours, resize and exit.
/// Each test has its own tmux server, killed when the session goes.
@Suite struct TmuxSessionTests {
    @Test func demoDrawsItsProgressBarAndSummaryOnATerminal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-e2e-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The ledger in a folder of its own, its card-fingerprint secret outside that folder.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("ledger/till.sqlite").path

        let session = try TmuxSession(
            // Through a shell that lingers after till exits (keeping its status): tmux can drop
            // the last output of a program that exits at once.
            width: 100, height: 10,
            command: ["sh", "-c", #""$0" "$@"; status=$?; sleep 0.3; exit $status"#, ChildProcess.tillPath, "demo", "--orders", "30", "--db", database],
            environment: ["HOME": directory.path, "TILL_SECRETS_DIR": directory.appendingPathComponent("secrets").path])
        defer { session.kill() }
        let screen = try session.waitFor("Demo data: 30 orders", timeout: .seconds(60))
        // The bar is redrawn in place with "\r": one line, full, above the summary.
        let bar = "[" + String(repeating: "█", count: 40) + "] 100%  30/30 orders"
        #expect(screen.split(separator: "\n").first.map(String.init) == bar)
        #expect(try session.waitForExit() == 0)
        #expect(!session.isRunning())
    }

    @Test func typesUnicodeTextAndPressesEnter() throws {
        let session = try TmuxSession(command: ["sh", "-c", #"printf 'name? '; read x; echo "got:$x"; read y; exit 7"#])
        defer { session.kill() }
        try session.waitFor("name?")
        #expect(session.isRunning())
        #expect(session.exitStatus() == nil)
        try session.type("Zoë 日本 -x;")
        try session.send("Enter")
        let screen = try session.waitFor("got:")
        #expect(screen.split(separator: "\n").map(String.init).prefix(2) == ["name? Zoë 日本 -x;", "got:Zoë 日本 -x;"])
        try session.send("Enter")
        #expect(try session.waitForExit() == 7)
        #expect(!session.isRunning())
    }

    @Test func namedKeysArriveAsTheirEscapeSequences() throws {
        let session = try TmuxSession(command: ["sh", "-c", #"echo ready; read x; printf '%s' "$x" | od -An -tx1; read y"#])
        defer { session.kill() }
        try session.waitFor("ready")
        try session.send("Up", "a", "Enter")
        // Up is ESC [ A in normal cursor mode; the shell's read keeps the bytes.
        try session.waitFor("1b 5b 41 61")
    }

    @Test func controlCInterruptsAndTheSignalIsTheStatus() throws {
        let session = try TmuxSession(command: ["sh", "-c", "echo waiting; exec sleep 60"])
        defer { session.kill() }
        try session.waitFor("waiting")
        try session.send("C-c")
        #expect(try session.waitForExit() == 128 + SIGINT)
    }

    @Test func resizeChangesTheTerminalSizeAndSignalsTheProgram() throws {
        let script = #"trap 'echo "winch:$(stty size)"' WINCH; echo "start:$(stty size)"; while :; do sleep 0.05; done"#
        let session = try TmuxSession(width: 80, height: 24, command: ["sh", "-c", script])
        defer { session.kill() }
        try session.waitFor("start:24 80")
        try session.resize(width: 100, height: 30)
        #expect(session.width == 100 && session.height == 30)
        let screen = try session.waitFor("winch:30 100")
        #expect(screen.split(separator: "\n", omittingEmptySubsequences: false).count == 30)
    }

    @Test func screenWithEscapesKeepsColoursAndAttributes() throws {
        let script = #"""
            printf '\033[1;31mbold red\033[0m \033[7mreverse\033[0m \033[38;2;10;200;30mrgb\033[0m\n'
            printf '\033[44m%-80s\033[0m\n' ' status bar'; read x
            """#
        let session = try TmuxSession(command: ["sh", "-c", script])
        defer { session.kill() }
        let plain = try session.waitFor("rgb")
        #expect(plain.hasPrefix("bold red reverse rgb\n"))
        #expect(!plain.contains("\u{1B}"))
        let escaped = try session.screenWithEscapes()
        #expect(escaped.contains("\u{1B}["))
        #expect(escaped.contains("31m"))
        #expect(escaped.contains("7m"))
        #expect(escaped.contains("38;2;10;200;30m"))
        // Written trailing blanks are kept (-N), so a background colour that reaches the right
        // edge survives into a screenshot; the plain screen trims them.
        let rows = escaped.split(separator: "\n", omittingEmptySubsequences: false).map { Self.withoutEscapes(String($0)) }
        #expect(rows.count == 24)
        #expect(rows.dropFirst().first == " status bar" + String(repeating: " ", count: 69))
        #expect(plain.split(separator: "\n").dropFirst().first == " status bar")
    }

    /// The text of a captured row without its SGR escapes (ESC [ ... m).
    static func withoutEscapes(_ row: String) -> String {
        var text = "", inEscape = false
        for character in row {
            if character == "\u{1B}" {
                inEscape = true
            } else if inEscape {
                if character.isLetter { inEscape = false }
            } else {
                text.append(character)
            }
        }
        return text
    }

    @Test func waitingTimesOutWithTheScreenInTheError() throws {
        let session = try TmuxSession(command: ["sh", "-c", "echo hello there; read x"])
        defer { session.kill() }
        try session.waitFor("hello")
        do {
            try session.waitFor("never shown", timeout: .milliseconds(300))
            Issue.record("waitFor should have timed out")
        } catch let error as TmuxError {
            #expect(error.description.contains("timed out"))
            #expect(error.description.contains("hello there"))
        }
        try session.type("bye")
        try session.waitFor("bye")
        try session.send("C-u")
        try session.waitUntilGone("bye")
    }

    @Test func waitingStopsWhenTheProgramExitsWithoutTheText() throws {
        // The program lingers a moment after printing: tmux can drop the last output of a pane
        // whose program exits at once (seen on a loaded CI machine), and this test is about the
        // wait, not that race.
        let session = try TmuxSession(command: ["sh", "-c", "echo done; sleep 0.3; exit 2"])
        defer { session.kill() }
        let started = ContinuousClock.now
        do {
            try session.waitFor("never shown", timeout: .seconds(30))
            Issue.record("waitFor should have failed")
        } catch let error as TmuxError {
            #expect(error.description.contains("exited (status 2)"))
            #expect(error.description.contains("done"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        // The dead pane still shows the program's last screen.
        #expect(try session.screen().hasPrefix("done\n"))
    }

    @Test func killEndsTheServer() throws {
        let session = try TmuxSession(command: ["sh", "-c", "echo up; exec sleep 60"])
        try session.waitFor("up")
        #expect(session.isRunning())
        let processes = try session.processIDs()
        session.kill()
        #expect(!session.isRunning())
        #expect(session.exitStatus() == nil)
        #expect(throws: TmuxError.self) { try session.screen() }
        session.kill()
        // The server and the program are gone (kill with signal 0 only checks existence).
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while Glibc.kill(processes.server, 0) == 0 || Glibc.kill(processes.program, 0) == 0, ContinuousClock.now < deadline {
            usleep(20_000)
        }
        #expect(Glibc.kill(processes.server, 0) != 0)
        #expect(Glibc.kill(processes.program, 0) != 0)
    }
}
