import Testing
@testable import TillCLI
import ArgumentParser

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

/// A command line that names a leaf command is parsed by that leaf alone (`LeafCommands`);
/// what it parses to must be what the whole tree parses it to, and whatever the leaf refuses
/// (help, a usage error) is answered by the whole tree, word for word as before.
@Suite struct LeafParsingTests {
    static let lines: [[String]] = [
        ["wallet", "credit", "Ann", "--amount", "1.00", "--key", "k1", "--json"],
        ["wallet", "debit", "Ann", "--amount", "-1", "--key", "k1"],
        ["wallet", "open", "run", "--currency", "EUR", "--overdraft", "5"],
        ["order", "pay", "ord_1", "--amount", "5", "--cash", "10", "--key", "k"],
        ["order", "create", "--email", "a@b.c", "--amount", "3", "--operator", "Bo", "--db", "/tmp/x.sqlite"],
        ["payment", "capture", "pay_1", "--amount", "2", "--key", "k", "--goblinpay-seed", "7"],
        ["drawer", "close", "--counted", "10", "--currency", "USD"],
        ["wallet", "credit", "Ann", "--amount"],
        ["wallet", "credit", "--nonsense"],
        ["order", "get"],
        ["check"],
        ["pending", "--json"],
        ["order", "list", "--limit", "-3"],
        ["wallet", "get", "Ann", "--help"],
        // One argument with a space names no command, whatever its words.
        ["wallet credit", "Ann", "--amount", "1.00", "--key", "k1"],
        ["report x", "--json"],
    ]

    @Test(arguments: lines)
    func aLeafParsesALineAsTheWholeTreeDoes(line: [String]) throws {
        let whole = Result { try TillRoot.parseAsRoot(TillCommandLine.negativeValuesAttached(line)) }
        guard let leaf = LeafCommands.parse(line) else {
            // Refused by the leaf: then the whole tree refuses it too, or answers with help.
            if case .success(let command) = whole { #expect(!(command is any TillCommand), "\(line)") }
            return
        }
        let command = try whole.get()
        #expect(type(of: leaf) == type(of: command))
        #expect(String(describing: leaf) == String(describing: command))
    }

    @Test func everyLeafIsFound() {
        #expect(LeafCommands.parse(["wallet", "credit", "Ann", "--amount", "1", "--key", "k"]) != nil)
        #expect(LeafCommands.parse(["check"]) != nil)
        #expect(LeafCommands.parse(["wallet"]) == nil)
    }
}
