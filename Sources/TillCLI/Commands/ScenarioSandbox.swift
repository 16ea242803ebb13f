import Foundation
import Synchronization
public import TillScenario

#if canImport(Glibc)
import Glibc
#endif

/// Where a scenario runs: a fresh folder (0700) under a temporary root, holding its ledger,
/// the ledger's companion files and GoblinPay's, and the HOME and XDG folders of the commands,
/// so nothing Till derives from the environment (a secret, a data folder) lands outside it.
/// The command line runs in-process against it. Closing the workspace removes the folder; so
/// does an interrupt (`InterruptCleanup`). GoblinPay's random capture failures are off unless
/// the scenario sets `TILL_GOBLINPAY_FAILURE_RATE`.
public enum ScenarioSandbox {
    /// `ledger`: a PostgreSQL database for the scenario's ledger (the tests' second backend);
    /// GoblinPay's ledger then stays in the folder (TILL_GOBLINPAY_DB).
    public static func makeWorkspace(in root: String, ledger: String? = nil) throws -> ScenarioWorkspace {
        let directory = try makeDirectory(in: root)
        InterruptCleanup.shared.watch(directory)
        // Set last, so no `env` line can move them (ScenarioRules refuses those names anyway).
        // The ledger in a folder of its own: its card-fingerprint secret may not live beside it.
        try FileManager.default.createDirectory(atPath: directory + "/ledger", withIntermediateDirectories: false)
        var places = [
            "TILL_DB": ledger ?? directory + "/ledger/till.sqlite", "TILL_SECRETS_DIR": directory + "/secrets", "HOME": directory,
            "XDG_DATA_HOME": directory + "/data", "XDG_CONFIG_HOME": directory + "/config",
            "XDG_STATE_HOME": directory + "/state", "TMPDIR": directory,
            // A `drawer close` saves its Z report beside the receipts: inside the sandbox.
            "TILL_RECEIPT_DIR": directory + "/receipts",
        ]
        if ledger != nil { places["TILL_GOBLINPAY_DB"] = directory + "/ledger/goblinpay.sqlite" }
        let fixed = places
        let executor: ScenarioExecutor = { arguments, scenarioEnvironment in
            var environment = ["TILL_GOBLINPAY_FAILURE_RATE": "0", "TILL_GOBLINPAY_SEED": "1"]
            environment.merge(scenarioEnvironment) { $1 }
            environment.merge(fixed) { $1 }
            let result = await TillCommandLine.run(arguments, environment: environment)
            return ScenarioCommandResult(exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr)
        }
        return ScenarioWorkspace(executor: executor, close: { InterruptCleanup.shared.remove(directory) })
    }

    private static func makeDirectory(in root: String) throws -> String {
        var template = Array((root + "/till-scenario-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SandboxError(errorDescription: "cannot make a folder in \(root): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    struct SandboxError: LocalizedError {
        let errorDescription: String?
    }
}

/// Folders to remove if the process is told to stop (SIGINT, SIGTERM, SIGHUP) before their
/// scenario ends. A signal handler may do almost nothing, so it only writes the signal's
/// number to a pipe; a thread waiting on the pipe removes the folders, then lets the signal end
/// the process as it would have, so the exit status still names it. Installed once, on the
/// first folder; signals the parent ignores (nohup) are left alone.
final class InterruptCleanup: Sendable {
    static let shared = InterruptCleanup()

    private let folders = Mutex<Set<String>>([])
    private let installed: Bool

    private init() {
        installed = Self.install { signal in
            for folder in InterruptCleanup.shared.folders.withLock({ $0 }) {
                try? FileManager.default.removeItem(atPath: folder)
            }
            Self.die(by: signal)
        }
    }

    func watch(_ folder: String) {
        _ = installed
        folders.withLock { _ = $0.insert(folder) }
    }

    /// Removes `folder` and stops watching it. A ledger closing on another thread may still
    /// drop its -wal and -shm files while the folder is being removed (a busy machine showed
    /// it): the removal is tried again, briefly, until the folder is gone.
    func remove(_ folder: String) {
        folders.withLock { _ = $0.remove(folder) }
        for _ in 0..<50 {
            try? FileManager.default.removeItem(atPath: folder)
            guard FileManager.default.fileExists(atPath: folder) else { return }
            usleep(20_000)
        }
    }

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private static func install(_ cleanup: @escaping @Sendable (Int32) -> Void) -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        interruptPipe = fds[1]
        let reader = fds[0]
        let thread = Thread {
            var number: UInt8 = 0
            while read(reader, &number, 1) < 0, errno == EINTR {}
            cleanup(Int32(number))
        }
        thread.start()
        for signal in signals {
            var previous = sigaction()
            guard sigaction(signal, nil, &previous) == 0, !isIgnored(previous) else { continue }
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            action.__sigaction_handler.sa_handler = notifyCleanup
            sigaction(signal, &action, nil)
        }
        return true
    }

    /// The default action for `signal`, delivered to this thread: the process ends by it.
    private static func die(by signal: Int32) -> Never {
        var defaultAction = sigaction()
        sigaction(signal, &defaultAction, nil)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
        _exit(128 + signal)
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        // SIG_IGN is the function pointer 1.
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 1
    }
}

/// The write end of the cleanup thread's pipe, set once before any handler is installed.
nonisolated(unsafe) private var interruptPipe: Int32 = -1

/// Async-signal-safe: one `write`.
private func notifyCleanup(_ signal: Int32) {
    var number = UInt8(truncatingIfNeeded: signal)
    _ = write(interruptPipe, &number, 1)
}
