public import GRDB
import Foundation
public import TillCore

#if canImport(Glibc)
import Glibc
#endif

/// The till's ledger: one SQLite database in WAL mode behind one `DatabasePool` per process,
/// shared by the POS and any number of `till` commands writing at the same time; or a
/// PostgreSQL database shared by every till of a shop (`PostgresLedgerStore`, DESIGN §7). The
/// service sees the same `Ledger` inside each backend's transactions.
///
/// Opening never invents a ledger where one was, checks the file (`LedgerQuickCheck`), and is
/// crash- and race-safe: the file is created 0600, and open + migrate run under an
/// exclusive `flock` on `<path>.lock`, because several processes migrating a fresh file at
/// once otherwise fail. The card-fingerprint secret lives in a secrets directory outside the
/// ledger's folder, never beside the database; the database keeps only its id and a check
/// value that recognizes it (`CardFingerprinter`).
public final class TillDatabase: Sendable {
    /// The ledger file's absolute path, or the PostgreSQL database's address (no password).
    public let path: String
    let fingerprinter: CardFingerprinter
    /// The ledger's own random id (`ledger_identity`), made once when it was created.
    public let ledgerId: String
    private let backend: Backend

    private enum Backend: Sendable {
        /// Every write of the process goes through the group commit.
        case sqlite(DatabasePool, GroupCommit)
        case postgres(PostgresLedgerStore)
    }

    /// The SQLite file's connections; a PostgreSQL ledger has none (`SQLiteOnly`).
    public var pool: DatabasePool {
        get throws {
            guard case .sqlite(let pool, _) = backend else { throw SQLiteOnly(what: "the SQLite connection pool") }
            return pool
        }
    }

    /// Whether the ledger is in PostgreSQL.
    public var isPostgres: Bool { if case .postgres = backend { true } else { false } }

