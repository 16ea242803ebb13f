import Synchronization
import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore
import TillTestSupport

/// The processor-request lifecycle of DESIGN §3 "Requests to the processor" (issue 9): leases,
/// compare-and-set updates, lookups that cannot answer, stable processor keys, requests that do
/// not commute, and the needs-attention state. Each test names the finding it guards.
@Suite("Request lifecycle")
struct LifecycleTests {
    /// A second till beside the harness's own: its own pool and owner, the same clock and GoblinPay.
    static func secondTill(_ harness: Harness, hooks: RequestHooks? = nil, owner: String) throws -> TillService {
        TillService(
            database: try TillDatabase.open(path: harness.databasePath, secretsDirectory: harness.directory.secrets), processor: harness.goblin,
            clock: harness.clock.function, owner: RequestOwner(id: owner), hooks: hooks)
    }

    /// Issue 9, point 1: a till whose process has run for hours (a POS open all day) starts a
    /// request; while its call to GoblinPay is in flight another till (`order get` resolves open
    /// requests at start) must neither claim nor free it. The lease decides, not process age.
    @Test func aLongRunningTillKeepsItsRequestWhileItsCallIsInFlight() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let other = try Self.secondTill(harness, owner: "other-till")
        let orderId = try ok(await harness.service.createOrder(email: "ada@example.com", amount: "10.00")).response.id
        harness.clock.advance(milliseconds: 11 * 60 * 1000)  // the POS has been open for 11 minutes
        let seen = Mutex<[Rejection.Code?]>([])
        let summaries = Mutex<[Counts]>([])
        let pos = try Self.secondTill(harness, hooks: RequestHooks { step, key in
            guard step == .beforeProcessorCall, key == "k1" else { return .proceed }
            // Mid-call: another till starts, resolves what it may, and retries the same key.
            let summary = counts(await other.resolveOpenRequests())
            summaries.withLock { $0.append(summary) }
            let retry = await other.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")
            seen.withLock { $0.append(code(retry)) }
            return .proceed
        }, owner: "pos")
        let paid = try ok(await pos.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(!paid.replayed)
        // Before the authorize and before the capture: both times the request is the POS's.
        #expect(summaries.withLock { $0 } == Array(repeating: Counts(recorded: 0, released: 0, open: 1), count: 2))
        #expect(seen.withLock { $0 } == [Rejection.Code.requestInProgress, .requestInProgress])
        let replay = try ok(await other.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1"))
        #expect(replay.replayed)
        #expect(try ok(await other.order(id: orderId)).paid == 1000)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// Defence beyond the lease: the clock jumps (a suspended laptop, a stepped clock) while a
    /// till's call is on its way, another till takes the request over, finds nothing applied yet
    /// and frees the key; then the call lands. The late answer is still recorded, by the till
    /// that heard it, and a retry reaches GoblinPay under the same processor keys: one charge.
    @Test(arguments: ["installment", "capture"])
    func aCallThatOutlivesItsLeaseIsRecordedOnceAndNeverChargedTwice(kind: String) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let other = try Self.secondTill(harness, owner: "other-till")
        let orderId = try ok(await harness.service.createOrder(email: "di@example.com", amount: "10.00")).response.id
        let payment = try ok(await harness.service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response
        let tookOver = Mutex(false)
        let till = try Self.secondTill(harness, hooks: RequestHooks { step, key in
            guard step == .beforeProcessorCall, key == "k1", !tookOver.withLock({ $0 }) else { return .proceed }
            tookOver.withLock { $0 = true }
            harness.clock.advance(milliseconds: 3 * 60 * 1000)  // past the two-minute lease
            #expect(counts(await other.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
            return .proceed
        }, owner: "slow-till")
        func run(_ service: TillService) async -> Bool {
            kind == "installment"
                ? (try? await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1").get()) != nil
                : (try? await service.capture(paymentId: payment.id, amount: "10.00", key: "k1").get()) != nil
        }
        #expect(await run(till))
        #expect(await run(other))  // the retry replays what the slow till recorded
        #expect(try await harness.requestState(key: "k1") == "completed")
        if kind == "installment" {
            #expect(try ok(await other.order(id: orderId)).paid == 1000)
            #expect(try await harness.entries(.authorize).count == 2)  // "auth" and k1's
        } else {
            #expect(try ok(await other.payment(id: payment.id)).captured == 1000)
        }
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// The same late call, when the order was paid another way while the installment's row was
    /// gone: taken back, the order is checked again, and the hold is released, never captured.
    @Test func aLateAuthorizationOnAnOrderPaidMeanwhileIsReleased() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let other = try Self.secondTill(harness, owner: "other-till")
        let orderId = try ok(await harness.service.createOrder(email: "hal@example.com", amount: "10.00")).response.id
        let tookOver = Mutex(false)
        let slow = try Self.secondTill(harness, hooks: RequestHooks { step, key in
            guard step == .beforeProcessorCall, key == "k1", !tookOver.withLock({ $0 }) else { return .proceed }
            tookOver.withLock { $0 = true }
            harness.clock.advance(milliseconds: 3 * 60 * 1000)
            _ = await other.resolveOpenRequests()
            _ = try? await other.pay(orderId: orderId, amount: "10.00", tender: .cash(tendered: "10.00"), key: "cash").get()
            return .proceed
        }, owner: "slow-till")
        #expect(code(await slow.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .exceedsBalanceDue)
        let order = try ok(await other.order(id: orderId))
        #expect(order.paid == 1000)
        #expect(order.payments.map(\.tender) == [.cash])
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.void).count == 1)
        #expect(try await harness.entries(.capture).isEmpty)
        #expect(try await harness.requestState(key: "k1") == nil)
    }

    /// A failed installment capture is being released: that is saved before the void, so a till
    /// that takes the request over releases too, and never captures it after all.
    @Test func aReleaseIsSavedBeforeTheVoid() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let orderId = try ok(await harness.service.createOrder(email: "ev@example.com", amount: "10.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        let crashing = try Self.secondTill(harness, hooks: RequestHooks { step, key in
            // Crash just before the void that releases the failed capture's hold.
            guard step == .beforeProcessorCall, key == "k1" else { return .proceed }
            let intent: String? = try? await harness.database.read { ledger -> String? in try ledger.request(key: "k1")?.intent }
            return intent?.contains("\"releasing\":true") == true ? .crash : .proceed
        }, owner: "crashing")
        #expect(code(await crashing.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .requestInProgress)
        harness.clock.advance(milliseconds: 3 * 60 * 1000)
        #expect(counts(await harness.service.resolveOpenRequests()) == Counts(recorded: 0, released: 1, open: 0))
        #expect(try await harness.entries(.capture).isEmpty)
        #expect(try await harness.entries(.void).count == 1)
        #expect(try ok(await harness.service.order(id: orderId)).paid == 0)
    }

