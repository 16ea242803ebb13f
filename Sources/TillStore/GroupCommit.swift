import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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

    /// Queues `work` and answers once its group has committed; `queued` is called as soon as the
    /// work is in the queue (a stream's next line may then queue its own behind it).
    func write<T: Sendable>(queued: (@Sendable () -> Void)? = nil, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome: Outcome = await withCheckedContinuation { continuation in
            let waiting = Waiting(work: { try work($0) }, answer: { continuation.resume(returning: $0) })
            let leads = queue.withLock { queue in
                queue.waiting.append(waiting)
                guard !queue.writing else { return false }
                queue.writing = true
                return true
            }
            queued?()
            // The group runs on the pool's writer queue itself: one hop there, one back.
            if leads { commitNextGroup() }
        }
        guard let value = try outcome.get() as? T else { throw GroupCommitError.unexpectedAnswer }
        return value
    }

    /// Commits the writes waiting now, then queues the next group if more arrived meanwhile:
    /// one group per turn of the writer queue, so the pool's other writers (opening, the
    /// fingerprint secret) get their turn under a steady stream of writes.
    private func commitNextGroup() {
        pool.asyncWriteWithoutTransaction { db in
            guard let group = self.next() else { return }
            let start = threadCPUMicroseconds()
            let outcomes = self.commit(group, db)
            let spent = threadCPUMicroseconds() - start
            self.queue.withLock { $0.statistics.writerCPUMicroseconds += spent }
            for (waiting, outcome) in zip(group, outcomes) { waiting.answer(outcome) }
            let more = self.queue.withLock { queue in
                if queue.waiting.isEmpty { queue.writing = false }
                return queue.writing
            }
            if more { self.commitNextGroup() }
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

    private func commit(_ group: [Waiting], _ db: Database) -> [Outcome] {
        // A write alone needs no savepoint: rolling its transaction back rolls back only it.
        if group.count == 1, let only = group.first {
            return [Result {
                var value: (any Sendable)?
                try db.inTransaction(.immediate) {
                    value = try only.work(db)
                    return .commit
                }
                guard let value else { throw GroupCommitError.unexpectedAnswer }
                return value
            }]
        }
        var ran: [Outcome] = []
        do {
            try db.inTransaction(.immediate) {
                for waiting in group {
                    do {
                        ran.append(.success(try Self.inSavepoint(db) { try waiting.work(db) }))
                    } catch let lost as SavepointNotUndone {
                        // What the write left could not be undone: the group must not commit.
                        ran.append(.failure(lost.refusal))
                        throw lost.cause
                    } catch {
                        ran.append(.failure(error))
                        // SQLite ended the transaction: what ran before is gone with it.
                        guard db.isInsideTransaction else { throw error }
                    }
                }
                return .commit
            }
            return ran
        } catch {
            // Not committed: a success is not in the ledger; a refusal stands; what never ran fails too.
            return group.indices.map { index in
                if index < ran.count, case .failure = ran[index] { return ran[index] }
                return .failure(error)
            }
        }
    }
}

extension GroupCommit {
    /// `work` in its own savepoint: a throw rolls back only what it wrote. (GRDB's `inSavepoint`
    /// prepares its statements afresh on every call; these are prepared once per connection.)
    static func inSavepoint<T>(_ db: Database, _ work: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT till_write").execute()
        do {
            let value = try work()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT till_write").execute()
            return value
        } catch {
            // Unless SQLite already ended the transaction, undo the write and drop its savepoint.
            if db.isInsideTransaction {
                do {
                    try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT till_write").execute()
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT till_write").execute()
                } catch let cause {
                    throw SavepointNotUndone(refusal: error, cause: cause)
                }
            }
            throw error
        }
    }
}

/// A write threw (`refusal`) and what it wrote could not be rolled back (`cause`).
struct SavepointNotUndone: Error {
    let refusal: any Error
    let cause: any Error
}

/// How the process's writes were grouped so far: `writes` in `groups` commits.
public struct WriteStatistics: Sendable, Equatable {
    public var groups = 0
    public var writes = 0
    public var largestGroup = 0
    /// The writer's own CPU time in the groups (work, commit and fsync's CPU; not waits).
    public var writerCPUMicroseconds = 0
}

/// This thread's CPU time so far, in microseconds.
private func threadCPUMicroseconds() -> Int {
    var time = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
    return time.tv_sec * 1_000_000 + time.tv_nsec / 1000
}

enum GroupCommitError: Error, CustomStringConvertible {
    case unexpectedAnswer
    var description: String { "a write's answer was lost in its group" }
}
