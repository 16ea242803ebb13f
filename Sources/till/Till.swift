import Foundation
import TillCLI

#if canImport(Glibc)
import Glibc
#endif

/// The `till` executable: unblocks signals (a parent such as a test runner may have blocked
/// them), runs the command line and writes what it printed.
@main
enum TillMain {
    static func main() async {
        var signals = sigset_t()
        sigfillset(&signals)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        var live: (@Sendable (String) -> Void)?
        if isatty(STDERR_FILENO) == 1 {
            live = { text in FileHandle.standardError.write(Data(text.utf8)) }
        }
        let result = await TillCommandLine.run(
            Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, live: live,
            cardInput: .standardInput)
        FileHandle.standardOutput.write(Data(result.stdout.utf8))
        FileHandle.standardError.write(Data(result.stderr.utf8))
        exit(result.exitCode)
    }
}
