public import TillCore
import TillStore

/// `writes` committed in `commits` transactions, the largest holding `largest`, and the
/// writer's CPU time in them.
public struct CommitGroups: Sendable, Equatable {
    public let commits: Int
    public let writes: Int
    public let largest: Int
    public let writerCPUMicroseconds: Int
}

/// A ledger, opened: what the services on one ledger share. The CLI opens it before the
/// processor (a refused ledger leaves no processor file behind), `till check` reads it with no
/// processor at all, and the simulator's instances each open their own. The storage inside is
/// TillStore's and stays behind the service: callers see a path, a check and rejections.
public struct LedgerFile: Sendable {
    let database: TillDatabase

    init(database: TillDatabase) { self.database = database }

    /// When `open` may make a new ledger. Whatever the mode, a ledger is never invented where
    /// there are traces of one, and a folder is never created (a mistyped path is an error).
    public enum Creation: Sendable {
        /// Open a ledger, creating it only where there is no file and no trace of one.
        case ifNoTrace
        /// Open an existing, non-empty ledger only.
        case never
        /// `till init`: make a new ledger; refuse a file that holds one (a 0-byte file is replaced).
        case fresh
    }

    /// The ledger's absolute path, or its PostgreSQL database's address (no password).
    public var path: String { database.path }

    /// Whether `path` names a PostgreSQL database (`postgres://…`), which every till of a shop
    /// shares, rather than a SQLite file on this machine (DESIGN §7).
    public static func isSharedDatabase(_ path: String) -> Bool { PostgresURL.isPostgres(path) }

    /// A ledger's path or address as a message shows it: cut, escaped, and a database's
    /// password never shown.
    public static func shown(_ path: String) -> String {
        isSharedDatabase(path) ? PostgresURL.redacted(path) : path.echoed(limit: 200)
    }

    /// How this process's writes on the ledger shared commits so far (the group commit).
    public var commitGroups: CommitGroups {
        let statistics = database.writeStatistics
        return CommitGroups(
            commits: statistics.groups, writes: statistics.writes, largest: statistics.largestGroup,
            writerCPUMicroseconds: statistics.writerCPUMicroseconds)
    }

    /// Opens (and migrates) the ledger at `path`, its card-fingerprint secret in
    /// `secretsDirectory` (outside the ledger's folder). A refusal says what was found:
    /// `ledger_not_found`, `ledger_damaged`, `invalid_request` (`.fresh` on a ledger), else
    /// `storage_error`.
    public static func open(path: String, secretsDirectory: String, creating: Creation = .ifNoTrace) throws(Rejection) -> LedgerFile {
        do {
            return LedgerFile(database: try TillDatabase.open(path: path, secretsDirectory: secretsDirectory, creating: creating.store))
        } catch {
            throw openingRejection(path: path, error)
        }
    }

    /// Why the ledger at `path` did not open, as a rejection: also for a step before the
    /// opening itself (the CLI creating Till's own folder).
    public static func openingRejection(path: String, _ error: any Error) -> Rejection {
        guard let error = error as? LedgerOpenError else {
            return Rejection(.storageError, "Cannot open the ledger at \(shown(path)): \(StorageFailure.describe(error))")
        }
        let code: Rejection.Code = switch error.kind {
        case .notFound: .ledgerNotFound
        case .damaged: .ledgerDamaged
        case .newer: .storageError
        case .exists: .invalidRequest
        }
        return Rejection(code, "Cannot open the ledger: \(error).")
    }

    /// `till check`: the full integrity check, then every read model against its events. No
    /// processor is involved; `ledger_damaged` when the ledger cannot even be read.
    public func check() throws(Rejection) -> LedgerCheck {
        do {
            return LedgerCheck(try database.check())
        } catch {
            throw Rejection(.ledgerDamaged, "The check could not read the ledger (\(StorageFailure.describe(error))).")
        }
    }
}

extension LedgerFile.Creation {
    var store: LedgerCreation {
        switch self {
        case .ifNoTrace: .ifNoTrace
        case .never: .never
        case .fresh: .fresh
        }
    }
}

/// What `till check` found: `PRAGMA integrity_check`'s complaints and each read-model cell
/// that differs from what its events say.
public struct LedgerCheck: Sendable, Codable {
    public let integrity: [String]
    public let differences: [Difference]

    /// One read-model cell that differs from its events.
    public struct Difference: Sendable, Hashable, Codable, CustomStringConvertible {
        public let table: String
        /// The row's key, as SQL quotes it (several key columns are joined by spaces).
        public let row: String
        /// The column, or "(row)" for a row that is missing on one side.
        public let column: String
        /// The stored value and the value recomputed from the events, as SQL quotes them.
        public let stored: String
        public let fromEvents: String

        public var description: String { "\(table) \(row) \(column): stored \(stored), from events \(fromEvents)" }
    }

    public var isSound: Bool { integrity.isEmpty && differences.isEmpty }

    init(_ report: LedgerCheckReport) {
        integrity = report.integrity
        differences = report.differences.map {
            Difference(table: $0.table, row: $0.row, column: $0.column, stored: $0.stored, fromEvents: $0.fromEvents)
        }
    }
}
