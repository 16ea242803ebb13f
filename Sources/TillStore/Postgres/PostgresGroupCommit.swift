import Dispatch
import Synchronization

/// A process's writes to a PostgreSQL ledger, committed in groups, as `GroupCommit` does for
/// SQLite: every write waiting when the writer comes free goes into one transaction, which
/// takes the ledger's write lock once; each write runs in its own savepoint (one that throws
/// rolls back only itself), the transaction commits once, and only then does each write get
/// its answer. Tills on other machines take the same lock for their own groups.
///
/// A connection lost before COMMIT runs the whole group again on a new connection (nothing of
/// it was committed); lost during COMMIT, each write that had succeeded fails with an unknown
/// outcome (`PostgresLedgerError.commitOutcomeUnknown`), and a write's own refusal stands.
final class PostgresGroupCommit: Sendable {
    typealias Outcome = Result<any Sendable, any Error>

    struct Waiting: Sendable {
        let work: @Sendable (PostgresLedgerConnection) throws -> any Sendable
        let answer: @Sendable (Outcome) -> Void
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var writing = false
        var statistics = WriteStatistics()
    }

    private let queue = Mutex(Queue())
    /// The most writes one transaction takes: a group stays short, and its locks with it.
    static let largestGroup = 256

    var statistics: WriteStatistics { queue.withLock { $0.statistics } }

    /// Queues `work` and answers once its group has committed; `queued` is called as soon as it
    /// is in the queue. The group runs on one of `store`'s threads.
    func write<T: Sendable>(
        on store: PostgresLedgerStore, queued: (@Sendable () -> Void)?, _ work: @escaping @Sendable (PostgresLedgerConnection) throws -> T
    ) async throws -> T {
        let outcome: Outcome = await withCheckedContinuation { continuation in
            let waiting = Waiting(work: { try work($0) }, answer: { continuation.resume(returning: $0) })
            let leads = queue.withLock { queue in
                queue.waiting.append(waiting)
                guard !queue.writing else { return false }
                queue.writing = true
                return true
            }
            queued?()
            if leads { store.onThread { self.commitGroups(on: store) } }
        }
        guard let value = try outcome.get() as? T else { throw PostgresLedgerError.unexpectedAnswer }
        return value
    }

    /// Commits groups until nobody waits.
    private func commitGroups(on store: PostgresLedgerStore) {
        while let group = next() {
            let outcomes = commit(group, on: store)
            queue.withLock { queue in
                queue.statistics.groups += 1
                queue.statistics.writes += group.count
                queue.statistics.largestGroup = max(queue.statistics.largestGroup, group.count)
            }
            for (waiting, outcome) in zip(group, outcomes) { waiting.answer(outcome) }
        }
    }

    private func next() -> [Waiting]? {
        queue.withLock { queue in
            guard !queue.waiting.isEmpty else {
                queue.writing = false
                return nil
            }
            let group = Array(queue.waiting.prefix(Self.largestGroup))
            queue.waiting.removeFirst(group.count)
            return group
        }
    }

    /// The group in one transaction: each write's outcome, in order.
    private func commit(_ group: [Waiting], on store: PostgresLedgerStore) -> [Outcome] {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            let connection: PostgresLedgerConnection
            do {
                connection = try store.acquire()
            } catch {
                guard store.waitedToRetry(since: started, attempt: attempt) else {
                    return group.map { _ in .failure(PostgresLedgerError.unreachable(store.displayURL, error)) }
                }
                continue
            }
            var outcomes: [Outcome] = []
            var committing = false
            do {
                // BEGIN sent without waiting (`send`); the lock waited for, so a lock not had in
                // 15 s (`lock_timeout`) fails the group as that, before any write runs.
                connection.send("BEGIN")
                try connection.command("SELECT pg_advisory_xact_lock(\(PostgresLedgerStore.writeLockKey))")
                // One write alone needs no savepoint: its failure rolls back the transaction.
                let alone = group.count == 1
                for waiting in group {
                    if !alone { connection.send("SAVEPOINT write") }
                    do {
                        outcomes.append(.success(try waiting.work(connection)))
                        if !alone { connection.send("RELEASE SAVEPOINT write") }
                    } catch where !PostgresLedgerStore.isConnectionLost(error) && !PostgresLedgerStore.isSerializationFailure(error) {
                        outcomes.append(.failure(error))
                        if !alone { connection.send("ROLLBACK TO SAVEPOINT write") }
                    }
                }
                committing = true
                if alone && !outcomes.allSucceeded {
                    try connection.command("ROLLBACK")
                } else {
                    try connection.commit()
                }
                store.release(connection)
                return outcomes
            } catch {
                if PostgresLedgerStore.isConnectionLost(error) {
                    store.discard(connection)
                    if committing {
                        let unknown = PostgresLedgerError.commitOutcomeUnknown(store.displayURL)
                        return outcomes.map { outcome in if case .success = outcome { .failure(unknown) } else { outcome } }
                    }
                    guard store.waitedToRetry(since: started, attempt: attempt) else {
                        return group.map { _ in .failure(PostgresLedgerError.unreachable(store.displayURL, error)) }
                    }
                    continue
                }
                if (try? connection.command("ROLLBACK")) != nil { store.release(connection) } else { store.discard(connection) }
                // Not serializable (should another writer ever skip the lock): the group runs again.
                if PostgresLedgerStore.isSerializationFailure(error), attempt < 100 {
                    store.pause(attempt)
                    continue
                }
                return group.map { _ in .failure(error) }
            }
        }
    }
}

private extension [PostgresGroupCommit.Outcome] {
    var allSucceeded: Bool { allSatisfy { if case .success = $0 { true } else { false } } }
}
