import Foundation
import GRDB
import Testing
import TillCore
import TillProcessor

#if canImport(Glibc)
import Glibc
#endif

/// `till serve` against `till goblinpay serve`, two processes on real sockets, GoblinPay
/// failing like a real processor (500s, lost responses, latency beyond the till's deadline)
/// and the client giving up after 200 ms and retrying with the same keys. Afterwards the two
/// ledgers agree, order by order: every order paid once, captured once, nothing left unknown.
/// `TILL_FAULT_INSTALLMENTS` (default 24) sets how many; the acceptance run uses 1,000.
@Suite("till serve against a faulty GoblinPay service")
struct RemoteGoblinPayEndToEndTests {
    static let token = "fault-test-token-0123456789"

    struct Servers {
        let folder: URL
        let goblinpay: ChildProcess
        let till: ChildProcess
        let url: String
    }

    /// Where a server says it listens, from its output file.
    static func listening(_ file: String, prefix: String) async -> String? {
        guard let line = await ChildProcess.waitForLine(in: file, containing: prefix + "listening on http://"),
              let range = line.range(of: "http://") else { return nil }
        return String(line[range.lowerBound...])
    }

    @Test func cardInstallmentsWithRetriesAgreeWithGoblinPay() async throws {
        let count = ProcessInfo.processInfo.environment["TILL_FAULT_INSTALLMENTS"].flatMap(Int.init) ?? 24
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(atPath: folder.path + ".secrets")
        }
        let gpLedger = folder.appendingPathComponent("goblinpay.sqlite").path
        let base = ["TILL_SECRETS_DIR": folder.path + ".secrets", "PATH": "/usr/bin:/bin"]
        let goblinpay = try ChildProcess(
            ChildProcess.tillPath,
            arguments: ["goblinpay", "serve", "--port", "0", "--ledger", gpLedger, "--error-rate", "0.1", "--lost-response-rate", "0.2",
                        "--latency-ms", "0-300", "--goblinpay-seed", "7"],
            environment: base, outputFile: folder.appendingPathComponent("goblinpay.log").path)
        defer { goblinpay.stop() }
        let gpURL = try #require(await Self.listening(folder.appendingPathComponent("goblinpay.log").path, prefix: "goblinpay: "))
        var tillEnvironment = base
        tillEnvironment["TILL_DB"] = folder.appendingPathComponent("till.sqlite").path
        tillEnvironment["TILL_API_TOKEN"] = Self.token
        tillEnvironment["TILL_GOBLINPAY_URL"] = gpURL
        // Shorter than GoblinPay's slowest answers: some calls time out and are looked up.
        tillEnvironment["TILL_GOBLINPAY_TIMEOUT_MS"] = "250"
        let tillLog = folder.appendingPathComponent("till.log").path
        let till = try ChildProcess(ChildProcess.tillPath, arguments: ["serve", "--port", "0"], environment: tillEnvironment, outputFile: tillLog)
        defer { till.stop() }
        let url = try #require(await Self.listening(tillLog, prefix: "till serve: "))

        let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            // Four customers at a time, each order paid in full by card.
            var results: [(Int, Int)] = []
            var next = 0
            func start() {
                guard next < count else { return }
                let index = next
                next += 1
                group.addTask { (index, try await Self.payOneOrder(url, index)) }
            }
            for _ in 0..<4 { start() }
            while let result = try await group.next() {
                results.append(result)
                start()
            }
            return results
        }
        till.kill(SIGTERM)
        goblinpay.kill(SIGTERM)
        #expect(till.wait() == 0)
        #expect(goblinpay.wait() == 0)

        #expect(outcomes.count == count)
        #expect(outcomes.allSatisfy { $0.1 == 201 }, "every installment ends paid: \(outcomes.filter { $0.1 != 201 })")
        // Till's ledger: every order paid in full, no request left open.
        let tillDB = try DatabaseQueue(path: tillEnvironment["TILL_DB"] ?? "")
        let (open, orders) = try await tillDB.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency WHERE state != 'completed'") ?? -1,
             try Row.fetchAll(db, sql: "SELECT total, paid FROM orders").map { (($0["total"] as Int64?) ?? -1, ($0["paid"] as Int64?) ?? -2) })
        }
        #expect(open == 0, "no request left unknown")
        #expect(orders.count == count)
        #expect(orders.allSatisfy { $0.0 == $0.1 })
        // GoblinPay's ledger: each order's amount (unique per order) captured exactly once.
        let goblin = try GoblinPay(ledgerPath: gpLedger)
        let entries = try await goblin.ledger.entries()
        var captures: [Int64: Int] = [:]
        for entry in entries where entry.operation == .capture { captures[entry.amount.minorUnits, default: 0] += 1 }
        #expect(entries.filter { $0.operation == .refund }.isEmpty)
        for (total, _) in orders { #expect(captures[total] == 1, "order of \(total) cents captured \(captures[total] ?? 0) times") }
        #expect(captures.values.reduce(0, +) == count, "GoblinPay captured nothing Till does not know")
    }

    /// Creates order `index` and pays it by card, retrying like a client that gives up after
    /// 200 ms: the same keys every time, until a final answer. The payment's final status.
    static func payOneOrder(_ url: String, _ index: Int) async throws -> Int {
        let cents = 1_000 + index
        var orderId: String?
        for _ in 0..<50 where orderId == nil {
            if let answer = try? await post(url + "/orders", #"{"email":"f\#(index)@example.com","amount":{"minor_units":\#(cents),"currency":"USD"}}"#, key: "o-\(index)", timeout: .seconds(5)),
               answer.status == 201 {
                orderId = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["id"] as? String
            }
        }
        guard let orderId else { return -1 }
        let body = #"{"amount":{"minor_units":\#(cents),"currency":"USD"},"tender":{"kind":"card","card":{"pan":"4242 4242 4242 4242","expiry":"12/40","cvv":"123"}}}"#
        for _ in 0..<400 {
            guard let answer = try? await post(url + "/orders/\(orderId)/payments", body, key: "p-\(index)", timeout: .milliseconds(200)) else {
                continue  // gave up waiting: ask again with the same key
            }
            switch answer.status {
            case 201: return 201
            // In flight or pending: ask again shortly. Failed at GoblinPay: the key is free, try again.
            case 409, 503, 502: try await Task.sleep(for: .milliseconds(50))
            default: return answer.status
            }
        }
        return -2
    }

    static func post(_ url: String, _ body: String, key: String, timeout: Duration) async throws -> (status: Int, body: String) {
        let answer = try await HTTPExchange.send(
            "POST", url,
            headers: [("Authorization", "Bearer \(token)"), ("Idempotency-Key", key), ("Content-Type", "application/json")],
            body: Array(body.utf8), timeout: timeout)
        return (answer.status, answer.text)
    }
}
