import Foundation
import GRDB

/// Raw access to a ledger's rows, below every rule: for tests and fuzzing only, never for the
/// till. The fuzz targets damage cells as a broken disk or a hand edit would, then check that
/// every read reports instead of trapping; and they read raw cells, whatever a damaged one
/// holds, to find what to act on. The SQL stays here, in the store.
public enum LedgerRows {
    /// The `id` of the newest row (by rowid) of each table, in order, read-only, without opening
    /// the ledger as a till would (no migration, no secret); nil where there is none that reads
    /// as text.
    public static func newestIds(in tables: [String], ledgerAt path: String) throws -> [String?] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            try tables.map { table in try texts(SQLiteConnection(db), "SELECT id FROM \(quoted(table)) ORDER BY rowid DESC LIMIT 1").first }
        }
    }

    /// The cells of `column` in `table` that read as text, in rowid order; any other cell is
    /// skipped, never a trap.
    public static func texts(_ column: String, of table: String, in ledger: Ledger) throws -> [String] {
        try texts(ledger.db, "SELECT \(quoted(column)) FROM \(quoted(table)) ORDER BY rowid")
    }

    /// Damages the ledger at `path` in one go: `work` picks the cells through the `Damage` it is
    /// given. CHECK constraints are ignored and every trigger is dropped meanwhile (and put back
    /// afterwards), so a damage the schema would refuse is written anyway.
    public static func damage(ledgerAt path: String, _ work: (Damage) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            let tables = try texts(SQLiteConnection(db), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            let triggers = try SQLRow.fetchAll(SQLiteConnection(db), sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                .compactMap { row -> (String, String)? in
                    guard let name = String.decoded(row[0]), let sql = String.decoded(row[1]) else { return nil }
                    return (name, sql)
                }
            for (name, _) in triggers { try db.execute(sql: "DROP TRIGGER \(quoted(name))") }
            try work(Damage(db: SQLiteConnection(db), tables: tables))
            for (_, sql) in triggers { try db.execute(sql: sql) }
        }
    }

    /// The ledger's tables and columns, and the one way to change a cell, while `damage` runs.
    public struct Damage {
        let db: any SQLConnection
        /// Every table of the ledger, by name.
        public let tables: [String]

        /// The columns of `table`, in their order.
        public func columns(of table: String) throws -> [String] {
            try LedgerRows.texts(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid", [table])
        }

        /// Sets `column` of the row at `rowOffset` (in rowid order) of `table` to `value`. A write
        /// the schema still refuses (NOT NULL, UNIQUE) is skipped.
        public func set(_ table: String, _ column: String, rowOffset: Int, to value: Value) {
            let (valueSQL, arguments) = value.sql(table: table, column: column)
            let sql = """
                UPDATE \(quoted(table)) SET \(quoted(column)) = \(valueSQL)
                WHERE rowid = (SELECT rowid FROM \(quoted(table)) ORDER BY rowid LIMIT 1 OFFSET \(rowOffset))
                """
            try? db.execute(sql: sql, arguments: arguments)
        }
    }

    /// What a damaged cell holds.
    public enum Value: Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        /// Text whose bytes need not be UTF-8.
        case textBytes([UInt8])
        case blob([UInt8])
        /// The same column's value in the row at this offset (in rowid order).
        case fromRow(Int)

        func sql(table: String, column: String) -> (String, SQLArguments) {
            switch self {
            case .null: return ("NULL", [])
            case .integer(let value): return ("?", [value])
            case .real(let value): return ("?", [SQLValue.real(value)])
            case .text(let value): return ("?", [value])
            case .textBytes(let bytes): return ("CAST(? AS TEXT)", [Data(bytes)])
            case .blob(let bytes): return ("?", [Data(bytes)])
            case .fromRow(let offset):
                return ("(SELECT \(quoted(column)) FROM \(quoted(table)) ORDER BY rowid LIMIT 1 OFFSET \(offset))", [])
            }
        }
    }

    /// The first column of every row, where it reads as text.
    static func texts(_ db: any SQLConnection, _ sql: String, _ arguments: SQLArguments = []) throws -> [String] {
        try SQLRow.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            String.decoded(row[0])
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
