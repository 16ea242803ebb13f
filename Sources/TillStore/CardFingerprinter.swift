import Crypto
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// HMAC-SHA256 of a card number under a per-database secret. The fingerprint tells whether
/// two payments used the same card without keeping the number; the secret lives in its own
/// 0600 file beside the database, so a copy of the database alone cannot be brute-forced.
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

    /// The secret for the ledger in `pool`, migrated already. Called under the open lock, so two
    /// processes never create two secrets.
    /// - A key file that reads as a secret is used, if it matches the ledger's check value; an
    ///   existing ledger without one (made before the check existed) records it now.
    /// - A key file that is empty or damaged is an error, never replaced.
    /// - No key file: an error if the ledger has a check value (or already holds card
    ///   fingerprints); else a new secret is written, durably, and its check value recorded.
    static func open(keyPath: String, pool: DatabasePool) throws -> CardFingerprinter {
        let recorded = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT check_value FROM card_secret WHERE id = 1")
        }
        if let existing = try load(keyPath: keyPath) {
            if let recorded {
                guard recorded == existing.checkValue else { throw CardSecretError(path: keyPath, problem: .mismatch) }
            } else {
                try record(existing, in: pool)
            }
            return existing
        }
        let holdsFingerprints = try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM payments) OR EXISTS (SELECT 1 FROM order_payments WHERE card_fingerprint IS NOT NULL)
                """) ?? false
        }
        guard recorded == nil, !holdsFingerprints else { throw CardSecretError(path: keyPath, problem: .missing) }
        let created = try create(keyPath: keyPath)
        try record(created, in: pool)
        return created
    }

    private static func record(_ fingerprinter: CardFingerprinter, in pool: DatabasePool) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO card_secret (id, check_value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                arguments: [fingerprinter.checkValue])
        }
    }

    /// The secret in the key file; nil if there is no file. Anything but 64 hex digits (and
    /// a line end) is `damaged`.
    static func load(keyPath: String) throws -> CardFingerprinter? {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        } catch {
            if !FileManager.default.fileExists(atPath: keyPath) { return nil }
            throw CardSecretError(path: keyPath, problem: .unreadable)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(hex: text), bytes.count == 32 else { throw CardSecretError(path: keyPath, problem: .damaged) }
        return CardFingerprinter(key: SymmetricKey(data: bytes))
    }

    /// A new secret written so that a crash never leaves a short key file in its place: a
    /// temporary file in the same directory is written and synced, then linked to the key
    /// path (which fails rather than replace an existing file), and the directory is synced.
    static func create(keyPath: String) throws -> CardFingerprinter {
        let key = SymmetricKey(size: .bits256)
        let text = hex(key.withUnsafeBytes { Data($0) }) + "\n"
        let directory = URL(fileURLWithPath: keyPath).deletingLastPathComponent().path
        let temporary = keyPath + ".new-\(UUID().uuidString)"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerFileError(path: temporary, errno: errno) }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw LedgerFileError(path: temporary, errno: errno)
                }
                offset += written
            }
            guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw LedgerFileError(path: temporary, errno: errno) }
        }
        guard link(temporary, keyPath) == 0 else { throw LedgerFileError(path: keyPath, errno: errno) }
        let directoryFd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFd >= 0 else { throw LedgerFileError(path: directory, errno: errno) }
        defer { close(directoryFd) }
        guard fsync(directoryFd) == 0 else { throw LedgerFileError(path: directory, errno: errno) }
        return CardFingerprinter(key: key)
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// The card-fingerprint secret cannot be used: the ledger is not opened.
public struct CardSecretError: Error, CustomStringConvertible {
    public enum Problem: Sendable { case missing, mismatch, damaged, unreadable }

    public let path: String
    public let problem: Problem

    public var description: String {
        let restore = "Restore the key file from a backup of this ledger (the same file that was beside it, mode 0600) and open it again."
        return switch problem {
        case .missing:
            "\(path): the card-fingerprint secret is missing, but this ledger was created with one. A new secret would make every card fingerprint already stored stop matching, so Till will not create one. \(restore)"
        case .mismatch:
            "\(path): this is not the card-fingerprint secret this ledger was created with; the card fingerprints it holds would stop matching. \(restore)"
        case .damaged:
            "\(path): the card-fingerprint secret is empty or damaged (it must be 64 hex digits); Till never replaces it, because the card fingerprints already stored would stop matching. \(restore)"
        case .unreadable:
            "\(path): the card-fingerprint secret cannot be read; check the file's owner and permissions."
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
