import Testing
import TillCore
@testable import TillProcessor

/// Each processor key is applied at most once, whatever the caller repeats.
@Suite struct KeyAppliedOnceTests {
    @Test(arguments: LedgerKind.allCases)
    func repeatedCallsAnswerTheSameReferenceAndApplyNothing(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let card = Fixture.card(Fixture.ordinaryCard)
            let reference = try #require(Fixture.reference(
                await goblinPay.authorize(key: "auth", card: card, amount: Fixture.usd(1000))))
            #expect(await goblinPay.authorize(key: "auth", card: card, amount: Fixture.usd(1000))
                == .approved(reference: reference))
            for _ in 1...3 {
                #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(400))
                    == .approved(reference: reference))
                #expect(await goblinPay.refund(key: "ref", authorization: reference, amount: Fixture.usd(100))
                    == .approved(reference: reference))
            }
            for key in ["auth", "cap", "ref"] {
                #expect(try await goblinPay.ledger.timesApplied(key: key) == 1)
                #expect(await goblinPay.lookup(key: key) == .applied(reference: reference))
            }
            #expect(try await goblinPay.ledger.entries().count == 3)
            let summary = try #require(try await goblinPay.ledger.summary(reference: reference))
            #expect(summary.captured == Fixture.usd(400))
            #expect(summary.refunded == Fixture.usd(100))
            #expect(await goblinPay.lookup(key: "never-sent") == .notApplied)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func fiftyConcurrentRepeatsApplyOnce(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let card = Fixture.card(TestCardNumbers.approved)
            let authorizations = await withTaskGroup(of: ProcessorOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask { await goblinPay.authorize(key: "same", card: card, amount: Fixture.usd(900)) }
                }
                return await group.reduce(into: Set<ProcessorOutcome>()) { $0.insert($1) }
            }
            #expect(authorizations.count == 1)
            let outcome = try #require(authorizations.first)
            let reference = try #require(Fixture.reference(outcome))
            #expect(try await goblinPay.ledger.timesApplied(key: "same") == 1)

            // Fifty concurrent captures of the whole amount under one key: one capture.
            let captures = await withTaskGroup(of: ProcessorOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        await goblinPay.capture(key: "capture", authorization: reference, amount: Fixture.usd(900))
                    }
                }
                return await group.reduce(into: Set<ProcessorOutcome>()) { $0.insert($1) }
            }
            #expect(captures == [.approved(reference: reference)])
            #expect(try await goblinPay.ledger.timesApplied(key: "capture") == 1)
            #expect(try await goblinPay.ledger.summary(reference: reference)?.captured == Fixture.usd(900))
        }
    }

    @Test func twoInstancesOnOneFileRacingOnOneKeyApplyOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        let first = try GoblinPay(ledgerPath: path)
        let second = try GoblinPay(ledgerPath: path)
        let card = Fixture.card(TestCardNumbers.approved)
        let outcomes = await withTaskGroup(of: ProcessorOutcome.self) { group in
            for index in 0..<40 {
                let goblinPay = index.isMultiple(of: 2) ? first : second
                group.addTask { await goblinPay.authorize(key: "race", card: card, amount: Fixture.usd(100)) }
            }
            return await group.reduce(into: Set<ProcessorOutcome>()) { $0.insert($1) }
        }
        #expect(outcomes.count == 1)
        #expect(try await first.ledger.timesApplied(key: "race") == 1)
    }

    @Test(arguments: LedgerKind.allCases)
    func aKeyIsNotReusableForADifferentRequest(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, key: "auth", minor: 1000))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(100))
                == .approved(reference: reference))
            // Same key, another amount or another operation: refused, nothing applied.
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(200))
                == .declined(reason: GoblinPayReason.keyReused))
            #expect(await goblinPay.refund(key: "cap", authorization: reference, amount: Fixture.usd(100))
                == .declined(reason: GoblinPayReason.keyReused))
            // Same amount, another card.
            let otherCard = Fixture.card(Fixture.ordinaryCard)
            #expect(await goblinPay.authorize(key: "auth", card: otherCard, amount: Fixture.usd(1000))
                == .declined(reason: GoblinPayReason.keyReused))
            #expect(try await goblinPay.ledger.entries().count == 2)
            #expect(try await goblinPay.ledger.summary(reference: reference)?.captured == Fixture.usd(100))
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func aDeclinedKeyMayBeSentAgain(kind: LedgerKind) async throws {
        try await withGoblinPay(kind) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, minor: 1000))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(2000))
                == .declined(reason: GoblinPayReason.exceedsAuthorized))
            #expect(await goblinPay.capture(key: "cap", authorization: reference, amount: Fixture.usd(1000))
                == .approved(reference: reference))
        }
    }
}
