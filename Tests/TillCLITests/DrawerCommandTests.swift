import Foundation
import GRDB
import Testing
import TillCLI

/// `till drawer` and `till report` (issue 11): a scripted end of day through the command line,
/// every Z figure recomputed from the ledger's event rows with SQL.
@Suite("Drawer and report commands")
struct DrawerCommandTests {
    /// `operator`: $TILL_OPERATOR; `flag`: --operator (Ben is named by the flag, Ana by the environment).
    static func till(_ arguments: [String], folder: String, operator name: String? = nil, flag: String? = nil) async -> CommandResult {
        var environment = [
            "TILL_NOW": "2026-03-15T10:00:00Z", "TILL_DB": folder + "/till.sqlite",
            "TILL_SECRETS_DIR": folder + ".secrets", "TILL_RECEIPT_DIR": folder + "/receipts",
        ]
        if let name { environment["TILL_OPERATOR"] = name }
        return await TillCommandLine.run(arguments + (flag.map { ["--operator", $0] } ?? []) + ["--json"], environment: environment)
    }

    static func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    static func int(_ object: [String: Any], _ key: String) -> Int64? { (object[key] as? NSNumber)?.int64Value }

    /// The day of the service test, typed as commands by two operators.
    @Test("End of day from the command line, in USD and JPY", arguments: [
        ["USD", "100.00", "30.00", "50.00", "40.00", "25.00", "5.00", "20.00", "7.50", "138.00"],
        ["JPY", "10000", "3000", "5000", "4000", "2500", "500", "2000", "750", "13800"],
    ])
    func endOfDay(_ day: [String]) async throws {
        let (currency, float, cashOrder, tendered, cardOrder, creditOrder, refund, payIn, payOut, counted) =
            (day[0], day[1], day[2], day[3], day[4], day[5], day[6], day[7], day[8], day[9])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-drawer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".secrets")
        }
        #expect(await Self.till(["init"], folder: folder).exitCode == 0)
        let opened = await Self.till(["drawer", "open", "--float", float, "--currency", currency, "--key", "open"], folder: folder, operator: "Ana")
        #expect(opened.exitCode == 0, "\(opened)")
        let cash = try Self.json(await Self.till([
            "order", "create-and-pay", "--email", "cash@example.com", "--amount", cashOrder, "--currency", currency,
            "--cash", tendered, "--key", "cash"], folder: folder, operator: "Ana"))
        let payment = try #require(cash["payment"] as? [String: Any])
        #expect(payment["operator"] as? String == "Ana")
        let card = await Self.till([
            "order", "create-and-pay", "--email", "card@example.com", "--amount", cardOrder, "--currency", currency,
            "--card", "4242 4242 4242 4242", "--expiry", "12/30", "--cvv", "123", "--key", "card"], folder: folder, flag: "Ben")
        #expect(card.exitCode == 0, "\(card)")
        #expect(await Self.till([
            "wallet", "open", "gift", "--currency", currency, "--balance", creditOrder, "--customer", "credit@example.com"],
            folder: folder).exitCode == 0)
        #expect(await Self.till([
            "order", "create-and-pay", "--email", "credit@example.com", "--amount", creditOrder, "--currency", currency,
            "--wallet", "gift", "--key", "credit"], folder: folder, operator: "Ana").exitCode == 0)
        let refunded = await Self.till([
            "order", "refund", try #require(cash["id"] as? String), "--payment", try #require(payment["id"] as? String),
            "--amount", refund, "--key", "refund"], folder: folder, flag: "Ben")
        #expect(refunded.exitCode == 0, "\(refunded)")
        #expect(await Self.till(["drawer", "pay-in", "--amount", payIn, "--reason", "Change from the bank", "--key", "in"],
                                folder: folder, operator: "Ana").exitCode == 0)
        let out = await Self.till(["drawer", "pay-out", "--amount", payOut, "--reason", "Window cleaner", "--key", "out"], folder: folder, flag: "Ben")
        #expect(out.exitCode == 0, "\(out)")
        let closed = await Self.till(["drawer", "close", "--counted", counted, "--key", "close"], folder: folder, operator: "Ana")
        let z = try Self.json(closed)
        let session = try #require(z["session"] as? String)
        #expect(z["state"] as? String == "closed" && z["report"] as? String == "z")

        // Every figure again, straight from the event rows.
        let db = try DatabaseQueue(path: folder + "/till.sqlite")
        let sql: (String) throws -> Int64 = { query in try db.read { try Int64.fetchOne($0, sql: query, arguments: [session]) ?? 0 } }
        let floatFromEvents = try sql("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'opened'")
        let change = try sql("SELECT SUM(change) FROM drawer_events WHERE session_id = ? AND kind = 'sale' AND tender = 'cash'")
        let cashTaken = try sql("""
            SELECT SUM(e.amount) FROM order_events e JOIN drawer_events d ON d.reference = e.reference AND d.kind = 'sale'
            WHERE d.session_id = ? AND d.tender = 'cash' AND e.kind = 'paid'
            """)
        let cashRefunds = try sql("""
            SELECT SUM(e.amount) FROM order_events e JOIN drawer_events d ON d.reference = e.reference AND d.kind = 'refund'
            WHERE d.session_id = ? AND d.tender = 'cash' AND e.kind = 'refunded'
            """)
        let paidIn = try sql("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'paid_in'")
        let paidOut = try sql("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'paid_out'")
        let countedFromEvents = try sql("SELECT SUM(amount) FROM drawer_events WHERE session_id = ? AND kind = 'closed'")
        let captured = try sql("SELECT SUM(amount) FROM payment_events WHERE kind = 'captured' AND ? IS NOT NULL")
        let redeemed = try sql("SELECT SUM(amount) FROM wallet_events WHERE kind = 'debited' AND ? IS NOT NULL")
        let expected = floatFromEvents + cashTaken - cashRefunds + paidIn - paidOut
        #expect(Self.int(z, "float") == floatFromEvents)
        #expect(Self.int(z, "cash_sales") == cashTaken + change)
        #expect(Self.int(z, "change_given") == change)
        #expect(Self.int(z, "cash_refunds") == cashRefunds)
        #expect(Self.int(z, "paid_in") == paidIn && Self.int(z, "paid_out") == paidOut)
        #expect(Self.int(z, "expected") == expected)
        #expect(Self.int(z, "counted") == countedFromEvents)
        #expect(Self.int(z, "difference") == countedFromEvents - expected && countedFromEvents - expected == 50)
        #expect(Self.int(z, "takings") == captured + cashTaken - cashRefunds)
        #expect(Self.int(z, "store_credit_redeemed") == redeemed)
        let byTender = try #require(z["by_tender"] as? [String: [String: Any]])
        #expect(byTender["card"].flatMap { Self.int($0, "taken") } == captured)
        #expect(byTender["cash"].flatMap { Self.int($0, "taken") } == cashTaken)
        // By operator, from the operator column of the order events.
        let byOperator = try #require(z["by_operator"] as? [String: [String: Any]])
        #expect(Set(byOperator.keys) == ["ana", "ben"])
        let anaPaid = try await db.read { try Int64.fetchOne($0, sql: "SELECT SUM(amount) FROM order_events WHERE kind = 'paid' AND operator = 'Ana'") }
        let ana = try #require(byOperator["ana"])
        #expect(ana["name"] as? String == "Ana")
        #expect((Self.int(ana, "cash") ?? 0) + (Self.int(ana, "store_credit") ?? 0) + (Self.int(ana, "card") ?? 0) == anaPaid)
        #expect(Self.int(try #require(byOperator["ben"]), "cash_refunds") == cashRefunds)

        // The Z report was saved beside the receipts, private, and says so.
        let file = folder + "/receipts/z-report-\(session).txt"
        #expect(closed.stderr.contains(file), "\(closed.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("Z report") && text.contains("Difference") && text.contains("over"))
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        // Replayed, and `report z` tells the same.
        let again = try Self.json(await Self.till(["drawer", "close", "--counted", counted, "--key", "close"], folder: folder))
        #expect(again["replayed"] as? Bool == true && Self.int(again, "difference") == 50)
        let reported = try Self.json(await Self.till(["report", "z", session], folder: folder))
        #expect(Self.int(reported, "expected") == expected && reported["closed_by"] as? String == "Ana")
        #expect(await Self.till(["check"], folder: folder).exitCode == 0)
    }

    @Test("Refusals and the X report with no drawer open")
    func refusals() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-drawer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".secrets")
        }
        #expect(await Self.till(["init"], folder: folder).exitCode == 0)
        let notOpen = await Self.till(["drawer", "pay-in", "--amount", "5.00", "--reason", "x", "--key", "k"], folder: folder)
        #expect(notOpen.exitCode == 1 && notOpen.stdout.contains("drawer_not_open"))
        _ = await Self.till(["order", "create-and-pay", "--email", "a@example.com", "--amount", "4.00", "--cash", "5.00", "--key", "early"], folder: folder)
        let x = try Self.json(await Self.till(["report", "x"], folder: folder))
        #expect(x["state"] as? String == "no_session")
        #expect((x["outside_session"] as? [String: Any]).flatMap { Self.int($0, "cash") } == 400)
        #expect(await Self.till(["drawer", "open", "--float", "10.00"], folder: folder).exitCode == 0)
        let twice = await Self.till(["drawer", "open", "--float", "10.00"], folder: folder)
        #expect(twice.exitCode == 1 && twice.stdout.contains("drawer_already_open"))
        let noReason = await Self.till(["drawer", "pay-out", "--amount", "1.00", "--reason", "", "--key", "k2"], folder: folder)
        #expect(noReason.exitCode == 1 && noReason.stdout.contains("invalid_reason"))
        let badOperator = await Self.till(["drawer", "pay-out", "--amount", "1.00", "--reason", "x", "--key", "k3", "--operator", "\u{1B}[2J"], folder: folder)
        #expect(badOperator.exitCode == 1 && badOperator.stdout.contains("invalid_name"))
        let human = await TillCommandLine.run(["report", "x"], environment: [
            "TILL_NOW": "2026-03-15T10:00:00Z", "TILL_DB": folder + "/till.sqlite", "TILL_SECRETS_DIR": folder + ".secrets"])
        #expect(human.stdout.contains("X report") && human.stdout.contains("Moved while no drawer was open"), "\(human.stdout)")
    }
}
