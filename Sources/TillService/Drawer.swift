public import TillCore
import TillStore

/// The cash drawer (DESIGN §3 "Cash drawer and operators"): open with a float, pay in and out
/// with a reason, close with a count; X and Z reports folded by the core from the journal.
/// Every mutation is keyed like the others; the operator is recorded on each line but is not
/// part of the fingerprint, so a colleague's retry of the same request replays it.
extension TillService {
    /// Opens the drawer in `currency` (USD by default) with its float; `drawer_already_open`
    /// while one is open in that currency. Answers the X report of the new session.
    public func openDrawer(float: String, currency: String? = nil, key keyText: String? = nil) async
        -> Result<Keyed<DrawerReportView>, Rejection>
    {
        let key: IdempotencyKey, money: Money
        do throws(Rejection) {
            key = try parseKey(keyText, ids: ids).get()
            money = try Money.parse(float, currency: try parseCurrency(currency, default: .usd).get()).get()
        } catch { return .failure(error) }
        let fingerprint = RequestFingerprint(operation: "drawer.open", target: money.currency.code, parameters: ["float": money])
        let sessionId = ids.make("drw")
        return await keyedLocally(key: key, operation: "drawer.open", target: money.currency.code, fingerprint: fingerprint) { ledger, now in
            if let open = try ledger.openDrawerSession(currency: money.currency) {
                throw Rejection(
                    .drawerAlreadyOpen, "The \(money.currency.code) drawer is already open (session \(open.id)); close it first.")
            }
            try ledger.openDrawer(id: sessionId, float: money, at: now)
            return try Self.drawerReport(ledger, sessionId: sessionId, currency: money.currency, kind: .x)
        }
    }

    /// Cash put into the open drawer (change from the bank, a float top-up), with its reason.
    public func payIn(amount: String, reason: String, currency: String? = nil, key: String) async
        -> Result<Keyed<DrawerMovementView>, Rejection>
    {
        await moveDrawerCash(.paidIn, amount: amount, reason: reason, currency: currency, key: key)
    }

    /// Cash taken out of the open drawer (a supplier paid, a bank drop), with its reason.
    public func payOut(amount: String, reason: String, currency: String? = nil, key: String) async
        -> Result<Keyed<DrawerMovementView>, Rejection>
    {
        await moveDrawerCash(.paidOut, amount: amount, reason: reason, currency: currency, key: key)
    }

    private func moveDrawerCash(
        _ kind: DrawerEvent.Kind, amount: String, reason reasonText: String, currency: String?, key keyText: String
    ) async -> Result<Keyed<DrawerMovementView>, Rejection> {
        let key: IdempotencyKey, money: Money, reason: String
        let operation = kind == .paidIn ? "drawer.pay_in" : "drawer.pay_out"
        do throws(Rejection) {
            key = try IdempotencyKey.parse(keyText).get()
            reason = try DrawerReason.parse(reasonText).get()
            let drawerCurrency = try await self.drawerCurrency(currency, key: key.value).get()
            money = try Money.parsePositive(amount, currency: drawerCurrency).get()
        } catch { return .failure(error) }
        let fingerprint = RequestFingerprint(
            operation: operation, target: money.currency.code, parameters: ["amount": money, "reason": reason])
        return await keyedLocally(key: key, operation: operation, target: money.currency.code, fingerprint: fingerprint) { ledger, now in
            let line = DrawerEvent(kind: kind, amount: money, operatorName: ledger.operatorName, at: now)
            guard let session = try ledger.journal(line, reference: key.value, reason: reason) else {
                throw Self.noDrawer(money.currency)
            }
            return DrawerMovementView(
                session: session.id, kind: kind.rawValue, currency: money.currency.code, amount: money.minorUnits, reason: reason,
                expected: session.expected.minorUnits, operator: ledger.operatorName.text, at: Timestamp.iso8601(now))
        }
    }

    /// Closes the open drawer with the cash counted. A difference, over or short, is recorded,
    /// never refused. Answers the Z report.
    public func closeDrawer(counted: String, currency: String? = nil, key keyText: String? = nil) async
        -> Result<Keyed<DrawerReportView>, Rejection>
    {
        let key: IdempotencyKey, money: Money
        do throws(Rejection) {
            key = try parseKey(keyText, ids: ids).get()
            let drawerCurrency = try await self.drawerCurrency(currency, key: key.value).get()
            money = try Money.parse(counted, currency: drawerCurrency).get()
        } catch { return .failure(error) }
        let fingerprint = RequestFingerprint(operation: "drawer.close", target: money.currency.code, parameters: ["counted": money])
        return await keyedLocally(key: key, operation: "drawer.close", target: money.currency.code, fingerprint: fingerprint) { ledger, now in
            guard let open = try ledger.openDrawerSession(currency: money.currency) else { throw Self.noDrawer(money.currency) }
            try ledger.journal(DrawerEvent(kind: .closed, amount: money, operatorName: ledger.operatorName, at: now))
            return try Self.drawerReport(ledger, sessionId: open.id, currency: money.currency, kind: .z)
        }
    }

