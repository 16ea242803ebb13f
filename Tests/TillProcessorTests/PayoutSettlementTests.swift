import Testing
import TillCore
@testable import TillProcessor

/// GoblinPay's settlement and payouts API, on both storages.
@Suite struct PayoutSettlementTests {
    static let now = Instant(millisecondsSinceEpoch: 1_780_000_000_000)
    static var steady: GoblinPayConfiguration {
        var configuration = Fixture.noChance
        configuration.ackFailureRate = .never
        return configuration
    }

    @Test(arguments: LedgerKind.allCases)
    func aSettlementPaysCapturesLessRefundsOncePerCurrency(_ kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Self.steady) { goblin in
            guard let a = await Fixture.authorize(goblin, key: "a", minor: 5000),
                  let b = await Fixture.authorize(goblin, key: "b", minor: 3000)
            else { return }
            _ = await goblin.capture(key: "a-c1", authorization: a, amount: Fixture.usd(2000))
            _ = await goblin.capture(key: "a-c2", authorization: a, amount: Fixture.usd(1000))
            _ = await goblin.refund(key: "a-r1", authorization: a, amount: Fixture.usd(500))
            _ = await goblin.capture(key: "b-c1", authorization: b, amount: Fixture.usd(3000))
            let euro = try #require(Fixture.reference(await goblin.authorize(
                key: "e", card: Fixture.card(TestCardNumbers.approved), amount: Money(minorUnits: 900, currency: .eur))))
            _ = await goblin.capture(key: "e-c1", authorization: euro, amount: Money(minorUnits: 900, currency: .eur))

            let payouts = try await goblin.settle(now: Self.now)
            #expect(payouts.map(\.amount) == [Fixture.usd(5500), Money(minorUnits: 900, currency: .eur)])
            for payout in payouts {
                #expect(payout.entries.reduce(0) { $0 + $1.amount.minorUnits } == payout.amount.minorUnits)
                #expect(payout.state == .notifying && payout.updateCount == 0)
            }
            #expect(payouts[0].entries.map(\.kind) == [.capture, .capture, .refund, .capture])
            #expect(payouts[0].entries.map(\.reference) == [a, a, a, b])
            // Nothing is paid out twice: a second settlement finds nothing new.
            #expect(try await goblin.settle(now: Self.now).isEmpty)
            // A refund after the settlement alone nets below zero: carried forward, no payout.
            _ = await goblin.refund(key: "b-r1", authorization: b, amount: Fixture.usd(1000))
            #expect(try await goblin.settle(now: Self.now).isEmpty)
            guard let c = await Fixture.authorize(goblin, key: "c", minor: 2000) else { return }
            _ = await goblin.capture(key: "c-c1", authorization: c, amount: Fixture.usd(1500))
            let next = try await goblin.settle(now: Self.now)
            #expect(next.map(\.amount) == [Fixture.usd(500)])
            #expect(next.first?.entries.map(\.kind) == [.refund, .capture])
            let listed = try await goblin.payouts(state: .notifying)
            #expect(listed.map(\.sequence) == [3, 2, 1])  // newest first
            #expect(Set(listed.map(\.id)).count == 3)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func everySuccessfulAcknowledgementCounts(_ kind: LedgerKind) async throws {
        try await withGoblinPay(kind, configuration: Self.steady) { goblin in
            let payout = try await goblin.produce(amount: Fixture.usd(123), now: Self.now)
            #expect(payout.entries == [PayoutEntry(kind: .adjustment, reference: "produce-1", amount: Fixture.usd(123))])
            guard case .updated(let first) = try await goblin.acknowledgePayout(id: payout.id) else {
                Issue.record("not acknowledged")
                return
            }
            #expect(first.state == .processing && first.updateCount == 1)
            guard case .updated(let second) = try await goblin.acknowledgePayout(id: payout.id) else { return }
            #expect(second.updateCount == 2)
            #expect(try await goblin.acknowledgePayout(id: "no-such-payout") == .noSuchPayout)
            #expect(try await goblin.payoutCount() == GoblinPayPayoutCount(total: 1, processing: 1, maxUpdateCount: 2))
            #expect(try await goblin.payouts(state: .notifying).isEmpty)
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func aFailedAcknowledgementChangesNothing(_ kind: LedgerKind) async throws {
        var configuration = Self.steady
        configuration.ackFailureRate = .always
        try await withGoblinPay(kind, configuration: configuration) { goblin in
            let payout = try await goblin.produce(amount: Fixture.usd(1), now: Self.now)
            #expect(try await goblin.acknowledgePayout(id: payout.id) == .failedBeforeApplying)
            #expect(await goblin.acknowledge(id: payout.id) == false)
            #expect(try await goblin.payoutCount() == GoblinPayPayoutCount(total: 1, processing: 0, maxUpdateCount: 0))
        }
    }

    @Test func payoutIdsAreUUIDsUniquePerLedgerAndRepeatable() {
        let ids = (1...1000).map { payoutId(seed: 7, ledger: "a", sequence: $0) }
        #expect(Set(ids).count == 1000)
        #expect(ids == (1...1000).map { payoutId(seed: 7, ledger: "a", sequence: $0) })
        #expect(Set(ids).isDisjoint(with: (1...1000).map { payoutId(seed: 7, ledger: "b", sequence: $0) }))
        for id in ids.prefix(20) {
            #expect(id.count == 36 && id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(Array(id)[14] == "4")
        }
    }

    @Test func theWireTextReadsBackToTheSamePayout() async throws {
        let goblin = GoblinPay(configuration: Self.steady)
        let payout = try await goblin.produce(amount: Money(minorUnits: 1234, currency: .usd), now: Self.now)
        let read = try PayoutWire.Payout(payout).read().get()
        #expect(read.id == payout.id && read.amount == payout.amount && read.entries == payout.entries && read.createdAt == payout.createdAt)
    }
}
