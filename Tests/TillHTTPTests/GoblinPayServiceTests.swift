import Foundation
import Logging
import Testing
import TillCore
import TillHTTP
import TillProcessor

/// GoblinPay as a service, over a real socket, through Till's own client: every fault a
/// caller can meet ends as an outcome the request lifecycle knows, and a lookup's "not applied"
/// is never overtaken by a call still on its way.
@Suite("GoblinPay service and client")
struct GoblinPayServiceTests {
    static let card = CardCredentials(number: GoblinPay.TestCard.approved, expiry: CardExpiry(month: YearMonth(year: 2040, month: 12)), cvv: "123")
    static let tenDollars = Money(minorUnits: 1000, currency: .usd)

    /// Runs `body` with a client of a GoblinPay service (in memory, no capture failures) that
    /// has `faults`.
    static func withService(
        _ faults: GoblinPayServiceFaults = GoblinPayServiceFaults(), timeout: Duration = .seconds(60),
        _ body: @escaping @Sendable (GoblinPayClient, GoblinPay) async throws -> Void
    ) async throws {
        let goblin = GoblinPay(configuration: GoblinPayConfiguration(captureFailureRate: .never))
        let server = GoblinPayServer(goblin: goblin, faults: faults, logger: Logger(label: "goblinpay.test") { _ in SwiftLogNoOpLogHandler() })
        try await serving({ server.application(onRunning: $0) }) { base in
            try await body(GoblinPayClient(url: base, timeout: timeout), goblin)
        }
    }

    @Test func callsAndLookupsOverTheWire() async throws {
        try await Self.withService { (client: GoblinPayClient, goblin: GoblinPay) async throws in
            let authorized = await client.authorize(key: "k-auth", card: Self.card, amount: Self.tenDollars)
            guard case .approved(let reference) = authorized else { Issue.record("\(authorized)"); return }
            #expect(await client.capture(key: "k-cap", authorization: reference, amount: Self.tenDollars) == .approved(reference: reference))
            // The same key again: approved, applied once.
            #expect(await client.capture(key: "k-cap", authorization: reference, amount: Self.tenDollars) == .approved(reference: reference))
            #expect(try await goblin.ledger.timesApplied(key: "k-cap") == 1)
            #expect(await client.lookup(key: "k-cap") == .applied(reference: reference))
            #expect(await client.lookup(key: "never-sent") == .notApplied)
            let declined = await client.authorize(
                key: "k-declined", card: CardCredentials(number: GoblinPay.TestCard.declined, expiry: Self.card.expiry, cvv: "123"), amount: Self.tenDollars)
            guard case .declined = declined else { Issue.record("\(declined)"); return }
            #expect(await client.refund(key: "k-ref", authorization: reference, amount: Self.tenDollars) == .approved(reference: reference))
            #expect(await client.void(key: "k-void", authorization: reference) != .approved(reference: reference))
        }
    }

    @Test func anErrorIsAFailureBeforeApplying() async throws {
        var faults = GoblinPayServiceFaults()
        faults.errorRate = .always
        try await Self.withService(faults) { (client: GoblinPayClient, goblin: GoblinPay) async throws in
            let outcome = await client.authorize(key: "k-error", card: Self.card, amount: Self.tenDollars)
            guard case .failed = outcome else { Issue.record("\(outcome)"); return }
            #expect(await client.lookup(key: "k-error") == .notApplied)
            #expect(try await goblin.ledger.entries().isEmpty)
        }
    }

    @Test func aLostResponseIsUnknownAndTheLookupFindsTheCharge() async throws {
        var faults = GoblinPayServiceFaults()
        faults.lostResponseRate = .always
        try await Self.withService(faults) { (client: GoblinPayClient, goblin: GoblinPay) async throws in
            let outcome = await client.authorize(key: "k-lost", card: Self.card, amount: Self.tenDollars)
            guard case .unknown = outcome else { Issue.record("\(outcome)"); return }
            guard case .applied = await client.lookup(key: "k-lost") else { Issue.record("not applied"); return }
            #expect(try await goblin.ledger.timesApplied(key: "k-lost") == 1)
        }
        // GoblinPay's own lost-response card, over the wire.
        try await Self.withService { (client: GoblinPayClient, _: GoblinPay) async throws in
            let card = CardCredentials(number: "4000000000004046", expiry: Self.card.expiry, cvv: "123")
            guard case .unknown = await client.authorize(key: "k-4046", card: card, amount: Self.tenDollars) else { Issue.record("answered"); return }
            guard case .applied = await client.lookup(key: "k-4046") else { Issue.record("not applied"); return }
        }
    }

    /// Latency beyond the caller's deadline: the call times out (unknown); a lookup after the
    /// deadline says not applied, and it stays true: the late call is refused, never applied.
    @Test func aCallPastItsDeadlineNeverLands() async throws {
        var faults = GoblinPayServiceFaults()
        faults.latencyMilliseconds = 400...400
        try await Self.withService(faults, timeout: .milliseconds(100)) { (client: GoblinPayClient, goblin: GoblinPay) async throws in
            let outcome = await client.authorize(key: "k-slow", card: Self.card, amount: Self.tenDollars)
            guard case .unknown = outcome else { Issue.record("\(outcome)"); return }
            // Looked up by a patient client (the lookup itself is never delayed, but a busy
            // machine can take more than 100 ms to answer it).
            let first = await GoblinPayClient(url: client.baseURL, timeout: .seconds(60)).lookup(key: "k-slow")
            // The call is still asleep: not applied, and past its deadline it never will be.
            #expect(first == .notApplied)
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await goblin.ledger.timesApplied(key: "k-slow") == 0)
        }
    }

    @Test func anUnreachableServiceIsUnknownNeverNotApplied() async throws {
        // A port nothing listens on.
        let client = GoblinPayClient(url: "http://127.0.0.1:1", timeout: .milliseconds(300))
        guard case .unknown = await client.authorize(key: "k", card: Self.card, amount: Self.tenDollars) else { Issue.record("answered"); return }
        guard case .unknown = await client.lookup(key: "k") else { Issue.record("a lookup with no answer must be unknown"); return }
    }
}