    /// The X report: the open session's figures so far (in `currency`, or the one drawer open);
    /// with no drawer open, what moved since the last close, outside any session (in the
    /// currency the journal last moved in, else USD).
    public func xReport(currency: String? = nil) async -> Result<DrawerReportView, Rejection> {
        let explicit: Currency?
        do throws(Rejection) { explicit = try currency.map { text throws(Rejection) in try Currency.named(text).get() } } catch {
            return .failure(error)
        }
        return await read { ledger, _ in
            let open = try ledger.openDrawerSessions()
            let chosen: Currency
            if let explicit {
                chosen = explicit
            } else if open.count == 1, let only = open.first {
                chosen = only.currency
            } else if open.isEmpty {
                chosen = try ledger.latestDrawerCurrency() ?? .usd
            } else {
                throw Self.severalDrawers(open)
            }
            let session = open.first { $0.currency == chosen }
            return try Self.drawerReport(ledger, sessionId: session?.id, currency: chosen, kind: .x)
        }
    }

    /// The Z report of a closed session (nil: the latest closed one, in `currency` if given).
    public func zReport(session sessionId: String? = nil, currency: String? = nil) async -> Result<DrawerReportView, Rejection> {
        let explicit: Currency?
        do throws(Rejection) { explicit = try currency.map { text throws(Rejection) in try Currency.named(text).get() } } catch {
            return .failure(error)
        }
        return await read { ledger, _ in
            let row: DrawerSessionRow
            if let sessionId {
                guard let found = try ledger.drawerSessionRow(id: sessionId) else {
                    throw Rejection(.notFound, "There is no drawer session \(sessionId.echoed()).")
                }
                guard found.state == .closed else {
                    throw Rejection(
                        .invalidRequest, "Drawer session \(found.id) is still open: `till report x` shows it so far.")
                }
                row = found
            } else {
                guard let latest = try ledger.drawerSessionRows(currency: explicit, state: .closed, limit: 1).first else {
                    throw Rejection(.notFound, "No drawer session was closed yet.")
                }
                row = latest
            }
            return try Self.drawerReport(ledger, sessionId: row.id, currency: row.currency, kind: .z)
        }
    }

    /// Sessions newest first.
    public func drawerSessions(limit: Int = 20) async -> Result<[DrawerSessionView], Rejection> {
        await read { ledger, _ in
            try ledger.drawerSessionRows(currency: nil, state: nil, limit: limit).map { row in
                guard let session = try ledger.drawerSession(id: row.id) else {
                    throw Rejection(.storageError, "Drawer session \(row.id) has no journal.")
                }
                return DrawerSessionView(session)
            }
        }
    }

    /// The report of one session (nil: none open) with what moved outside any session before it.
    static func drawerReport(_ ledger: Ledger, sessionId: String?, currency: Currency, kind: DrawerReportView.Kind) throws
        -> DrawerReportView
    {
        let journal = try sessionId.map { try ledger.drawerLines(sessionId: $0) } ?? []
        let outside = try ledger.drawerLinesOutside(currency: currency, beforeSeq: journal.first?.seq)
        let report = try decided(DrawerReport.make(
            currency: currency, sessionId: sessionId, journal: journal.map(\.event), outside: outside.map(\.event)))
        return DrawerReportView(report, kind: kind)
    }

    /// The drawer a request without `--currency` means: the one its key was completed for (a
    /// replay), else the one drawer open; `drawer_not_open` when none is, `invalid_request`
    /// when several are.
    func drawerCurrency(_ text: String?, key: String) async -> Result<Currency, Rejection> {
        if let text { return Currency.named(text) }
        return await read { ledger, _ in
            if let stored = try ledger.request(key: key), stored.operation.hasPrefix("drawer."),
               case .success(let currency) = Currency.named(stored.target) {
                return currency
            }
            let open = try ledger.openDrawerSessions()
            guard let only = open.first else { throw Rejection(.drawerNotOpen) }
            guard open.count == 1 else { throw Self.severalDrawers(open) }
            return only.currency
        }
    }

    static func noDrawer(_ currency: Currency) -> Rejection {
        Rejection(.drawerNotOpen, "No \(currency.code) drawer is open; open one with a float first.")
    }

    static func severalDrawers(_ open: [DrawerSessionRow]) -> Rejection {
        Rejection(.invalidRequest, "Drawers are open in \(open.map(\.currency.code).joined(separator: " and ")): say which with --currency.")
    }
}
