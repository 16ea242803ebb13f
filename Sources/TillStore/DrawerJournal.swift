public import TillCore

/// A journal line as stored: the core's line with where it sits and what it refers to.
public struct DrawerLine: Sendable, Hashable {
    public let seq: Int64
    public let sessionId: String?
    public let event: DrawerEvent
    /// The order payment, refund or gateway payment the line records, if any.
    public let reference: String?
    /// Why cash was paid in or out.
    public let reason: String?
}

/// A drawer session's row in the read model.
public struct DrawerSessionRow: Sendable, Hashable {
    public let id: String
    public let currency: Currency
    public let state: DrawerSession.State
    public let openedAt: Instant
    public let closedAt: Instant?
}

/// The drawer's journal (`drawer_events`) and its read model (`drawer_sessions`). Every line
/// is tagged with the session open in its currency when it is written, in the transaction of
/// the movement; the read model is brought up to date through the core (`DrawerSession`), so a
/// line that would overflow the session's figures is refused, never stored.
extension Ledger {
    /// The session open in `currency`, if any.
    public func openDrawerSession(currency: Currency) throws -> DrawerSessionRow? {
        try openSessionRow(currency).map(Self.sessionRow)
    }

    private func openSessionRow(_ currency: Currency) throws -> SQLRow? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM drawer_sessions WHERE currency = ? AND state = 'open'"),
                         arguments: [currency.code])
    }

    /// Every open session (one per currency at most), by currency.
    public func openDrawerSessions() throws -> [DrawerSessionRow] {
        try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM drawer_sessions WHERE state = 'open' ORDER BY currency")).map(Self.sessionRow)
    }

    /// The currency of the journal's last line: the drawer a report means when none is open.
    public func latestDrawerCurrency() throws -> Currency? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT currency FROM drawer_events ORDER BY seq DESC LIMIT 1")).map(Self.currency)
    }

    public func drawerSessionRow(id: String) throws -> DrawerSessionRow? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM drawer_sessions WHERE id = ?"), arguments: [id]).map(Self.sessionRow)
    }

    /// Sessions, the last opened first (by the order they were written, whatever the clocks
    /// said), optionally of one currency and state.
    public func drawerSessionRows(currency: Currency?, state: DrawerSession.State?, limit: Int) throws -> [DrawerSessionRow] {
        try SQLRow.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM drawer_sessions WHERE (CAST(?1 AS TEXT) IS NULL OR currency = ?1) AND (CAST(?2 AS TEXT) IS NULL OR state = ?2)
            ORDER BY rowid DESC LIMIT ?3
            """), arguments: [currency?.code, state?.rawValue, limit]).map(Self.sessionRow)
    }

    /// A session rebuilt from its journal through the core.
    public func drawerSession(id: String) throws -> DrawerSession? {
        let lines = try drawerLines(sessionId: id)
        guard !lines.isEmpty else { return nil }
        return try Self.unwrap(DrawerSession.fold(id: id, journal: lines.map(\.event)), "drawer session \(LedgerCorruption.shown(id))")
    }

    /// A session's journal, its opening first.
    public func drawerLines(sessionId: String) throws -> [DrawerLine] {
        try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM drawer_events WHERE session_id = ? ORDER BY seq"),
                         arguments: [sessionId]).map(Self.line)
    }

    /// Lines of `currency` written while no drawer was open, after the last close before
    /// `beforeSeq` (or the last close of all, when nil).
    public func drawerLinesOutside(currency: Currency, beforeSeq: Int64?) throws -> [DrawerLine] {
        let before = beforeSeq ?? Int64.max
        let lastClose = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT MAX(seq) FROM drawer_events WHERE currency = ? AND kind = 'closed' AND seq < ?
            """), arguments: [currency.code, before]) ?? 0
        return try SQLRow.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM drawer_events WHERE session_id IS NULL AND currency = ? AND seq > ? AND seq < ? ORDER BY seq
            """), arguments: [currency.code, lastClose, before]).map(Self.line)
    }

    /// Opens a session with its float; the caller checked that none is open in its currency.
    public func openDrawer(id: String, float: Money, at now: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO drawer_sessions (id, currency, state, opening_float, expected, counted, opened_at, opened_by, figures)
            VALUES (?, ?, 'open', ?, ?, NULL, ?, ?, ?)
            """).execute(arguments: [
                id, float.currency.code, float.minorUnits, float.minorUnits, now.millisecondsSinceEpoch, operatorName.text,
                try DrawerFiguresModel.text(DrawerFigures()),
            ])
        try insertLine(DrawerEvent(kind: .opened, amount: float, operatorName: operatorName, at: now), sessionId: id, reference: nil, reason: nil)
    }

    /// Appends a line to the journal, tagged with the session open in its currency (if any),
    /// and brings that session's row up to date. A pay-in, pay-out or close needs an open
    /// session (`drawer_not_open`, thrown as a `Rejection`).
    @discardableResult
    public func journal(_ event: DrawerEvent, reference: String? = nil, reason: String? = nil) throws -> DrawerSession? {
        let currency = event.amount.currency
        guard let open = try openSessionRow(currency) else {
            guard ![.paidIn, .paidOut, .closed].contains(event.kind) else {
                throw Rejection(.drawerNotOpen, "No \(currency.code) drawer is open; open one with a float first.")
            }
            // Cash moved with no drawer open is reported apart (the next X and Z): its figures
            // must add up now, so an overflow refuses this sale or refund rather than every
            // later report and the next drawer open.
            var outside = try DrawerFiguresModel.outside(db, currency: currency)
            if case .failure(let rejection) = outside.add(event) { throw rejection }
            try insertLine(event, sessionId: nil, reference: reference, reason: reason)
            try DrawerFiguresModel.store(outside, outsideIn: currency, db)
            return nil
        }
        // The session as its read model keeps it: the new line is checked against its figures,
        // not against every line of the day again.
        let row = try Self.sessionRow(open)
        let table = "drawer_sessions"
        let session = DrawerSession.resuming(
            id: row.id, float: Money(minorUnits: try open.required("opening_float", in: table), currency: currency),
            openedAt: row.openedAt, openedBy: try Self.operatorName(open.required("opened_by", in: table), row.id),
            figures: try DrawerFiguresModel.figures(open.required("figures", in: table), "drawer session \(LedgerCorruption.shown(row.id))"))
        let next: DrawerSession
        switch session.applying(event) {
        case .success(let applied): next = applied
        case .failure(let rejection): throw rejection
        }
        try insertLine(event, sessionId: row.id, reference: reference, reason: reason)
        try db.cachedStatement(sql: """
            UPDATE drawer_sessions SET state = ?, expected = ?, counted = ?, closed_at = ?, closed_by = ?, figures = ? WHERE id = ?
            """).execute(arguments: [next.state.rawValue, next.expected.minorUnits, next.counted?.minorUnits,
                                     next.closedAt?.millisecondsSinceEpoch, next.closedBy?.text, try DrawerFiguresModel.text(next.figures), row.id])
        if event.kind == .closed { try DrawerFiguresModel.clearOutside(currency, db) }
        return next
    }

    /// The journal line of an installment or a refund just saved (`appendOrderEvent`): its
    /// tender (a refund's is where the money went: a wallet named on it is store credit),
    /// amount and, for cash, the change handed back.
    func journalOrderMoney(kind: String, reference: String, at: Instant) throws {
        let event: DrawerEvent
        if kind == "paid" {
            guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: """
                SELECT p.tender, p.amount, p.change, o.currency FROM order_payments p JOIN orders o ON o.id = p.order_id WHERE p.id = ?
                """), arguments: [reference]) else { throw LedgerCorruption("order payment \(LedgerCorruption.shown(reference)) was not saved") }
            let currency = try Self.currency(row.required("currency", in: "orders"))
            event = DrawerEvent(
                kind: .sale, tender: try Self.tender(row.required("tender", in: "order_payments")),
                amount: Money(minorUnits: try row.required("amount", in: "order_payments"), currency: currency),
                change: Money(minorUnits: try row.required("change", in: "order_payments"), currency: currency),
                operatorName: operatorName, at: at)
        } else {
            guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: """
                SELECT r.amount, r.to_wallet, p.tender, o.currency FROM order_refunds r
                JOIN order_payments p ON p.id = r.order_payment_id JOIN orders o ON o.id = r.order_id WHERE r.id = ?
                """), arguments: [reference]) else { throw LedgerCorruption("order refund \(LedgerCorruption.shown(reference)) was not saved") }
            let toWallet: String? = try row.optional("to_wallet", in: "order_refunds")
            event = DrawerEvent(
                kind: .refund, tender: toWallet == nil ? try Self.tender(row.required("tender", in: "order_payments")) : .storeCredit,
                amount: Money(minorUnits: try row.required("amount", in: "order_refunds"),
                              currency: try Self.currency(row.required("currency", in: "orders"))),
                operatorName: operatorName, at: at)
        }
        try journal(event, reference: reference)
    }

    private func insertLine(_ event: DrawerEvent, sessionId: String?, reference: String?, reason: String?) throws {
        try db.cachedStatement(sql: """
            INSERT INTO drawer_events (session_id, currency, kind, tender, amount, change, reference, reason, operator, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                sessionId, event.amount.currency.code, event.kind.rawValue, event.tender?.rawValue, event.amount.minorUnits,
                event.change.minorUnits, reference, reason, event.operatorName.text, event.at.millisecondsSinceEpoch,
            ])
    }

    static func tender(_ text: String) throws -> Tender.Kind {
        guard let kind = Tender.Kind(rawValue: text) else { throw LedgerCorruption("\(LedgerCorruption.shown(text)) is not a tender") }
        return kind
    }

    static func operatorName(_ text: String, _ session: String) throws -> OperatorName {
        guard let name = OperatorName.restore(text) else {
            throw LedgerCorruption("drawer session \(LedgerCorruption.shown(session)): drawer_sessions.opened_by is not an operator name")
        }
        return name
    }

    static func line(_ row: SQLRow) throws -> DrawerLine {
        let table = "drawer_events"
        let seq: Int64 = try row.required("seq", in: table)
        guard let kind = DrawerEvent.Kind(rawValue: try row.required("kind", in: table)) else {
            throw LedgerCorruption("drawer line \(seq): drawer_events.kind is not a drawer event")
        }
        guard let who = OperatorName.restore(try row.required("operator", in: table)) else {
            throw LedgerCorruption("drawer line \(seq): drawer_events.operator is not an operator name")
        }
        let currency = try currency(row.required("currency", in: table))
        let tenderText: String? = try row.optional("tender", in: table)
        return DrawerLine(
            seq: seq, sessionId: try row.optional("session_id", in: table),
            event: DrawerEvent(
                kind: kind, tender: try tenderText.map(tender),
                amount: Money(minorUnits: try row.required("amount", in: table), currency: currency),
                change: Money(minorUnits: try row.required("change", in: table), currency: currency),
                operatorName: who, at: Instant(millisecondsSinceEpoch: try row.required("at", in: table))),
            reference: try row.optional("reference", in: table), reason: try row.optional("reason", in: table))
    }

    static func sessionRow(_ row: SQLRow) throws -> DrawerSessionRow {
        let table = "drawer_sessions"
        let id: String = try row.required("id", in: table)
        guard let state = DrawerSession.State(rawValue: try row.required("state", in: table)) else {
            throw LedgerCorruption("drawer session \(LedgerCorruption.shown(id)): drawer_sessions.state is not a state")
        }
        let closedAt: Int64? = try row.optional("closed_at", in: table)
        return DrawerSessionRow(
            id: id, currency: try currency(row.required("currency", in: table)), state: state,
            openedAt: Instant(millisecondsSinceEpoch: try row.required("opened_at", in: table)),
            closedAt: closedAt.map(Instant.init(millisecondsSinceEpoch:)))
    }
}
