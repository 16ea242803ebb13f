import Testing
import TillCore
@testable import TillProcessor

/// Injected faults: each call of the targeted kind takes the oldest one, at most one per call.
@Suite struct FaultTests {
    @Test(arguments: LedgerKind.allCases)
    func declineAppliesNothingAndTheKeyStaysFree(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            goblinPay.inject(.decline(reason: "do not honor"), on: .authorize)
            let card = Fixture.card(TestCardNumbers.approved)
            #expect(await goblinPay.authorize(key: "k", card: card, amount: Fixture.usd(100))
                == .declined(reason: "do not honor"))
            #expect(await goblinPay.lookup(key: "k") == .notApplied)
            #expect(goblinPay.pendingFaults(on: .authorize) == 0)
            #expect(Fixture.reference(await goblinPay.authorize(key: "k", card: card, amount: Fixture.usd(100))) != nil)
        }
    }

    @Test func declineNeverHidesAnAppliedKey() async throws {
        let goblinPay = GoblinPay(configuration: Fixture.noChance)
        let reference = try #require(await Fixture.authorize(goblinPay))
        goblinPay.inject(.decline(reason: "do not honor"), on: .authorize)
        let card = Fixture.card(TestCardNumbers.approved)
        #expect(await goblinPay.authorize(key: "auth-1", card: card, amount: Fixture.usd(1000))
            == .approved(reference: reference))
        #expect(goblinPay.pendingFaults(on: .authorize) == 0)
    }

    @Test(arguments: LedgerKind.allCases)
    func errorBeforeApplyingFailsAndAppliesNothing(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay))
            goblinPay.inject(.errorBeforeApplying, on: .capture, times: 2)
            for _ in 1...2 {
                #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(100))
                    == .failed(reason: GoblinPayReason.unreachable))
            }
            #expect(await goblinPay.lookup(key: "cap") == .notApplied)
            #expect(try await goblinPay.ledger.failedAttempts(key: "cap") == 0)
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(100))
                == .approved(reference: reference))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func errorAfterApplyingLosesTheAnswerOfAnAppliedCall(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay))
            goblinPay.inject(.errorAfterApplying, on: .refund)
            goblinPay.inject(.errorAfterApplying, on: .capture)
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(300))
                == .unknown(reason: GoblinPayReason.lostResponse))
            #expect(await goblinPay.lookup(key: "cap") == .applied(reference: reference))
            // The retry with the same key answers, and charges nothing more.
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(300))
                == .approved(reference: reference))
            #expect(try await goblinPay.ledger.summary(reference: reference)?.captured == Fixture.usd(300))

            #expect(await goblinPay.refund(key: "ref", authorization: reference, amount: Fixture.usd(100))
                == .unknown(reason: GoblinPayReason.lostResponse))
            #expect(await goblinPay.lookup(key: "ref") == .applied(reference: reference))
            #expect(try await goblinPay.ledger.timesApplied(key: "ref") == 1)
        }
    }

    @Test func errorAfterApplyingOnARefusedCallIsUnknownButNotApplied() async throws {
        let goblinPay = GoblinPay(configuration: Fixture.noChance)
        let reference = try #require(await Fixture.authorize(goblinPay))
        goblinPay.inject(.errorAfterApplying, on: .void)
        #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(100))
            == .approved(reference: reference))
        // The void is refused (captured already), and the refusal is lost: lookup tells the truth.
        #expect(await goblinPay.void(key: "void", authorization: reference)
            == .unknown(reason: GoblinPayReason.lostResponse))
        #expect(await goblinPay.lookup(key: "void") == .notApplied)
    }

    @Test func latencyWaitsThenProceeds() async throws {
        let goblinPay = GoblinPay(configuration: Fixture.noChance)
        goblinPay.inject(.latency(.milliseconds(200)), on: .authorize)
        let clock = ContinuousClock()
        let start = clock.now
        let reference = try #require(await Fixture.authorize(goblinPay))
        #expect(clock.now - start >= .milliseconds(200))
        #expect(await goblinPay.lookup(key: "auth-1") == .applied(reference: reference))
    }

    @Test func faultsAreTakenInOrderPerOperation() async throws {
        let goblinPay = GoblinPay(configuration: Fixture.noChance)
        goblinPay.inject(.errorBeforeApplying, on: .authorize)
        goblinPay.inject(.decline(reason: "second"), on: .authorize)
        goblinPay.inject(.decline(reason: "for captures"), on: .capture, times: 0)
        #expect(goblinPay.pendingFaults(on: .authorize) == 2)
        #expect(goblinPay.pendingFaults(on: .capture) == 0)
        let card = Fixture.card(TestCardNumbers.approved)
        #expect(await goblinPay.authorize(key: "a", card: card, amount: Fixture.usd(100))
            == .failed(reason: GoblinPayReason.unreachable))
        #expect(await goblinPay.authorize(key: "a", card: card, amount: Fixture.usd(100))
            == .declined(reason: "second"))
        let third = await goblinPay.authorize(key: "a", card: card, amount: Fixture.usd(100))
        let reference = try #require(Fixture.reference(third))
        #expect(await goblinPay.capture(key: "c", authorization: reference, amount: Fixture.usd(100))
            == .approved(reference: reference))

        goblinPay.inject(.errorBeforeApplying, on: .refund, times: 3)
        goblinPay.removeAllFaults()
        #expect(goblinPay.pendingFaults(on: .refund) == 0)
    }
}
