import Foundation
import Testing
@testable import TillCLI

/// Issue 11: `till operator add|list|disable`. The PIN comes from standard input, never the
/// command line, and no output ever shows it.
@Suite struct OperatorCommandTests {
    static func withLedger<T>(_ body: ([String: String]) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-operators-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/ledger", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body([
            "TILL_DB": folder + "/ledger/till.sqlite", "TILL_SECRETS_DIR": folder + "/secrets", "TILL_NOW": "2026-11-22T10:00:00Z",
        ])
    }

    /// Standard input holding `lines`, one per read.
    static func input(_ lines: [String]) -> CardInput {
        let queue = Queue(lines)
        return CardInput(available: true) { _ in queue.next() }
    }

    final class Queue: @unchecked Sendable {
        private var lines: [String]
        init(_ lines: [String]) { self.lines = lines }
        func next() -> String? { lines.isEmpty ? nil : lines.removeFirst() }
    }

    static func json(_ result: CommandResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func addReadsThePINFromStandardInputListShowsNoPINAndDisableStopsSignIn() async throws {
        try await Self.withLedger { environment in
            let added = await TillCommandLine.run(
                ["operator", "add", "Ann", "--pin", "-"], environment: environment, cardInput: Self.input(["4711"]))
            #expect(added.exitCode == 0, "\(added)")
            #expect(added.stdout.contains("Operator Ann added") && !added.stdout.contains("4711"))
            // --pin is - by default.
            let second = await TillCommandLine.run(["operator", "add", "Bob"], environment: environment, cardInput: Self.input(["123456"]))
            #expect(second.exitCode == 0, "\(second)")
            let listed = await TillCommandLine.run(["operator", "list", "--json"], environment: environment)
            let operators = Self.json(listed)["operators"] as? [[String: Any]] ?? []
            #expect(operators.map { $0["name"] as? String } == ["Ann", "Bob"])
            #expect(Set(operators.flatMap(\.keys)) == ["name", "created_at", "disabled"])
            #expect(!listed.stdout.contains("4711") && !listed.stdout.contains("123456"))
            let disabled = await TillCommandLine.run(["operator", "disable", "ANN", "--json"], environment: environment)
            #expect(Self.json(disabled)["disabled"] as? Bool == true, "\(disabled)")
            let human = await TillCommandLine.run(["operator", "list"], environment: environment)
            #expect(human.stdout.contains("Ann  added 2026-11-22 10:00  disabled 2026-11-22 10:00"), "\(human.stdout)")
        }
    }

    @Test func aPINInTheCommandLineOrABadPINIsRefusedWithoutEchoingIt() async throws {
        try await Self.withLedger { environment in
            let inline = await TillCommandLine.run(["operator", "add", "Ann", "--pin", "4711", "--json"], environment: environment)
            #expect(inline.exitCode == 1)
            #expect(Self.json(inline)["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "invalid_request")
            #expect(!inline.stdout.contains("4711"))
            let short = await TillCommandLine.run(
                ["operator", "add", "Ann", "--json"], environment: environment, cardInput: Self.input(["471"]))
            #expect(Self.json(short)["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "invalid_pin")
            #expect(!short.stdout.contains("471"))
            let batch = await TillCommandLine.run(["operator", "add", "Ann", "--json"], environment: environment)
            #expect(batch.stdout.contains("invalid_request"), "standard input unavailable: \(batch)")
            let none = await TillCommandLine.run(["operator", "list"], environment: environment)
            #expect(none.stdout == "No operators: the POS acts as till without a sign-in.\n")
        }
    }
}
