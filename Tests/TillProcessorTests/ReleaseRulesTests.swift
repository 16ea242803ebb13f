import Testing
import TillCore
@testable import TillProcessor

/// GoblinPay's release of an uncaptured rest: only after a capture, once, and never a capture
/// after it; on both ledgers.
@Suite struct ReleaseRulesTests {
    @Test(arguments: LedgerKind.allCases)
    func theRestIsReleasedOnceAndNothingIsCapturedAfter(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, minor: 1000))
            #expect(await goblinPay.release(key: "early", authorization: reference)
                == .declined(reason: GoblinPayReason.releaseBeforeCapture))
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(600))
                == .approved(reference: reference))
            #expect(await goblinPay.release(key: "r1", authorization: reference) == .approved(reference: reference))
            let summary = try #require(try await goblinPay.ledger.summary(reference: reference))
            #expect(summary.released == Fixture.usd(400))
            #expect(await goblinPay.capture(key: "c2", authorization: reference, amount: Fixture.usd(1))
                == .declined(reason: GoblinPayReason.alreadyReleased))
            #expect(await goblinPay.release(key: "r2", authorization: reference)
                == .declined(reason: GoblinPayReason.alreadyReleased))
            // The release replays under its key; refunds of what was captured still work.
            #expect(await goblinPay.release(key: "r1", authorization: reference) == .approved(reference: reference))
            #expect(await goblinPay.lookup(key: "r1") == .applied(reference: reference))
            #expect(await goblinPay.refund(key: "f1", authorization: reference, amount: Fixture.usd(600))
                == .approved(reference: reference))
            #expect(try await goblinPay.ledger.timesApplied(key: "r1") == 1)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func aFullCaptureLeavesNothingToRelease(kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Fixture.noChance) { (goblinPay) async throws in
            let reference = try #require(await Fixture.authorize(goblinPay, minor: 1000))
            #expect(await goblinPay.capture(key: "c1", authorization: reference, amount: Fixture.usd(1000))
                == .approved(reference: reference))
            #expect(await goblinPay.release(key: "r1", authorization: reference)
                == .declined(reason: GoblinPayReason.nothingToRelease))
            #expect(await goblinPay.lookup(key: "r1") == .notApplied)
        }
    }
}
