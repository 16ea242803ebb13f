import Foundation
import GRDB

/// Throwing reads of ledger rows. GRDB's non-optional subscripts (`let x: Int64 = row["x"]`)
/// trap on a cell they cannot convert (NULL, text, a REAL where an integer should be); a
/// ledger edited behind Till's back must be refused, never crash the till. These accessors
/// throw `LedgerCorruption` naming the table and column and the kind of value found, never
/// the cell's content.
///
/// Stricter than GRDB's conversions on purpose: a REAL is refused wherever an integer or text
/// is read (GRDB would truncate 1.5 to 1; money and times are never floating point), and a blob
/// is refused wherever text is read.
extension Row {
    /// The value of `column`, which must be present and convertible to `T`.
    func required<T: DatabaseValueConvertible>(_ column: String, in table: String) throws -> T {
        try Self.converted(databaseValue(column, in: table), table: table, column: column)
    }

    /// The value of `column`, nil for NULL; any other value must convert to `T`.
    func optional<T: DatabaseValueConvertible>(_ column: String, in table: String) throws -> T? {
        let value = try databaseValue(column, in: table)
        if value.isNull { return nil }
        return try Self.converted(value, table: table, column: column)
    }

    /// The value at `index` of a query's result (`what` names it in the error).
    func required<T: DatabaseValueConvertible>(at index: Int, _ what: String) throws -> T {
        guard index >= 0, index < count else { throw LedgerCorruption("\(what) is missing from the query") }
        return try Self.converted(self[index], table: "query", column: what)
    }

    private func databaseValue(_ column: String, in table: String) throws -> DatabaseValue {
        // The ledger's columns are named exactly as Till reads them: one pass, no case folding
        // (GRDB's lookup by name folds every column's name on every read).
        for (index, name) in columnNames.enumerated() where name == column { return self[index] }
        guard hasColumn(column) else { throw LedgerCorruption("\(table).\(column) is missing from the ledger") }
        return try decode(DatabaseValue.self, forColumn: column)
    }

    /// `value` as `T`, or the damage named by table and column.
    fileprivate static func converted<T: DatabaseValueConvertible>(_ value: DatabaseValue, table: String, column: String) throws -> T {
        guard let decoded = decoded(value, as: T.self) else {
            throw LedgerCorruption.damaged(table: table, column: column, found: value)
        }
        return decoded
    }

    private static func decoded<T: DatabaseValueConvertible>(_ value: DatabaseValue, as type: T.Type) -> T? {
        switch value.storage {
        case .double where T.self != Double.self: return nil
        case .blob where T.self != Data.self: return nil
        default: return T.fromDatabaseValue(value)
        }
    }
}

/// A query's column, found by name once for all its rows, read at the row a cursor over the
/// statement has just stepped to: a page of rows costs no lookup by name and no generic
/// conversion per cell. A cell of another type is the damage, named as `Row.required` names it.
struct Column {
    let table: String
    let name: String
    private let index: CInt

    /// `name` among `statement`'s columns (its first, if several), or the damage.
    init(_ name: String, of statement: Statement, table: String) throws {
        guard let index = statement.columnNames.firstIndex(of: name), let column = CInt(exactly: index) else {
            throw LedgerCorruption("\(table).\(name) is missing from the ledger")
        }
        self.table = table
        self.name = name
        self.index = column
    }

    func text(in statement: Statement) throws -> String {
        let value = DatabaseValue(sqliteStatement: statement.sqliteStatement, index: index)
        guard case .string(let text) = value.storage else { throw LedgerCorruption.damaged(table: table, column: name, found: value) }
        return text
    }

    func integer(in statement: Statement) throws -> Int64 {
        let value = DatabaseValue(sqliteStatement: statement.sqliteStatement, index: index)
        guard case .int64(let integer) = value.storage else { throw LedgerCorruption.damaged(table: table, column: name, found: value) }
        return integer
    }
}

extension LedgerCorruption {
    static func damaged(table: String, column: String, found value: DatabaseValue) -> LedgerCorruption {
        let kind = switch value.storage {
        case .null: "NULL"
        case .int64: "an integer"
        case .double: "a real number"
        case .string: "text"
        case .blob: "a blob"
        }
        return LedgerCorruption("the ledger is damaged: \(table).\(column) holds \(kind), not a value Till writes there")
    }

    /// Text from a damaged cell, safe to put in a message: quoted, control characters escaped,
    /// cut at 40 characters.
    static func shown(_ text: String) -> String {
        let cut = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return String(reflecting: cut)
    }
}
