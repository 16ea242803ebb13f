import Foundation
import GRDB
import TillCore
import TillProcessor
import TillStore

/// A broken invariant: which one, with the figures.
public struct SimViolation: Sendable, Codable, Equatable, CustomStringConvertible {
    public let invariant: String
    public let detail: String

    public var description: String { "\(invariant): \(detail)" }
}

/// The invariants, named as the report prints them.
enum Invariant {
    static let ledgersAgree = "1 ledgers agree (Till vs GoblinPay per authorization)"
    static let oneEffectPerKey = "2 at most one applied attempt per client key and step"
    static let orders = "3 orders: paid <= total, payments sum to paid, refunded <= paid"
    static let amounts = "4 refunded <= captured <= authorized"
    static let wallets = "5 wallets: balance >= -overdraft, equal to the sum of its events"
    static let replay = "6 acknowledged answers survive (replay answers the same)"
    static let resolves = "7 every unknown request resolves once faults stop"
    static let integrity = "8 PRAGMA integrity_check"
    static let duplicate = "6 a concurrent duplicate never executes"
    static let readModels = "9 read models equal their events (till check)"
    static let drawer = "10 drawer: expected = the fold of its journal = the read model; every installment and refund journalled once"
    static let released = "11 no capture after a release; captured + released = authorized"
}

/// One applied GoblinPay operation, with the Till request it came from: processor keys are
/// "<client key>#<attempt>:<step>".
struct AppliedEntry: Sendable {
    let processorKey: String
    let clientKey: String
    let attempt: String
    let step: GoblinPayOperation
    let reference: String
    let amount: Int64

    init(_ entry: GoblinPayLedgerEntry) {
        processorKey = entry.key
        step = entry.operation
        reference = entry.reference
        amount = entry.amount.minorUnits
        let beforeStep = entry.key.lastIndex(of: ":").map { String(entry.key[..<$0]) } ?? entry.key
        if let hash = beforeStep.lastIndex(of: "#") {
            clientKey = String(beforeStep[..<hash])
            attempt = String(beforeStep[beforeStep.index(after: hash)...])
        } else {
            clientKey = beforeStep
            attempt = "?"
        }
    }
}

/// What GoblinPay holds for one authorization, accumulated from its ledger.
struct AuthorizationState: Sendable {
    var currency: String
    var authorized: Int64 = 0
    var captured: Int64 = 0
    var refunded: Int64 = 0
    var voided: Int64 = 0
    var released: Int64 = 0
    var entries: [AppliedEntry] = []
}

/// How Till stands towards one attempt (client key + attempt number) GoblinPay applied.
enum AttemptStanding: Equatable {
    /// The request completed under this attempt: what it applied is in Till's ledger.
    case recorded
    /// The request is open under this attempt (in progress, outcome unknown, needs attention).
    case open(String)
    /// The key was freed (refused or not applied), or a later attempt runs under it.
    case released
}

/// The invariant checks, over GoblinPay's ledger (accumulated incrementally) and the till's
/// SQLite file (read with plain SQL).
struct SimChecker {
    private(set) var authorizations: [String: AuthorizationState] = [:]
    private var entriesByClientKey: [String: [AppliedEntry]] = [:]
    private var seenEntries = 0
    private var openKeys: Set<String> = []
    private var lastOrderEvent: Int64 = 0
    private var lastPaymentEvent: Int64 = 0
    private var lastWalletEvent: Int64 = 0
    private var lastDrawerEvent: Int64 = 0
    private(set) var checks: [String: Int] = [:]

    // MARK: The step check

