import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// When `TillDatabase.open` may make a new ledger. Whatever the mode, a ledger is never
/// invented where there are traces of one (`LedgerOpenError.traces`), and a folder is never
/// created: a mistyped path is an error, not a new empty ledger.
public enum LedgerCreation: Sendable {
    /// Open a ledger, creating it only where there is no file and no trace of one (the default:
    /// a first run in an existing folder).
    case ifNoTrace
    /// Open an existing, non-empty ledger only.
    case never
    /// `till init`: make a new ledger; refuse a file that holds one (a 0-byte file is replaced).
    case fresh
}

/// Why a ledger was not opened. The description says what was found and what to do.
public struct LedgerOpenError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// No ledger where one was expected (missing folder, missing or empty file).
        case notFound
        /// The file is not a sound Till ledger (header, quick check).
        case damaged
        /// A newer Till migrated it; this binary does not know its schema.
        case newer
        /// `till init` on a path that already holds a ledger.
        case exists
    }

    public let kind: Kind
    public let description: String
}

/// A ledger's companion files: their presence shows a ledger was here. Not `<path>.lock`, which
/// any open attempt creates, nor `-shm`, which holds nothing of the ledger's.
func ledgerTraces(_ path: String) -> [String] {
    [path + ".goblinpay", path + "-wal", path + ".key"].filter { FileManager.default.fileExists(atPath: $0) }
}

/// The size of the file at `path`, nil when there is none.
func fileSize(_ path: String) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int64(info.st_size)
}

/// The ledger's folder must exist (a mistyped path is an error, never a new folder): checked
/// before the opening lock too, whose file would go there.
func checkLedgerFolder(_ path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
        throw LedgerOpenError(kind: .notFound, description: """
            there is no folder \(folder) for the ledger \(path); check the path, or create the folder and \
            run `till init --db \(path)` to start a new ledger there on purpose
            """)
    }
}

/// What may be opened at `path` in `mode`; throws what stands in the way. Runs under the lock:
/// before it, another till may be making this very ledger (its file still empty).
func checkLedgerPath(_ path: String, mode: LedgerCreation) throws {
    try checkLedgerFolder(path)
    let size = fileSize(path)
    if mode == .fresh, let size, size > 0 {
        throw LedgerOpenError(kind: .exists, description: "\(path) already holds a ledger (\(size) bytes); nothing was changed")
    }
    guard size ?? 0 == 0 else { return }
    let traces = ledgerTraces(path)
    let found = size == nil ? "no ledger file" : "an empty (0-byte) ledger file"
    if !traces.isEmpty {
        throw LedgerOpenError(kind: .notFound, description: """
            found \(found) at \(path), but \(traces.joined(separator: ", ")) beside it show a ledger was there: \
            restore the ledger from a backup, or move those files away and run `till init --db \(path)` to start a new one on purpose
            """)
    }
    if mode == .never || (mode == .ifNoTrace && size == 0) {
        throw LedgerOpenError(kind: .notFound, description: """
            found \(found) at \(path): restore the ledger from a backup, or run `till init --db \(path)` to start a new one on purpose
            """)
    }
}

/// The quick check of a ledger at open: the SQLite header before SQLite reads the file, then
/// the schema version and `PRAGMA quick_check` (on ledgers up to `quickCheckLimit`; a bigger one
/// gets the header's own consistency check, which costs nothing).
enum LedgerQuickCheck {
    static let quickCheckLimit: Int64 = 64 << 20

    /// The first 100 bytes of a non-empty file must be a SQLite header with a valid page size,
    /// and with nothing in the WAL, the file as long as the header says. Another till may be
    /// checkpointing the file meanwhile (copying pages from its WAL, then removing it): the WAL
    /// is looked at before and after the file, and a length that disagrees is looked at again.
    static func header(_ path: String) throws {
        for attempt in 1...3 {
            let walBefore = fileSize(path + "-wal") ?? 0
            guard let found = try headerLength(path) else { return }
            // Pages in a WAL: the file's length says nothing yet.
            guard walBefore == 0, fileSize(path + "-wal") ?? 0 == 0, found.pages * found.page != found.size else { return }
            if attempt < 3 {
                usleep(20_000)
                continue
            }
            throw damaged(path, "its header says \(found.pages) pages of \(found.page) bytes, the file holds \(found.size) bytes")
        }
    }

    /// The file's length and, where its header's page count is valid, that count and the page
    /// size; nil for an empty file or a header whose count is not valid.
    private static func headerLength(_ path: String) throws -> (size: Int64, pages: Int64, page: Int64)? {
        guard let size = fileSize(path), size > 0 else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerOpenError(kind: .damaged, description: "\(path) cannot be read")
        }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        guard bytes.count == 100, bytes.prefix(16).elementsEqual(Array("SQLite format 3\0".utf8)) else {
            throw damaged(path, "it is not a SQLite database (its header is wrong)")
        }
        let pageSize = Int64(bytes[16]) << 8 | Int64(bytes[17])
        let page = pageSize == 1 ? 65536 : pageSize
        guard page >= 512, page & (page - 1) == 0 else { throw damaged(path, "its header holds an impossible page size") }
        // The header's page count is valid when its "version valid for" matches the change
        // counter; with nothing in the WAL, the file then holds exactly that many pages.
        let counter = bytes[24..<28].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let validFor = bytes[92..<96].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let pages = Int64(bytes[28..<32].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        return counter == validFor ? (size, pages, page) : nil
    }

    /// A non-empty SQLite file must be a Till ledger (its first migration recorded), read
    /// without writing: any other database (an app's, GoblinPay's) is refused untouched, never
    /// turned into a ledger by the migrations or the switch to WAL.
    static func isTillLedger(_ path: String) throws {
        guard let size = fileSize(path), size > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        // Other processes write the ledger meanwhile (they hold no open lock once open): wait
        // for them as the pool does, never take "busy" for "damaged".
        configuration.busyMode = .timeout(15)
        let isLedger: Bool
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            isLedger = try queue.read { db in
                try db.tableExists("grdb_migrations")
                    && (Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1-ledger')") ?? false)
            }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) {
            throw damaged(path, "SQLite cannot read it (\(StorageFailure.describe(error)))")
        }
        guard isLedger else {
            throw LedgerOpenError(kind: .damaged, description: """
                \(path) is a SQLite database but not a Till ledger; nothing was changed. Check the path, \
                or run `till init --db` with a new path to start a ledger
                """)
        }
    }

    /// Schema version and structure, on the open pool, before any migration runs.
    static func database(_ pool: DatabasePool, path: String, migrator: DatabaseMigrator) throws {
        let superseded = try pool.read { try migrator.hasBeenSuperseded($0) }
        if superseded {
            throw LedgerOpenError(kind: .newer, description: """
                \(path) was migrated by a newer version of Till than this one: use that version (nothing was changed)
                """)
        }
        guard fileSize(path) ?? 0 < quickCheckLimit else { return }
        let answer = try pool.read { try String.fetchAll($0, sql: "PRAGMA quick_check(5)") }
        guard answer == ["ok"] else {
            throw damaged(path, "PRAGMA quick_check reports: \(answer.prefix(5).joined(separator: "; "))")
        }
    }

    static func damaged(_ path: String, _ what: String) -> LedgerOpenError {
        LedgerOpenError(kind: .damaged, description: """
            the ledger \(path) is damaged: \(what). Restore it from a backup; `till check` tells more
            """)
    }
}
