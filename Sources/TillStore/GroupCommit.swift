import GRDB
import Synchronization

/// The process's one writer, committing in groups. Every write waiting when the writer comes
/// free goes into one transaction, each in its own savepoint (a write that throws rolls back
/// only itself), the transaction commits once (one fsync for all of them), and only then does
/// each write get its answer: nothing is acknowledged before it is durable. A write that
/// arrives while a group commits waits for that group only, then leads the next.
///
/// If the group's transaction cannot commit, or a failure inside it ends the transaction
/// (SQLite rolls back on a full disk or an I/O error), nothing of the group is in the ledger:
/// each write that had succeeded fails with that error, and a write's own refusal stands.
final class GroupCommit: Sendable {
    private typealias Outcome = Result<any Sendable, any Error>

    private struct Waiting: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let answer: @Sendable (Outcome) -> Void
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var writing = false
        var statistics = WriteStatistics()
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())

    init(pool: DatabasePool) { self.pool = pool }

    var statistics: WriteStatistics { queue.withLock { $0.statistics } }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome: Outcome = await withCheckedContinuation { continuation in
            let waiting = Waiting(work: { try work($0) }, answer: { continuation.resume(returning: $0) })
            let leads = queue.withLock { queue in
                queue.waiting.append(waiting)
                guard !queue.writing else { return false }
                queue.writing = true
                return true
            }
            if leads { Task { await self.drain() } }
        }
        guard let value = try outcome.get() as? T else { throw GroupCommitError.unexpectedAnswer }
        return value
    }

    /// Commits groups until nobody waits.
    private func drain() async {
        while let group = next() {
            let outcomes = await commit(group)
            for (waiting, outcome) in zip(group, outcomes) { waiting.answer(outcome) }
        }
    }

    private func next() -> [Waiting]? {
        queue.withLock { queue in
            guard !queue.waiting.isEmpty else {
                queue.writing = false
                return nil
            }
            defer { queue.waiting = [] }
            queue.statistics.groups += 1
            queue.statistics.writes += queue.waiting.count
            queue.statistics.largestGroup = max(queue.statistics.largestGroup, queue.waiting.count)
            return queue.waiting
        }
    }

    private func commit(_ group: [Waiting]) async -> [Outcome] {
        let ran = Mutex<[Outcome]>([])
        do {
            try await pool.write { db in
                for waiting in group {
                    do {
                        var value: (any Sendable)?
                        try db.inSavepoint {
                            value = try waiting.work(db)
                            return .commit
                        }
                        guard let value else { throw GroupCommitError.unexpectedAnswer }
                        ran.withLock { $0.append(.success(value)) }
                    } catch {
                        ran.withLock { $0.append(.failure(error)) }
                        // SQLite ended the transaction: what ran before is gone with it.
                        guard db.isInsideTransaction else { throw error }
                    }
                }
            }
            return ran.withLock { $0 }
        } catch {
            // Not committed: a success is not in the ledger; a refusal stands; what never ran fails too.
            let outcomes = ran.withLock { $0 }
            return group.indices.map { index in
                if index < outcomes.count, case .failure = outcomes[index] { return outcomes[index] }
                return .failure(error)
            }
        }
    }
}

/// How the process's writes were grouped so far: `writes` in `groups` commits.
public struct WriteStatistics: Sendable, Equatable {
    public var groups = 0
    public var writes = 0
    public var largestGroup = 0
}

enum GroupCommitError: Error, CustomStringConvertible {
    case unexpectedAnswer
    var description: String { "a write's answer was lost in its group" }
}
