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
