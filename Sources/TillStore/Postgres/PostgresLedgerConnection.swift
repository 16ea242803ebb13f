import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The ledger's SQL on PostgreSQL: one server connection inside the transaction that runs the
/// work. Each query is translated once (`PostgresDialect`, cached per text) and answered whole;
/// the calling thread waits for it, so it must never be one of NIO's event loops or Swift's
/// cooperative pool (`PostgresLedgerStore` runs work on its own threads).
final class PostgresLedgerConnection: SQLConnection {
    let connection: PostgresConnection
    private let logger: Logger
    private(set) var changesCount = 0

    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var dialect: SQLDialect { .postgres }

    func rows(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws -> [SQLRow] {
        let result = try query(sql, arguments)
        var names: [String]?
        var rows: [SQLRow] = []
        rows.reserveCapacity(result.rows.count)
        for row in result.rows {
            var values: [SQLValue] = []
            var columns: [String] = []
            for cell in row {
                values.append(try Self.value(cell))
                if names == nil { columns.append(cell.columnName) }
            }
            if names == nil { names = columns }
            rows.append(SQLRow(columnNames: names ?? columns, values: values))
        }
        return rows
    }

    func run(_ sql: String, _ arguments: SQLArguments, cached: Bool) throws {
        changesCount = try query(sql, arguments).metadata.rows ?? 0
    }

    /// Statements sent without waiting for their answer (`send`).
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []

    /// A statement with no arguments, sent as it is, its answer awaited (COMMIT).
    func command(_ sql: String) throws {
        let answer = try open().query(PostgresQuery(unsafeSQL: sql), logger: logger)
        try settleUnanswered()
        _ = try awaited(answer)
    }

    /// COMMIT, checked: a transaction a failed statement aborted answers COMMIT with ROLLBACK,
    /// and nothing of it is in the ledger (`PostgresLedgerError.rolledBack`).
    func commit() throws {
        let answer = try open().query(PostgresQuery(unsafeSQL: "COMMIT"), logger: logger)
        try settleUnanswered()
        guard try awaited(answer).metadata.command == "COMMIT" else { throw PostgresLedgerError.rolledBack }
    }

    /// The longest a statement may take before its connection is given up: well beyond any of
    /// Till's (the write lock gives up at 15 s), a bound for a server gone silent (a cut
    /// network, a frozen host) or a connection that closed as the statement was written.
    static let answerLimit: TimeAmount = .seconds(30)

    /// `answer`, waited for here at most `answerLimit`: postgres-nio never answers a query
    /// written to a connection that has closed, so a plain wait could last forever.
    private func awaited<Value: Sendable>(_ answer: EventLoopFuture<Value>) throws -> Value {
        let loop = answer.eventLoop
        let bounded = loop.makePromise(of: Value.self)
        answer.cascade(to: bounded)
        let limit = loop.scheduleTask(in: Self.answerLimit) { bounded.fail(PostgresLedgerError.connectionClosed) }
        bounded.futureResult.whenComplete { _ in limit.cancel() }
        return try bounded.futureResult.wait()
    }

    /// A statement to be written: refused at once on a connection that has closed.
    private func open() throws -> PostgresConnection {
        guard !connection.isClosed else { throw PostgresLedgerError.connectionClosed }
        return connection
    }

    /// A statement with no arguments whose answer nobody waits for (BEGIN, the write lock,
    /// SAVEPOINT, RELEASE): a connection runs its statements in order, so it is answered before
    /// the next statement waited for, and its failure is thrown there. A round trip saved each.
    func send(_ sql: String) {
        unanswered.append(connection.isClosed
            ? connection.eventLoop.makeFailedFuture(PostgresLedgerError.connectionClosed)
            : connection.query(PostgresQuery(unsafeSQL: sql), logger: logger))
    }

    /// The answers of statements sent without waiting: the first failure among them, thrown.
    private func settleUnanswered() throws {
        guard !unanswered.isEmpty else { return }
        let sent = unanswered
        unanswered = []
        var failure: (any Error)?
        for answer in sent {
            do { _ = try awaited(answer) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    private func query(_ sql: String, _ arguments: SQLArguments) throws -> PostgresQueryResult {
        let translated = Self.translations.translated(sql)
        var bindings = PostgresBindings(capacity: max(arguments.positional.count, translated.names.count))
        if translated.names.isEmpty {
            for value in arguments.positional { Self.bind(value, into: &bindings) }
        } else {
            for name in translated.names { Self.bind(arguments.named[name] ?? .null, into: &bindings) }
        }
        let answer = try open().query(PostgresQuery(unsafeSQL: translated.sql, binds: bindings), logger: logger)
        try settleUnanswered()
        return try awaited(answer)
    }

    private static func bind(_ value: SQLValue, into bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let integer): bindings.append(integer)
        case .real(let real): bindings.append(real)
        case .text(let text): bindings.append(text)
        case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }

    /// A cell as the common dialect has it: integers (and booleans, as 0 and 1, and whole
    /// numerics such as a SUM) as integers, text as text, bytea as a blob.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .text, .varchar, .bpchar, .name: return .text(try cell.decode(String.self))
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            // SUM over BIGINT answers NUMERIC: whole, it is an integer; else it is not Till's.
            let decimal = try cell.decode(Decimal.self)
            guard let integer = Int64("\(decimal)") else { return .real(NSDecimalNumber(decimal: decimal).doubleValue) }
            return .integer(integer)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Translations of the few hundred query texts Till has, shared by every connection.
    private static let translations = TranslationCache()
}

/// Each query text's PostgreSQL translation, made once per process.
private final class TranslationCache: Sendable {
    private let cache = Mutex<[String: PostgresDialect.Translated]>([:])

    func translated(_ sql: String) -> PostgresDialect.Translated {
        if let found = cache.withLock({ $0[sql] }) { return found }
        let translated = PostgresDialect.translate(sql)
        // Batched queries make a text per count of ids: keep the cache bounded.
        cache.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[sql] = translated
        }
        return translated
    }
}
