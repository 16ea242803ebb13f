import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `till` child process with piped stdin and stdout, started with `posix_spawn`, a clean
/// signal mask and default signal handlers (test threads block signals, and
/// `Foundation.Process` can hang), and reaped with `waitpid`. The child inherits no other
/// descriptor of the test process (tests run in parallel: a pipe leaked into a long-lived child,
/// such as a tmux server, would keep another test's reader from ever seeing end of file).
final class ChildProcess {
    let pid: pid_t
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private var buffer: [UInt8] = []
    private var reaped = false

    /// The `till` binary built beside the test bundle.
    static var tillPath: String {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = products.appendingPathComponent("till").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        // Fallback: the package's default build folder.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/till").path
    }

    /// `mergeStandardError` sends the child's standard error into the same pipe as its
    /// standard output; otherwise it goes to the test process's standard error. `outputFile`
    /// sends both to that file instead (a server that logs every request would otherwise fill
    /// a pipe nobody drains and stop); read it with `Self.waitForLine(in:containing:)`.
    init(_ path: String, arguments: [String], environment: [String: String], mergeStandardError: Bool = false, outputFile: String? = nil) throws {
        // A test's `till` keeps its card-fingerprint secrets in the test's own folder, never in
        // the real ~/.config/till/secrets.
        if path == Self.tillPath, environment["TILL_SECRETS_DIR"] == nil {
            Issue.record("till spawned without TILL_SECRETS_DIR: it would keep secrets in the real ~/.config")
        }
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw SpawnError(errno: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else if mergeStandardError {
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
        }
        for fd in [toChild[0], toChild[1], fromChild[0], fromChild[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        Self.closeFrom(3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw SpawnError(errno: status)
        }
        pid = child
        stdinFD = toChild[1]
        stdoutFD = fromChild[0]
    }

    /// Runs a program to completion with no input: its exit status and everything it printed
    /// (standard output and standard error, interleaved).
    static func run(_ path: String, arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(path, arguments: arguments, environment: environment, mergeStandardError: true)
        child.closeInput()
        let output = child.readToEnd()
        return (child.wait(), output)
    }

    /// Adds glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+; Swift's Glibc module
    /// does not export it, it needs _GNU_SOURCE), looked up at run time; a no-op without it.
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(handle) }
        guard let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return }
        let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
        _ = addCloseFrom(&actions, lowest)
    }

    func writeLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    func closeInput() {
        if stdinFD >= 0 { close(stdinFD) }
        stdinFD = -1
    }

    /// The next line the child printed, or nil at end of output.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    /// Everything the child prints from here until it closes its output.
    func readToEnd() -> String {
        var bytes = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func kill(_ signal: Int32) {
        guard !reaped else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// Kills and reaps the child unless it was reaped already: for a `defer`, so a test that
    /// stops early never leaves a server running.
    func stop() {
        guard !reaped else { return }
        kill(SIGKILL)
        wait()
    }

    /// The first line of `file` containing `text`, once the child has written it (polled every
    /// 20 ms, up to `seconds`); nil if it never came. The file is read once more after the
    /// deadline: a test suspended past it (a busy machine) still sees what was written.
    static func waitForLine(in file: String, containing text: String, seconds: Double = 120) async -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        func found() -> String? {
            guard let data = FileManager.default.contents(atPath: file) else { return nil }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.contains(text) }.map(String.init)
        }
        while ContinuousClock.now < deadline {
            if let line = found() { return line }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return found()
    }

    /// Waits for the child; its exit status, or 128 + signal.
    @discardableResult
    func wait() -> Int32 {
        closeInput()
        var status: Int32 = 0
        guard !reaped else { return 0 }
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        reaped = true
        close(stdoutFD)
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "spawn failed: \(String(cString: strerror(errno)))" }
}
