import Foundation
import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore

/// A request belongs to the processor it was sent to, and to its ledger: found by the review
/// of GoblinPay as a service. A till started without `TILL_GOBLINPAY_URL` (in-process
/// GoblinPay) asked the wrong processor about a request sent to the service, heard "not
/// applied", and freed a key whose authorization stood; two ledgers sharing one GoblinPay
/// replayed each other's charges, because processor keys named the client key only.
@Suite("Processor binding")
struct ProcessorBindingTests {
    @Test func aRequestIsResolvedOnlyByTheProcessorItWentTo() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        // GoblinPay as a service that never answers: the authorization's outcome is unknown.
        let remote = try harness.anotherService(processor: GoblinPayClient(url: "http://127.0.0.1:1", timeout: .milliseconds(200)))
        let lost = await remote.authorize(number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "7.77", currency: "USD", key: "remote-1")
        #expect(code(lost) == .paymentPending)
        #expect(try await harness.requestState(key: "remote-1") == "outcome_unknown")
        // The in-process GoblinPay has never heard of it: its "not applied" must not count.
        let summary = await harness.service.resolveOpenRequests(includingAttention: true)
        #expect(summary.open == 1 && summary.released == 0)
        #expect(try await harness.requestState(key: "remote-1") == "outcome_unknown")
        let pending = try ok(await harness.service.pendingRequests()).pending
        #expect(pending.count == 1)
        // A retry through the in-process GoblinPay is pending too, never a fresh authorization.
        #expect(code(await harness.service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "7.77", currency: "USD", key: "remote-1")) == .paymentPending)
        #expect(try await harness.entries(.authorize).isEmpty)
    }

    @Test func twoLedgersSharingAGoblinPayNeverShareProcessorKeys() async throws {
        let first = try Harness()
        defer { first.remove() }
        let second = try Harness()
        defer { second.remove() }
        // The second ledger's till talks to the first's GoblinPay.
        let secondTill = TillService(
            database: try TillDatabase.open(path: second.databasePath, secretsDirectory: second.directory.secrets),
            processor: first.goblin, clock: second.clock.function)
        let one = try ok(await first.service.authorize(number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "12.34", currency: "USD", key: "order-1001"))
        let two = try ok(await secondTill.authorize(number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "12.34", currency: "USD", key: "order-1001"))
        #expect(!two.replayed)
        _ = try ok(await first.service.capture(paymentId: one.response.id, amount: "12.34", key: "order-1001-capture"))
        _ = try ok(await secondTill.capture(paymentId: two.response.id, amount: "12.34", key: "order-1001-capture"))
        // Two holds and two captures at GoblinPay: each till's money is its own.
        #expect(try await first.entries(.authorize).count == 2)
        #expect(try await first.entries(.capture).map(\.amount.minorUnits) == [1234, 1234])
        #expect(Set(try await first.entries(.capture).map(\.reference)).count == 2)
    }
}