    /// Takes in GoblinPay's new entries and the till's new events, then checks everything they
    /// touched. Returns the first violation, in a deterministic order.
    mutating func afterStep(entries: [GoblinPayLedgerEntry], db: Database) throws -> SimViolation? {
        var dirtyReferences: Set<String> = []
        var dirtyKeys: Set<String> = []
        for entry in entries.dropFirst(seenEntries) {
            let applied = AppliedEntry(entry)
            var state = authorizations[applied.reference] ?? AuthorizationState(currency: entry.amount.currency.code)
            switch applied.step {
            case .authorize: state.authorized += applied.amount
            case .capture: state.captured += applied.amount
            case .refund: state.refunded += applied.amount
            case .void: state.voided += applied.amount
            case .release: state.released += applied.amount
            }
            state.entries.append(applied)
            authorizations[applied.reference] = state
            entriesByClientKey[applied.clientKey, default: []].append(applied)
            dirtyReferences.insert(applied.reference)
            dirtyKeys.insert(applied.clientKey)
        }
        seenEntries = max(seenEntries, entries.count)

        // A request that left the open set (completed, or freed) changes how its entries count.
        let open = Set(try String.fetchAll(db, sql: "SELECT key FROM idempotency WHERE state != 'completed'"))
        for key in open.symmetricDifference(openKeys) {
            for entry in entriesByClientKey[key] ?? [] { dirtyReferences.insert(entry.reference) }
        }
        openKeys = open

        let paymentIds = try String.fetchAll(
            db, sql: "SELECT DISTINCT payment_id FROM payment_events WHERE seq > ?", arguments: [lastPaymentEvent])
        lastPaymentEvent = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM payment_events") ?? lastPaymentEvent
        for id in paymentIds.sorted() {
            if let violation = try checkTillPayment(id: id, db: db, dirty: &dirtyReferences) { return violation }
        }
        for reference in dirtyReferences.sorted() {
            if let violation = try checkAuthorization(reference, db: db, strict: false) { return violation }
        }
        for key in dirtyKeys.sorted() {
            if let violation = checkOneEffect(clientKey: key) { return violation }
        }
        let orderIds = try String.fetchAll(
            db, sql: "SELECT DISTINCT order_id FROM order_events WHERE seq > ?", arguments: [lastOrderEvent])
        lastOrderEvent = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM order_events") ?? lastOrderEvent
        for id in orderIds.sorted() {
            if let violation = try checkOrder(id: id, db: db) { return violation }
        }
        let walletKeys = try String.fetchAll(
            db, sql: "SELECT DISTINCT wallet_key FROM wallet_events WHERE seq > ?", arguments: [lastWalletEvent])
        lastWalletEvent = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM wallet_events") ?? lastWalletEvent
        for key in walletKeys.sorted() {
            if let violation = try checkWallet(key: key, db: db) { return violation }
        }
        let sessions = try String.fetchAll(db, sql: """
            SELECT DISTINCT session_id FROM drawer_events WHERE seq > ? AND session_id IS NOT NULL
            """, arguments: [lastDrawerEvent])
        lastDrawerEvent = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM drawer_events") ?? lastDrawerEvent
        for id in sessions.sorted() {
            if let violation = try checkDrawerSession(id: id, db: db) { return violation }
        }
        return nil
    }

    /// Everything, everywhere. `strict`: nothing may be open any more (after resolution).
    mutating func fullCheck(entries: [GoblinPayLedgerEntry], db: Database, strict: Bool) throws -> SimViolation? {
        if let violation = try afterStep(entries: entries, db: db) { return violation }
        var unused: Set<String> = []
        for id in try String.fetchAll(db, sql: "SELECT id FROM payments ORDER BY id") {
            if let violation = try checkTillPayment(id: id, db: db, dirty: &unused) { return violation }
        }
        for reference in authorizations.keys.sorted() {
            if let violation = try checkAuthorization(reference, db: db, strict: strict) { return violation }
        }
        for key in entriesByClientKey.keys.sorted() {
            if let violation = checkOneEffect(clientKey: key) { return violation }
        }
        for id in try String.fetchAll(db, sql: "SELECT id FROM orders ORDER BY id") {
            if let violation = try checkOrder(id: id, db: db) { return violation }
        }
        for key in try String.fetchAll(db, sql: "SELECT key FROM wallets ORDER BY key") {
            if let violation = try checkWallet(key: key, db: db) { return violation }
        }
        for id in try String.fetchAll(db, sql: "SELECT id FROM drawer_sessions ORDER BY id") {
            if let violation = try checkDrawerSession(id: id, db: db) { return violation }
        }
        count(Invariant.readModels)
        if let difference = try ReadModelAudit.differences(in: db).first {
            return SimViolation(invariant: Invariant.readModels, detail: difference.description)
        }
        return nil
    }

    private mutating func count(_ invariant: String) { checks[invariant, default: 0] += 1 }

    // MARK: 1, 4: the ledgers agree

