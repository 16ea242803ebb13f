import Foundation
import Logging
import Testing
import TillCore
import TillHTTP
import TillProcessor
import TillService

/// GoblinPay's payouts API over a real socket, with the partner API's shape and flaws, and the
/// till's webhook waking its importer.
@Suite("Payouts API and webhook")
struct PayoutAPITests {
    static let quiet = Logger(label: "payouts.test") { _ in SwiftLogNoOpLogHandler() }

    static func goblin(ack: GoblinPayFailureRate) -> GoblinPay {
        var configuration = GoblinPayConfiguration(captureFailureRate: .never)
        configuration.ackFailureRate = ack
        return GoblinPay(configuration: configuration)
    }

    static func send(_ method: String, _ url: String, form: String? = nil) async throws -> HTTPExchange.Answer {
        try await HTTPExchange.send(
            method, url, headers: form == nil ? [] : [("Content-Type", "application/x-www-form-urlencoded")],
            body: form.map { Array($0.utf8) }, timeout: .seconds(30))
    }

    static func list(_ answer: HTTPExchange.Answer) throws -> [PayoutWire.Payout] {
        try JSONDecoder().decode([PayoutWire.Payout].self, from: Data(answer.body))
    }

    @Test func thePartnerAPIListsAcknowledgesAndCounts() async throws {
        let goblin = Self.goblin(ack: .never)
        let server = GoblinPayServer(goblin: goblin, faults: GoblinPayServiceFaults(), logger: Self.quiet)
        let now = Instant(millisecondsSinceEpoch: 1_780_000_000_000)
        for cents in [100, 250, 1999] { _ = try await goblin.produce(amount: Money(minorUnits: Int64(cents), currency: .usd), now: now) }
        try await serving({ server.application(onRunning: $0) }) { base in
            let listed = try Self.list(try await Self.send("POST", base + "/api/payouts/?state=notifying"))
            #expect(listed.map(\.amount) == ["19.99", "2.50", "1.00"])  // newest first
            #expect(listed.allSatisfy { $0.state == "notifying" && $0.currency == "USD" && $0.createTime == "2026-05-28T20:26:40.000Z" })
            #expect(listed.first?.entries == [PayoutWire.Entry(kind: "adjustment", reference: "produce-3", amount: "19.99")])
            let raw = try await Self.send("POST", base + "/api/payouts/?state=notifying")
            #expect(raw.text.contains("\"recipient_account_identifier\":\"\(GoblinPay.defaultRecipient)\""))

            let id = try #require(listed.last?.id)
            let updated = try Self.list(try await Self.send("POST", base + "/api/payouts/\(id)/", form: "state=processing"))
            #expect(updated.map(\.id) == [id] && updated.first?.state == "processing")
            #expect(try Self.list(try await Self.send("POST", base + "/api/payouts/\(id)/", form: "state=processing")).count == 1)
            #expect(try Self.list(try await Self.send("POST", base + "/api/payouts/no-such-id/", form: "state=processing")).isEmpty)
            #expect(try Self.list(try await Self.send("POST", base + "/api/payouts/\(listed[0].id)/", form: "state=paid")).isEmpty)
            #expect(try Self.list(try await Self.send("POST", base + "/api/payouts/?state=notifying")).count == 2)

            let count = try JSONDecoder().decode(PayoutWire.Count.self, from: Data(try await Self.send("GET", base + "/api/payouts/count").body))
            #expect(count == PayoutWire.Count(GoblinPayPayoutCount(total: 3, processing: 1, maxUpdateCount: 2)))
            // Till's client reads the same answers.
            let client = PayoutClient(url: base, timeout: .seconds(60))
            #expect(try await client.notifyingPayouts().payouts.count == 2)
            #expect(await client.acknowledge(id: listed[0].id))
            #expect(await client.acknowledge(id: "no-such-id") == false)
            #expect(try await client.count().processing == 2)
        }
    }

    @Test func aFailedAcknowledgementIs500AndChangesNothing() async throws {
        let goblin = Self.goblin(ack: .always)
        let server = GoblinPayServer(goblin: goblin, faults: GoblinPayServiceFaults(), logger: Self.quiet)
        let payout = try await goblin.produce(amount: Money(minorUnits: 5, currency: .usd), now: Instant(millisecondsSinceEpoch: 0))
        try await serving({ server.application(onRunning: $0) }) { base in
            let answer = try await Self.send("POST", base + "/api/payouts/\(payout.id)/", form: "state=processing")
            #expect(answer.status == 500)
            #expect(await PayoutClient(url: base, timeout: .seconds(60)).acknowledge(id: payout.id) == false)
            #expect(try await goblin.payoutCount().processing == 0)
        }
        // Nobody listening: listing fails (unknown), acknowledging is false.
        await #expect(throws: PayoutClient.Failure.self) { try await PayoutClient(url: "http://127.0.0.1:1", timeout: .seconds(2)).notifyingPayouts() }
    }

    @Test func notificationsWakeTheImporterAndEveryPayoutIsImportedOnce() async throws {
        let harness = try await APIHarness()
        defer { harness.remove() }
        let goblin = Self.goblin(ack: GoblinPayFailureRate(partsPerMillion: 300_000) ?? .always)
        // The poll is an hour away: only the start cycle and the notifications can import.
        let importer = PayoutImportLoop(service: harness.service, source: goblin, poll: .seconds(3600), logger: Self.quiet)
        let api = TillAPI(service: harness.service, token: APIToken(APIHarness.token), logger: Self.quiet, payoutImport: importer)
        try await serving({ TillServer.application(api, onRunning: $0) }) { till in
            // The webhook needs no token: it carries nothing and only wakes the importer.
            #expect(try await Self.send("GET", till + "/goblinpay/webhook/").status == 202)
            var webhook = PayoutWebhook()
            webhook.url = till + "/goblinpay/webhook/"
            webhook.duplicateRate = GoblinPayFailureRate(partsPerMillion: 200_000) ?? .never
            let server = GoblinPayServer(goblin: goblin, faults: GoblinPayServiceFaults(), webhook: webhook, logger: Self.quiet)
            try await serving({ server.application(onRunning: $0) }) { goblinPay in
                let produced = try await HTTPExchange.send(
                    "POST", goblinPay + "/v1/produce", body: Array(#"{"payouts":40,"concurrency":8,"sleep_ms":1}"#.utf8), timeout: .seconds(60))
                #expect(produced.status == 200, "\(produced.text)")
                #expect(produced.text.contains("\"created\":40"))
                // Failed acknowledgements wait for the next cycle: notifications keep coming
                // until none is needed.
                let deadline = ContinuousClock.now + .seconds(60)
                while try await goblin.payoutCount().processing < 40, ContinuousClock.now < deadline {
                    _ = try await Self.send("GET", till + "/goblinpay/webhook/")
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        let count = try await goblin.payoutCount()
        #expect(count.total == 40 && count.processing == 40)
        #expect(count.maxUpdateCount == 1)
        let imported = try ok(await harness.service.importedPayouts())
        #expect(imported.count == 40 && Set(imported.map(\.payout.id)).count == 40)
        #expect(importer.cyclesFinished >= 1)
    }
}

private func ok<T>(_ result: Result<T, Rejection>) throws -> T { try result.get() }
