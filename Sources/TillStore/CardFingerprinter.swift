import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// HMAC-SHA256 of a card number under a per-database secret. The fingerprint tells whether
/// two payments used the same card without keeping the number; the secret lives in its own
/// 0600 file beside the database, so a copy of the database alone cannot be brute-forced.
struct CardFingerprinter: Sendable {
    private let key: SymmetricKey

    func fingerprint(_ digits: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(digits.utf8), using: key)
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the secret, or creates it (32 random bytes, hex, mode 0600) on first open. Called
    /// under the open lock, so two processes never create two secrets.
    static func loadOrCreate(keyPath: String) throws -> CardFingerprinter {
        if let text = try? String(contentsOfFile: keyPath, encoding: .utf8),
           let bytes = Data(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 {
            return CardFingerprinter(key: SymmetricKey(data: bytes))
        }
        if FileManager.default.fileExists(atPath: keyPath) {
            // A damaged secret must not be silently replaced: fingerprints would stop matching.
            throw LedgerFileError(path: keyPath, errno: EINVAL)
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined() + "\n"
        let fd = Glibc.open(keyPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerFileError(path: keyPath, errno: errno) }
        defer { close(fd) }
        let written = hex.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == hex.utf8.count, fsync(fd) == 0 else { throw LedgerFileError(path: keyPath, errno: errno) }
        return CardFingerprinter(key: key)
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