    /// Opens the ledger at `path`, migrating it if needed, after checking that it is one
    /// (`LedgerOpenError`): `creating` says when a new ledger may be made (see `LedgerCreation`);
    /// its folder must exist. Its card-fingerprint secret lives in `secretsDirectory`, which
    /// must be outside the ledger's folder.
    public static func open(path: String, secretsDirectory: String, creating: LedgerCreation = .ifNoTrace) throws -> TillDatabase {
        if PostgresURL.isPostgres(path) {
            let (store, ledgerId, fingerprinter) = try PostgresOpening.open(
                try PostgresURL(path), secretsDirectory: secretsDirectory, creating: creating)
            return TillDatabase(path: store.displayURL, backend: .postgres(store), fingerprinter: fingerprinter, ledgerId: ledgerId)
        }
        // Absolute from here on: a relative or one-letter path has a folder like any other.
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        // The folder before the lock, whose file would go there; the file under it, where it
        // counts (two tills opening a new ledger at once: the second must not see the first's
        // still-empty file and refuse it).
        try checkLedgerFolder(path)
        // Where the secret would go is refused before anything is written, not after.
        try CardFingerprinter.checkLocation(secretsDirectory: secretsDirectory, ledgerPath: path)
        return try withExclusiveLock(path + ".lock") {
            try checkLedgerPath(path, mode: creating)
            try LedgerQuickCheck.header(path)
            try LedgerQuickCheck.isTillLedger(path)
            try createPrivateFile(path)
            var configuration = Configuration()
            // The POS and a script may write at once: wait for the other writer, do not fail.
            configuration.busyMode = .timeout(15)
            configuration.label = "till"
            // The one writer keeps a large page cache (memory is taken only as pages are read):
            // a write that touches many index pages, such as a batch of history, then writes
            // each page once at commit instead of spilling it and reading it back.
            configuration.prepareDatabase { db in
                if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
            }
            let pool: DatabasePool
            do {
                pool = try DatabasePool(path: path, configuration: configuration)
                try LedgerQuickCheck.database(pool, path: path, migrator: LedgerSchema.migrator)
            } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) {
                throw LedgerQuickCheck.damaged(path, "SQLite cannot read it (\(error.resultCode))")
            }
            // The pool resets `synchronous` to NORMAL while it sets up WAL; every acknowledged
            // write must survive a power cut, so FULL is set afterwards, on the one writer.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try LedgerSchema.migrator.migrate(pool)
            let fingerprinter = try CardFingerprinter.open(ledgerPath: path, secretsDirectory: secretsDirectory, pool: pool)
            // Checked by the fingerprinter's opening: 32 hex digits.
            let ledgerId = try pool.read { db in try String.fetchOne(db, sql: "SELECT ledger_id FROM ledger_identity WHERE id = 1") } ?? ""
            return TillDatabase(
                path: path, backend: .sqlite(pool, GroupCommit(pool: pool)), fingerprinter: fingerprinter, ledgerId: ledgerId)
        }
    }

    private init(path: String, backend: Backend, fingerprinter: CardFingerprinter, ledgerId: String) {
        self.ledgerId = ledgerId
        self.path = path
        self.backend = backend
        self.fingerprinter = fingerprinter
    }

    /// One write, atomic and durable before it answers: in its own savepoint of the group's
    /// transaction (IMMEDIATE, so a second process waits instead of failing; see `GroupCommit`),
    /// a thrown error rolling back only this write. Its events are recorded as `operatorName`'s.
    /// `queued` is called as soon as the write is in the writer's queue (`LineTurn`).
    public func write<T: Sendable>(
        as operatorName: OperatorName = .till, queued: (@Sendable () -> Void)? = nil,
        _ work: @escaping @Sendable (Ledger) throws -> T
    ) async throws -> T {
        switch backend {
        case .sqlite(_, let writer):
            try await writer.write(queued: queued) { db in try work(Ledger(db: db, operatorName: operatorName)) }
        case .postgres(let store):
            try await store.write(queued: queued) { connection in try work(Ledger(connection: connection, operatorName: operatorName)) }
        }
    }

    /// How this process's writes were grouped into commits so far.
    public var writeStatistics: WriteStatistics {
        switch backend {
        case .sqlite(_, let writer): writer.statistics
        case .postgres(let store): store.writeStatistics
        }
    }

    /// A consistent snapshot for reads; never blocks writers. The read runs on the calling
    /// thread (GRDB's synchronous read: a reader connection, no hop to its queue and back),
    /// which a read of a page holds for well under a millisecond; the hop cost more than the
    /// page. Readers never wait on tasks, so holding a thread of the pool cannot deadlock.
    public func read<T: Sendable>(_ work: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let pool, _): try readHere(pool) { db in try work(Ledger(db: db)) }
        case .postgres(let store): try await store.read { connection in try work(Ledger(connection: connection)) }
        }
    }

    /// A read that waits here: for callers that are not async (the simulator's checks).
    public func readNow<T>(_ work: (Ledger) throws -> T) throws -> T {
        switch backend {
        case .sqlite(let pool, _): try readHere(pool) { db in try work(Ledger(db: db)) }
        case .postgres(let store): try store.readNow { connection in try work(Ledger(connection: connection)) }
        }
    }

    /// The synchronous read (in an async function Swift would pick GRDB's async one).
    private func readHere<T>(_ pool: DatabasePool, _ work: (Database) throws -> T) throws -> T { try pool.read(work) }

    /// Closes the connections to a PostgreSQL ledger (a SQLite file's close with the process).
    public func close() {
        if case .postgres(let store) = backend { store.close() }
    }

    /// The keyed fingerprint of a card number's digits: the same card gives the same
    /// fingerprint in this database and an unrelated one in any other.
    public func cardFingerprint(digits: String) -> String { fingerprinter.fingerprint(digits) }

    /// `PRAGMA integrity_check`'s answer ("ok" when the file is sound).
    public func integrityCheck() throws -> String {
        // PostgreSQL checks its pages as it reads them (and refuses a damaged one).
        if isPostgres { return "ok" }
        return try pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } ?? "no answer"
    }

    /// `till check`: the full integrity check, then every read model against its events.
    public func check() throws -> LedgerCheckReport {
        let pool: DatabasePool
        switch backend {
        case .sqlite(let sqlite, _): pool = sqlite
        case .postgres(let store):
            // PostgreSQL checks its own pages as it reads them: what is left is the read models.
            return try store.readNow { LedgerCheckReport(integrity: [], differences: try ReadModelAudit.differences(in: $0)) }
        }
        return try pool.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(100)")
            return LedgerCheckReport(
                integrity: integrity == ["ok"] ? [] : integrity, differences: try ReadModelAudit.differences(in: SQLiteConnection(db)))
        }
    }
}

/// A file created (if absent) readable and writable by its owner only, whatever the umask.
func createPrivateFile(_ path: String) throws {
    let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw LedgerFileError(path: path, errno: errno) }
    defer { close(fd) }
    // An existing file keeps its contents but loses any wider permissions it had.
    guard fchmod(fd, 0o600) == 0 else { throw LedgerFileError(path: path, errno: errno) }
}

/// Runs `work` holding an exclusive `flock` on `lockPath`; other processes wait their turn.
func withExclusiveLock<T>(_ lockPath: String, _ work: () throws -> T) throws -> T {
    let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw LedgerFileError(path: lockPath, errno: errno) }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 {
        guard errno == EINTR else { throw LedgerFileError(path: lockPath, errno: errno) }
    }
    defer { flock(fd, LOCK_UN) }
    return try work()
}

/// What only a SQLite ledger has, asked of a PostgreSQL one.
public struct SQLiteOnly: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "\(what) exists only for a SQLite ledger" }
}

public struct LedgerFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
