import Foundation

/// A Z report saved as a text file beside the receipts: `z-report-<session>.txt` in
/// $TILL_RECEIPT_DIR (else the current directory), written 0600 like a receipt, in a folder
/// made 0700 if missing.
enum ReportFile {
    static func directory(_ environment: [String: String]) -> String {
        environment["TILL_RECEIPT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
    }

    /// The path written, or why it could not be.
    static func saveZReport(session: String, text: String, in directory: String) -> Result<String, ReportFileError> {
        let safeId = String(session.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        let path = (directory as NSString).appendingPathComponent("z-report-\(safeId).txt")
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try POSEffects.writePrivately(Array(text.utf8), to: path)
            return .success(path)
        } catch {
            return .failure(ReportFileError(description: "\(path): \(error)"))
        }
    }
}

struct ReportFileError: Error, CustomStringConvertible {
    let description: String
}
