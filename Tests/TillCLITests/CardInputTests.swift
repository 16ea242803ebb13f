import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, finding 3: a card number and security code typed as options are visible to any
/// local user in `ps`. `--card -` and `--cvv -` read them from standard input instead.
@Suite struct CardInputTests {
    static let visa = "4242424242424242"
    static let cvv = "739"

    /// A ledger in a folder of its own, its secrets outside it; removed by `remove()`.
    struct Shop {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-card-input-\(UUID().uuidString)")

        init() throws {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        }

        var environment: [String: String] {
            [
                "TILL_DB": directory.appendingPathComponent("ledger/till.sqlite").path,
                "TILL_SECRETS_DIR": directory.appendingPathComponent("secrets").path,
                "TILL_GOBLINPAY_FAILURE_RATE": "0", "HOME": directory.path, "PATH": "/usr/bin:/bin",
            ]
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// The child's command line as `ps` shows it (`/proc/PID/cmdline`, arguments NUL-separated;
    /// empty for a moment right after exec).
    static func commandLine(of pid: pid_t) throws -> String {
        for _ in 0..<200 {
            let data = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            if !data.isEmpty { return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) }
            usleep(10_000)
        }
        return ""
    }

    /// Runs `till ARGS --json` with `lines` on standard input, checking first, while it waits
    /// for them, that its visible command line holds neither the card number nor the code.
    static func run(_ arguments: [String], lines: [String], in shop: Shop) throws -> (status: Int32, json: [String: Any]) {
        let child = try ChildProcess(ChildProcess.tillPath, arguments: arguments + ["--json"], environment: shop.environment)
        let visible = try commandLine(of: child.pid)
        #expect(visible.contains("--card -") || visible.contains("--cvv -"), "\(visible)")
        #expect(!visible.contains(visa.prefix(6)) && !visible.contains(visa.suffix(4)), "\(visible)")
        #expect(!visible.split(separator: " ").contains { $0 == cvv }, "\(visible)")
        for line in lines { child.writeLine(line) }
        child.closeInput()
        let output = child.readToEnd()
        let json = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? ["unreadable": output]
        return (child.wait(), json)
    }

    @Test func createAndPayReadsTheCardAndCodeFromStandardInput() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let (status, json) = try Self.run(
            ["order", "create-and-pay", "--email", "pipe@example.com", "--amount", "10.00", "--key", "pipe-1",
             "--card", "-", "--expiry", "12/30", "--cvv", "-"],
            lines: ["4242 4242 4242 4242", Self.cvv], in: shop)
        #expect(status == 0, "\(json)")
        #expect(json["status"] as? String == "paid", "\(json)")
        let card = (json["payment"] as? [String: Any])?["card"] as? [String: Any]
        #expect(card?["last4"] as? String == "4242", "\(json)")
    }

    @Test func authorizeReadsOnlyTheCodeWhenOnlyTheCodeIsADash() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let (status, json) = try Self.run(
            ["payment", "authorize", "--card", "-", "--expiry", "12/30", "--cvv", "-", "--amount", "4.00", "--key", "pipe-2"],
            lines: [Self.visa, Self.cvv], in: shop)
        #expect(status == 0, "\(json)")
        #expect(json["status"] as? String == "authorized", "\(json)")
    }

    @Test func nothingOnStandardInputIsARejectionThatNamesTheOption() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let (status, json) = try Self.run(
            ["payment", "authorize", "--card", "-", "--expiry", "12/30", "--cvv", "-", "--amount", "4.00"], lines: [], in: shop)
        #expect(status == 1)
        let error = json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "invalid_request", "\(json)")
        #expect((error?["message"] as? String)?.contains("--card - reads a line from standard input") == true, "\(json)")
    }

    /// `till batch` reads its commands from standard input: a `-` there cannot mean another
    /// line, so it is refused (a batch line is not in argv: the card goes in the line).
    @Test func aDashInABatchLineIsRefused() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: shop.environment)
        let line = ["payment", "authorize", "--card", "-", "--expiry", "12/30", "--cvv", Self.cvv, "--amount", "4.00"]
        child.writeLine(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
        child.writeLine(Self.visa)
        child.closeInput()
        let first = child.readLine() ?? ""
        _ = child.readToEnd()
        #expect(child.wait() == 1)
        let error = ((try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "invalid_request", "\(first)")
        #expect((error?["message"] as? String)?.contains("till batch") == true, "\(first)")
    }
}
