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
}

protocol LedgerTransaction: LedgerReading {
    /// Appends an entry; throws if the key was already applied (the caller checks first, the
    /// storage refuses anyway).
    func insert(_ entry: NewLedgerEntry) throws
    /// Counts a call under `key` that failed before applying.
    func recordFailure(key: String, operation: GoblinPayOperation) throws
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
}
