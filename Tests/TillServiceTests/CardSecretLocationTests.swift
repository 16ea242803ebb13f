import Foundation
import GRDB
import Testing
import TillCore
import TillService
import TillStore

#if canImport(Glibc)
import Glibc
#endif

/// Where the card-fingerprint secret lives (issue 10, finding 3): never in the ledger's folder,
/// so a copy of that folder cannot rebuild card numbers; a ledger from Till 0.3 with its secret
/// beside it is moved safely; files others could read are made private.
@Suite("Card secret location")
struct CardSecretLocationTests {
    static let visa = "4242424242424242"

    /// A ledger as Till 0.3 left it: no ledger id yet, its secret in `<ledger>.key` at `mode`.
    /// Returns the fingerprint of `visa` under that secret.
    static func legacyLedger(_ directory: TemporaryDirectory, mode: mode_t = 0o600) throws -> (path: String, fingerprint: String) {
        let path = directory.path("till.sqlite")
        let staging = directory.url.path + ".staging"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let database = try TillDatabase.open(path: path, secretsDirectory: staging)
        let fingerprint = database.cardFingerprint(digits: visa)
        let keyPath = try StoreHardeningTests.keyPath(database, staging)
        try database.pool.write { db in
            try db.execute(sql: "DROP TABLE ledger_identity; DELETE FROM grdb_migrations WHERE identifier = 'v4-ledger-id'")
        }
        try database.pool.close()
        try FileManager.default.moveItem(atPath: keyPath, toPath: path + ".key")
        #expect(chmod(path + ".key", mode) == 0)
        return (path, fingerprint)
    }

    static func secretFiles(_ directory: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.secrets)) ?? []).sorted()
    }

    @Test func aLegacyKeyBesideTheLedgerIsMovedToTheSecretsDirectoryAndMadePrivate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let legacy = try Self.legacyLedger(directory, mode: 0o644)
        let legacyText = try String(contentsOfFile: legacy.path + ".key", encoding: .utf8)

        let database = try TillDatabase.open(path: legacy.path, secretsDirectory: directory.secrets)
        // The same secret (fingerprints keep matching), now outside the folder, 0600 in 0700.
        #expect(database.cardFingerprint(digits: Self.visa) == legacy.fingerprint)
        let keyPath = try StoreHardeningTests.keyPath(database, directory.secrets)
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == legacyText)
        #expect(try mode(keyPath) == 0o600)
        #expect(try mode(directory.secrets) == 0o700)
        #expect(!FileManager.default.fileExists(atPath: legacy.path + ".key"))
        #expect(try directory.files().filter { $0.contains(".key") }.isEmpty)
        #expect(Self.secretFiles(directory) == [(keyPath as NSString).lastPathComponent])
        // And it opens again from there.
        let reopened = try TillDatabase.open(path: legacy.path, secretsDirectory: directory.secrets)
        #expect(reopened.cardFingerprint(digits: Self.visa) == legacy.fingerprint)
    }

    @Test func aLegacyKeyThatIsNotTheLedgersIsRefusedAndNothingIsMoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let legacy = try Self.legacyLedger(directory)
        let other = String(repeating: "cd", count: 32) + "\n"
        try FileManager.default.removeItem(atPath: legacy.path + ".key")
        try other.write(toFile: legacy.path + ".key", atomically: false, encoding: .utf8)
        do {
            _ = try TillDatabase.open(path: legacy.path, secretsDirectory: directory.secrets)
            Issue.record("opened with another legacy secret")
        } catch let error as CardSecretError {
            #expect(error.problem == .mismatch)
            #expect(error.path == legacy.path + ".key")
        }
        #expect(try String(contentsOfFile: legacy.path + ".key", encoding: .utf8) == other)
        #expect(Self.secretFiles(directory).isEmpty)
    }

    @Test func aMoveInterruptedAfterTheCopyIsFinishedOnTheNextOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let database = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        let keyPath = try StoreHardeningTests.keyPath(database, directory.secrets)
        // The same secret left beside the ledger, as a crash before the unlink would leave it.
        try FileManager.default.copyItem(atPath: keyPath, toPath: path + ".key")
        _ = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(!FileManager.default.fileExists(atPath: path + ".key"))
        // Another secret beside the ledger is refused and kept for the operator to place.
        let stray = String(repeating: "ef", count: 32) + "\n"
        try stray.write(toFile: path + ".key", atomically: false, encoding: .utf8)
        do {
            _ = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
            Issue.record("opened with a stray secret beside the ledger")
        } catch let error as CardSecretError {
            #expect(error.problem == .strayBesideLedger(keyPath))
        }
        #expect(try String(contentsOfFile: path + ".key", encoding: .utf8) == stray)
    }

    @Test(arguments: ["", "secrets", "a/b/secrets"])
    func aSecretsDirectoryInsideTheLedgersFolderIsRefused(inside: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secrets = inside.isEmpty ? directory.url.path : directory.path(inside)
        do {
            _ = try TillDatabase.open(path: directory.path("till.sqlite"), secretsDirectory: secrets)
            Issue.record("kept the secret in the ledger's folder (\(inside))")
        } catch let error as CardSecretError {
            #expect(error.problem == .insideLedgerFolder(directory.url.resolvingSymlinksInPath().path))
            #expect(error.description.contains("TILL_SECRETS_DIR"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("secrets")))
        #expect(try directory.files().filter { $0.contains(".key") }.isEmpty)
    }

    @Test func aSecretFileOrFolderOthersCouldReadIsMadePrivateOnOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let database = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        let keyPath = try StoreHardeningTests.keyPath(database, directory.secrets)
        #expect(chmod(keyPath, 0o644) == 0)
        #expect(chmod(directory.secrets, 0o755) == 0)
        let reopened = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(reopened.cardFingerprint(digits: Self.visa) == database.cardFingerprint(digits: Self.visa))
        #expect(try mode(keyPath) == 0o600)
        #expect(try mode(directory.secrets) == 0o700)
    }

    @Test func aCopyOfTheLedgerElsewhereFindsItsSecretByTheLedgersId() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("till.sqlite")
        let database = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        let fingerprint = database.cardFingerprint(digits: Self.visa)
        // Moving a ledger to a new machine: the ledger's folder and its secret, copied.
        let moved = try TemporaryDirectory()
        defer { moved.remove() }
        for file in try directory.files() {
            try FileManager.default.copyItem(atPath: file, toPath: moved.path((file as NSString).lastPathComponent))
        }
        try FileManager.default.copyItem(atPath: directory.secrets, toPath: moved.secrets)
        let copy = try TillDatabase.open(path: moved.path("till.sqlite"), secretsDirectory: moved.secrets)
        #expect(copy.cardFingerprint(digits: Self.visa) == fingerprint)
    }
}

extension CardSecretLocationTests {
    /// The control for `PANRecoveryTests`: the same attack, given the secret (as the ledger's
    /// folder held it before), rebuilds all eight card numbers, so its "none" means something.
    @Test func theAttackRebuildsEveryCardWhenTheSecretIsInTheFolder() async throws {
        let harness = try await PANRecoveryTests.ledgerWithEightCards()
        defer { harness.remove() }
        let secret = try StoreHardeningTests.keyPath(harness.database, harness.directory.secrets)
        let attack = try FolderAttack(copying: harness.directory.url.path, extraFiles: [secret], dump: try await harness.postgresDump())
        #expect(attack.secretsFound == 1)
        #expect(Set(attack.recovered) == Set(PANRecoveryTests.cards.map(\.number)))
    }
}
