import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The ledger in a PostgreSQL database (DESIGN §7), shared by every till, server and POS of a
/// shop, on any number of machines.
///
/// Writes take turns, as on SQLite: a process's writes are grouped into transactions
/// (`PostgresGroupCommit`), each of which first takes the ledger's write lock (a
/// transaction-scoped advisory lock, released by COMMIT or ROLLBACK, or by a crash with the
/// connection). The service's rules were made for one writer at a time (a running total read
/// then raised, the drawer's journal folded in order, events in the order they were committed),
/// and every till of the shop keeps them so, whatever machine it runs on. Reads run in a
/// REPEATABLE READ snapshot and never wait for writes. A connection lost before COMMIT is sent
/// is retried on a new connection (nothing was committed); lost during COMMIT, the outcome is
/// unknown and said so (`PostgresLedgerError`).
///
/// Work runs on this store's own threads, which wait for the server's answers: never on NIO's
/// event loops or Swift's cooperative pool.
final class PostgresLedgerStore: Sendable {
    /// The database's address without its password, for messages.
    let displayURL: String
    private let configuration: PostgresConnection.Configuration
    private let idle = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let threads = DispatchQueue(label: "till.postgres", attributes: .concurrent)
    private let nextConnectionId = Atomic<Int>(1)
    private let logger = Logger(label: "till.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Every write of the process goes through it (`write`).
    private let writer = PostgresGroupCommit()

    /// The ledger's write lock (advisory, so no table is locked against readers).
    static let writeLockKey: Int64 = 0x7469_6C6C_7772

    /// How long a write or read keeps trying while the server cannot be reached (a restart).
    static let reconnectPatience: Duration = .seconds(15)

    init(url: PostgresURL, connections: Int = 16) {
        displayURL = url.display
        configuration = url.configuration
        slots = DispatchSemaphore(value: connections)
    }

    var writeStatistics: WriteStatistics { writer.statistics }

    /// One write, durable before it answers: in its own savepoint of a group's transaction,
    /// which holds the ledger's write lock (`PostgresGroupCommit`).
    func write<T: Sendable>(queued: (@Sendable () -> Void)?, _ work: @escaping @Sendable (PostgresLedgerConnection) throws -> T) async throws -> T {
        try await writer.write(on: self, queued: queued, work)
    }

    /// Runs `work` on one of the store's threads, which may wait for the server.
    func onThread(_ work: @escaping @Sendable () -> Void) { threads.async(execute: work) }

    /// A consistent snapshot for reads, on one of the store's threads.
    func read<T: Sendable>(_ work: @escaping @Sendable (PostgresLedgerConnection) throws -> T) async throws -> T {
        try await onOwnThread { try self.readNow(work) }
    }

    /// Runs `work` on one connection outside any transaction it did not begin itself (opening:
    /// the advisory lock, the migration).
    func withConnection<T>(_ work: (PostgresLedgerConnection) throws -> T) throws -> T {
        let connection = try acquire()
        do {
            let value = try work(connection)
            release(connection)
            return value
        } catch {
            discard(connection)
            throw error
        }
    }

    private func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            threads.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// `read`, waiting here (for callers that are not async: opening, the simulator's checks):
    /// a REPEATABLE READ snapshot, run again while its connection is lost.
    func readNow<T>(_ work: (PostgresLedgerConnection) throws -> T) throws -> T {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            let connection: PostgresLedgerConnection
            do {
                connection = try acquire()
            } catch {
                guard waitedToRetry(since: started, attempt: attempt) else { throw PostgresLedgerError.unreachable(displayURL, error) }
                continue
            }
            do {
                connection.send("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                let value = try work(connection)
                try connection.commit()
                release(connection)
                return value
            } catch {
                // A read writes nothing: one whose connection was lost, even at COMMIT, runs again.
                if Self.isConnectionLost(error) {
                    discard(connection)
                    guard waitedToRetry(since: started, attempt: attempt) else { throw PostgresLedgerError.unreachable(displayURL, error) }
                    continue
                }
                // A failed statement ends the transaction; ROLLBACK makes the connection usable.
                if (try? connection.command("ROLLBACK")) != nil { release(connection) } else { discard(connection) }
                throw error
            }
        }
    }

    /// After a lost connection or an unreachable server, the `attempt`th since `started`:
    /// pauses and answers true while `reconnectPatience` has not passed (a restart), else false.
    func waitedToRetry(since started: ContinuousClock.Instant, attempt: Int) -> Bool {
        guard ContinuousClock.now - started < Self.reconnectPatience else { return false }
        pause(attempt)
        return true
    }

    /// Full jitter, 1 ms doubling to 100 ms: retries of colliding writes spread out.
    func pause(_ attempt: Int) {
        let cap = min(100_000, 1_000 << min(attempt, 7))
        usleep(UInt32(Int.random(in: 0...cap)))
    }

    // MARK: Connections

    func acquire() throws -> PostgresLedgerConnection {
        slots.wait()
        // One the server closed while it was idle is dropped (a restart, an idle timeout).
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return PostgresLedgerConnection(connection, logger: logger) }
            Self.close(connection)
        }
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                id: nextConnectionId.add(1, ordering: .relaxed).oldValue, logger: logger
            ).wait()
            return PostgresLedgerConnection(connection, logger: logger)
        } catch {
            slots.signal()
            throw error
        }
    }

    /// Back to the idle ones, unless closed or `keptIdle` are idle already: a burst's extra
    /// connections close, so many tills on one server hold few connections while quiet.
    func release(_ connection: PostgresLedgerConnection) {
        let kept = !connection.connection.isClosed && idle.withLock { idle in
            guard idle.count < Self.keptIdle else { return false }
            idle.append(connection.connection)
            return true
        }
        if kept { slots.signal() } else { discard(connection) }
    }

    /// Idle connections kept open for the next work.
    static let keptIdle = 2

    /// Closes a connection that is lost or whose state is unknown (waiting: a connection must
    /// be closed before it goes).
    func discard(_ connection: PostgresLedgerConnection) {
        Self.close(connection.connection)
        slots.signal()
    }

    /// Closes the idle connections (a process that ends; a test that is done with the ledger).
    func close() {
        for connection in idle.withLock({ idle in defer { idle.removeAll() }; return idle }) { Self.close(connection) }
    }

    deinit { close() }

    /// Closes `connection` without waiting; it is kept until it has closed (postgres-nio
    /// requires a connection to be closed before it goes).
    private static func close(_ connection: PostgresConnection) {
        let closed: EventLoopFuture<Void> = connection.close()
        closed.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    // MARK: Errors

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Serialization failure or deadlock: the work may simply run again.
    static func isSerializationFailure(_ error: any Error) -> Bool {
        ["40001", "40P01"].contains(sqlState(error) ?? "")
    }

    static func isConnectionLost(_ error: any Error) -> Bool {
        if case .connectionClosed? = error as? PostgresLedgerError { return true }
        if let state = sqlState(error) {
            // The server is shutting down or restarting (admin_shutdown, crash_shutdown, cannot_connect_now).
            return ["57P01", "57P02", "57P03", "08000", "08003", "08006"].contains(state)
        }
        guard let error = error as? PSQLError else { return error is ChannelError || error is IOError }
        // A FATAL (the backend terminated) that lands between a statement's end and the next is
        // reported as an unexpected message.
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .unexpectedBackendMessage]
            .contains(error.code)
    }
}