    /// A Till payment must stand on a GoblinPay authorization (never a phantom).
    private mutating func checkTillPayment(id: String, db: Database, dirty: inout Set<String>) throws -> SimViolation? {
        guard let reference = try String.fetchOne(db, sql: "SELECT processor_ref FROM payments WHERE id = ?", arguments: [id]) else {
            return nil  // events of a payment that has no row would break invariant 4 below
        }
        count(Invariant.ledgersAgree)
        guard authorizations[reference] != nil else {
            return SimViolation(
                invariant: Invariant.ledgersAgree,
                detail: "Till payment \(id) names GoblinPay authorization \(reference), which GoblinPay never applied")
        }
        dirty.insert(reference)
        return nil
    }

    /// How Till stands towards an attempt GoblinPay applied.
    static func standing(clientKey: String, attempt: String, db: Database) throws -> AttemptStanding {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT state, intent FROM idempotency WHERE key = ?", arguments: [clientKey])
        else { return .released }
        let state: String = try row.decode(forColumn: "state")
        if state == "completed" {
            let used = try Int64.fetchOne(
                db, sql: "SELECT used FROM processor_attempts WHERE key = ?", arguments: [clientKey]) ?? 0
            return String(used) == attempt ? .recorded : .released
        }
        let intent: String? = try row.decode(forColumn: "intent")
        if let intent, intentId(intent) == "\(clientKey)#\(attempt)" { return .open(state) }
        return .released
    }

    /// The `id` of a stored intent (JSON), without the service's private types.
    static func intentId(_ intent: String) -> String? {
        struct Head: Decodable { let id: String }
        return try? JSONDecoder().decode(Head.self, from: Data(intent.utf8)).id
    }

