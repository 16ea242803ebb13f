import GRDBSQLite

/// The baselines `till-bench` measures Till against, on the C SQLite API with nothing of ours
/// in between: a one-row durable commit (WAL, `synchronous=FULL`, as the ledger runs) and an
/// indexed lookup of a page of rows. For the benchmark only.
public final class RawSQLite {
    private var db: OpaquePointer?

    /// Opens (creating) `path` in WAL mode with `synchronous=FULL`.
    public init(path: String) throws(RawSQLiteError) {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw RawSQLiteError(message: "cannot open \(path)")
        }
        sqlite3_busy_timeout(db, 15_000)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = FULL")
    }

    /// Opens an existing database read-only (for the lookup baseline on a ledger).
    public init(readOnly path: String) throws(RawSQLiteError) {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw RawSQLiteError(message: "cannot open \(path)")
        }
        // The ledger's own connections may hold it for a moment (a checkpoint): wait, as they do.
        sqlite3_busy_timeout(db, 15_000)
    }

    deinit { sqlite3_close_v2(db) }

    public func execute(_ sql: String) throws(RawSQLiteError) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw RawSQLiteError(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Prepares `INSERT INTO t(v) VALUES (?)` into a table made for it; `commitOneRow` then
    /// inserts one row and commits it durably.
    public func prepareOneRowCommits() throws(RawSQLiteError) -> OneRowCommits {
        try execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        return try OneRowCommits(owner: self, insert: prepare("INSERT INTO t (v) VALUES (?)"))
    }

    /// The first column of the first row of `sql`, as text.
    public func firstText(_ sql: String) throws(RawSQLiteError) -> String? {
        let statement = try prepare(sql)
        guard sqlite3_step(statement.pointer) == SQLITE_ROW, let text = sqlite3_column_text(statement.pointer, 0) else { return nil }
        return String(cString: text)
    }

    /// The first page of a customer's history, with the very SQL the ledger runs
    /// (`ReadSQL.customerOrders`): its rows stepped through in C, nothing built from them.
    public func historyPage(_ emailKey: String, limit: Int) throws(RawSQLiteError) -> Int {
        let statement = try prepare(ReadSQL.customerOrders)
        sqlite3_bind_text(statement.pointer, 1, emailKey, -1, SQLITE_TRANSIENT_VALUE)
        sqlite3_bind_int64(statement.pointer, 2, Int64.max)
        sqlite3_bind_text(statement.pointer, 3, "", -1, SQLITE_TRANSIENT_VALUE)
        sqlite3_bind_int64(statement.pointer, 4, Int64(limit))
        var rows = 0
        while sqlite3_step(statement.pointer) == SQLITE_ROW { rows += 1 }
        return rows
    }

    public func prepare(_ sql: String) throws(RawSQLiteError) -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw RawSQLiteError(message: String(cString: sqlite3_errmsg(db)))
        }
        return Statement(pointer: statement)
    }

    /// A prepared statement, finalized when dropped.
    public final class Statement {
        let pointer: OpaquePointer
        init(pointer: OpaquePointer) { self.pointer = pointer }
        deinit { sqlite3_finalize(pointer) }
    }

    /// One-row durable commits, each its own `BEGIN IMMEDIATE … COMMIT`.
    public struct OneRowCommits {
        let owner: RawSQLite
        let insert: Statement

        public func commitOneRow(_ value: String) throws(RawSQLiteError) {
            try owner.execute("BEGIN IMMEDIATE")
            sqlite3_reset(insert.pointer)
            sqlite3_bind_text(insert.pointer, 1, value, -1, SQLITE_TRANSIENT_VALUE)
            guard sqlite3_step(insert.pointer) == SQLITE_DONE else {
                throw RawSQLiteError(message: String(cString: sqlite3_errmsg(owner.db)))
            }
            try owner.execute("COMMIT")
        }
    }
}

public struct RawSQLiteError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// SQLite's "copy the text now" destructor, which Swift cannot import as a macro.
private let SQLITE_TRANSIENT_VALUE = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
