import Foundation
import Testing
import TillCLI

/// What the adversarial review of the drawer found (issue 11); each failed before its fix.
@Suite("Drawer review findings")
struct DrawerReviewTests {
    /// Two absurd cash tenders with no drawer open used to be accepted and then made every
    /// later report, and the next drawer open, fail with amount_too_large. Now the sale that
    /// would overflow the figures is the one refused, and the drawer still opens.
    @Test func cashWithNoDrawerOpenThatCannotAddUpIsRefusedWhenTaken() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-drawer-review-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder); try? FileManager.default.removeItem(atPath: folder + ".secrets") }
        _ = await DrawerCommandTests.till(["init"], folder: folder)
        let huge = "92233720368547758.07"
        let first = await DrawerCommandTests.till(
            ["order", "create-and-pay", "--email", "a@x.com", "--amount", "0.01", "--cash", huge, "--key", "o1"], folder: folder)
        let second = await DrawerCommandTests.till(
            ["order", "create-and-pay", "--email", "b@x.com", "--amount", "0.01", "--cash", huge, "--key", "o2"], folder: folder)
        #expect(first.exitCode == 0, "\(first)")
        #expect(second.exitCode != 0 && second.stdout.contains("amount_too_large"), "\(second)")
        let report = await DrawerCommandTests.till(["report", "x"], folder: folder)
        #expect(report.exitCode == 0, "\(report)")
        let opened = await DrawerCommandTests.till(["drawer", "open", "--float", "1.00"], folder: folder)
        #expect(opened.exitCode == 0, "\(opened)")
    }

    /// `till batch --operator X` records X on every line that names nobody.
    @Test func batchOperatorActsForItsLines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-batch-op-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder); try? FileManager.default.removeItem(atPath: folder + ".secrets") }
        let environment = [
            "TILL_DB": folder + "/till.sqlite", "TILL_SECRETS_DIR": folder + ".secrets", "TILL_RECEIPT_DIR": folder + "/receipts",
            "TILL_NOW": "2026-03-15T10:00:00Z",
        ]
        _ = try ChildProcess.run(ChildProcess.tillPath, arguments: ["init"], environment: environment)
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch", "--operator", "Batchop"], environment: environment)
        for line in [
            ["drawer", "open", "--float", "10.00", "--key", "b1"],
            ["drawer", "pay-in", "--amount", "1.00", "--reason", "coins", "--key", "b2"],
        ] {
            child.writeLine(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
        }
        child.closeInput()
        let answers = [child.readLine() ?? "", child.readLine() ?? ""]
        _ = child.readToEnd()
        #expect(child.wait() == 0, "\(answers)")
        let (_, report) = try ChildProcess.run(ChildProcess.tillPath, arguments: ["report", "x", "--json"], environment: environment)
        #expect(report.contains("Batchop") && !report.contains("\"till\""), "\(report)")
    }
}
