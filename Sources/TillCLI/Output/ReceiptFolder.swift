import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the till saves text for people: receipts (`receipt-<order>.txt`) and Z reports
/// (`z-report-<session>.txt`), in $TILL_RECEIPT_DIR, else the current directory. They name
/// customers, cards' last four and the day's cash: written 0600 whatever the umask, replacing
/// an older one whole, in a folder made 0700 if missing (an existing folder keeps its mode: it
/// may be the operator's working directory).
enum ReceiptFolder {
    static func path(_ environment: [String: String]) -> String {
        environment["TILL_RECEIPT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
    }

    /// Saves `<kind>-<id>.txt` (an id's other characters than letters, digits, `_` and `-`
    /// become `_`): the path written, or why it could not be.
    static func save(_ text: String, kind: String, id: String, in directory: String) -> Result<String, ReceiptFolderError> {
        let safeId = String(id.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        let path = (directory as NSString).appendingPathComponent("\(kind)-\(safeId).txt")
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try writePrivately(Array(text.utf8), to: path)
            return .success(path)
        } catch {
            return .failure(ReceiptFolderError(description: "\(path): \(error)"))
        }
    }

    private static func writePrivately(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".new-\(getpid())-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(errno: errno) }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw SystemError(errno: errno)
                }
                offset += written
            }
            guard fchmod(fd, 0o600) == 0 else { throw SystemError(errno: errno) }
        }
        guard rename(temporary, path) == 0 else { throw SystemError(errno: errno) }
    }

    private struct SystemError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }
}

/// A file that could not be saved: its path and the system's reason.
struct ReceiptFolderError: Error, CustomStringConvertible {
    let description: String
}
