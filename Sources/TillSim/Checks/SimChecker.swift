import TillCore
import TillProcessor
import TillStore

/// The invariant checks, over GoblinPay's ledger (accumulated incrementally) and the till's
/// ledger as stored (`LedgerInspection`: the raw rows and events, never the service's word).
/// The checks themselves are in `LedgerAgreement` (1, 2, 4, 11: Till against GoblinPay) and
/// `BookChecks` (3, 5, 10: orders, wallets, the drawer).
struct SimChecker {
    var authorizations: [String: AuthorizationState] = [:]
    var entriesByClientKey: [String: [AppliedEntry]] = [:]
    private var seenEntries = 0
    private var openKeys: Set<String> = []
    /// How far each history has been read.
    private var lastEvent: [LedgerInspection.Stream: Int64] = [:]
    private(set) var checks: [String: Int] = [:]

    // MARK: The step check

    /// Takes in GoblinPay's new entries and the till's new events, then checks everything they
    /// touched. Returns the first violation, in a deterministic order.
    mutating func afterStep(entries: [GoblinPayLedgerEntry], ledger: LedgerInspection.Snapshot) throws -> SimViolation? {
        var dirtyReferences: Set<String> = []
        var dirtyKeys: Set<String> = []
        for entry in entries.dropFirst(seenEntries) {
            let applied = AppliedEntry(entry)
            var state = authorizations[applied.reference] ?? AuthorizationState(currency: entry.amount.currency.code)
            state.add(applied)
            authorizations[applied.reference] = state
            entriesByClientKey[applied.clientKey, default: []].append(applied)
            dirtyReferences.insert(applied.reference)
            dirtyKeys.insert(applied.clientKey)
        }
        seenEntries = max(seenEntries, entries.count)

        // A request that left the open set (completed, or freed) changes how its entries count.
        let open = try ledger.openRequestKeys()
        for key in open.symmetricDifference(openKeys) {
            for entry in entriesByClientKey[key] ?? [] { dirtyReferences.insert(entry.reference) }
        }
        openKeys = open

        for id in try touched(.payments, ledger) {
            if let violation = try checkTillPayment(id: id, ledger: ledger, dirty: &dirtyReferences) { return violation }
        }
        for reference in dirtyReferences.sorted() {
            if let violation = try checkAuthorization(reference, ledger: ledger, strict: false) { return violation }
        }
        for key in dirtyKeys.sorted() {
            if let violation = checkOneEffect(clientKey: key) { return violation }
        }
        for id in try touched(.orders, ledger) {
            if let violation = try checkOrder(id: id, ledger: ledger) { return violation }
        }
        for key in try touched(.wallets, ledger) {
            if let violation = try checkWallet(key: key, ledger: ledger) { return violation }
        }
        for id in try touched(.drawerSessions, ledger) {
            if let violation = try checkDrawerSession(id: id, ledger: ledger) { return violation }
        }
        return nil
    }

    /// Everything, everywhere. `strict`: nothing may be open any more (after resolution).
    mutating func fullCheck(entries: [GoblinPayLedgerEntry], ledger: LedgerInspection.Snapshot, strict: Bool) throws -> SimViolation? {
        if let violation = try afterStep(entries: entries, ledger: ledger) { return violation }
        var unused: Set<String> = []
        for id in try ledger.keys(.payments) {
            if let violation = try checkTillPayment(id: id, ledger: ledger, dirty: &unused) { return violation }
        }
        for reference in authorizations.keys.sorted() {
            if let violation = try checkAuthorization(reference, ledger: ledger, strict: strict) { return violation }
        }
        for key in entriesByClientKey.keys.sorted() {
            if let violation = checkOneEffect(clientKey: key) { return violation }
        }
        for id in try ledger.keys(.orders) {
            if let violation = try checkOrder(id: id, ledger: ledger) { return violation }
        }
        for key in try ledger.keys(.wallets) {
            if let violation = try checkWallet(key: key, ledger: ledger) { return violation }
        }
        for id in try ledger.keys(.drawerSessions) {
            if let violation = try checkDrawerSession(id: id, ledger: ledger) { return violation }
        }
        count(.readModels)
        if let difference = try ledger.readModelDifferences().first {
            return SimViolation(invariant: .readModels, detail: difference.description)
        }
        return nil
    }

    /// The rows `stream`'s history touched since the last look, sorted.
    private mutating func touched(_ stream: LedgerInspection.Stream, _ ledger: LedgerInspection.Snapshot) throws -> [String] {
        let touched = try ledger.touched(stream, after: lastEvent[stream] ?? 0)
        lastEvent[stream] = touched.lastSeq
        return touched.keys
    }

    mutating func count(_ invariant: Invariant) { checks[invariant.rawValue, default: 0] += 1 }
}
