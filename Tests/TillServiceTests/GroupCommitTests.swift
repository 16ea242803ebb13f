import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor
@testable import TillService
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

    /// Runs `lines` as `till batch` does in order: each under its turn, a line decided in one
    /// write starting once the line before has queued its write, any other once it is done.
    typealias Line = (decidedInOneWrite: Bool, run: @Sendable () async -> String)

    static func inTurn(_ lines: [Line]) async -> [String] {
        await withTaskGroup(of: (Int, String).self) { group in
            var previous: LineProgress?
            for (number, line) in lines.enumerated() {
                if let previous {
                    if line.decidedInOneWrite { await previous.untilQueued() } else { await previous.untilFinished() }
                }
                let own = LineProgress(), turn = LineTurn(previous: previous, own: own)
                group.addTask {
                    let answer = await LineTurn.$current.withValue(turn) { await line.run() }
                    await turn.finish()
                    return (number, answer)
                }
                previous = own
            }
            var answers: [Int: String] = [:]
            for await (number, answer) in group { answers[number] = answer }
            return (0..<lines.count).map { answers[$0] ?? "missing" }
        }
    }

    @Test("lines in turn share commits, and each sees what the lines before it wrote")
    func linesInTurnShareCommitsInOrder() async throws {
        defer { directory.remove() }
        let ledger = try LedgerFile.open(path: directory.path("till.sqlite"), secretsDirectory: directory.secrets)
        let service = await TillService.open(ledger: ledger, processor: GoblinPay())
        @Sendable func balance(_ result: Result<Keyed<WalletView>, Rejection>) -> String {
            switch result {
            case .success(let keyed): "\(keyed.response.balance)\(keyed.replayed ? " replayed" : "")"
            case .failure(let rejection): rejection.code.rawValue
            }
        }
        try #require(await service.openWallet(name: "w", currency: "USD").get().balance == 0)
        // The pool's writer is kept busy, so the credits queue behind one another whatever
        // the machine's speed; the line after them lets go (it starts once they all queued).
        let lock = WriterHolder(try ledger.database.pool)
        await lock.take()
        let before = ledger.commitGroups
        var lines: [Line] = (0..<40).map { n in (true, { balance(await service.credit(name: "w", amount: "1.00", key: "c\(n)")) }) }
        let tail: [Line] = [
            (true, {
                lock.release()
                return balance(await service.debit(name: "w", amount: "100.00", key: "too-much"))
            }),
            (true, { balance(await service.credit(name: "w", amount: "1.00", key: "c0")) }),
            // Started as if decided in one write: its read still waits for the lines before.
            (true, { (try? await service.wallet(name: "w").get()).map { "read \($0.balance)" } ?? "refused" }),
            (true, { balance(await service.debit(name: "w", amount: "0.50", key: "d1")) }),
        ]
        lines += tail
        let answers = await Self.inTurn(lines)
        // Exactly what the lines would answer one after another.
        #expect(answers == (1...40).map { "\($0 * 100)" } + ["insufficient_funds", "100 replayed", "read 4000", "3950"])
        let after = ledger.commitGroups
        #expect(after.writes - before.writes == 43, "\(after)")
        // The credits queued behind one another without waiting for each other's answers.
        #expect(after.largest >= 39, "\(after)")
        #expect(after.commits - before.commits < 10, "\(after)")
    }
}

/// Something else on the pool's writer (no SQLite lock, so no busy timeout) until released.
private final class WriterHolder: Sendable {
    private let pool: DatabasePool
    private let released = DispatchSemaphore(value: 0)

    init(_ pool: DatabasePool) { self.pool = pool }

    /// Returns once the writer is held (by a thread of its own, which blocks while it holds it).
    func take() async {
        let pool = self.pool, released = self.released
        await withCheckedContinuation { (held: CheckedContinuation<Void, Never>) in
            Thread {
                pool.asyncWriteWithoutTransaction { _ in
                    held.resume()
                    released.wait()
                }
            }.start()
        }
    }

    func release() { released.signal() }
}
