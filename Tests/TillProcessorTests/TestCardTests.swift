import Testing
import TillCore
@testable import TillProcessor

/// Every test card's fixed outcome, on both ledgers, with a failure rate of 1 so that any
/// card which rolled would fail: test cards never roll.
@Suite struct TestCardTests {
    let alwaysFail = GoblinPayConfiguration(seed: 7, captureFailureRate: .always)

    @Test(arguments: LedgerKind.allCases)
    func approvedCardIsApprovedThroughout(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: alwaysFail) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, number: TestCardNumbers.approved))
            #expect(reference.hasPrefix("gp_auth_"))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(600))
                == .approved(reference: reference))
            #expect(await goblinPay.refund(key: "ref", authorization: reference, amount: Fixture.usd(600))
                == .approved(reference: reference))
            let summary = try #require(try await goblinPay.ledger.summary(reference: reference))
            #expect(summary.authorized == Fixture.usd(1000))
            #expect(summary.captured == Fixture.usd(600))
            #expect(summary.refunded == Fixture.usd(600))
            #expect(!summary.isVoided)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func approvedCardCanBeVoided(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: alwaysFail) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay))
            #expect(await goblinPay.void(key: "void", authorization: reference) == .approved(reference: reference))
            let summary = try #require(try await goblinPay.ledger.summary(reference: reference))
            #expect(summary.voided == Fixture.usd(1000))
            #expect(summary.isVoided)
        }
    }

    @Test(arguments: [
        (TestCardNumbers.declined, "card declined"),
        (TestCardNumbers.insufficientFunds, "insufficient funds"),
    ])
    func declinedCardsAreDeclinedAtAuthorize(number: String, reason: String) async throws {
        for kind in LedgerKind.allCases {
            try await withGoblinPay(kind) { (goblinPay) async throws in
                let outcome = await goblinPay.authorize(key: "k", card: Fixture.card(number), amount: Fixture.usd(500))
                #expect(outcome == .declined(reason: reason))
                #expect(await goblinPay.lookup(key: "k") == .notApplied)
                #expect(try await goblinPay.ledger.entries().isEmpty)
            }
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func authorizationFailsCardFailsAndAppliesNothing(kind: LedgerKind) async throws {
        try await withGoblinPay(kind) { (goblinPay) async throws in
            let outcome = await goblinPay.authorize(
                key: "k", card: Fixture.card(TestCardNumbers.authorizationFails), amount: Fixture.usd(500))
            guard case .failed = outcome else {
                Issue.record("expected failed, got \(outcome)")
                return
            }
            #expect(await goblinPay.lookup(key: "k") == .notApplied)
            #expect(try await goblinPay.ledger.timesApplied(key: "k") == 0)
            #expect(try await goblinPay.ledger.entries().isEmpty)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func captureFailsCardAuthorizesButNeverCaptures(kind: LedgerKind) async throws {
        // Rate 0: the failures come from the card, not from chance.
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, number: TestCardNumbers.captureFails))
            for attempt in 1...5 {
                let outcome = await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(100))
                guard case .failed = outcome else {
                    Issue.record("attempt \(attempt): expected failed, got \(outcome)")
                    return
                }
            }
            #expect(await goblinPay.lookup(key: "cap") == .notApplied)
            #expect(try await goblinPay.ledger.failedAttempts(key: "cap") == 5)
            #expect(try await goblinPay.ledger.summary(reference: reference)?.captured == Fixture.usd(0))
            // Nothing captured, so the authorization can still be voided.
            #expect(await goblinPay.void(key: "void", authorization: reference) == .approved(reference: reference))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func refundFailsCardCapturesButNeverRefunds(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: alwaysFail) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, number: TestCardNumbers.refundFails))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(1000))
                == .approved(reference: reference))
            let outcome = await goblinPay.refund(key: "ref", authorization: reference, amount: Fixture.usd(100))
            guard case .failed = outcome else {
                Issue.record("expected failed, got \(outcome)")
                return
            }
            #expect(await goblinPay.lookup(key: "ref") == .notApplied)
            #expect(try await goblinPay.ledger.summary(reference: reference)?.refunded == Fixture.usd(0))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func lostResponseCardAppliesAndLosesTheFirstAnswer(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: alwaysFail) { (goblinPay) async throws in
            let card = Fixture.card(TestCardNumbers.lostResponse)
            let first = await goblinPay.authorize(key: "k", card: card, amount: Fixture.usd(700))
            guard case .unknown = first else {
                Issue.record("expected unknown, got \(first)")
                return
            }
            guard case .applied(let reference) = await goblinPay.lookup(key: "k") else {
                Issue.record("the lost authorization was not applied")
                return
            }
            #expect(reference.hasPrefix("gp_auth_"))
            #expect(await goblinPay.authorize(key: "k", card: card, amount: Fixture.usd(700))
                == .approved(reference: reference))
            #expect(try await goblinPay.ledger.timesApplied(key: "k") == 1)
            // Each new key loses its first answer too; captures behave as for the approved card.
            let second = await goblinPay.authorize(key: "k2", card: card, amount: Fixture.usd(700))
            #expect(second == .unknown(reason: GoblinPayReason.lostResponse))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(700))
                == .approved(reference: reference))
        }
    }

    @Test func testCardsAreDistinctLuhnValidVisaNumbers() {
        #expect(Set(TestCardNumbers.all).count == TestCardNumbers.all.count)
        for number in TestCardNumbers.all {
            #expect(CardNumber.digits(of: number) == .success(number))
            #expect(CardBrand.detect(digits: number) == .visa)
        }
        #expect(TestCardNumbers.lostResponse == "4000000000004046")
        #expect(CardProfile(digits: Fixture.ordinaryCard) == .ordinary)
    }

    @Test func authorizationKeepsBrandAndLastFourOnly() async throws {
        let goblinPay = GoblinPay()
        _ = try #require(await Fixture.authorize(goblinPay, number: TestCardNumbers.approved))
        let entry = try #require(try await goblinPay.ledger.entries().first)
        #expect(entry.cardBrand == .visa)
        #expect(entry.cardLast4 == "4242")
        #expect(!String(describing: entry).contains(TestCardNumbers.approved))
    }

    @Test func invalidCardNumberIsDeclined() async {
        let goblinPay = GoblinPay()
        let mistyped = Fixture.card("4242424242424241")
        let outcome = await goblinPay.authorize(key: "k", card: mistyped, amount: Fixture.usd(1))
        #expect(outcome == .declined(reason: GoblinPayReason.invalidCard))
    }
}
