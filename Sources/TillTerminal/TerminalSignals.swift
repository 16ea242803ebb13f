import CNCurses
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// True while curses owns the terminal. The handlers read it to know there is something to
/// restore; `Terminal.open` claims it so only one terminal is open at a time.
let cursesIsActive = Atomic<Bool>(false)

/// The actions in place before ours, by signal number, for the handler and `close` to put back.
/// Fixed storage: a signal handler must not allocate.
private let signalSlots = 65
nonisolated(unsafe) private let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: signalSlots)

/// Signal handlers that give the terminal back (endwin) before the process dies, then let the
/// signal do what it would have done, so the exit status still says which signal killed it.
/// SIGWINCH is not touched: curses handles it and reports KEY_RESIZE.
enum TerminalSignals {
    /// Signals that end the process from outside. SIGINT too: raw mode turns Ctrl-C into a key,
    /// so a SIGINT can only be `kill -INT`.
    static let terminating: [Int32] = [SIGTERM, SIGHUP, SIGQUIT, SIGINT]
    /// Crashes: the terminal must not be left in raw mode with no cursor. SIGTRAP is how Swift
    /// traps on arm64.
    static let faults: [Int32] = [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP]

    /// Installs the handlers, skipping signals the parent asked us to ignore (nohup), and
    /// returns the ones installed.
    static func install() -> [Int32] {
        var installed: [Int32] = []
        for signal in terminating + faults where signal < signalSlots {
            let previous = previousActions + Int(signal)
            guard sigaction(signal, nil, previous) == 0, !isIgnored(previous.pointee) else { continue }
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_SIGINFO
            #if canImport(Glibc)
            action.__sigaction_handler.sa_sigaction = restoreTerminalAndResignal
            #else
            action.__sigaction_u.__sa_sigaction = restoreTerminalAndResignal
            #endif
            if sigaction(signal, &action, nil) == 0 { installed.append(signal) }
        }
        return installed
    }

    static func restore(_ installed: [Int32]) {
        for signal in installed { sigaction(signal, previousActions + Int(signal), nil) }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        // SIG_IGN is the function pointer 1.
        return unsafeBitCast(handler, to: Int.self) == 1
    }
}

/// Minimal on purpose: endwin, then let the signal do what it would have done. A genuine fault
/// (not sent with kill or raise) puts the previous action back and returns: the faulting
/// instruction runs again and meets it with its real context, so the Swift runtime's crash
/// backtrace still points at the crash. Anything else is re-raised with the default action, so
/// the process dies and its exit status names the signal (the runtime's handler for a SIGQUIT
/// from kill would print a backtrace and let the process run on, without its terminal).
private func restoreTerminalAndResignal(
    _ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?
) {
    if cursesIsActive.exchange(false, ordering: .sequentiallyConsistent) { endwin() }
    let sentByAProcess = (info?.pointee.si_code ?? 0) <= 0
    if isFault(signal), !sentByAProcess {
        sigaction(signal, previousActions + Int(signal), nil)
        return
    }
    // A zeroed action is SIG_DFL. The signal is blocked while we run: it lands on return.
    var defaultAction = sigaction()
    sigaction(signal, &defaultAction, nil)
    raise(signal)
}

/// Signals the CPU raises on the instruction that caused them (a switch: no arrays in a handler).
private func isFault(_ signal: Int32) -> Bool {
    switch signal {
    case SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: true
    default: false
    }
}
