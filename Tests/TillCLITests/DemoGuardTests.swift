import Foundation
import GRDB
import Testing
import TillCLI

/// `till demo` on a real ledger (issue 10, finding 6): it refuses a ledger holding data it did
/// not make unless told `--into-existing`, and adds to a ledger only demos filled.
@Suite struct DemoGuardTests {
    static let now = "2026-11-22T12:00:00Z"

    static func till(_ arguments: [String], _ path: String) async -> CommandResult {
        await TillCommandLine.run(arguments + ["--json"], environment: ["TILL_DB": path, "TILL_NOW": now, "TILL_SECRETS_DIR": secrets(path)])
    }

    /// Beside the ledger's folder, never in it nor in the real ~/.config; removed with it.
    static func secrets(_ path: String) -> String { URL(fileURLWithPath: path).deletingLastPathComponent().path + ".secrets" }

    static func demo(_ path: String, _ extra: [String] = []) async -> CommandResult {
        await till(["demo", "--orders", "5", "--seed", "3"] + extra, path)
    }

    /// Rows in every table of the ledger, by table.
    static func rowCounts(_ path: String) throws -> [String: Int] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            var counts: [String: Int] = [:]
            for table in tables { counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") ?? -1 }
            return counts
        }
    }

    static func orders(_ path: String) throws -> Int? { try rowCounts(path)["orders"] }

    /// `{"error": {"code", "message"}}` from a `--json` answer.
    static func error(_ result: CommandResult) -> [String: String]? {
        let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return object?["error"] as? [String: String]
    }

    static func withLedger(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-demo-guard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: directory.path + ".secrets")
        }
        try await body(directory.appendingPathComponent("till.sqlite").path)
    }

    @Test func theDemoRefusesALedgerWithARealOrderAndChangesNothing() async throws {
        try await Self.withLedger { path in
            let order = await Self.till(["order", "create", "--email", "ann@example.com", "--amount", "50.00"], path)
            #expect(order.exitCode == 0, "\(order.stdout)")
            let before = try Self.rowCounts(path)
            let goblinPayBefore = try Self.rowCounts(path + ".goblinpay")

            let refused = await Self.demo(path)
            #expect(refused.exitCode == 1, "\(refused.stdout)")
            let error = try #require(Self.error(refused))
            #expect(error["code"] == "invalid_request")
            #expect(error["message"]?.contains("holds data the demo did not make (1 order, 1 request)") == true, "\(refused.stdout)")
            #expect(error["message"]?.contains("--into-existing") == true)
            #expect(try Self.rowCounts(path) == before)
            #expect(try Self.rowCounts(path + ".goblinpay") == goblinPayBefore)

            let mixed = await Self.demo(path, ["--into-existing"])
            #expect(mixed.exitCode == 0, "\(mixed.stdout)")
            let orders = try Self.orders(path)
            #expect(orders == 6)
        }
    }

    @Test func aLedgerOnlyTheDemoFilledTakesMoreUntilSomethingElseWrites() async throws {
        try await Self.withLedger { path in
            for _ in 0..<2 {
                let result = await Self.demo(path)
                #expect(result.exitCode == 0, "\(result.stdout)")
            }
            let demoOrders = try Self.orders(path)
            #expect(demoOrders == 10)

            // A real sale after the demo: the ledger is no longer the demo's alone.
            let wallet = await Self.till(["wallet", "open", "Real Customer"], path)
            #expect(wallet.exitCode == 0, "\(wallet.stdout)")
            let refused = await Self.demo(path)
            #expect(refused.exitCode == 1, "\(refused.stdout)")
            #expect(refused.stdout.contains("did not make"), "\(refused.stdout)")
            let afterRefusal = try Self.orders(path)
            #expect(afterRefusal == 10)

            // Told to, it adds; what it leaves then counts as its own.
            #expect(await Self.demo(path, ["--into-existing"]).exitCode == 0)
            #expect(await Self.demo(path).exitCode == 0)
            let finalOrders = try Self.orders(path)
            #expect(finalOrders == 20)
        }
    }

    @Test func theHelpSaysWhatTheDemoRefusesAndWhereItsPaymentsGo() async {
        let help = await TillCommandLine.run(["demo", "--help"], environment: [:])
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("--into-existing"))
        #expect(text.contains("in-process simulator"), "\(help.stdout)")
        #expect(text.contains("never to a remote processor"), "\(help.stdout)")
    }
}
