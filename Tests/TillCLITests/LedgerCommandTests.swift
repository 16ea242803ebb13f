import Foundation
import GRDB
import Testing
import TillCLI

/// Issue 10, finding 1 from the command line: a lost ledger or a mistyped path is an error,
/// never a new empty ledger; `till init` makes one on purpose; `till check` audits it.
@Suite("Ledger commands: opening, init, check")
struct LedgerCommandTests {
    static let now = "2026-03-15T10:00:00Z"

    static func withFolder<T>(_ body: (String) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".secrets")
        }
        return try await body(folder)
    }

    static func till(_ arguments: [String], db: String? = nil, environment: [String: String] = [:]) async -> CommandResult {
        var environment = environment
        environment["TILL_NOW"] = now
        if let db { environment["TILL_DB"] = db }
        // Beside the ledger's folder (removed with it), never the real ~/.config.
        if environment["TILL_SECRETS_DIR"] == nil, let db {
            environment["TILL_SECRETS_DIR"] = URL(fileURLWithPath: db).deletingLastPathComponent().path + ".secrets"
        }
        return await TillCommandLine.run(arguments + ["--json"], environment: environment)
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }

    @Test func aDeletedLedgerBesideGoblinPaysIsAnErrorNotAnEmptyLedger() async throws {
        try await Self.withFolder { folder in
            let db = folder + "/till.sqlite"
            let created = await Self.till(["order", "create", "--email", "ann@example.com", "--amount", "5.00"], db: db)
            #expect(created.exitCode == 0, "\(created)")
            _ = await Self.till(["order", "list", "--email", "ann@example.com"], db: db)  // GoblinPay's file now exists
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            let listed = await Self.till(["order", "list", "--email", "ann@example.com"], db: db)
            #expect(listed.exitCode == 1)
            #expect(listed.stdout.contains("ledger_not_found") && listed.stdout.contains("till init"), "\(listed.stdout)")
            #expect(!FileManager.default.fileExists(atPath: db))
            // An emptied file is refused alike.
            try Data().write(to: URL(fileURLWithPath: db))
            #expect(await Self.till(["order", "list", "--email", "ann@example.com"], db: db).stdout.contains("ledger_not_found"))
        }
    }

    @Test func aMistypedFolderIsAnErrorAndNoFolderIsCreated() async throws {
        try await Self.withFolder { folder in
            let result = await Self.till(["order", "list", "--email", "ann@example.com", "--db", folder + "/tpyo/till.sqlite"])
            #expect(result.exitCode == 1 && result.stdout.contains("ledger_not_found"), "\(result.stdout)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/tpyo"))
        }
    }

    @Test func theDefaultLocationIsCreatedPrivateOnFirstUse() async throws {
        try await Self.withFolder { folder in
            let result = await Self.till(["order", "list", "--email", "ann@example.com"], environment: ["XDG_DATA_HOME": folder + "/data", "TILL_SECRETS_DIR": folder + ".secrets"])
            #expect(result.exitCode == 0, "\(result)")
            #expect(Self.mode(folder + "/data/till") == 0o700)
            #expect(FileManager.default.fileExists(atPath: folder + "/data/till/till.sqlite"))
        }
    }

    @Test func initCreatesOnPurposeAndRefusesALedger() async throws {
        try await Self.withFolder { folder in
            let db = folder + "/shop/till.sqlite"
            let first = await Self.till(["init"], db: db)
            #expect(first.exitCode == 0 && first.stdout.contains(db), "\(first)")
            #expect(Self.mode(folder + "/shop") == 0o700 && Self.mode(db) == 0o600)
            let again = await Self.till(["init"], db: db)
            #expect(again.exitCode == 1 && again.stdout.contains("already holds a ledger"), "\(again.stdout)")
            #expect(await Self.till(["order", "create", "--email", "ann@example.com", "--amount", "5.00"], db: db).exitCode == 0)
        }
    }

    @Test func checkPassesASoundLedgerAndPrintsEachDifferenceOfADriftedOne() async throws {
        try await Self.withFolder { folder in
            let db = folder + "/till.sqlite"
            #expect(await Self.till(["check"], db: db).stdout.contains("ledger_not_found"))
            _ = await Self.till(["init"], db: db)
            let paid = await Self.till([
                "order", "create-and-pay", "--email", "ann@example.com", "--amount", "20.00", "--card", "4242424242424242",
                "--expiry", "12/30", "--cvv", "123", "--key", "k1",
            ], db: db)
            #expect(paid.exitCode == 0, "\(paid)")
            let sound = await Self.till(["check"], db: db)
            #expect(sound.exitCode == 0 && sound.stdout.contains("\"ok\" : true"), "\(sound.stdout)")
            let queue = try DatabaseQueue(path: db)
            try await queue.write { try $0.execute(sql: "UPDATE payments SET captured = 0") }
            try queue.close()
            let drifted = await TillCommandLine.run(
                ["check", "--db", db], environment: ["TILL_SECRETS_DIR": URL(fileURLWithPath: folder).path + ".secrets"])
            #expect(drifted.exitCode == 1)
            #expect(drifted.stdout.contains("payments") && drifted.stdout.contains("captured: stored 0, from events 2000"), "\(drifted.stdout)")
        }
    }
}
