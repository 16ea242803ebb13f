import Testing
import TillCLI

/// Help reaches the subcommand asked about, whichever way it is asked.
@Suite struct HelpTests {
    @Test(arguments: [["help", "demo"], ["demo", "--help"], ["help", "wallet", "open"], ["wallet", "open", "--help"]])
    func helpForASubcommandIsThatSubcommandsHelp(arguments: [String]) async {
        let result = await TillCommandLine.run(arguments, environment: [:])
        #expect(result.exitCode == 0)
        #expect(!result.stdout.contains("A point-of-sale terminal and payment gateway"), "root help for \(arguments)")
        #expect(result.stdout.contains("USAGE: till \(arguments.filter { $0 != "help" && $0 != "--help" }.joined(separator: " "))"))
    }
}

/// Bare `till` is the POS, which needs a terminal: from a script it says so instead of
/// drawing into a pipe.
@Suite struct POSWithoutATerminalTests {
    @Test func bareTillInAPipeExplainsAndExits64() throws {
        // It stops before opening a ledger; the secrets directory is named all the same.
        let (status, output) = try ChildProcess.run(
            ChildProcess.tillPath, arguments: [], environment: ["HOME": "/tmp", "TILL_SECRETS_DIR": "/nonexistent/till-secrets"])
        #expect(status == 64)
        #expect(output.contains("the POS needs a terminal"))
    }
}