/// A PostgreSQL failure the ledger names for the operator.
enum PostgresLedgerError: Error, CustomStringConvertible {
    case unreachable(String, any Error)
    case commitOutcomeUnknown(String)
    /// The connection closed (or went silent) before a statement was answered.
    case connectionClosed
    /// The server rolled the transaction back instead of committing it: nothing of it is in the ledger.
    case rolledBack
    /// A write's answer was not of the type it promised (a bug, never seen).
    case unexpectedAnswer

    var description: String {
        switch self {
        case .unreachable(let url, let error):
            "PostgreSQL at \(url) cannot be reached (\(PostgresLedgerError.describe(error)))"
        case .commitOutcomeUnknown(let url):
            "the connection to PostgreSQL at \(url) was lost while the write committed: it may or may not be in the ledger"
        case .rolledBack:
            "PostgreSQL rolled the transaction back (a statement in it had failed): nothing of it was written"
        case .connectionClosed:
            "the connection to PostgreSQL closed before it answered"
        case .unexpectedAnswer:
            "a write's answer was not the one it promised"
        }
    }

    /// PostgreSQL's code and message, never the statement or its arguments.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: Swift.type(of: error)) }
        if let info = error.serverInfo, let state = info[.sqlState] {
            return "PostgreSQL error \(state)" + (info[.message].map { ": " + $0 } ?? "")
        }
        return "\(error.code)"
    }
}
