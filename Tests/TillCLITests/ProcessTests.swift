import Foundation
import SeededRandom
import Testing
import TillService
import TillStore
import TillTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The real `till` binary as separate processes: two writers on one ledger, and writers
/// killed with SIGKILL in the middle of their work.
@Suite(.serialized) struct ProcessTests {
    let directory: URL
    let database: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The ledger in a folder of its own, its card-fingerprint secret outside that folder.
        let ledgerFolder = directory.appendingPathComponent("ledger")
        try FileManager.default.createDirectory(at: ledgerFolder, withIntermediateDirectories: true)
        database = try TestBackend.ledger(at: ledgerFolder.appendingPathComponent("till.sqlite").path)
    }

    /// Removes the ledger and the folder.
    func remove() {
        TestBackend.remove(database)
        try? FileManager.default.removeItem(at: directory)
    }

    var secrets: String { directory.appendingPathComponent("secrets").path }

    var environment: [String: String] {
        var environment = [
            "TILL_DB": database, "TILL_SECRETS_DIR": secrets, "TILL_GOBLINPAY_FAILURE_RATE": "0", "HOME": directory.path,
            "PATH": "/usr/bin:/bin",
        ]
        // A ledger on PostgreSQL has no folder for GoblinPay's ledger to go beside.
        if TestBackend.isPostgres { environment["TILL_GOBLINPAY_DB"] = directory.appendingPathComponent("goblinpay.sqlite").path }
        return environment
    }

    func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    func batchLine(_ arguments: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: arguments)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func twoProcessesWritingOneLedgerLoseNothing() throws {
        defer { remove() }
        let opener = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        opener.writeLine(batchLine(["wallet", "open", "Shared", "--currency", "USD"]))
        #expect(opener.wait() == 0)

        let writers = try (0..<2).map { writer in
            try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        }
        for (index, writer) in writers.enumerated() {
            for n in 0..<60 {
                writer.writeLine(batchLine(["wallet", "credit", "shared", "--amount", "0.01", "--key", "w\(index)-\(n)"]))
            }
            writer.closeInput()
        }
        var acknowledged = 0
        for writer in writers {
            while let line = writer.readLine() {
                if let answer = json(line), answer["error"] == nil { acknowledged += 1 }
            }
            #expect(writer.wait() == 0)
        }
        #expect(acknowledged == 120)
        let ledger = try TillDatabase.open(path: database, secretsDirectory: secrets)
        let balance = try ledger.readNow { try Int64.fetchOne($0.db, sql: "SELECT balance FROM wallets WHERE key = 'shared'") }
        #expect(balance == 120)
    }

    /// Kills a writing `till batch` at a random point (seeded) many times over. Every
    /// acknowledged operation must be in the ledger, the file must pass integrity_check, and
    /// no order may be half-written.
    @Test func sigkillMidStreamLosesNoAcknowledgedOperation() throws {
        defer { remove() }
        var generator = SplitMix64(seed: 0x5EED)  // seeded: a failing run replays
        var acknowledgedEmails: [String] = []
        var acknowledgedCredits = 0
        let opener = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        opener.writeLine(batchLine(["wallet", "open", "Float", "--balance", "0.00"]))
        #expect(opener.wait() == 0)

        for round in 0..<12 {
            let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
            let acknowledgementsBeforeKill = Int(generator.next() % 12) + 1
            var n = 0
            while true {
                let email = "r\(round)n\(n)@kill.example"
                let isOrder = n % 3 != 2
                let arguments = isOrder
                    ? ["order", "create-and-pay", "--email", email, "--amount", "12.50", "--pay", "5.00",
                       "--cash", "10.00", "--key", "kill-\(round)-\(n)"]
                    : ["wallet", "credit", "Float", "--amount", "0.01", "--key", "kill-\(round)-\(n)"]
                child.writeLine(batchLine(arguments))
                if n == acknowledgementsBeforeKill {
                    // The command just sent is in flight: kill it after a seeded pause of 0-20 ms.
                    usleep(UInt32(generator.next() % 20_000))
                    child.kill(SIGKILL)
                    break
                }
                guard let line = child.readLine(), let answer = json(line) else { break }
                #expect(answer["error"] == nil, "\(line)")
                if answer["error"] == nil {
                    if isOrder { acknowledgedEmails.append(email) } else { acknowledgedCredits += 1 }
                }
                n += 1
            }
            #expect(child.wait() == 128 + SIGKILL)
        }

        #expect(acknowledgedEmails.count >= 12)
        let ledger = try TillDatabase.open(path: database, secretsDirectory: secrets)
        #expect(try ledger.integrityCheck() == "ok")
        try ledger.readNow { snapshot in
            let db = snapshot.db
            for email in acknowledgedEmails {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders WHERE email_key = ?", arguments: [email])
                #expect(count == 1, "acknowledged order for \(email) is missing")
            }
            // No half-written order: every order's paid total equals its recorded installments,
            // and each has its creation and payment events.
            let inconsistent = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM orders o
                WHERE o.paid != (SELECT COALESCE(SUM(amount), 0) FROM order_payments p WHERE p.order_id = o.id)
                   OR o.paid != 500
                   OR (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id) != 2
                """)
            #expect(inconsistent == 0)
            let balance = try Int64.fetchOne(db, sql: "SELECT balance FROM wallets WHERE key = 'float'") ?? -1
            let credits = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM wallet_events WHERE wallet_key = 'float' AND kind = 'credited'") ?? -1
            #expect(balance == credits, "the balance must match its history")
            #expect(balance >= Int64(acknowledgedCredits))
        }
    }

    /// Only a line's first word names its command: a wallet called `run` is a wallet, and the
    /// commands that cannot run inside a batch are refused by that word alone.
    @Test func aBatchLineIsNamedByItsFirstWordOnly() throws {
        defer { remove() }
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        for line in [
            ["wallet", "open", "run", "--currency", "USD"], ["wallet", "credit", "run", "--amount", "1.00", "--key", "r1"],
            ["run", "script.till"], ["sim"], ["wallet", "get", "demo"],
        ] { child.writeLine(batchLine(line)) }
        child.closeInput()
        let answers = child.readToEnd().split(separator: "\n").map { json(String($0)) }
        #expect(child.wait() == 1)
        try #require(answers.count == 5)
        #expect(answers[0]?["name"] as? String == "run")
        #expect(answers[1]?["balance"] as? Int == 100)
        #expect((answers[2]?["error"] as? [String: Any])?["code"] as? String == "invalid_request")
        #expect((answers[3]?["error"] as? [String: Any])?["code"] as? String == "invalid_request")
        #expect((answers[4]?["error"] as? [String: Any])?["code"] as? String == "not_found")
    }

    /// Without `--parallel`, lines take effect in input order, as if each ran after the one
    /// before, even when a line starts while the one before it commits: a credit sees the
    /// wallet opened on the line above, a debit the credits above it, a read all of them.
    @Test func anInOrderBatchAnswersAsIfOneLineRanAfterAnother() throws {
        defer { remove() }
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        var lines = [["wallet", "open", "fresh", "--currency", "USD"]]
        lines += (0..<30).map { ["wallet", "credit", "fresh", "--amount", "0.10", "--key", "f\($0)"] }
        lines += [
            ["wallet", "debit", "fresh", "--amount", "3.01", "--key", "over"],
            ["wallet", "debit", "fresh", "--amount", "3.00", "--key", "all"],
            ["wallet", "get", "fresh"],
            ["order", "create-and-pay", "--email", "a@b.test", "--amount", "2.00", "--cash", "5.00", "--key", "o1"],
            ["wallet", "credit", "fresh", "--amount", "0.10", "--key", "f0"],
        ]
        for line in lines { child.writeLine(batchLine(line)) }
        child.closeInput()
        let answers = child.readToEnd().split(separator: "\n").map { json(String($0)) }
        #expect(child.wait() == 1)
        try #require(answers.count == lines.count)
        #expect(answers[0]?["balance"] as? Int == 0)
        #expect(answers[1...30].map { $0?["balance"] as? Int } == (1...30).map { $0 * 10 })
        #expect((answers[31]?["error"] as? [String: Any])?["code"] as? String == "insufficient_funds")
        #expect(answers[32]?["balance"] as? Int == 0)
        #expect(answers[33]?["balance"] as? Int == 0)
        #expect(answers[34]?["status"] as? String == "paid")
        #expect(answers[35]?["replayed"] as? Bool == true)
        #expect(answers[35]?["balance"] as? Int == 10)
    }

    /// A line answered at once (help, a usage error, a refusal before the ledger) is done
    /// only once the lines before it are: the line after it still sees their writes (review).
    @Test func aLineAnsweredAtOnceLetsNoLaterLineOvertakeAWrite() throws {
        defer { remove() }
        // The Z report of the close goes beside the ledger, not into the working directory.
        let child = try ChildProcess(
            ChildProcess.tillPath, arguments: ["batch"], environment: environment.merging(["TILL_RECEIPT_DIR": directory.path]) { $1 })
        let lines = [
            ["wallet", "open", "w"], ["wallet", "credit", "w", "--amount", "5.00", "--key", "k1"], ["help"], ["wallet", "get", "w"],
            ["drawer", "open", "--float", "100.00", "--key", "d1"],
            ["drawer", "pay-in", "--amount", "1.00", "--reason", "bank", "--key", "p0", "--currency", "EURO"],
            ["drawer", "pay-in", "--amount", "5.00", "--reason", "bank", "--key", "p1"],
            ["wallet", "credit"], ["drawer", "close", "--counted", "105.00"],
        ]
        for line in lines { child.writeLine(batchLine(line)) }
        child.closeInput()
        let answers = child.readToEnd().split(separator: "\n").map { json(String($0)) }
        #expect(child.wait() == 1)
        try #require(answers.count == lines.count)
        #expect(answers[3]?["balance"] as? Int == 500)
        #expect((answers[5]?["error"] as? [String: Any])?["code"] as? String == "unknown_currency")
        #expect(answers[6]?["error"] == nil, "the pay-in after a refused one finds the drawer open")
        #expect(answers[8]?["error"] == nil, "the close after a usage error finds the drawer open")
    }

    /// A line that opens the ledger on its own (options of its own for GoblinPay) writes
    /// through another writer: the line after it waits for its answer, so a debit never
    /// overtakes the credit above it (review).
    @Test func aLineOnItsOwnWriterIsNotOvertaken() throws {
        defer { remove() }
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        child.writeLine(batchLine(["wallet", "open", "w"]))
        for n in 0..<150 {
            child.writeLine(batchLine(["wallet", "credit", "w", "--amount", "1.00", "--key", "c\(n)", "--goblinpay-seed", "7"]))
            child.writeLine(batchLine(["wallet", "debit", "w", "--amount", "1.00", "--key", "d\(n)"]))
        }
        child.closeInput()
        let answers = child.readToEnd().split(separator: "\n").map { json(String($0)) }
        #expect(child.wait() == 0)
        #expect(answers.count == 301)
        #expect(answers.filter { $0?["error"] != nil }.count == 0)
        #expect(answers.last??["balance"] as? Int == 0)
    }

    /// `--parallel`: lines run at once and commit in groups, and the answers still come in
    /// input order, one per line.
    @Test func aParallelBatchAnswersInInputOrder() throws {
        defer { remove() }
        let opener = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        for wallet in 0..<8 { opener.writeLine(batchLine(["wallet", "open", "w\(wallet)", "--currency", "USD"])) }
        opener.closeInput()
        _ = opener.readToEnd()
        #expect(opener.wait() == 0)
        let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch", "--parallel", "16"], environment: environment)
        for n in 0..<160 { child.writeLine(batchLine(["wallet", "credit", "w\(n % 8)", "--amount", "0.01", "--key", "p\(n)"])) }
        child.closeInput()
        let keys = child.readToEnd().split(separator: "\n").compactMap { json(String($0))?["key"] as? String }
        #expect(child.wait() == 0)
        #expect(keys == (0..<160).map { "p\($0)" })
        let ledger = try TillDatabase.open(path: database, secretsDirectory: secrets)
        let balances = try ledger.readNow { try Int64.fetchAll($0.db, sql: "SELECT balance FROM wallets ORDER BY key") }
        #expect(balances == Array(repeating: 20, count: 8))
    }

    /// Kills `till batch --parallel 32` (its writer committing groups of credits) at a seeded
    /// point, many times: every acknowledged credit is in the ledger exactly once, every
    /// wallet's balance is its history, and the file is sound.
    @Test func sigkillInTheMiddleOfAGroupLosesNoAcknowledgedWrite() throws {
        defer { remove() }
        var generator = SplitMix64(seed: 0x6A0F)  // seeded: a failing run replays
        let opener = try ChildProcess(ChildProcess.tillPath, arguments: ["batch"], environment: environment)
        for wallet in 0..<16 { opener.writeLine(batchLine(["wallet", "open", "g\(wallet)", "--currency", "USD"])) }
        opener.closeInput()
        _ = opener.readToEnd()
        #expect(opener.wait() == 0)
        var acknowledged: [String] = []
        for round in 0..<8 {
            let child = try ChildProcess(ChildProcess.tillPath, arguments: ["batch", "--parallel", "32"], environment: environment)
            for n in 0..<300 {
                child.writeLine(batchLine(["wallet", "credit", "g\(n % 16)", "--amount", "0.01", "--key", "g\(round)-\(n)"]))
            }
            let killAfter = Int(generator.next() % 120) + 5
            var answered = 0
            while answered < killAfter, let line = child.readLine() {
                guard let answer = json(line), let key = answer["key"] as? String else {
                    Issue.record("not an acknowledgement: \(line)")
                    break
                }
                acknowledged.append(key)
                answered += 1
            }
            child.kill(SIGKILL)
            #expect(child.wait() == 128 + SIGKILL)
        }
        #expect(acknowledged.count >= 40)
        let ledger = try TillDatabase.open(path: database, secretsDirectory: secrets)
        #expect(try ledger.integrityCheck() == "ok")
        try ledger.readNow { snapshot in
            let db = snapshot.db
            for key in acknowledged {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency WHERE key = ? AND state = 'completed'", arguments: [key])
                #expect(count == 1, "acknowledged credit \(key) is missing")
            }
            let unbalanced = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM wallets w
                WHERE w.balance != (SELECT COALESCE(SUM(amount), 0) FROM wallet_events e WHERE e.wallet_key = w.key AND e.kind = 'credited')
                """)
            #expect(unbalanced == 0, "a balance differs from its history")
        }
    }
}
