import Foundation
import Testing
import TillCore
@testable import TillService
@testable import TillStore
import TillTestSupport

/// Faults only a PostgreSQL ledger meets: connections the server closes, a write lock another
/// till holds, a commit whose answer is lost (the review of issue 16).
@Suite("PostgreSQL faults", .enabled(if: TestBackend.isPostgres, "a PostgreSQL ledger's faults"))
struct PostgresFaultTests {
    /// A connection the server closed while idle (a restart, an administrator) used to be taken
    /// from the pool and written to, and postgres-nio never answered: the till hung for good.
    @Test(.timeLimit(.minutes(1))) func aWriteAfterTheServerClosedTheConnectionsIsAnswered() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let admin = try #require(TestBackend.adminURL)
        _ = try ok(await harness.service.openWallet(name: "w", currency: "USD"))
        for round in 0..<5 {
            _ = try ok(await harness.service.credit(name: "w", amount: "1.00", key: "before-\(round)"))
            try PostgresAdministration.terminateConnections(to: harness.databasePath, adminURL: admin)
            _ = try ok(await harness.service.credit(name: "w", amount: "1.00", key: "after-\(round)"))
            #expect(try ok(await harness.service.wallet(name: "w")).balance == Int64(200 * (round + 1)))
        }
    }

    /// A till that holds the ledger's write lock (stopped mid-transaction) made every other
    /// till's writes wait for ever; a group now gives up after 15 s, as SQLite's busy timeout.
    @Test(.timeLimit(.minutes(1))) func aWriteWaitsForTheWriteLockFifteenSecondsAtMost() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.openWallet(name: "w", currency: "USD"))
        let other = try TillDatabase.open(path: harness.databasePath, secretsDirectory: harness.directory.secrets)
        defer { other.close() }
        let holding = Task { try await other.write { _ in usleep(25_000_000) } }
        try await Task.sleep(for: .seconds(1))
        let started = ContinuousClock.now
        // Several at once share a group: each fails as the lock's timeout (55P03), never as a
        // savepoint the aborted transaction lost (3B001, which parked paid card payments).
        let credits = await withTaskGroup(of: Result<Keyed<WalletView>, Rejection>.self) { group in
            for n in 0..<6 { group.addTask { await harness.service.credit(name: "w", amount: "1.00", key: "k\(n)") } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // A group that gave up at 15 s fails whole; the writes queued behind it wait for the lock
        // afresh and get it when the holder lets go (at 25 s).
        var timedOut = 0
        for credit in credits {
            guard case .failure(let rejection) = credit else { continue }
            #expect(rejection.code == .storageError && rejection.message.contains("55P03"), "\(rejection)")
            timedOut += 1
        }
        #expect(timedOut >= 1)
        #expect(ContinuousClock.now - started > .seconds(13))
        _ = try await holding.value
        _ = try ok(await harness.service.credit(name: "w", amount: "1.00", key: "k0"))
    }

    /// A commit whose answer was lost may have written: the message must not say nothing was.
    @Test func aLostCommitAnswerNeverSaysNothingWasChanged() {
        let rejection = TillService.storageRejection(PostgresLedgerError.commitOutcomeUnknown("postgres://till@db:5432/shop"))
        #expect(rejection.code == .storageError)
        #expect(!rejection.message.contains("nothing was changed") && rejection.message.contains("same key"), "\(rejection.message)")
    }
}
