import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// The process's one writer commits the writes waiting together (`GroupCommit`): each in its
/// own savepoint, so a refused write rolls back only itself, and every write answered only
/// once its group is durable.
@Suite struct GroupCommitTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    func open() throws -> TillDatabase {
        try TillDatabase.open(path: directory.path("till.sqlite"), secretsDirectory: directory.secrets)
    }

    @Test("concurrent writes share commits, and a write that throws rolls back only itself")
    func aThrowingWriteRollsBackOnlyItself() async throws {
        defer { directory.remove() }
        let database = try open()
        try await database.write { ledger in try ledger.db.execute(sql: "CREATE TABLE bench_rows (n INTEGER PRIMARY KEY)") }
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<64 {
                group.addTask {
                    do {
                        try await database.write { ledger in
                            try ledger.db.execute(sql: "INSERT INTO bench_rows (n) VALUES (?)", arguments: [n])
                            // Every third write has written its row, then is refused.
                            if n % 3 == 0 { throw Refused() }
                        }
                        return (n, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            var all: [Int: Bool] = [:]
            for await (n, ok) in group { all[n] = ok }
            return all
        }
        #expect(outcomes.count == 64)
        #expect(outcomes.filter { !$0.value }.keys.sorted() == (0..<64).filter { $0 % 3 == 0 })
        let rows = try await database.read { ledger in try Int.fetchAll(ledger.db, sql: "SELECT n FROM bench_rows ORDER BY n") }
        #expect(rows == (0..<64).filter { $0 % 3 != 0 })
        let statistics = database.writeStatistics
        #expect(statistics.writes == 65)
        // Two cores and 64 writers at once: they cannot all have had a commit of their own.
        #expect(statistics.groups < statistics.writes, "\(statistics)")
        #expect(statistics.largestGroup > 1)
    }

    @Test("overdraft refusals inside a group leave the balance equal to the acknowledged debits")
    func refusalsInsideAGroupKeepTheBooks() async throws {
        defer { directory.remove() }
        let service = try await TillService.open(
            path: directory.path("till.sqlite"), secretsDirectory: directory.secrets, processor: GoblinPay())
        try #require(await service.openWallet(name: "w", currency: "USD", balance: "10.00").get().balance == 1000)
        // 40 debits of $0.50 at once against $10.00: exactly 20 fit.
        let acknowledged = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<40 {
                group.addTask { (try? await service.debit(name: "w", amount: "0.50", key: "d\(n)").get()) != nil }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(acknowledged == 20)
        #expect(try await service.wallet(name: "w").get().balance == 0)
        #expect(try await service.walletHistory(name: "w", limit: 100).get().filter { $0.kind == "debited" }.count == 20)
    }
}
