/// One row a query answered: its columns' names (shared by all the query's rows) and cells.
///
/// The accessors throw `LedgerCorruption` naming the table and column and the kind of value
/// found, never the cell's content: a ledger edited behind Till's back is refused, never
/// crashes the till. Stricter than SQL's own conversions on purpose: a REAL is refused wherever
/// an integer or text is read (money and times are never floating point), and a blob wherever
/// text is read.
public struct SQLRow: Sendable {
    public let columnNames: [String]
    let values: [SQLValue]

    init(columnNames: [String], values: [SQLValue]) {
        self.columnNames = columnNames
        self.values = values
    }

    public var count: Int { values.count }

    /// The cell at `index`, which must be below `count`.
    public subscript(index: Int) -> SQLValue { values.indices.contains(index) ? values[index] : .null }

    /// The cell of the first column named `column`, if there is one.
    public subscript(column: String) -> SQLValue? {
        columnNames.firstIndex(of: column).map { values[$0] }
    }

    public func hasColumn(_ column: String) -> Bool { columnNames.contains(column) }

    /// The value of `column`, which must be present and convertible to `T`.
    func required<T: SQLReadable>(_ column: String, in table: String) throws -> T {
        try Self.converted(cell(column, in: table), table: table, column: column)
    }

    /// The value of `column`, nil for NULL; any other value must convert to `T`.
    func optional<T: SQLReadable>(_ column: String, in table: String) throws -> T? {
        let value = try cell(column, in: table)
        if value.isNull { return nil }
        return try Self.converted(value, table: table, column: column)
    }

    /// The value at `index` of a query's result (`what` names it in the error).
    func required<T: SQLReadable>(at index: Int, _ what: String) throws -> T {
        guard index >= 0, index < count else { throw LedgerCorruption("\(what) is missing from the query") }
        return try Self.converted(values[index], table: "query", column: what)
    }

    private func cell(_ column: String, in table: String) throws -> SQLValue {
        // The ledger's columns are named exactly as Till reads them: no case folding.
        guard let index = columnNames.firstIndex(of: column) else { throw LedgerCorruption("\(table).\(column) is missing from the ledger") }
        return values[index]
    }

    private static func converted<T: SQLReadable>(_ value: SQLValue, table: String, column: String) throws -> T {
        guard let decoded = T.decoded(value) else { throw LedgerCorruption.damaged(table: table, column: column, found: value) }
        return decoded
    }
}

/// A query's column, found by name once for all its rows: a page of rows costs no lookup by
/// name per cell. A cell of another type is the damage, named as `SQLRow.required` names it.
struct Column {
    let table: String
    let name: String
    private let index: Int

    /// `name` among `columnNames` (its first, if several), or the damage.
    init(_ name: String, of columnNames: [String], table: String) throws {
        guard let index = columnNames.firstIndex(of: name) else { throw LedgerCorruption("\(table).\(name) is missing from the ledger") }
        self.table = table
        self.name = name
        self.index = index
    }

    func text(in row: SQLRow) throws -> String {
        guard case .text(let text) = row[index] else { throw LedgerCorruption.damaged(table: table, column: name, found: row[index]) }
        return text
    }

    func integer(in row: SQLRow) throws -> Int64 {
        guard case .integer(let integer) = row[index] else { throw LedgerCorruption.damaged(table: table, column: name, found: row[index]) }
        return integer
    }
}

extension LedgerCorruption {
    static func damaged(table: String, column: String, found value: SQLValue) -> LedgerCorruption {
        LedgerCorruption("the ledger is damaged: \(table).\(column) holds \(value.kind), not a value Till writes there")
    }

    /// Text from a damaged cell, safe to put in a message: quoted, control characters escaped,
    /// cut at 40 characters.
    static func shown(_ text: String) -> String {
        let cut = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return String(reflecting: cut)
    }
}