    /// A failed capture whose release GoblinPay declined: the hold may still be on the card, so
    /// the request is parked for attention (never forgotten, which would let a retry place a
    /// second hold: till sim seeds 3 and 29); it pays nothing, so the order's balance stays open.
    @Test func aDeclinedReleaseIsParkedAndLeavesTheBalanceOpen() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "gus@example.com", amount: "10.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        harness.goblin.inject(.decline(reason: "try later"), on: .void)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .paymentPending)
        #expect(try await harness.requestState(key: "k1") == "needs_attention")
        let order = try ok(await service.order(id: orderId))
        #expect(order.pending?.first?.attention?.contains("declined releasing") == true)
        #expect(order.dueAfterPending == 1000)
        #expect(order.pendingPaid == 0)
        // A retry does not authorize again; the balance can be paid another way.
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "k1")) == .paymentPending)
        #expect(try await harness.entries(.authorize).count == 1)
        _ = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: .cash(tendered: "10.00"), key: "cash"))
        // The operator's resolve releases the hold once GoblinPay takes the void.
        #expect(counts(await service.resolveOpenRequests(includingAttention: true)) == Counts(recorded: 0, released: 1, open: 0))
        #expect(try await harness.entries(.void).count == 1)
        #expect(try await harness.entries(.capture).isEmpty)
        #expect(try ok(await service.order(id: orderId)).paid == 1000)
    }

    /// Issue 9, point 2: a lookup that cannot answer keeps the request unknown; it never frees
    /// the key (which would charge again under new processor keys).
    @Test func aLookupThatCannotAnswerKeepsTheRequestUnknown() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "bo@example.com", amount: "30.00")).response.id
        let lost = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: lost, key: "k1")) == .paymentPending)
        harness.goblin.injectUnknownLookups(times: 3)
        for _ in 0..<3 {
            #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: lost, key: "k1")) == .paymentPending)
            #expect(try await harness.requestState(key: "k1") == "outcome_unknown")
        }
        #expect(try await harness.entries(.authorize).count == 1)
        let resolved = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: lost, key: "k1"))
        #expect(resolved.replayed)
        #expect(try ok(await service.order(id: orderId)).paid == 1000)
        #expect(try await harness.entries(.authorize).count == 1)
        #expect(try await harness.entries(.capture).count == 1)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// Processor keys are "<client key>#<attempt>:<step>": the same for every retry of an
    /// attempt; the next number only once an attempt is over for good (its hold released).
    @Test func processorKeysAreDerivedFromTheClientKeyAndAttempt() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD", key: "auth")).response
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        #expect(code(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap")) == .processorError)
        harness.goblin.inject(.errorAfterApplying, on: .capture)
        #expect(code(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap")) == .paymentPending)
        #expect(try ok(await service.capture(paymentId: payment.id, amount: "4.00", key: "cap")).replayed)
        #expect(try await harness.entries(.authorize).map(\.key) == harness.keyed(["auth#0:authorize"]))
        // A failure before applying leaves the attempt as it was: the retry reaches GoblinPay under the
        // same keys (a late call of the first try and the retry can never both apply).
        #expect(try await harness.entries(.capture).map(\.key) == harness.keyed(["cap#0:capture"]))

        // An installment whose capture failed had its authorization applied and then voided:
        // that attempt is over for good, and the retry is the next one.
        let orderId = try ok(await service.createOrder(email: "fay@example.com", amount: "10.00")).response.id
        harness.goblin.inject(.errorBeforeApplying, on: .capture)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "inst")) == .processorError)
        _ = try ok(await service.pay(orderId: orderId, amount: "10.00", tender: Cards.card(), key: "inst"))
        #expect(try await harness.entries(.authorize).map(\.key) == harness.keyed(["auth#0:authorize", "inst#0:authorize", "inst#1:authorize"]))
        #expect(try await harness.entries(.void).map(\.key) == harness.keyed(["inst#0:void"]))
        #expect(try await harness.entries(.capture).map(\.key) == harness.keyed(["cap#0:capture", "inst#1:capture"]))
    }

    /// Issue 9, point 3: a capture whose answer was lost, then a refund on the same payment: the
    /// refund (and a void) is refused with `payment_pending` until the capture resolves, so the
    /// capture can always be recorded. Captures beside captures still commute.
    @Test func requestsThatDoNotCommuteWaitForTheUnknownOne() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "100.00", currency: "USD", key: "auth")).response
        _ = try ok(await service.capture(paymentId: payment.id, amount: "20.00", key: "cap-1"))
        harness.goblin.inject(.errorAfterApplying, on: .capture)
        #expect(code(await service.capture(paymentId: payment.id, amount: "40.00", key: "cap-2")) == .paymentPending)
        let refund = await service.refundPayment(paymentId: payment.id, amount: "10.00", key: "ref-1")
        guard case .failure(let pending) = refund else {
            Issue.record("a refund beside an unknown capture went through")
            return
        }
        #expect(pending.code == .paymentPending)
        #expect(pending.retry == Rejection.RetryHint(key: "ref-1", paymentId: payment.id))
        #expect(pending.message.contains("cap-2"))
        #expect(code(await service.void(paymentId: payment.id, key: "void")) == .paymentPending)
        #expect(try await harness.entries(.refund).isEmpty)
        // Another capture commutes with the unknown one (checked as if it succeeded).
        _ = try ok(await service.capture(paymentId: payment.id, amount: "30.00", key: "cap-3"))
        #expect(counts(await service.resolveOpenRequests()) == Counts(recorded: 1, released: 0, open: 0))
        _ = try ok(await service.refundPayment(paymentId: payment.id, amount: "10.00", key: "ref-1"))
        let final = try ok(await service.payment(id: payment.id))
        #expect(final.captured == 9000)
        #expect(final.refunded == 1000)
        #expect(try await harness.entries(.capture).map(\.amount.minorUnits).reduce(0, +) == 9000)
        try await harness.expectEveryKeyAppliedOnce()
    }

    /// An answer GoblinPay applied but the ledger refuses to record goes to a visible
    /// needs-attention state with its reason: never forgotten, never retried in a silent loop.
    @Test func anAppliedAnswerThatCannotBeRecordedNeedsAttention() async throws {
        let harness = try Harness(ids: CountingIds().source)
        defer { harness.remove() }
        let service = harness.service
        #expect(code(await service.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD",
            key: "auth")) == .paymentPending)
        // Damage: a payment already holds the id the authorization will be recorded under.
        try await harness.execute(harness.database.isPostgres
            ? "CREATE TRIGGER block BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION till_refuse('blocked')"
            : "CREATE TRIGGER block BEFORE INSERT ON payments BEGIN SELECT RAISE(ABORT, 'blocked'); END")
        #expect(counts(await service.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 1))
        #expect(try await harness.requestState(key: "auth") == "needs_attention")
        // Not retried on every start, and a retry says what is wrong.
        #expect(counts(await service.resolveOpenRequests()) == Counts(recorded: 0, released: 0, open: 1))
        let retry = await service.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD",
            key: "auth")
        guard case .failure(let rejection) = retry else {
            Issue.record("a request needing attention answered a success")
            return
        }
        #expect(rejection.code == .paymentPending)
        #expect(rejection.message.contains("blocked"))
        let listed = try ok(await service.pendingRequests()).pending
        #expect(listed.map(\.state) == ["needs_attention"])
        #expect(listed.first?.attention?.contains("blocked") == true)
        // Once the cause is mended, an operator's resolve records it.
        try await harness.execute(TestBackend.dropTrigger("block", on: "payments"))
        #expect(counts(await service.resolveOpenRequests(includingAttention: true)) == Counts(recorded: 1, released: 0, open: 0))
        #expect(try ok(await service.pendingRequests()).pending.isEmpty)
        #expect(try await harness.entries(.authorize).count == 1)
    }

    /// A `payment_pending` answer carries the key to retry with, also when the caller gave none
    /// (issue 9, point 5: three tries made three holds); the retry resolves, never charges again.
    @Test func aPendingAnswerSaysTheKeyEvenWhenNoneWasGiven() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let first = await service.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD")
        guard case .failure(let pending) = first, let key = pending.retry?.key else {
            Issue.record("expected payment_pending with a key, got \(first)")
            return
        }
        #expect(pending.code == .paymentPending)
        #expect(pending.message.contains(key))
        let resolved = try ok(await service.authorize(
            number: GoblinPay.TestCard.lostResponse, expiry: Cards.expiry, cvv: Cards.cvv, amount: "10.00", currency: "USD",
            key: key))
        #expect(resolved.replayed)
        #expect(try await harness.entries(.authorize).count == 1)
    }

    /// Issue 9, point 4: a card installment whose answer was lost is on its order, by every
    /// read, until resolved; and what a new installment may take counts it.
    @Test func aPendingInstallmentIsShownOnItsOrderAndCounted() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let orderId = try ok(await service.createOrder(email: "cy@example.com", amount: "50.00")).response.id
        let lost = Cards.card(GoblinPay.TestCard.lostResponse)
        #expect(code(await service.pay(orderId: orderId, amount: "50.00", tender: lost, key: "k1")) == .paymentPending)
        let order = try ok(await service.order(id: orderId))
        #expect(order.paid == 0)
        #expect(order.dueAfterPending == 0)
        let pending = try #require(order.pending?.first)
        #expect(pending.amount == 5000)
        #expect(pending.tender == .card)
        #expect(pending.card?.last4 == "4046")
        #expect(pending.state == "outcome_unknown")
        #expect(pending.key == "k1")
        #expect(try ok(await service.orders(email: "CY@example.com")).orders.first?.pending?.count == 1)
        // A second installment for the same amount, by any tender, is refused: it is pending.
        for tender in [Cards.card(), .cash(tendered: "50.00")] {
            let again = await service.pay(orderId: orderId, amount: "50.00", tender: tender, key: "k2")
            guard case .failure(let rejection) = again else {
                Issue.record("the pending installment was charged again")
                return
            }
            #expect(rejection.code == .paymentPending)
            #expect(rejection.message.contains("k1"))
            #expect(rejection.retry == Rejection.RetryHint(key: "k2", orderId: orderId))
        }
        #expect(counts(await service.resolveOpenRequests(target: orderId)) == Counts(recorded: 1, released: 0, open: 0))
        let paid = try ok(await service.order(id: orderId))
        #expect(paid.paid == 5000)
        #expect(paid.pending == nil)
        #expect(paid.dueAfterPending == nil)
        #expect(try await harness.entries(.authorize).count == 1)
    }

    /// Every update of a request row checks the state and lease it expects, and fails loudly.
    @Test func requestUpdatesAreCompareAndSet() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let now = harness.clock.now
        try await harness.database.write { ledger in
            try ledger.insert(RequestRecord(
                key: "k", operation: "payment.capture", target: "pay_1", fingerprint: "f", state: .inProgress,
                intent: "{}", leaseOwner: "a", leaseExpiresAt: now.millisecondsSinceEpoch + 1000), at: now)
        }
        let updates: [@Sendable (Ledger) throws -> Void] = [
            { (ledger: Ledger) in try ledger.markOutcomeUnknown(key: "k", owner: "b", intent: "{}", at: now) },
            { (ledger: Ledger) in try ledger.markNeedsAttention(key: "k", owner: "b", intent: "{}", reason: "r", at: now) },
            { (ledger: Ledger) in try ledger.renewLease(key: "k", owner: "b", until: now, at: now) },
            { (ledger: Ledger) in try ledger.release(key: "k", owner: "b", countsAttempt: true) },
        ]
        for update in updates {
            await #expect(throws: RequestRecordConflict.self) { try await harness.database.write { ledger in try update(ledger) } }
        }
        let stale = try #require(try await harness.database.read { try $0.request(key: "k") })
        try await harness.database.write { ledger in try ledger.renewLease(key: "k", owner: "a", until: now.adding(TimeSpan(milliseconds: 5)), at: now) }
        // A claim or a completion that read the row before the lease was renewed finds it changed.
        await #expect(throws: RequestRecordConflict.self) {
            try await harness.database.write { ledger in try ledger.claim(stale, owner: "b", until: now, at: now) }
        }
        try await harness.database.write { ledger in
            try ledger.markOutcomeUnknown(key: "k", owner: "a", intent: "{}", at: now)
        }
        await #expect(throws: RequestRecordConflict.self) {
            try await harness.database.write { ledger in try ledger.complete(stale, response: "{}", at: now) }
        }
        #expect(try await harness.requestState(key: "k") == "outcome_unknown")
    }
}
