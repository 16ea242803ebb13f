import Testing
import TillCore
@testable import TillProcessor

/// GoblinPay's own rules, whatever the caller checked: a call that breaks them is declined
/// and applies nothing.
@Suite struct ProcessorRulesTests {
    /// Runs `body` with a GoblinPay (rate 0) and an authorization of 10.00 USD on the approved card.
    func withAuthorization(
        _ kind: LedgerKind, _ body: (GoblinPay, String) async throws -> Void
    ) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, minor: 1000))
            try await body(goblinPay, reference)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func partialCapturesUpToTheAuthorizedAmount(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(600))
                == .approved(reference: reference))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(401))
                == .declined(reason: GoblinPayReason.exceedsAuthorized))
            #expect(await goblinPay.capture(key: "c3", authorization: reference, amount: Fixture.usd(400))
                == .approved(reference: reference))
            #expect(await goblinPay.capture(key: "c4", authorization: reference, amount: Fixture.usd(1))
                == .declined(reason: GoblinPayReason.exceedsAuthorized))
            #expect(await goblinPay.lookup(key: "c2") == .notApplied)
            #expect(try await goblinPay.ledger.summary(reference: reference)?.captured == Fixture.usd(1000))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func overflowingCaptureIsDeclined(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(1))
                == .approved(reference: reference))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(.max))
                == .declined(reason: GoblinPayReason.exceedsAuthorized))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func refundUpToCapturedMinusRefunded(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.refund(key: "r0", authorization: reference, amount: Fixture.usd(1))
                == .declined(reason: GoblinPayReason.exceedsCaptured))
            #expect(await goblinPay.capture(key: "c", authorization: reference, amount: Fixture.usd(500))
                == .approved(reference: reference))
            #expect(await goblinPay.refund(key: "r1", authorization: reference, amount: Fixture.usd(501))
                == .declined(reason: GoblinPayReason.exceedsCaptured))
            #expect(await goblinPay.refund(key: "r2", authorization: reference, amount: Fixture.usd(300))
                == .approved(reference: reference))
            #expect(await goblinPay.refund(key: "r3", authorization: reference, amount: Fixture.usd(201))
                == .declined(reason: GoblinPayReason.exceedsCaptured))
            #expect(await goblinPay.refund(key: "r4", authorization: reference, amount: Fixture.usd(200))
                == .approved(reference: reference))
            #expect(try await goblinPay.ledger.summary(reference: reference)?.refunded == Fixture.usd(500))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func voidAfterCaptureIsDeclined(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.capture(key: "c", authorization: reference, amount: Fixture.usd(100))
                == .approved(reference: reference))
            #expect(await goblinPay.void(key: "v", authorization: reference)
                == .declined(reason: GoblinPayReason.voidAfterCapture))
            #expect(try await goblinPay.ledger.summary(reference: reference)?.isVoided == false)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func nothingAfterAVoid(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.void(key: "v", authorization: reference) == .approved(reference: reference))
            #expect(await goblinPay.capture(key: "c", authorization: reference, amount: Fixture.usd(100))
                == .declined(reason: GoblinPayReason.alreadyVoided))
            #expect(await goblinPay.void(key: "v2", authorization: reference)
                == .declined(reason: GoblinPayReason.alreadyVoided))
            #expect(await goblinPay.refund(key: "r", authorization: reference, amount: Fixture.usd(100))
                == .declined(reason: GoblinPayReason.exceedsCaptured))
            // The void itself replays.
            #expect(await goblinPay.void(key: "v", authorization: reference) == .approved(reference: reference))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func captureAfterARefundIsDeclined(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(500))
                == .approved(reference: reference))
            #expect(await goblinPay.refund(key: "r", authorization: reference, amount: Fixture.usd(100))
                == .approved(reference: reference))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(100))
                == .declined(reason: GoblinPayReason.captureAfterRefund))
            // A replay of the earlier capture still answers: the world moved on, the key did not.
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(500))
                == .approved(reference: reference))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func aFailedRefundDoesNotBlockCaptures(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, number: TestCardNumbers.refundFails))
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(500))
                == .approved(reference: reference))
            _ = await goblinPay.refund(key: "r", authorization: reference, amount: Fixture.usd(100))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(500))
                == .approved(reference: reference))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func requestsThatCannotApplyAreDeclined(kind: LedgerKind) async throws {
        try await withAuthorization(kind) { (goblinPay, reference) async throws in
            #expect(await goblinPay.capture(key: "c1", authorization: "gp_auth_nope", amount: Fixture.usd(1))
                == .declined(reason: GoblinPayReason.unknownAuthorization))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(0))
                == .declined(reason: GoblinPayReason.invalidAmount))
            #expect(await goblinPay.capture(
                key: "c3", authorization: reference, amount: Money(minorUnits: 100, currency: .eur))
                == .declined(reason: GoblinPayReason.currencyMismatch))
            let card = Fixture.card(TestCardNumbers.approved)
            #expect(await goblinPay.authorize(key: "a", card: card, amount: Fixture.usd(-5))
                == .declined(reason: GoblinPayReason.invalidAmount))
            #expect(try await goblinPay.ledger.entries().count == 1)
        }
    }

    @Test func authorizationsGetDistinctReferences() async throws {
        let goblinPay = GoblinPay()
        var references: Set<String> = []
        for index in 0..<100 {
            references.insert(try #require(await Fixture.authorize(goblinPay, key: "auth-\(index)")))
        }
        #expect(references.count == 100)
        #expect(references.allSatisfy { $0.hasPrefix("gp_auth_") && $0.count == "gp_auth_".count + 32 })
    }
}
