import Foundation
import Testing
import TillCLI

/// Issue 10, point 4, through the command line as a script types it: negative numbers are
/// values, and no answer (JSON or human, rejection or usage error) replays typed control
/// characters or a 10 KB id.
@Suite struct EdgeInputCLITests {
    struct Ledger {
        let directory: URL
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-edge-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        }
        var environment: [String: String] {
            ["TILL_DB": directory.appendingPathComponent("ledger/till.sqlite").path,
             "TILL_SECRETS_DIR": directory.appendingPathComponent("secrets").path,
             "TILL_GOBLINPAY_FAILURE_RATE": "0"]
        }
        func run(_ arguments: [String]) async -> CommandResult { await TillCommandLine.run(arguments, environment: environment) }
        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
    }

    @Test func aNegativeAmountIsAnInvalidAmountNotAMissingValue() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        for arguments in [["order", "create", "--email", "a@example.com", "--amount", "-5", "--json"],
                          ["wallet", "open", "w", "--balance", "-.50", "--json"]] {
            let result = await ledger.run(arguments)
            #expect(result.exitCode != 0)
            #expect(result.stdout.contains("\"invalid_amount\""), "\(arguments): \(result.stdout)")
        }
    }

    @Test func anEmptyLedgerSettingIsRefusedNotTheDefaultLedger() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let home = ledger.directory.appendingPathComponent("home").path
        var environment = ledger.environment
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = nil
        for (arguments, tillDB) in [(["order", "list", "--email", "a@example.com", "--db", "", "--json"], "x"),
                                    (["order", "list", "--email", "a@example.com", "--json"], "")] {
            environment["TILL_DB"] = tillDB
            let result = await TillCommandLine.run(arguments, environment: environment)
            #expect(result.exitCode != 0)
            #expect(result.stdout.contains("\"invalid_request\""), "\(result.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: home + "/.local/share/till"))
    }

    @Test(arguments: [true, false])
    func aCraftedIdIsEchoedEscapedAndCut(json: Bool) async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let crafted = "x\u{1B}]0;owned\u{7}\u{1B}[2J\u{9B}" + String(repeating: "a", count: 10_000)
        var commands = [["order", "get", crafted], ["wallet", "get", crafted], ["payment", "get", crafted],
                        ["order", "get", "--no-such-option-\(crafted)"], ["order", "list", "--email", crafted]]
        if json { commands = commands.map { $0 + ["--json"] } }
        for arguments in commands {
            let result = await ledger.run(arguments)
            #expect(result.exitCode != 0)
            let output = result.stdout + result.stderr
            #expect(!Self.hasControl(output), "\(arguments.first ?? "") \(arguments.dropFirst().first ?? ""): control characters echoed")
            #expect(output.utf8.count < 2_000, "\(arguments.first ?? "") echoed \(output.utf8.count) bytes")
        }
    }
}

/// Only a negative number after an option that takes one is attached; `--` ends options.
@Suite struct NegativeValueTests {
    @Test func attachesOnlyNumbersToNumericOptionsAndStopsAtDoubleDash() {
        #expect(TillCommandLine.negativeValuesAttached(["order", "pay", "X", "--amount", "-5", "--cash", "-.5"])
                == ["order", "pay", "X", "--amount=-5", "--cash=-.5"])
        #expect(TillCommandLine.negativeValuesAttached(["wallet", "open", "--", "--x", "-5"]) == ["wallet", "open", "--", "--x", "-5"])
        #expect(TillCommandLine.negativeValuesAttached(["order", "pay", "--card", "-", "--cvv", "-"])
                == ["order", "pay", "--card", "-", "--cvv", "-"])
        #expect(TillCommandLine.negativeValuesAttached(["order", "get", "--json", "-5"]) == ["order", "get", "--json", "-5"])
    }
}
