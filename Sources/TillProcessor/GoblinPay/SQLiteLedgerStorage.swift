import GRDB
import TillCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger in a SQLite file, shared by every process that opens the same path: each `till`
/// invocation is a new process, and its captures and lookups must see earlier authorizations.
///
/// - WAL mode (a `DatabasePool`), `synchronous = FULL` so an applied key survives a power cut,
///   and a 10 s busy timeout so concurrent processes wait instead of failing.
/// - Every write is one IMMEDIATE transaction: the write lock is taken before the key is
///   checked, so two processes can never both apply one key.
/// - The file is created with mode 0600 (SQLite gives the -wal and -shm files the same mode).
/// - Opening and migrating run under an exclusive `flock` on `<path>.lock`, since several
///   processes may open a fresh file at the same moment.
final class SQLiteLedgerStorage: LedgerStorage {
    private let pool: DatabasePool

    init(path: String) throws {
        do {
            let lock = try FileLock(path: path + ".lock")
            defer { lock.release() }
            try createPrivately(path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.label = "GoblinPay"
            let pool = try DatabasePool(path: path, configuration: configuration)
            // The pool sets synchronous = NORMAL on its writer when it turns WAL on, so this
            // must come after opening (it is per connection: the writer is the one that commits).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
            self.pool = pool
        } catch let error as GoblinPayLedgerError {
            throw error
        } catch {
            let reason = (error as? DatabaseError).map { "SQLite error \($0.extendedResultCode.rawValue): \($0.message ?? "")" }
            throw GoblinPayLedgerError("cannot open \(path): \(reason ?? String(describing: error))")
        }
    }

    /// An error's SQLite result code, when it is SQLite's: GRDB's description of it quotes the
    /// statement, so only the code is said.
    static func sqliteCode(_ error: any Error) -> Int32? { (error as? DatabaseError)?.extendedResultCode.rawValue }

    func write<T: Sendable>(_ body: @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try body(SQLiteTransaction(db: db)) }
    }

    func read<T: Sendable>(_ body: @Sendable (any LedgerReading) throws -> T) async throws -> T {
        try await pool.read { db in try body(SQLiteTransaction(db: db)) }
    }

