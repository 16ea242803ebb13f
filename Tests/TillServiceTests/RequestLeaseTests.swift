import Foundation
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

/// Requests left in progress: held by their owner's lease, or freed when their process is gone.
extension UnknownOutcomeTests {
    /// A request in progress is held by its owner's lease, by the request's own times: another
    /// till (even one whose process started long ago, as a POS open all day) leaves it alone
    /// until the lease runs out, then resolves it. Never by the age of a process (issue 9, 1).
    @Test func aRequestInProgressIsHeldByItsLeaseNotByProcessAge() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "mo@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await service.pay(orderId: orderId, amount: "12.00", tender: lostCard, key: "k1")) == .paymentPending)
        // As if another live till had just claimed it: in progress, lease until a minute from now.
        func leaveInProgress(owner: String, forMilliseconds lease: Int64) async throws {
            try await harness.execute(
                "UPDATE idempotency SET state = 'in_progress', lease_owner = ?, lease_expires_at = ? WHERE key = 'k1'",
                [owner, harness.clock.now.millisecondsSinceEpoch + lease])
        }
        try await leaveInProgress(owner: "elsewhere/1/a", forMilliseconds: 60_000)
        harness.clock.advance(milliseconds: 59_999)  // hours of process age change nothing; only the lease counts
        #expect(code(await service.pay(orderId: orderId, amount: "12.00", tender: lostCard, key: "k1")) == .requestInProgress)
        #expect(counts(await service.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 1))
        #expect(try await harness.entries(.capture).isEmpty)

        harness.clock.advance(milliseconds: 1)  // the lease ran out
        #expect(counts(await service.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        #expect(try ok(await service.order(id: orderId)).paid == 1200)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// A request whose lease is held by a process of this host that is gone is resolved on the
    /// retry, without waiting for the lease.
    @Test func aRequestLeftByAGoneProcessIsResolvedOnRetry() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "mo@example.com", amount: "50.00")).response.id
        let lostCard = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await service.pay(orderId: orderId, amount: "12.00", tender: lostCard, key: "k1")) == .paymentPending)
        let host = String(service.owner.id.split(separator: "/")[0])
        try await harness.execute(
            "UPDATE idempotency SET state = 'in_progress', lease_owner = ?, lease_expires_at = ? WHERE key = 'k1'",
            ["\(host)/\(Int32.max)/x", harness.clock.now.millisecondsSinceEpoch + 60_000])
        let resolved = try ok(await service.pay(orderId: orderId, amount: "12.00", tender: lostCard, key: "k1"))
        #expect(resolved.replayed)
        #expect(try ok(await service.order(id: orderId)).paid == 1200)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }
}
