import Foundation
import Hummingbird
import TillCore
public import TillProcessor

/// Where GoblinPay tells the shop about new payouts, and how badly (DESIGN §4): a GET with no
/// payload from a pool of concurrent senders, never retried, sometimes twice, sometimes never.
public struct PayoutWebhook: Sendable {
    public var url: String?
    public var duplicateRate: GoblinPayFailureRate = .never
    public var dropRate: GoblinPayFailureRate = .never
    public var recipient = GoblinPay.defaultRecipient

    public init() {}
}

/// `POST /v1/produce`: make synthetic payouts from `concurrency` senders, `sleep_ms` apart each.
struct ProduceRequest: Decodable {
    let payouts: Int
    let concurrency: Int
    let sleepMs: Int?

    enum CodingKeys: String, CodingKey {
        case payouts, concurrency
        case sleepMs = "sleep_ms"
    }
}

/// What a settlement or a production made and how its notifications went.
struct ProduceReport: Encodable, Sendable {
    var created = 0
    var notificationsSent = 0
    var notificationsDuplicated = 0
    var notificationsDropped = 0
    var notificationsFailed = 0
    var payouts: [PayoutWire.Payout]?
}

extension GoblinPayServer {
    /// The payouts API with the partner API's shape and flaws, plus `settle` and `produce`.
    func addPayoutRoutes(to router: Router<BasicRequestContext>) {
        router.post("/api/payouts") { request, _ in await self.list(request) }
        router.get("/api/payouts/count") { _, _ in await self.count() }
        router.post("/api/payouts/:id") { request, context in await self.update(request, id: context.parameters.get("id") ?? "") }
        router.post("/v1/settle") { _, _ in await self.settle() }
        router.post("/v1/produce") { request, _ in await self.produce(request) }
    }

    private func list(_ request: Request) async -> Response {
        let stateText = request.uri.queryParameters.get("state")
        let state = stateText.flatMap(GoblinPayPayout.State.init(rawValue:))
        guard stateText == nil || state != nil else { return Wire.response([PayoutWire.Payout]()) }
        guard let payouts = try? await goblin.payouts(state: state) else {
            return Wire.response([String: String](), status: .internalServerError)
        }
        return Wire.response(payouts.map(PayoutWire.Payout.init))
    }

    private func count() async -> Response {
        guard let count = try? await goblin.payoutCount() else { return Wire.response([String: String](), status: .internalServerError) }
        return Wire.response(PayoutWire.Count(count))
    }

    /// `state=processing` as a form field (or in the query): the payout in a list, an empty list
    /// when there is no such payout or state, HTTP 500 at the acknowledgement failure rate.
    private func update(_ request: Request, id: String) async -> Response {
        let body = (try? await request.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
        let fields = Self.formFields(body)
        let state = fields["state"] ?? request.uri.queryParameters.get("state")
        guard state == GoblinPayPayout.State.processing.rawValue else { return Wire.response([PayoutWire.Payout]()) }
        switch try? await goblin.acknowledgePayout(id: id) {
        case .updated(let payout)?: return Wire.response([PayoutWire.Payout(payout)])
        case .noSuchPayout?: return Wire.response([PayoutWire.Payout]())
        case .failedBeforeApplying?, nil: return Wire.response([PayoutWire.Payout](), status: .internalServerError)
        }
    }

    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first?.removingPercentEncoding else { continue }
            fields[name] = parts.count == 2 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
        }
        return fields
    }

    private func settle() async -> Response {
        guard let payouts = try? await goblin.settle(now: Self.now(), recipient: webhook.recipient) else {
            return Wire.response([String: String](), status: .internalServerError)
        }
        var report = ProduceReport(created: payouts.count, payouts: payouts.map(PayoutWire.Payout.init))
        await withTaskGroup(of: Notified.self) { group in
            for _ in payouts { group.addTask { await self.notify() } }
            for await notified in group { report.count(notified) }
        }
        return Wire.response(report)
    }

    /// Creates the payouts from `concurrency` senders; each sender notifies the shop after each
    /// payout it creates, then sleeps. Answers when every payout exists and every notification
    /// went (or was dropped).
    private func produce(_ request: Request) async -> Response {
        guard let buffer = try? await request.body.collect(upTo: 4096),
              let ask = try? JSONDecoder().decode(ProduceRequest.self, from: Data(buffer.readableBytesView)),
              (1...1_000_000).contains(ask.payouts), (1...1000).contains(ask.concurrency), (0...60_000).contains(ask.sleepMs ?? 0)
        else { return Wire.response(["error": "payouts 1-1000000, concurrency 1-1000, sleep_ms 0-60000"], status: .badRequest) }
        let shares = (0..<ask.concurrency).map { ask.payouts / ask.concurrency + ($0 < ask.payouts % ask.concurrency ? 1 : 0) }
        let sleep = ask.sleepMs ?? 0
        let report = await withTaskGroup(of: ProduceReport.self) { group in
            for share in shares where share > 0 {
                group.addTask {
                    var part = ProduceReport()
                    for index in 0..<share {
                        if index > 0, sleep > 0 { try? await Task.sleep(for: .milliseconds(sleep)) }
                        let cents = Int64(self.draw(100...100_000))
                        guard (try? await self.goblin.produce(
                            amount: Money(minorUnits: cents, currency: .usd), now: Self.now(), recipient: self.webhook.recipient)) != nil
                        else { continue }
                        part.created += 1
                        part.count(await self.notify())
                    }
                    return part
                }
            }
            var total = ProduceReport()
            for await part in group { total.add(part) }
            return total
        }
        return Wire.response(report)
    }

    enum Notified { case sent, duplicated, dropped, failed, nowhere }

    /// One notification: dropped, sent once, or sent twice at once, as the rates roll.
    private func notify() async -> Notified {
        guard let url = webhook.url else { return .nowhere }
        if roll(webhook.dropRate) { return .dropped }
        let twice = roll(webhook.duplicateRate)
        let sent = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<(twice ? 2 : 1) {
                group.addTask { (try? await HTTPExchange.send("GET", url, timeout: .seconds(5))) != nil }
            }
            var any = false
            for await ok in group { any = any || ok }
            return any
        }
        return sent ? (twice ? .duplicated : .sent) : .failed
    }

    static func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
}

extension ProduceReport {
    mutating func count(_ notified: GoblinPayServer.Notified) {
        switch notified {
        case .sent: notificationsSent += 1
        case .duplicated: notificationsSent += 2; notificationsDuplicated += 1
        case .dropped: notificationsDropped += 1
        case .failed: notificationsFailed += 1
        case .nowhere: break
        }
    }

    mutating func add(_ other: ProduceReport) {
        created += other.created
        notificationsSent += other.notificationsSent
        notificationsDuplicated += other.notificationsDuplicated
        notificationsDropped += other.notificationsDropped
        notificationsFailed += other.notificationsFailed
    }
}