    /// What GoblinPay holds for `reference` equals what Till recorded for it; whatever Till did
    /// not record is explained by a request still open on it, or is a released installment
    /// (authorization + its void under one attempt). Anything else is a lost charge.
    mutating func checkAuthorization(_ reference: String, db: Database, strict: Bool) throws -> SimViolation? {
        guard let state = authorizations[reference] else { return nil }
        count(Invariant.ledgersAgree)
        count(Invariant.amounts)
        count(Invariant.released)
        func violation(_ invariant: String, _ detail: String) -> SimViolation {
            SimViolation(invariant: invariant, detail: "authorization \(reference): \(detail)")
        }
        if state.captured > state.authorized || state.refunded > state.captured {
            return violation(Invariant.amounts, "GoblinPay holds authorized \(state.authorized), captured \(state.captured), refunded \(state.refunded)")
        }
        var recorded = (authorize: false, captured: Int64(0), refunded: Int64(0), voided: false, released: Int64(0))
        var attempts: [String: [AppliedEntry]] = [:]
        var order: [String] = []
        for entry in state.entries {
            let id = entry.clientKey + "#" + entry.attempt
            if attempts[id] == nil { order.append(id) }
            attempts[id, default: []].append(entry)
        }
        for id in order {
            guard let entries = attempts[id], let first = entries.first else { continue }
            let steps = entries.map(\.step.rawValue).joined(separator: "+")
            switch try Self.standing(clientKey: first.clientKey, attempt: first.attempt, db: db) {
            case .recorded:
                for entry in entries {
                    switch entry.step {
                    case .authorize: recorded.authorize = true
                    case .capture: recorded.captured += entry.amount
                    case .refund: recorded.refunded += entry.amount
                    case .void: recorded.voided = true
                    case .release: recorded.released += entry.amount
                    }
                }
            case .open(let requestState):
                if strict {
                    return violation(Invariant.resolves, "attempt \(id) (\(steps)) is still \(requestState) after resolution with faults off")
                }
            case .released:
                let kinds = Set(entries.map(\.step))
                if kinds == [.authorize, .void] { continue }  // a released installment
                if kinds == [.authorize] {
                    // A hold Till forgot: nothing was charged, but the customer's money stays
                    // held until the authorization expires, and a retry would place another.
                    return violation(
                        Invariant.ledgersAgree,
                        "LEAKED HOLD: attempt \(id) authorized \(state.authorized) at GoblinPay, but Till freed the key without capturing or voiding it")
                }
                let amounts = entries.map { "\($0.step.rawValue) \($0.amount)" }.joined(separator: ", ")
                return violation(
                    Invariant.ledgersAgree,
                    "LOST: GoblinPay applied \(amounts) under attempt \(id), but Till freed that attempt (nothing recorded, nothing pending)")
            }
        }
        let row = try Row.fetchOne(
            db, sql: "SELECT id, authorized, captured, refunded, voided FROM payments WHERE processor_ref = ?",
            arguments: [reference])
        guard let row else {
            if recorded.authorize {
                return violation(Invariant.ledgersAgree, "the authorizing request completed, but Till has no payment for it")
            }
            if recorded.captured > 0 || recorded.refunded > 0 || recorded.voided || recorded.released > 0 {
                return violation(Invariant.ledgersAgree, "completed requests captured/refunded/voided it, but Till has no payment for it")
            }
            return nil
        }
        let id: String = try row.decode(forColumn: "id")
        // Till's figures as Till itself reads them: folded from the payment's events.
        var authorized: Int64 = 0, captured: Int64 = 0, refunded: Int64 = 0, voided = false, released: Int64 = 0
        // Events in order: a capture recorded after the release is a violation of its own.
        var capturedAfterRelease = false
        for event in try Row.fetchAll(
            db, sql: "SELECT kind, SUM(amount) AS amount FROM payment_events WHERE payment_id = ? GROUP BY kind", arguments: [id]) {
            let kind: String = try event.decode(forColumn: "kind"), amount: Int64 = try event.decode(forColumn: "amount")
            switch kind {
            case "authorized": authorized = amount
            case "captured": captured = amount
            case "refunded": refunded = amount
            case "voided": voided = true
            case "released": released = amount
            default: break
            }
        }
        capturedAfterRelease = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM payment_events c JOIN payment_events r ON r.payment_id = c.payment_id
                WHERE c.payment_id = ? AND c.kind = 'captured' AND r.kind = 'released' AND c.seq > r.seq)
            """, arguments: [id]) ?? false
        // The `payments` columns are a read model of the same events: they must agree.
        let columns: (Int64, Int64, Bool) = (
            try row.decode(forColumn: "captured"), try row.decode(forColumn: "refunded"), try row.decode(forColumn: "voided"))
        if columns != (captured, refunded, voided) {
            return violation(
                Invariant.amounts,
                "Till payment \(id): columns captured \(columns.0), refunded \(columns.1), voided \(columns.2) differ from its events (\(captured), \(refunded), \(voided))")
        }
        if captured > authorized || refunded > captured || (released > 0 && captured + released != authorized) {
            return violation(
                Invariant.amounts,
                "Till payment \(id) has authorized \(authorized), captured \(captured), refunded \(refunded), released \(released)")
        }
        if capturedAfterRelease || (state.released > 0 && state.captured + state.released != state.authorized) {
            return violation(
                Invariant.released,
                "payment \(id): captured after its rest was released (Till), or GoblinPay holds captured \(state.captured) + released \(state.released) != authorized \(state.authorized)")
        }
        guard recorded.authorize else {
            return violation(Invariant.ledgersAgree, "Till payment \(id) exists, but the request that authorized it is not recorded as completed")
        }
        if authorized != state.authorized || captured != recorded.captured || refunded != recorded.refunded || voided != recorded.voided
            || released != recorded.released {
            return violation(
                Invariant.ledgersAgree,
                "Till payment \(id) records authorized \(authorized), captured \(captured), refunded \(refunded), voided \(voided), released \(released); "
                    + "GoblinPay holds authorized \(state.authorized), captured \(state.captured), refunded \(state.refunded), voided \(state.voided), released \(state.released), "
                    + "of which completed requests applied captured \(recorded.captured), refunded \(recorded.refunded), voided \(recorded.voided), released \(recorded.released)")
        }
        return nil
    }

    // MARK: 2: one effect per key

    /// A client key's applied attempts per step: at most one (an authorization voided by its own
    /// attempt, a released installment, does not count).
    mutating func checkOneEffect(clientKey: String) -> SimViolation? {
        guard let entries = entriesByClientKey[clientKey] else { return nil }
        count(Invariant.oneEffectPerKey)
        var attemptsByStep: [GoblinPayOperation: [String]] = [:]
        // An attempt that authorized and voided its own authorization (a released installment)
        // left nothing behind: it does not count.
        let voided = Set(entries.filter { $0.step == .void }.map(\.attempt))
        let released = Set(entries.filter { $0.step == .authorize && voided.contains($0.attempt) }.map(\.attempt))
        for entry in entries {
            if released.contains(entry.attempt), entry.step == .authorize || entry.step == .void { continue }
            if !(attemptsByStep[entry.step]?.contains(entry.attempt) ?? false) {
                attemptsByStep[entry.step, default: []].append(entry.attempt)
            }
        }
        for step in GoblinPayOperation.allCases {
            if let attempts = attemptsByStep[step], attempts.count > 1 {
                let keys = entries.filter { $0.step == step }.map { "\($0.processorKey) \($0.amount)" }.joined(separator: ", ")
                return SimViolation(
                    invariant: Invariant.oneEffectPerKey,
                    detail: "client key \(clientKey) has \(step.rawValue) applied under attempts \(attempts.joined(separator: ", ")): \(keys)")
            }
        }
        return nil
    }

    // MARK: 3: orders

    mutating func checkOrder(id: String, db: Database) throws -> SimViolation? {
        guard let order = try Row.fetchOne(db, sql: "SELECT total, paid, refunded FROM orders WHERE id = ?", arguments: [id]) else {
            return nil
        }
        count(Invariant.orders)
        let total: Int64 = try order.decode(forColumn: "total"), paid: Int64 = try order.decode(forColumn: "paid"), refunded: Int64 = try order.decode(forColumn: "refunded")
        let sums = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(refunded), 0) AS refunded FROM order_payments WHERE order_id = ?
            """, arguments: [id])
        let paymentSum: Int64 = try sums?.decode(forColumn: "amount") ?? 0
        let paymentRefunds: Int64 = try sums?.decode(forColumn: "refunded") ?? 0
        let refundSum = try Int64.fetchOne(
            db, sql: "SELECT COALESCE(SUM(amount), 0) FROM order_refunds WHERE order_id = ?", arguments: [id]) ?? 0
        let figures = "total \(total), paid \(paid), refunded \(refunded); installments sum to \(paymentSum), their refunds to \(paymentRefunds), refund rows to \(refundSum)"
        if paid > total || paid != paymentSum || refunded > paid || refunded != paymentRefunds || refunded != refundSum {
            return SimViolation(invariant: Invariant.orders, detail: "order \(id): \(figures)")
        }
        // A card installment is its gateway payment, captured in full, and refunded alike (but
        // for what was given back as store credit instead).
        for row in try Row.fetchAll(db, sql: """
            SELECT op.id AS id, op.amount AS amount, p.id AS payment,
                (SELECT COALESCE(SUM(amount), 0) FROM order_refunds WHERE order_payment_id = op.id AND to_wallet IS NULL) AS refunded,
                (SELECT COALESCE(SUM(amount), 0) FROM payment_events WHERE payment_id = p.id AND kind = 'captured') AS captured,
                (SELECT COALESCE(SUM(amount), 0) FROM payment_events WHERE payment_id = p.id AND kind = 'refunded') AS payment_refunded
            FROM order_payments op LEFT JOIN payments p ON p.id = op.payment_id
            WHERE op.order_id = ? AND op.tender = 'card'
            """, arguments: [id]) {
            let amount: Int64 = try row.decode(forColumn: "amount"), installmentRefunded: Int64 = try row.decode(forColumn: "refunded")
            let payment: String? = try row.decode(forColumn: "payment")
            let captured: Int64? = try row.decode(forColumn: "captured"), paymentRefunded: Int64? = try row.decode(forColumn: "payment_refunded")
            if payment == nil || captured != amount || paymentRefunded != installmentRefunded {
                let opId: String = try row.decode(forColumn: "id")
                return SimViolation(
                    invariant: Invariant.orders,
                    detail: "order \(id): card installment \(opId) of \(amount), refunded to the card \(installmentRefunded), has gateway payment \(payment ?? "none") captured \(captured.map(String.init) ?? "-"), refunded \(paymentRefunded.map(String.init) ?? "-")")
            }
        }
        return try checkJournal(orderId: id, db: db)
    }

    // MARK: 10: the drawer

    /// Every installment and refund of the order has exactly one line in the drawer's journal,
    /// of its amount, tender (a refund's: where the money went) and, for cash, change: no cash
    /// movement lost or counted twice.
    mutating func checkJournal(orderId: String, db: Database) throws -> SimViolation? {
        count(Invariant.drawer)
        let mismatch = try Row.fetchOne(db, sql: """
            SELECT e.kind, e.reference, e.amount, COUNT(d.seq) AS lines, COALESCE(SUM(d.amount), 0) AS journalled,
                MAX(d.tender) AS tender, MAX(d.change) AS change,
                CASE e.kind WHEN 'paid' THEN (SELECT tender FROM order_payments WHERE id = e.reference)
                    ELSE (SELECT CASE WHEN r.to_wallet IS NOT NULL THEN 'store_credit' ELSE p.tender END
                          FROM order_refunds r JOIN order_payments p ON p.id = r.order_payment_id WHERE r.id = e.reference) END AS expected_tender,
                CASE e.kind WHEN 'paid' THEN (SELECT change FROM order_payments WHERE id = e.reference) ELSE 0 END AS expected_change
            FROM order_events e LEFT JOIN drawer_events d
                ON d.reference = e.reference AND d.kind = CASE e.kind WHEN 'paid' THEN 'sale' ELSE 'refund' END
            WHERE e.order_id = ? AND e.kind IN ('paid', 'refunded')
            GROUP BY e.seq
            HAVING lines != 1 OR journalled != e.amount OR tender IS NOT expected_tender OR change IS NOT expected_change
            LIMIT 1
            """, arguments: [orderId])
        guard let mismatch else { return nil }
        let kind: String = try mismatch.decode(forColumn: "kind"), reference: String = try mismatch.decode(forColumn: "reference")
        let lines: Int64 = try mismatch.decode(forColumn: "lines"), journalled: Int64 = try mismatch.decode(forColumn: "journalled")
        let amount: Int64 = try mismatch.decode(forColumn: "amount")
        return SimViolation(
            invariant: Invariant.drawer,
            detail: "order \(orderId): \(kind) \(reference) of \(amount) has \(lines) journal lines for \(journalled), or another tender or change")
    }

    /// A session's expected cash, three ways: folded by the core from its journal, summed by
    /// SQL from its lines, and as the read model keeps it.
    mutating func checkDrawerSession(id: String, db: Database) throws -> SimViolation? {
        count(Invariant.drawer)
        let stored = try Int64.fetchOne(db, sql: "SELECT expected FROM drawer_sessions WHERE id = ?", arguments: [id])
        let summed = try Int64.fetchOne(db, sql: """
            SELECT SUM(CASE WHEN kind IN ('opened', 'paid_in') OR (kind = 'sale' AND tender = 'cash') THEN amount
                WHEN kind = 'paid_out' OR (kind = 'refund' AND tender = 'cash') THEN -amount ELSE 0 END)
            FROM drawer_events WHERE session_id = ?
            """, arguments: [id])
        let folded = try Ledger(db: db).drawerSession(id: id)?.expected.minorUnits
        let open = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM drawer_sessions WHERE state = 'open' GROUP BY currency ORDER BY 1 DESC LIMIT 1") ?? 0
        guard let stored, stored == summed, stored == folded, open <= 1 else {
            return SimViolation(
                invariant: Invariant.drawer,
                detail: "drawer session \(id): expected \(stored.map(String.init) ?? "none") stored, \(summed.map(String.init) ?? "none") summed, \(folded.map(String.init) ?? "none") folded; \(open) open in one currency")
        }
        return nil
    }

    // MARK: 5: wallets

    mutating func checkWallet(key: String, db: Database) throws -> SimViolation? {
        guard let wallet = try Row.fetchOne(db, sql: "SELECT balance, overdraft_limit FROM wallets WHERE key = ?", arguments: [key]) else {
            return nil
        }
        count(Invariant.wallets)
        let balance: Int64 = try wallet.decode(forColumn: "balance"), overdraft: Int64 = try wallet.decode(forColumn: "overdraft_limit")
        var running: Int64 = 0
        for event in try Row.fetchAll(
            db, sql: "SELECT seq, kind, amount, balance_after FROM wallet_events WHERE wallet_key = ? ORDER BY seq", arguments: [key]) {
            let kind: String = try event.decode(forColumn: "kind"), amount: Int64 = try event.decode(forColumn: "amount"), after: Int64 = try event.decode(forColumn: "balance_after")
            switch kind {
            case "opened": running = amount
            case "credited": running += amount
            case "debited": running -= amount
            default:
                return SimViolation(invariant: Invariant.wallets, detail: "wallet \(key): unknown event kind \(kind)")
            }
            if after != running {
                let seq: Int64 = try event.decode(forColumn: "seq")
                return SimViolation(invariant: Invariant.wallets, detail: "wallet \(key): event \(seq) (\(kind) \(amount)) says balance \(after), the events sum to \(running)")
            }
        }
        if balance != running || balance < -overdraft {
            return SimViolation(
                invariant: Invariant.wallets,
                detail: "wallet \(key): balance \(balance), overdraft limit \(overdraft), events sum to \(running)")
        }
        return nil
    }
}