    /// The writer connection's `synchronous` setting (2 is FULL), for tests.
    func synchronousSetting() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Named steps, never edited once shipped: add a new one to change the schema.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE operation (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    processor_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('authorize', 'capture', 'refund', 'void')),
                    reference TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    card_brand TEXT,
                    card_last4 TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
                    card_profile TEXT
                );
                CREATE INDEX operation_by_reference ON operation (reference, sequence);
                CREATE UNIQUE INDEX one_authorization_per_reference ON operation (reference)
                    WHERE kind = 'authorize';
                CREATE TABLE failed_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    processor_key TEXT NOT NULL,
                    kind TEXT NOT NULL
                );
                CREATE INDEX failed_attempt_by_key ON failed_attempt (processor_key);
                """)
        }
        // A release is recorded as its own kind: the table is rebuilt with the wider CHECK.
        migrator.registerMigration("v2-release") { db in
            try db.execute(sql: """
                CREATE TABLE operation_v2 (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    processor_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('authorize', 'capture', 'refund', 'void', 'release')),
                    reference TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    currency TEXT NOT NULL,
                    card_brand TEXT,
                    card_last4 TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
                    card_profile TEXT
                );
                INSERT INTO operation_v2 SELECT * FROM operation;
                DROP TABLE operation;
                ALTER TABLE operation_v2 RENAME TO operation;
                CREATE INDEX operation_by_reference ON operation (reference, sequence);
                CREATE UNIQUE INDEX one_authorization_per_reference ON operation (reference)
                    WHERE kind = 'authorize';
                """)
        }
        migrator.registerMigration("v3-payouts", migrate: migrateToPayouts)
        migrator.registerMigration("v4-ledger-identity", migrate: migrateToLedgerIdentity)
        return migrator
    }
}

struct SQLiteTransaction: LedgerTransaction {
    let db: Database

    private static let columns = """
        sequence, processor_key, kind, reference, amount_minor, currency, card_brand, card_last4, card_profile
        """

    func entry(key: String) throws -> GoblinPayLedgerEntry? {
        try Row.fetchOne(
            db, sql: "SELECT \(Self.columns) FROM operation WHERE processor_key = ?", arguments: [key]
        ).map(Self.entry(from:))
    }

    func entries(reference: String) throws -> [GoblinPayLedgerEntry] {
        try Row.fetchAll(
            db, sql: "SELECT \(Self.columns) FROM operation WHERE reference = ? ORDER BY sequence",
            arguments: [reference]
        ).map(Self.entry(from:))
    }

    func allEntries() throws -> [GoblinPayLedgerEntry] {
        try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM operation ORDER BY sequence").map(Self.entry(from:))
    }

    func timesApplied(key: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM operation WHERE processor_key = ?", arguments: [key]) ?? 0
    }

    func failedAttempts(key: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM failed_attempt WHERE processor_key = ?", arguments: [key]) ?? 0
    }

    func insert(_ entry: NewLedgerEntry) throws {
        try db.execute(
            sql: """
                INSERT INTO operation
                    (processor_key, kind, reference, amount_minor, currency, card_brand, card_last4, card_profile)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.key, entry.operation.rawValue, entry.reference, entry.amount.minorUnits,
                entry.amount.currency.code, entry.card?.brand.rawValue, entry.card?.last4, entry.card?.profile.rawValue,
            ])
    }

    func recordFailure(key: String, operation: GoblinPayOperation) throws {
        try db.execute(
            sql: "INSERT INTO failed_attempt (processor_key, kind) VALUES (?, ?)",
            arguments: [key, operation.rawValue])
    }

    /// Reads a row with GRDB's throwing `decode`: a file altered by hand is an error, not a trap.
    static func entry(from row: Row) throws -> GoblinPayLedgerEntry {
        let sequence = try row.decode(Int64.self, forColumn: "sequence")
        let kind = try row.decode(String.self, forColumn: "kind")
        let currencyCode = try row.decode(String.self, forColumn: "currency")
        let brandText = try row.decode(String?.self, forColumn: "card_brand")
        let profileText = try row.decode(String?.self, forColumn: "card_profile")
        guard let operation = GoblinPayOperation(rawValue: kind),
              case .success(let currency) = Currency.named(currencyCode)
        else { throw GoblinPayLedgerError("entry \(sequence) is not readable") }
        let brand = brandText.map(CardBrand.init(rawValue:))
        let profile = profileText.map(CardProfile.init(rawValue:))
        // A stored name that no longer decodes (nil inside the optional) means the file was altered.
        guard brand.map({ $0 != nil }) ?? true, profile.map({ $0 != nil }) ?? true else {
            throw GoblinPayLedgerError("entry \(sequence) has an unknown card")
        }
        return GoblinPayLedgerEntry(
            sequence: sequence,
            key: try row.decode(String.self, forColumn: "processor_key"),
            operation: operation,
            reference: try row.decode(String.self, forColumn: "reference"),
            amount: Money(minorUnits: try row.decode(Int64.self, forColumn: "amount_minor"), currency: currency),
            cardBrand: brand ?? nil,
            cardLast4: try row.decode(String?.self, forColumn: "card_last4"),
            profile: profile ?? nil)
    }
}

/// Creates `path` with mode 0600 unless it exists (an existing file keeps its mode).
private func createPrivately(_ path: String) throws {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
        throw GoblinPayLedgerError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
    close(descriptor)
}

/// An exclusive advisory lock on a file, held until `release()`. Separate opens conflict even
/// within one process, so it orders threads as well as processes.
private struct FileLock {
    private let descriptor: Int32

    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GoblinPayLedgerError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw GoblinPayLedgerError("cannot lock \(path): \(reason)")
            }
        }
        self.descriptor = descriptor
    }

    /// Closing the descriptor releases the lock.
    func release() { close(descriptor) }
}
