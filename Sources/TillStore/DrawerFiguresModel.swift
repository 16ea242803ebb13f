import Foundation
import TillCore

/// The drawer's running figures, kept so a new journal line is checked against them instead of
/// its whole session again (a busy day's sale would otherwise read every line before it): an
/// open session's in `drawer_sessions.figures`, the lines moved with no drawer open since the
/// last close of their currency in `drawer_outside`. Both are read models of `drawer_events`,
/// written in the transaction of the line, and compared with the fold by `till check`.
enum DrawerFiguresModel {
    static func migrate(_ db: any SQLConnection) throws {
        try db.execute(sql: """
            ALTER TABLE drawer_sessions ADD COLUMN figures TEXT NOT NULL DEFAULT '';
            CREATE TABLE drawer_outside (
                currency TEXT PRIMARY KEY NOT NULL,
                figures TEXT NOT NULL
            );
            """)
        let ledger = Ledger(connection: db)
        for id in try String.fetchAll(db, sql: "SELECT id FROM drawer_sessions") {
            // A journal that does not fold stays unreadable, as it was: its session refuses
            // new lines (a corruption), and `till check` names it.
            guard let session = try? ledger.drawerSession(id: id) else { continue }
            try db.execute(sql: "UPDATE drawer_sessions SET figures = ? WHERE id = ?", arguments: [try text(session.figures), id])
        }
        for code in try String.fetchAll(db, sql: "SELECT DISTINCT currency FROM drawer_events WHERE session_id IS NULL") {
            guard case .success(let currency) = Currency.named(code),
                  let figures = try? outsideFold(ledger, currency: currency), figures != DrawerFigures() else { continue }
            try store(figures, outsideIn: currency, db)
        }
    }

    /// The lines of `currency` moved with no drawer open since its last close, added up by the core.
    static func outsideFold(_ ledger: Ledger, currency: Currency) throws -> DrawerFigures {
        var figures = DrawerFigures()
        for line in try ledger.drawerLinesOutside(currency: currency, beforeSeq: nil) {
            if case .failure(let rejection) = figures.add(line.event) {
                throw LedgerCorruption("drawer_events: the \(currency.code) lines moved with no drawer open do not add up (\(rejection.message))")
            }
        }
        return figures
    }

    static func outside(_ db: any SQLConnection, currency: Currency) throws -> DrawerFigures {
        guard let stored = try String.fetchOne(
            db.cachedStatement(sql: "SELECT figures FROM drawer_outside WHERE currency = ?"), arguments: [currency.code])
        else { return DrawerFigures() }
        return try figures(stored, "drawer_outside \(currency.code)")
    }

    static func store(_ figures: DrawerFigures, outsideIn currency: Currency, _ db: any SQLConnection) throws {
        try db.cachedStatement(sql: """
            INSERT INTO drawer_outside (currency, figures) VALUES (?, ?) ON CONFLICT (currency) DO UPDATE SET figures = excluded.figures
            """).execute(arguments: [currency.code, try text(figures)])
    }

    /// A close starts the next stretch of lines outside any drawer.
    static func clearOutside(_ currency: Currency, _ db: any SQLConnection) throws {
        try db.cachedStatement(sql: "DELETE FROM drawer_outside WHERE currency = ?").execute(arguments: [currency.code])
    }

    static func text(_ figures: DrawerFigures) throws -> String {
        String(decoding: try encoder.encode(figures), as: UTF8.self)
    }

    static func figures(_ text: String, _ what: String) throws -> DrawerFigures {
        guard let figures = try? JSONDecoder().decode(DrawerFigures.self, from: Data(text.utf8)) else {
            throw LedgerCorruption("\(what): its stored figures are not the drawer's figures")
        }
        return figures
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// `till check`: every stored figure against the fold of its lines.
    static func differences(in db: any SQLConnection, limit: Int) throws -> [ReadModelDifference] {
        let ledger = Ledger(connection: db)
        var found: [ReadModelDifference] = []
        /// A difference unless the stored text reads back as the fold (nil: the lines do not fold).
        func compare(_ table: String, _ row: String, stored: String?, folded: DrawerFigures?) {
            // No stored row means no lines yet: the empty figures.
            let storedFigures = stored.map { try? figures($0, "") } ?? DrawerFigures()
            if let folded, storedFigures == folded { return }
            found.append(ReadModelDifference(
                table: table, row: row, column: "figures", stored: stored ?? "(none)",
                fromEvents: folded.flatMap { try? text($0) } ?? "(does not fold)"))
        }
        for row in try SQLRow.fetchAll(db, sql: "SELECT id, figures FROM drawer_sessions ORDER BY rowid") where found.count < limit {
            let id: String = try row.required("id", in: "drawer_sessions")
            compare("drawer_sessions", id, stored: try row.required("figures", in: "drawer_sessions"),
                    folded: (try? ledger.drawerSession(id: id))??.figures)
        }
        let currencies = try String.fetchAll(db, sql: """
            SELECT currency FROM drawer_outside UNION SELECT DISTINCT currency FROM drawer_events WHERE session_id IS NULL
            """)
        for code in currencies where found.count < limit {
            let stored = try String.fetchOne(db, sql: "SELECT figures FROM drawer_outside WHERE currency = ?", arguments: [code])
            let folded = (try? Currency.named(code).get()).flatMap { try? outsideFold(ledger, currency: $0) }
            compare("drawer_outside", code, stored: stored, folded: folded)
        }
        return found
    }
}
