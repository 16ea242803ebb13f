import Foundation
import GRDB

/// The ledger's SQL on SQLite: GRDB's connection inside the transaction that runs the work.
/// Statements are GRDB's (cached ones prepared once per connection); cells arrive as
/// `SQLValue`s, read straight from SQLite's columns.
public final class SQLiteConnection: SQLConnection {
    let db: Database

    init(_ db: Database) { self.db = db }

    public var dialect: SQLDialect { .sqlite }
    public var changesCount: Int { db.changesCount }

    public func rows(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws -> [SQLRow] {
        let statement = try statement(sql, cached: cached)
        try statement.setArguments(Self.arguments(arguments))
        let names = statement.columnNames
        let count = names.count
        var rows: [SQLRow] = []
        let cursor = try GRDB.Row.fetchCursor(statement)
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(Self.value(row[index] as DatabaseValue)) }
            rows.append(SQLRow(columnNames: names, values: values))
        }
        return rows
    }

    public func run(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws {
        if !cached && arguments.positional.isEmpty && arguments.named.isEmpty {
            // Several statements in one text (a migration): GRDB runs them all.
            try db.execute(sql: sql)
            return
        }
        try statement(sql, cached: cached).execute(arguments: Self.arguments(arguments))
    }

    private func statement(_ sql: String, cached: Bool) throws -> Statement {
        cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        if !arguments.named.isEmpty {
            return StatementArguments(arguments.named.mapValues { databaseValue($0) as (any DatabaseValueConvertible)? })
        }
        return StatementArguments(arguments.positional.map { databaseValue($0) as (any DatabaseValueConvertible)? })
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .blob([UInt8](data))
        }
    }
}
