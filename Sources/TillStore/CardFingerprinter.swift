import Crypto
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// HMAC-SHA256 of a card number under a per-ledger secret. The fingerprint tells whether two
/// payments used the same card without keeping the number. The ledger keeps first 6 and last 4
/// beside it, which leave only about 10^5 Luhn-valid candidates: whoever holds the secret too
/// can rebuild every number (PCI DSS 3.5.1). So the secret never lives in the ledger's folder:
/// it is `<secrets directory>/card-secret-<ledger id>.key` (0600, folder 0700), and a secrets
/// directory inside the ledger's folder is refused. A copy or backup of the ledger's folder
/// alone therefore holds nothing that links a fingerprint back to a card number.
///
/// The ledger remembers that a secret exists: it keeps a check value (an HMAC of a fixed label
/// under the secret, never the secret) in `card_secret`. A ledger with a check value never
/// gets a new secret: a missing or different key file is refused, because every fingerprint
/// already stored would stop matching.
struct CardFingerprinter: Sendable {
    private let key: SymmetricKey

    func fingerprint(_ digits: String) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(digits.utf8), using: key))
    }

    /// What the ledger keeps to recognize its secret.
    var checkValue: String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data("till card-fingerprint secret check v1".utf8), using: key))
    }

    /// The secret for the ledger at `ledgerPath` (in `pool`, migrated already). Called under the
    /// ledger's open lock, so two processes never create two secrets.
    /// - The key file in `secretsDirectory` is used if it matches the ledger's check value; an
    ///   existing ledger without one (made before the check existed) records it now.
    /// - A legacy `<ledger>.key` beside the ledger (Till 0.3) is moved there: written durably,
    ///   checked, and only then removed from the ledger's folder.
    /// - A key file that is empty or damaged is an error, never replaced.
    /// - No key file: an error if the ledger has a check value (or already holds card
    ///   fingerprints); else a new secret is written, durably, and its check value recorded.
    static func open(ledgerPath: String, secretsDirectory: String, pool: DatabasePool) throws -> CardFingerprinter {
        let ledgerId = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT ledger_id FROM ledger_identity WHERE id = 1")
        }
        return try open(ledgerId: ledgerId, ledgerPath: ledgerPath, secretsDirectory: secretsDirectory) { work in
            try pool.write { db in try work(SQLiteConnection(db)) }
        }
    }

    /// The secret of the ledger `ledgerId`, read and recorded through `transaction`. A
    /// PostgreSQL ledger has no folder (`ledgerPath` nil): each machine's secrets directory
    /// holds a copy of the one secret, which the first machine made (DESIGN §7).
    static func open(
        ledgerId: String?, ledgerPath: String?, secretsDirectory: String,
        transaction: ((any SQLConnection) throws -> Void) throws -> Void
    ) throws -> CardFingerprinter {
        let named = ledgerPath ?? "the ledger"
        guard let ledgerId, ledgerId.count == 32, ledgerId.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw CardSecretError(path: named, problem: .noLedgerId) }
        try preparePrivateDirectory(secretsDirectory, outside: ledgerPath)
        let keyPath = (secretsDirectory as NSString).appendingPathComponent("card-secret-\(ledgerId).key")
        let legacyPath = ledgerPath.map { $0 + ".key" }
        var recorded: String?
        var holdsFingerprints = false
        try transaction { db in
            // A check value that is not text recognizes no secret: a mismatch, never a new secret.
            recorded = switch try SQLValue.fetchOne(db, sql: "SELECT check_value FROM card_secret WHERE id = 1") {
            case .none, .null?: nil
            case .text(let text)?: text
            default: "(not text)"
            }
            holdsFingerprints = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM payments) OR EXISTS (SELECT 1 FROM order_payments WHERE card_fingerprint IS NOT NULL)
                """) ?? false
        }
        func record(_ fingerprinter: CardFingerprinter) throws {
            try transaction { db in
                try db.execute(
                    sql: "INSERT INTO card_secret (id, check_value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                    arguments: [fingerprinter.checkValue])
            }
        }
        func checked(_ fingerprinter: CardFingerprinter, at path: String) throws -> CardFingerprinter {
            if let recorded {
                guard recorded == fingerprinter.checkValue else { throw CardSecretError(path: path, problem: .mismatch) }
            } else {
                try record(fingerprinter)
            }
            return fingerprinter
        }
        if let existing = try load(keyPath: keyPath) {
            let fingerprinter = try checked(existing, at: keyPath)
            // A move interrupted after the new file was written leaves the same secret beside
            // the ledger: finish it. Any other secret there is not removed blindly.
            if let legacyPath, let legacy = try load(keyPath: legacyPath) {
                guard legacy.checkValue == fingerprinter.checkValue else {
                    throw CardSecretError(path: legacyPath, problem: .strayBesideLedger(keyPath))
                }
                try removeDurably(legacyPath)
            }
            return fingerprinter
        }
        if let legacyPath, let legacy = try load(keyPath: legacyPath) {
            let fingerprinter = try checked(legacy, at: legacyPath)
            try write(fingerprinter.key, to: keyPath)
            guard try load(keyPath: keyPath)?.checkValue == fingerprinter.checkValue else {
                throw CardSecretError(path: keyPath, problem: .damaged)
            }
            try removeDurably(legacyPath)
            return fingerprinter
        }
        guard recorded == nil, !holdsFingerprints else { throw CardSecretError(path: keyPath, problem: .missing) }
        let created = CardFingerprinter(key: SymmetricKey(size: .bits256))
        try write(created.key, to: keyPath)
        try record(created)
        return created
    }

    /// The secret in the key file; nil if there is no file. Anything but 64 hex digits (and
    /// a line end) is `damaged`. A file others may read is made 0600 first: the secret may
    /// already have leaked, but it is the one the stored fingerprints need, so it is kept.
    static func load(keyPath: String) throws -> CardFingerprinter? {
        let fd = Glibc.open(keyPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw CardSecretError(path: keyPath, problem: .unreadable)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CardSecretError(path: keyPath, problem: .unreadable)
        }
        if info.st_mode & 0o077 != 0, fchmod(fd, 0o600) != 0 { throw CardSecretError(path: keyPath, problem: .unreadable) }
        // 64 hex digits and a line end; a longer file is damaged whatever follows.
        var buffer = [UInt8](repeating: 0, count: 256)
        var count = 0
        while count < buffer.count {
            let got = buffer[count...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw CardSecretError(path: keyPath, problem: .unreadable) }
            if got == 0 { break }
            count += got
        }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(hex: text), bytes.count == 32 else { throw CardSecretError(path: keyPath, problem: .damaged) }
        return CardFingerprinter(key: SymmetricKey(data: bytes))
    }

    /// A secret written so that a crash never leaves a short key file in its place: a
    /// temporary file in the same directory is written and synced, then linked to the key
    /// path (which fails rather than replace an existing file), and the directory is synced.
    private static func write(_ key: SymmetricKey, to keyPath: String) throws {
        let text = hex(key.withUnsafeBytes { Data($0) }) + "\n"
        let temporary = keyPath + ".new-\(UUID().uuidString)"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerFileError(path: temporary, errno: errno) }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw LedgerFileError(path: temporary, errno: errno)
                }
                offset += written
            }
            guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw LedgerFileError(path: temporary, errno: errno) }
        }
        guard link(temporary, keyPath) == 0 else { throw LedgerFileError(path: keyPath, errno: errno) }
        try syncDirectory(of: keyPath)
    }

    /// Removes a file and syncs its directory, so the removal survives a power cut.
    private static func removeDurably(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw LedgerFileError(path: path, errno: errno) }
        try syncDirectory(of: path)
    }

    private static func syncDirectory(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let directoryFd = Glibc.open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFd >= 0 else { throw LedgerFileError(path: directory, errno: errno) }
        defer { close(directoryFd) }
        guard fsync(directoryFd) == 0 else { throw LedgerFileError(path: directory, errno: errno) }
    }

    /// Refuses a secrets directory inside the ledger's folder, where a copy of the folder would
    /// take the secret along; symbolic links resolved, also in the part that does not exist yet.
    static func checkLocation(secretsDirectory directory: String, ledgerPath: String) throws {
        let resolved = realPath(directory)
        let ledgerFolder = URL(fileURLWithPath: realPath(ledgerPath)).deletingLastPathComponent().path
        if resolved == ledgerFolder || resolved.hasPrefix(ledgerFolder == "/" ? "/" : ledgerFolder + "/") {
            throw CardSecretError(path: directory, problem: .insideLedgerFolder(ledgerFolder))
        }
    }

    /// The absolute path with every symbolic link resolved: the longest part that exists goes
    /// through `realpath`, the rest is appended as written.
    private static func realPath(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while existing.path != "/" {
            if let resolved = Glibc.realpath(existing.path, nil) {
                defer { free(resolved) }
                return rest.reduce(URL(fileURLWithPath: String(cString: resolved))) { $0.appendingPathComponent($1) }.path
            }
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        return existing.path
    }

    /// Creates the secrets directory (and any missing parent) 0700, narrows an existing one to
    /// 0700, and refuses one inside the ledger's folder.
    private static func preparePrivateDirectory(_ directory: String, outside ledgerPath: String?) throws {
        if let ledgerPath { try checkLocation(secretsDirectory: directory, ledgerPath: ledgerPath) }
        let resolved = realPath(directory)
        var path = ""
        for component in resolved.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw LedgerFileError(path: path, errno: errno) }
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw LedgerFileError(path: resolved, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw LedgerFileError(path: resolved, errno: ENOTDIR) }
        if info.st_mode & 0o077 != 0, chmod(resolved, 0o700) != 0 { throw LedgerFileError(path: resolved, errno: errno) }
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// The card-fingerprint secret cannot be used: the ledger is not opened.
public struct CardSecretError: Error, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case missing, mismatch, damaged, unreadable
        /// The secrets directory (`path`) is inside the ledger's folder (the associated value).
        case insideLedgerFolder(String)
        /// Another secret than the one in the secrets directory (the associated value) is still
        /// beside the ledger (`path`).
        case strayBesideLedger(String)
        /// The ledger's id, which names its secret, is missing or damaged.
        case noLedgerId
    }

    public let path: String
    public let problem: Problem

    public var description: String {
        let restore = """
            Restore the key file from the backup of this ledger's secret (the file that was at this path, or \
            before Till 0.4 the ledger's name + ".key" beside it), mode 0600, and open the ledger again.
            """
        return switch problem {
        case .missing:
            "\(path): the card-fingerprint secret is missing, but this ledger was created with one. A new secret would make every card fingerprint already stored stop matching, so Till will not create one. \(restore)"
        case .mismatch:
            "\(path): this is not the card-fingerprint secret this ledger was created with; the card fingerprints it holds would stop matching. \(restore)"
        case .damaged:
            "\(path): the card-fingerprint secret is empty or damaged (it must be 64 hex digits); Till never replaces it, because the card fingerprints already stored would stop matching. \(restore)"
        case .unreadable:
            "\(path): the card-fingerprint secret cannot be read or made private (0600); check the file's owner and permissions."
        case .insideLedgerFolder(let folder):
            "\(path): the secrets directory is inside the ledger's folder \(folder), so a copy of that folder would hold the card-fingerprint secret beside the card digits it protects. Choose a secrets directory outside it (TILL_SECRETS_DIR), or move the ledger to a folder of its own."
        case .strayBesideLedger(let secret):
            "\(path): a card-fingerprint secret beside the ledger that is not this ledger's (its secret is \(secret)). A secret in the ledger's folder lets a copy of the folder rebuild card numbers: move this file out of the folder (keep it until you know which ledger it belongs to) and open the ledger again."
        case .noLedgerId:
            "\(path): the ledger's id, which names its card-fingerprint secret, is missing or damaged; restore the ledger from a backup."
        }
    }
}

extension Data {
    init?(hex: String) {
        guard hex.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
