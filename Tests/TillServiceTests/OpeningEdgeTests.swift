import Foundation
import GRDB
import Testing
import TillStore

/// The adversarial pass after issue 10's merge: opening refuses what is not a Till ledger, and
/// where a secret may not go, before writing anything; odd paths never trap.
@Suite("Opening: refused before anything is written")
struct OpeningEdgeTests {
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func anotherAppsSQLiteFileIsRefusedUntouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("app.db")
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann')") }
        try queue.close()
        let before = try #require(Self.bytes(path))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(throws: LedgerOpenError.self) { try TillDatabase.open(path: path, secretsDirectory: directory.secrets) }
        #expect(Self.bytes(path) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == mode)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: directory.secrets))
    }

    @Test func aSecretsDirectoryInTheLedgerFolderThroughASymlinkIsRefusedAndNothingIsWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let link = directory.url.deletingLastPathComponent().appendingPathComponent("till-link-\(UUID().uuidString)").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory.url.path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let path = directory.path("till.sqlite")
        #expect(throws: CardSecretError.self) { try TillDatabase.open(path: path, secretsDirectory: link + "/secrets") }
        // Neither a ledger nor a secret was left behind: a retry of `till init` is not told it exists.
        let left = try directory.files().filter { !$0.hasSuffix(".lock") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test(arguments: ["x", ".", " ", "\t", "a/"])
    func aShortOrOddPathNeverTraps(path: String) {
        // `.never`: nothing is created, whatever the working directory holds.
        #expect(throws: (any Error).self) { try TillDatabase.open(path: "/nonexistent-\(UUID().uuidString)/" + path, secretsDirectory: "/tmp/unused", creating: .never) }
        _ = try? TillDatabase.open(path: path, secretsDirectory: "/nonexistent-\(UUID().uuidString)", creating: .never)
    }
}
