import Foundation
import Testing
import TillCore
import TillProcessor

#if canImport(Glibc)
import Glibc
#endif

/// The real `till` binary in a real terminal (a private tmux server per test): keys go in with
/// send-keys, the screen comes back with capture-pane, and the ledger is checked afterwards
/// through the command line's JSON. Every wait is for text on a settled screen.
@Suite struct POSEndToEndTests {
    /// A fresh ledger folder and the environment `till` runs with in it.
    struct Shop {
        let directory: URL
        /// More environment for both the POS and the command line.
        var extra: [String: String] = [:]
        /// The ledger in a folder of its own: its card-fingerprint secret may not live in it.
        var database: String { directory.appendingPathComponent("ledger/till.sqlite").path }
        var environment: [String: String] {
            [
                "HOME": directory.path, "TILL_DB": database, "TILL_SECRETS_DIR": directory.appendingPathComponent("secrets").path,
                "TILL_RECEIPT_DIR": directory.path, "TZ": "UTC",
                "LANG": "C.UTF-8", "TILL_GOBLINPAY_FAILURE_RATE": "0",
            ].merging(extra) { $1 }
        }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-e2e-pos-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        func pos(width: Int = 80, height: Int = 24) throws -> TmuxSession {
            try TmuxSession(width: width, height: height, command: [ChildProcess.tillPath], environment: environment)
        }

        /// `till ARGS --json` on this ledger, decoded.
        func json(_ arguments: [String]) throws -> [String: Any] {
            let (status, output) = try ChildProcess.run(ChildProcess.tillPath, arguments: arguments + ["--json"], environment: environment)
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            guard status == 0, let object else { throw TmuxError("till \(arguments) failed (\(status)): \(output)") }
            return object
        }

        func orders(_ email: String) throws -> [[String: Any]] {
            try json(["order", "list", "--email", email])["orders"] as? [[String: Any]] ?? []
        }
    }

    static let visa = "4242424242424242"

    /// On the order screen: p, the amount, the card, Enter.
    static func payByCard(_ pos: TmuxSession, amount: String, number: String = visa) throws {
        try pos.send("p")
        try pos.waitFor("Take payment")
        try pos.send("BTab", "C-u")
        try pos.type(amount)
        try pos.send("Tab")
        try pos.type(number)
        try pos.send("Tab")
        try pos.type("1230")
        try pos.send("Tab")
        try pos.type("123")
        try pos.send("Enter")
    }

    static func createOrder(_ pos: TmuxSession, email: String, amount: String) throws {
        try pos.send("F3")
        try pos.waitFor("New order ─")
        try pos.type(email)
        try pos.send("Tab")
        try pos.type(amount)
        try pos.send("Enter")
        try pos.waitFor("created for")
    }

    @Test func createPayByCardAndCashFindInHistoryRefundPartAndQuit() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try Self.createOrder(pos, email: "ann@example.com", amount: "50.00")
        try Self.payByCard(pos, amount: "10.00")
        try pos.waitFor("Paid $10.00 by Visa ••••4242")
        try pos.send("p")
        try pos.waitFor("Take payment")
        try pos.send("F9")
        try pos.type("50")
        try pos.waitFor("Change due  $10.00")
        try pos.send("Enter")
        try pos.waitFor("CHANGE DUE")
        try pos.send("Enter")
        try pos.waitFor("PAID")

        try pos.send("F4")
        try pos.type("ann")
        try pos.waitFor("Lifetime $50.00")
        try pos.send("Tab", "Enter")
        try pos.waitFor("Payments ─")
        try pos.send("Up", "r")
        try pos.waitFor("Back to Visa")
        try pos.send("C-u")
        try pos.type("4.00")
        try pos.send("Enter")
        try pos.waitFor("Refund $4.00? Back to Visa")
        try pos.send("y")
        try pos.waitFor("Refunded $4.00")

