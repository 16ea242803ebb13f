public import GRDB
public import TillCore

/// Typed access to the ledger inside one transaction. Aggregates are rebuilt through the core
/// (orders by replaying their installments and refunds, payments by folding their events), so
/// a row that breaks a domain rule surfaces as `LedgerCorruption` instead of a wrong answer.
/// Its parts: `LedgerOrders`, `LedgerPayments`, `LedgerWallets`, `LedgerQueries` (the POS's
/// pages), `RequestLog`, `DrawerJournal`, `OperatorStore`.
public struct Ledger {
    /// The transaction's connection, on whichever backend holds the ledger.
    public let db: any SQLConnection
    /// Who is acting: written on every event this ledger appends (DESIGN §3).
    public let operatorName: OperatorName

    public init(connection: any SQLConnection, operatorName: OperatorName = .till) {
        db = connection
        self.operatorName = operatorName
    }

    /// The ledger inside one of GRDB's SQLite transactions.
    public init(db: Database, operatorName: OperatorName = .till) {
        self.init(connection: SQLiteConnection(db), operatorName: operatorName)
    }
}

/// A stored row that the domain refuses: the ledger was edited behind Till's back.
public struct LedgerCorruption: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Row helpers

extension Ledger {
    /// The row of `table` whose `id` is `id`, if any.
    func row(_ table: String, id: String) throws -> SQLRow? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(table) WHERE id = ?"), arguments: [id])
    }

    /// The statement for a batched query over `count` ids (`IN (?, …)`): prepared once per
    /// connection for the few shapes a page uses, each time for a larger one, so the
    /// connection's statement cache stays small.
    func batched(_ sql: String, count: Int) throws -> SQLStatement {
        count <= 64 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    /// "?, ?, ?": the arguments of an `IN (…)` over `count` values.
    static func questionMarks(count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    static func currency(_ code: String) throws -> Currency {
        guard case .success(let currency) = Currency.named(code) else { throw LedgerCorruption("unknown currency \(LedgerCorruption.shown(code))") }
        return currency
    }

    static func expiryText(_ expiry: CardExpiry) -> String {
        "\(expiry.month.year)-\(expiry.month.month < 10 ? "0" : "")\(expiry.month.month)"
    }

    /// The card columns, named in a message about a card that does not read back.
    static func cardColumns(_ table: String) -> String {
        "\(table).card_brand, card_first6, card_last4 and card_expiry do not make a card"
    }

    static func expiry(_ text: String, in table: String) throws -> CardExpiry {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month)
        else { throw LedgerCorruption("\(table).card_expiry holds \(LedgerCorruption.shown(text)), not a card expiry") }
        return CardExpiry(month: YearMonth(year: year, month: month))
    }

    static func unwrap<T>(_ result: Result<T, Rejection>, _ what: String) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let rejection): throw LedgerCorruption("\(what): \(rejection)")
        }
    }
}
