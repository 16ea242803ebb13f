import Foundation
import Testing
@testable import TillCLI
import TillUI

/// Issue 10, finding 3: receipts (customer email, card brand and last four) were written 0644
/// in folders made 0755. Now 0600 in a folder made 0700, whatever was there before.
@Suite struct ReceiptFileTests {
    static func mode(_ path: String) throws -> Int {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber else {
            throw FileModeError(path: path)
        }
        return mode.intValue & 0o777
    }

    struct FileModeError: Error { let path: String }

    @Test func aReceiptInAnExistingFolderIsPrivate() async throws {
        let pos = try await POSHarness()
        let effects = POSEffects(service: pos.service, utcOffsetSeconds: 0, receiptDirectory: pos.directory.path)
        guard case .receiptSaved(let path) = effects.saveReceipt(orderId: "ord_1", text: "Visa ••••4242\n") else {
            Issue.record("the receipt was not saved")
            return
        }
        #expect(try Self.mode(path) == 0o600)
    }

    @Test func aReceiptIsPrivateAndSoIsTheFolderMadeForIt() async throws {
        let pos = try await POSHarness()
        let folder = pos.directory.appendingPathComponent("receipts/today").path
        let effects = POSEffects(service: pos.service, utcOffsetSeconds: 0, receiptDirectory: folder)
        guard case .receiptSaved(let path) = effects.saveReceipt(orderId: "ord_1", text: "Visa ••••4242\n") else {
            Issue.record("the receipt was not saved")
            return
        }
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(folder) == 0o700)
        #expect(try Self.mode(pos.directory.appendingPathComponent("receipts").path) == 0o700)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Visa ••••4242\n")
        // A receipt written before (0644) is replaced by a private one.
        #expect(chmod(path, 0o644) == 0)
        _ = effects.saveReceipt(orderId: "ord_1", text: "again\n")
        #expect(try Self.mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "again\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["receipt-ord_1.txt"])
    }
}
