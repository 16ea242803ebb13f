public import Foundation

/// The SQL the ledger's queries see inside one transaction, whichever backend holds the ledger:
/// SQLite through GRDB (`SQLiteConnection`) or PostgreSQL through postgres-nio
/// (`PostgresLedgerConnection`). Queries are written once, in the common dialect (SQLite's,
/// which the PostgreSQL side translates: `SQLDialect`), with `?`, `?3` or `:name` arguments.
///
/// Not Sendable: a connection belongs to the one transaction (and thread) that runs the work.
public protocol SQLConnection: AnyObject {
    /// Every row the query answers. `cached`: the statement is prepared once per connection and
    /// kept (a hot path); else prepared for this call only.
    func rows(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws -> [SQLRow]
    /// Runs a statement that answers no rows; `changesCount` is then how many it changed.
    func run(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws
    /// Rows changed by the last `run`.
    var changesCount: Int { get }
    var dialect: SQLDialect { get }
}

/// Which SQL the backend speaks beyond the common dialect.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

extension SQLConnection {
    // Throwing, as preparing a statement may: the backends prepare it when it first runs.
    public func cachedStatement(sql: String) throws -> SQLStatement { SQLStatement(connection: self, sql: sql, cached: true) }
    public func makeStatement(sql: String) throws -> SQLStatement { SQLStatement(connection: self, sql: sql, cached: false) }

    public func execute(sql: String, arguments: SQLArguments = []) throws {
        try run(sql, arguments, cached: false)
    }
}

/// A query and the connection it runs on.
public struct SQLStatement {
    let connection: any SQLConnection
    let sql: String
    let cached: Bool

    public func execute(arguments: SQLArguments = []) throws { try connection.run(sql, arguments, cached: cached) }

    func rows(_ arguments: SQLArguments) throws -> [SQLRow] { try connection.rows(sql, arguments, cached: cached) }
}

/// Rows one at a time (the rows are read already: both backends answer a whole query).
public final class SQLRowCursor {
    private var iterator: IndexingIterator<[SQLRow]>

    init(_ rows: [SQLRow]) { iterator = rows.makeIterator() }

    /// Throws like a cursor over a live statement would; this one never does.
    public func next() throws -> SQLRow? { iterator.next() }
}

extension SQLRow {
    public static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [SQLRow] {
        try statement.rows(arguments)
    }

    public static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> SQLRow? {
        try statement.rows(arguments).first
    }

    public static func fetchCursor(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> SQLRowCursor {
        SQLRowCursor(try statement.rows(arguments))
    }

    public static func fetchAll(_ connection: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try connection.rows(sql, arguments, cached: false)
    }

    public static func fetchOne(_ connection: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try connection.rows(sql, arguments, cached: false).first
    }

    public static func fetchCursor(_ connection: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLRowCursor {
        SQLRowCursor(try connection.rows(sql, arguments, cached: false))
    }
}

/// A Swift type one cell reads as: strictly (an integer is never text, a REAL never an integer).
public protocol SQLReadable {
    static func decoded(_ value: SQLValue) -> Self?
}

extension SQLValue: SQLReadable { public static func decoded(_ value: SQLValue) -> SQLValue? { value } }

extension Int64: SQLReadable {
    public static func decoded(_ value: SQLValue) -> Int64? { if case .integer(let integer) = value { integer } else { nil } }
}

extension Int: SQLReadable {
    public static func decoded(_ value: SQLValue) -> Int? { if case .integer(let integer) = value { Int(exactly: integer) } else { nil } }
}

extension Bool: SQLReadable {
    public static func decoded(_ value: SQLValue) -> Bool? { if case .integer(let integer) = value { integer != 0 } else { nil } }
}

extension String: SQLReadable {
    public static func decoded(_ value: SQLValue) -> String? { if case .text(let text) = value { text } else { nil } }
}

extension SQLReadable {
    /// The first column of the first row; nil when there is no row or the cell is NULL.
    public static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> Self? {
        try firstCell(of: statement.rows(arguments).first)
    }

    /// The first column of every row (NULL cells are skipped).
    public static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [Self] {
        try statement.rows(arguments).compactMap(firstCell)
    }

    public static func fetchOne(_ connection: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try fetchOne(connection.makeStatement(sql: sql), arguments: arguments)
    }

    public static func fetchAll(_ connection: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try fetchAll(connection.makeStatement(sql: sql), arguments: arguments)
    }

    private static func firstCell(of row: SQLRow?) throws -> Self? {
        guard let row, row.count > 0, !row[0].isNull else { return nil }
        guard let value = decoded(row[0]) else {
            throw LedgerCorruption.damaged(table: "query", column: row.columnNames.first ?? "?", found: row[0])
        }
        return value
    }
}

extension Data: SQLReadable {
    public static func decoded(_ value: SQLValue) -> Data? { if case .blob(let bytes) = value { Data(bytes) } else { nil } }
}
