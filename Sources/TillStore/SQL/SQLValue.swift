public import Foundation

/// One cell or argument of a ledger query, the same on both backends (SQLite, PostgreSQL).
/// `real` exists only to be refused: Till never writes floating point, and a REAL found in the
/// ledger is damage (`SQLRow.required`).
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    var isNull: Bool { if case .null = self { true } else { false } }

    /// What kind of value it is, for a message about a cell that is not what Till wrote.
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real number"
        case .text: "text"
        case .blob: "a blob"
        }
    }
}

/// A Swift value a query takes as an argument.
public protocol SQLArgument: Sendable {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLArgument { public var sqlValue: SQLValue { self } }
extension Int64: SQLArgument { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLArgument { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int32: SQLArgument { public var sqlValue: SQLValue { .integer(Int64(self)) } }
/// Booleans are stored as 0 and 1, as SQLite keeps them.
extension Bool: SQLArgument { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension String: SQLArgument { public var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLArgument { public var sqlValue: SQLValue { .text(String(self)) } }
extension Data: SQLArgument { public var sqlValue: SQLValue { .blob([UInt8](self)) } }
extension Optional: SQLArgument where Wrapped: SQLArgument {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// A query's arguments: by position (`?`, `?3`) or by name (`:term`).
public struct SQLArguments: Sendable, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public var positional: [SQLValue]
    public var named: [String: SQLValue]

    public init(_ values: [SQLValue] = []) {
        positional = values
        named = [:]
    }

    public init(arrayLiteral elements: (any SQLArgument)?...) {
        positional = elements.map { $0?.sqlValue ?? .null }
        named = [:]
    }

    public init(dictionaryLiteral elements: (String, (any SQLArgument)?)...) {
        positional = []
        named = Dictionary(elements.map { ($0.0, $0.1?.sqlValue ?? .null) }, uniquingKeysWith: { _, last in last })
    }

    public init(_ values: [any SQLArgument]) {
        positional = values.map(\.sqlValue)
        named = [:]
    }

    public static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        var joined = lhs
        joined.positional += rhs.positional
        joined.named.merge(rhs.named) { _, last in last }
        return joined
    }

    public static func += (lhs: inout SQLArguments, rhs: SQLArguments) { lhs = lhs + rhs }

    public mutating func append(_ value: (any SQLArgument)?) { positional.append(value?.sqlValue ?? .null) }
}
