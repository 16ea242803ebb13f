import Synchronization
import TillCore

/// Where GoblinPay's ledger lives: in memory (tests) or in a SQLite file (the `till` CLI, where
/// every invocation is a new process). Each `write` is one atomic transaction, across processes
/// for the file, so checking a key, checking balances and inserting can never interleave.
protocol LedgerStorage: Sendable {
    /// Runs `body` as one transaction; if it throws, nothing it wrote is kept.
    func write<T: Sendable>(_ body: @Sendable (any LedgerTransaction) throws -> T) async throws -> T
    /// Runs `body` against a consistent view of the ledger.
    func read<T: Sendable>(_ body: @Sendable (any LedgerReading) throws -> T) async throws -> T
}

protocol LedgerReading {
    /// The entry applied under `key`, if any.
    func entry(key: String) throws -> GoblinPayLedgerEntry?
    /// The entries of one authorization, in the order applied.
    func entries(reference: String) throws -> [GoblinPayLedgerEntry]
    func allEntries() throws -> [GoblinPayLedgerEntry]
    func timesApplied(key: String) throws -> Int
    func failedAttempts(key: String) throws -> Int
    /// Captures and refunds in no payout yet, in the order applied.
    func unsettled() throws -> [GoblinPayLedgerEntry]
    /// Payouts in `state` (all when nil), newest first.
    func payouts(state: GoblinPayPayout.State?) throws -> [GoblinPayPayout]
    func payoutCount() throws -> GoblinPayPayoutCount
    /// This ledger's own random id, made when it was created: payout ids are unique across
    /// ledgers, whatever their seeds.
    func ledgerIdentity() throws -> String
}

protocol LedgerTransaction: LedgerReading {
    /// Appends an entry; throws if the key was already applied (the caller checks first, the
    /// storage refuses anyway).
    func insert(_ entry: NewLedgerEntry) throws
    /// Counts a call under `key` that failed before applying.
    func recordFailure(key: String, operation: GoblinPayOperation) throws
    /// Records a new payout (its sequence is the number of payouts before it plus one) and marks
    /// the ledger entries numbered `settling` as paid out in it.
    func insert(_ payout: GoblinPayPayout, settling: [Int64]) throws
    /// Sets the payout's state to processing and counts the update; nil when there is no such payout.
    func markProcessing(id: String) throws -> GoblinPayPayout?
}

/// An entry about to be applied (the ledger gives it its sequence number).
struct NewLedgerEntry: Sendable {
    let key: String
    let operation: GoblinPayOperation
    let reference: String
    let amount: Money
    /// Authorizations only.
    let card: CardOnFile?
}

/// The ledger in memory, for tests and for a GoblinPay that lives as long as its process.
final class MemoryLedgerStorage: LedgerStorage {
    private let state = Mutex(MemoryLedger())

    func write<T: Sendable>(_ body: @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try state.withLock { ledger in
            // Work on a copy and keep it only if `body` succeeds: the rollback of a transaction.
            let transaction = MemoryTransaction(ledger)
            let result = try body(transaction)
            ledger = transaction.ledger
            return result
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any LedgerReading) throws -> T) async throws -> T {
        let snapshot = state.withLock { $0 }
        return try body(MemoryTransaction(snapshot))
    }
}

struct MemoryLedger: Sendable {
    var entries: [GoblinPayLedgerEntry] = []
    var indexByKey: [String: Int] = [:]
    var failures: [String: Int] = [:]
    var settled: Set<Int64> = []
    var payouts: [GoblinPayPayout] = []
    var payoutIndex: [String: Int] = [:]
    let identity = String(UInt64.random(in: 0...UInt64.max), radix: 16)
}

private final class MemoryTransaction: LedgerTransaction {
    var ledger: MemoryLedger

    init(_ ledger: MemoryLedger) { self.ledger = ledger }

    func entry(key: String) -> GoblinPayLedgerEntry? {
        ledger.indexByKey[key].map { ledger.entries[$0] }
    }

    func entries(reference: String) -> [GoblinPayLedgerEntry] {
        ledger.entries.filter { $0.reference == reference }
    }

    func allEntries() -> [GoblinPayLedgerEntry] { ledger.entries }

    func timesApplied(key: String) -> Int { ledger.entries.count { $0.key == key } }

    func failedAttempts(key: String) -> Int { ledger.failures[key] ?? 0 }

    func insert(_ entry: NewLedgerEntry) throws {
        guard ledger.indexByKey[entry.key] == nil else {
            throw GoblinPayLedgerError("key \(entry.key) was already applied")
        }
        ledger.indexByKey[entry.key] = ledger.entries.count
        ledger.entries.append(GoblinPayLedgerEntry(
            sequence: Int64(ledger.entries.count + 1), key: entry.key, operation: entry.operation,
            reference: entry.reference, amount: entry.amount, cardBrand: entry.card?.brand,
            cardLast4: entry.card?.last4, profile: entry.card?.profile))
    }

    func recordFailure(key: String, operation: GoblinPayOperation) {
        ledger.failures[key, default: 0] += 1
    }

    func ledgerIdentity() -> String { ledger.identity }

    func unsettled() -> [GoblinPayLedgerEntry] {
        ledger.entries.filter { ($0.operation == .capture || $0.operation == .refund) && !ledger.settled.contains($0.sequence) }
    }

    func payouts(state: GoblinPayPayout.State?) -> [GoblinPayPayout] {
        ledger.payouts.reversed().filter { state == nil || $0.state == state }
    }

    func payoutCount() -> GoblinPayPayoutCount {
        GoblinPayPayoutCount(
            total: ledger.payouts.count, processing: ledger.payouts.count { $0.state == .processing },
            maxUpdateCount: ledger.payouts.map(\.updateCount).max() ?? 0)
    }

    func insert(_ payout: GoblinPayPayout, settling: [Int64]) throws {
        guard ledger.payoutIndex[payout.id] == nil else { throw GoblinPayLedgerError("payout \(payout.id) exists") }
        ledger.payoutIndex[payout.id] = ledger.payouts.count
        ledger.payouts.append(payout)
        ledger.settled.formUnion(settling)
    }

    func markProcessing(id: String) -> GoblinPayPayout? {
        guard let index = ledger.payoutIndex[id] else { return nil }
        ledger.payouts[index].state = .processing
        ledger.payouts[index].updateCount += 1
        return ledger.payouts[index]
    }
}
