import Foundation
import TillStore

/// Every cell of every table of a ledger, as a copy of the database (a dump) would hold it:
/// text as UTF-8, blobs as their bytes, integers in decimal. For a PostgreSQL ledger, whose
/// rows are in no file of the ledger's folder: the card-data tests search this instead.
struct LedgerDump: Sendable {
    struct Cell: Sendable {
        let table: String
        let column: String
        let bytes: [UInt8]
    }

    let cells: [Cell]
    /// The stored cards (first 6, last 4, brand, fingerprint) of every table that has them.
    let cards: [FolderAttack.StoredCard]

    /// All the cells one after another, each on its own line.
    var bytes: [UInt8] { cells.flatMap { $0.bytes + [0x0a] } }

    static func of(_ database: TillDatabase) async throws -> LedgerDump {
        let tablesSQL = database.isPostgres
            ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        return try await database.read { ledger in
            var cells: [Cell] = []
            var cards: [FolderAttack.StoredCard] = []
            for table in try String.fetchAll(ledger.db, sql: tablesSQL) {
                for row in try SQLRow.fetchAll(ledger.db, sql: "SELECT * FROM \"\(table)\"") {
                    for (index, column) in row.columnNames.enumerated() {
                        switch row[index] {
                        case .text(let text): cells.append(Cell(table: table, column: column, bytes: Array(text.utf8)))
                        case .blob(let bytes): cells.append(Cell(table: table, column: column, bytes: bytes))
                        case .integer(let integer): cells.append(Cell(table: table, column: column, bytes: Array(String(integer).utf8)))
                        case .real(let real): cells.append(Cell(table: table, column: column, bytes: Array(String(real).utf8)))
                        case .null: break
                        }
                    }
                    func text(_ column: String) -> String? {
                        if case .text(let text)? = row[column] { text } else { nil }
                    }
                    if let first6 = text("card_first6"), let last4 = text("card_last4"), let fingerprint = text("card_fingerprint") {
                        cards.append(FolderAttack.StoredCard(first6: first6, last4: last4, brand: text("card_brand") ?? "", fingerprint: fingerprint))
                    }
                }
            }
            return LedgerDump(cells: cells, cards: cards)
        }
    }
}

extension Harness {
    /// A dump of the ledger when it is in PostgreSQL (a SQLite ledger is a file of the folder).
    func postgresDump() async throws -> LedgerDump? {
        database.isPostgres ? try await LedgerDump.of(database) : nil
    }
}