        let order = try #require(try shop.orders("ann@example.com").first)
        #expect(order["paid"] as? Int == 5000)
        #expect(order["refunded"] as? Int == 400)
        #expect((order["payments"] as? [[String: Any]])?.map { $0["tender"] as? String } == ["card", "cash"])
        try pos.send("q")
        #expect(try pos.waitForExit() == 0)
    }

    @Test func aDeclineShowsTheReasonAndLeavesNoPayment() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try Self.createOrder(pos, email: "bob@example.com", amount: "20.00")
        try Self.payByCard(pos, amount: "20.00", number: "4000000000000002")
        let screen = try pos.waitFor("processor_declined")
        #expect(screen.contains("4000 00•• •••• 0002"))
        #expect(!screen.contains("4000000000000002"))
        let order = try #require(try shop.orders("bob@example.com").first)
        #expect((order["payments"] as? [Any])?.isEmpty == true)
        #expect(order["balance_due"] as? Int == 2000)
    }

    /// Issue 9, point 4, in the real program: a card whose answer is lost (4000 0000 0000 4046)
    /// on an existing order. The dialog says it is pending; the order shows the pending row;
    /// the screen resolves it by itself and says it went through; a second dialog offers only
    /// the rest. The ledger has the one installment and GoblinPay one authorization.
    @Test func aLostResponseOnAnExistingOrderIsPendingThenResolvedAndNeverChargedTwice() async throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try Self.createOrder(pos, email: "gus@example.com", amount: "50.00")
        try Self.payByCard(pos, amount: "12.00", number: GoblinPay.TestCard.lostResponse)
        let answer = try pos.waitFor("payment_pending")
        #expect(answer.contains("Esc shows it on the order"))
        try pos.send("Escape")
        let pending = try pos.waitFor("resolving…")
        #expect(pending.contains("Visa ••••4046"))
        #expect(pending.contains("Pending $12.00"))
        #expect(pending.contains("Due $38.00"))
        #expect(!pending.contains("No payments yet"))
        // Nobody presses anything: the order screen asks GoblinPay every two seconds.
        let resolved = try pos.waitFor("Card payment of $12.00 went through")
        #expect(!resolved.contains("resolving…"))
        #expect(resolved.contains("Paid $12.00"))
        try pos.send("p")
        let dialog = try pos.waitFor("Take payment")
        #expect(dialog.contains("Balance due $38.00"))
        #expect(dialog.split(separator: "\n").contains { $0.contains("Amount") && $0.contains("38.00") })
        try pos.send("Escape")
        try pos.waitUntilGone("Take payment")
        try pos.send("q")
        #expect(try pos.waitForExit() == 0)

        let listed = try #require(try shop.orders("gus@example.com").first)
        let id = try #require(listed["id"] as? String)
        let order = try shop.json(["order", "get", id])
        #expect(order["paid"] as? Int == 1200)
        #expect(order["balance_due"] as? Int == 3800)
        #expect(order["pending"] == nil)
        let payments = try #require(order["payments"] as? [[String: Any]])
        #expect(payments.map { $0["amount"] as? Int } == [1200])
        // GoblinPay's own ledger (beside the till's): one authorization, captured once.
        let entries = try await GoblinPay(ledgerPath: shop.database + ".goblinpay").ledger.entries()
        let authorizations = entries.filter { $0.operation == .authorize }
        #expect(authorizations.count == 1)
        #expect(authorizations.first?.cardLast4 == "4046")
        #expect(entries.filter { $0.operation == .capture }.map(\.amount.minorUnits) == [1200])
    }

    @Test func redrawsOnResizeAndSaysWhenTooSmall() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try pos.resize(width: 120, height: 40)
        let large = try pos.waitUntil("a 120x40 dashboard") { screen in
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return rows.count == 40 && rows[0].hasSuffix("F1 Help") && rows[0].count == 119
        }
        #expect(large.contains("Net takings"))
        try pos.resize(width: 70, height: 20)
        try pos.waitFor("Till needs at least 80×24")
        try pos.resize(width: 80, height: 24)
        try pos.waitFor("Net takings")
        #expect(pos.isRunning())
    }

    @Test func noColorKeepsAttributesAndDropsColours() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let coloured = try shop.pos()
        defer { coloured.kill() }
        try coloured.waitFor("Net takings")
        #expect(Self.hasColour(try coloured.screenWithEscapes()))
        let plain = try TmuxSession(command: [ChildProcess.tillPath], environment: shop.environment.merging(["NO_COLOR": "1"]) { $1 })
        defer { plain.kill() }
        try plain.waitFor("Net takings")
        let screen = try plain.screenWithEscapes()
        #expect(!Self.hasColour(screen))
        // Selection and the bars are still reverse video or bold, so nothing depends on colour.
        #expect(screen.contains("\u{1B}[7m") || screen.contains(";7m") || screen.contains("\u{1B}[1m"))
    }

    /// Any SGR foreground or background colour (30-37, 40-47, 90-97, 38;…, 48;…) in `escaped`.
    static func hasColour(_ escaped: String) -> Bool {
        escaped.range(of: #"\x{1B}\[[0-9;]*(?<![0-9])(3[0-8]|4[0-8]|9[0-7])[;m]"#, options: .regularExpression) != nil
    }

    @Test func quittingRestoresTheTerminal() throws {
        let shop = try Shop()
        defer { shop.remove() }
        // A shell runs till, then reports its exit status and the terminal's line settings.
        let script = "'\(ChildProcess.tillPath)'; echo \"till-exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; read x"
        let pos = try TmuxSession(command: ["sh", "-c", script], environment: shop.environment)
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try pos.send("F10")
        let screen = try pos.waitFor("till-exit=0")
        #expect(screen.contains("icanon echo"))
        #expect(!screen.contains("Net takings"))
    }

    @Test func sigtermRestoresTheTerminalToo() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let script = "'\(ChildProcess.tillPath)'; echo \"till-exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon | tr '\\n' ' '; echo; read x"
        let pos = try TmuxSession(command: ["sh", "-c", script], environment: shop.environment)
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        // Only this pane's till: the shell's child (tests run in parallel).
        let shell = try pos.processIDs().program
        let (status, output) = try ChildProcess.run("/usr/bin/pkill", arguments: ["-TERM", "-P", "\(shell)"], environment: [:])
        #expect(status == 0, "pkill: \(output)")
        let screen = try pos.waitFor("till-exit=143")
        #expect(screen.contains("icanon"))
        #expect(!screen.contains("-icanon"))
    }

    /// Also with the shop's clock fixed (TILL_NOW): the POS paces its polling by the
    /// monotonic clock, not the shop's.
    @Test(arguments: [false, true])
    func noticesAnotherProcessWritingWithinASecond(fixedClock: Bool) throws {
        var shop = try Shop()
        if fixedClock { shop.extra = ["TILL_NOW": "2026-11-22T10:00:00Z"] }
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        _ = try shop.json(["order", "create", "--email", "outside@example.com", "--amount", "7.77"])
        let written = ContinuousClock.now
        try pos.waitFor("outside@", timeout: .seconds(5))
        let seen = ContinuousClock.now - written
        // Polled twice a second; the bound leaves room for a loaded CI machine.
        #expect(seen < .milliseconds(1500), "seen after \(seen)")
    }

    @Test func seededRandomKeysNeverCrashTheRealProgram() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        var seed: UInt64 = 20_261_122
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        let named = ["Enter", "Escape", "Tab", "BTab", "BSpace", "DC", "Up", "Down", "Left", "Right", "NPage", "PPage",
                     "Home", "End", "F1", "F2", "F3", "F4", "F5", "F6", "F8", "C-u"]
        let text = Array("abcdefghijklmnoprstuvwxyz0123456789.@+-/?é漢 ")
        for _ in 0..<300 {
            if next() % 3 == 0 {
                try pos.send(named[next() % named.count])
            } else {
                try pos.type(String(text[next() % text.count]))
            }
        }
        #expect(pos.isRunning())
        try pos.send("Escape", "Escape", "Escape", "F10")
        #expect(try pos.waitForExit() == 0)
    }
}
