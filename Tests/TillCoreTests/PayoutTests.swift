import Testing
import TillCore

/// Payouts read from GoblinPay's text exactly, and reconciliation's buckets.
@Suite("Payouts and reconciliation")
struct PayoutTests {
    static let time = "2026-11-30T10:00:00Z"

    static func read(_ amount: String, currency: String = "USD", entries: [(String, String, String)]) -> Result<Payout, Rejection> {
        Payout.read(
            id: "po-1", amount: amount, currency: currency, createTime: time, recipient: "bank",
            entries: entries.map { (kind: $0.0, reference: $0.1, amount: $0.2) })
    }

    @Test func amountsAreReadExactlyWithTheirSigns() throws {
        let payout = try Self.read("12.34", entries: [("capture", "a", "20.00"), ("refund", "a", "-7.56"), ("fee", "", "-0.10"), ("adjustment", "", "0.00")]).get()
        #expect(payout.amount.minorUnits == 1234)
        #expect(payout.entries.map(\.amount.minorUnits) == [2000, -756, -10, 0])
        #expect(payout.entries.map(\.kind) == [.capture, .refund, .fee, .adjustment])
        let yen = try Self.read("1000", currency: "JPY", entries: [("capture", "b", "1000")]).get()
        #expect(yen.amount.minorUnits == 1000)
        let dinar = try Self.read("1.234", currency: "KWD", entries: [("capture", "b", "1.234")]).get()
        #expect(dinar.amount.minorUnits == 1234)
    }

    @Test func aPayoutThatDoesNotReadIsRefusedWithItsReason() {
        func refusal(_ result: Result<Payout, Rejection>) -> Rejection.Code? {
            if case .failure(let rejection) = result { return rejection.code }
            return nil
        }
        #expect(refusal(Self.read("12.34", entries: [("capture", "a", "12.33")])) == .invalidRequest)  // entries don't add up
        #expect(refusal(Self.read("12.345", entries: [("capture", "a", "12.345")])) == .invalidAmount)  // too many decimals
        #expect(refusal(Self.read("1e3", entries: [("capture", "a", "1e3")])) == .invalidAmount)
        #expect(refusal(Self.read("--1", entries: [("capture", "a", "--1")])) == .invalidAmount)
        #expect(refusal(Self.read("1.00", currency: "XXQ", entries: [("capture", "a", "1.00")])) == .unknownCurrency)
        #expect(refusal(Self.read("1.00", entries: [("bonus", "a", "1.00")])) == .invalidRequest)
        #expect(refusal(Self.read("92233720368547758.08", entries: [("capture", "a", "1.00")])) == .amountTooLarge)
        // Two entries each within Int64 whose sum is not.
        #expect(refusal(Self.read("1.00", entries: [("capture", "a", "92233720368547758.07"), ("capture", "b", "92233720368547758.07")])) == .amountTooLarge)
        #expect(refusal(Payout.read(id: "", amount: "1.00", currency: "USD", createTime: Self.time, recipient: "", entries: [])) == .invalidRequest)
        #expect(refusal(Payout.read(id: "po 1", amount: "0", currency: "USD", createTime: Self.time, recipient: "", entries: [])) == .invalidRequest)
        #expect(refusal(Payout.read(id: "po", amount: "0", currency: "USD", createTime: "yesterday", recipient: "", entries: [])) != nil)
        #expect(refusal(Self.read("1.00", entries: [("capture", "a\u{1b}[2J", "1.00")])) == .invalidRequest)  // a terminal escape
        #expect(refusal(Payout.read(id: "po", amount: "0", currency: "USD", createTime: Self.time, recipient: "bank\n", entries: [])) == .invalidRequest)
    }

    static let usd = Currency.usd
    static func money(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: usd) }
    static func movement(_ kind: CardMovement.Kind, _ reference: String, _ cents: Int64, at: Int64 = 0) -> CardMovement {
        CardMovement(kind: kind, reference: reference, amount: money(cents), paymentId: "pay-\(reference)", orderId: "ord-\(reference)", at: Instant(millisecondsSinceEpoch: at))
    }
    static func payout(_ id: String, _ entries: [PayoutEntry]) -> Payout {
        let total = entries.reduce(0) { $0 + $1.amount.minorUnits }
        return Payout(id: id, amount: money(total), createdAt: Instant(millisecondsSinceEpoch: 0), recipient: "bank", entries: entries)
    }

    @Test func everyMovementLandsInExactlyOneBucket() throws {
        let movements = [
            Self.movement(.capture, "a", 1000), Self.movement(.capture, "a", 1000),  // two equal captures of one authorization
            Self.movement(.refund, "a", 300),
            Self.movement(.capture, "b", 500),  // paid out as 499: mismatched
            Self.movement(.capture, "c", 700),  // not paid out yet: in transit
            Self.movement(.refund, "c", 200),  // in transit too
        ]
        let payouts = [
            Self.payout("p1", [
                PayoutEntry(kind: .capture, reference: "a", amount: Self.money(1000)),
                PayoutEntry(kind: .refund, reference: "a", amount: Self.money(-300)),
                PayoutEntry(kind: .capture, reference: "b", amount: Self.money(499)),
                PayoutEntry(kind: .fee, reference: "", amount: Self.money(-25)),
            ]),
            Self.payout("p2", [
                PayoutEntry(kind: .capture, reference: "a", amount: Self.money(1000)),
                PayoutEntry(kind: .capture, reference: "zzz", amount: Self.money(50)),  // Till never saw it
                PayoutEntry(kind: .adjustment, reference: "x", amount: Self.money(10)),
            ]),
        ]
        let result = Reconciliation(movements: movements, payouts: payouts)
        #expect(result.matched.map(\.movement) == [movements[0], movements[1], movements[2]])
        #expect(result.matched.map(\.payoutId) == ["p1", "p2", "p1"])
        #expect(result.mismatched.map(\.movement) == [movements[3]])
        #expect(result.mismatched.first?.placed.entry.amount == Self.money(499))
        #expect(result.inTransit == [movements[4], movements[5]])
        #expect(result.unexpected.map(\.entry.reference) == ["zzz"])
        #expect(result.feesAndAdjustments.map(\.entry.kind) == [.fee, .adjustment])
        #expect(try result.inTransitTotals().get() == [Self.usd: Self.money(500)])
        #expect(!result.isClean)
        // Each movement exactly once across the buckets.
        let placed = result.matched.map(\.movement) + result.mismatched.map(\.movement) + result.inTransit
        #expect(placed.count == movements.count)
    }

    @Test func aRefundEntryMatchesOnlyAsANegativeAmountOfItsKind() {
        let refund = Self.movement(.refund, "a", 300)
        let positive = Reconciliation(movements: [refund], payouts: [Self.payout("p", [PayoutEntry(kind: .refund, reference: "a", amount: Self.money(300))])])
        #expect(positive.matched.isEmpty && positive.mismatched.count == 1)
        let asCapture = Reconciliation(movements: [refund], payouts: [Self.payout("p", [PayoutEntry(kind: .capture, reference: "a", amount: Self.money(-300))])])
        #expect(asCapture.matched.isEmpty && asCapture.inTransit == [refund] && asCapture.unexpected.count == 1)
        let right = Reconciliation(movements: [refund], payouts: [Self.payout("p", [PayoutEntry(kind: .refund, reference: "a", amount: Self.money(-300))])])
        #expect(right.matched.count == 1 && right.isClean)
    }

    @Test func anEntryInAnotherCurrencyIsMismatched() {
        let capture = Self.movement(.capture, "a", 300)
        let euro = Money(minorUnits: 300, currency: .eur)
        let payout = Payout(id: "p", amount: euro, createdAt: Instant(millisecondsSinceEpoch: 0), recipient: "", entries: [PayoutEntry(kind: .capture, reference: "a", amount: euro)])
        let result = Reconciliation(movements: [capture], payouts: [payout])
        #expect(result.mismatched.count == 1 && result.matched.isEmpty)
    }
}

/// The reviewer's findings (issue 15): GoblinPay's text is read as its API writes it, nothing looser.
@Suite("Payouts read strictly")
struct PayoutStrictReadingTests {
    static func refused(_ amount: String, currency: String = "USD", entry: String? = nil, id: String = "po-1") -> Bool {
        if case .failure = Payout.read(
            id: id, amount: amount, currency: currency, createTime: PayoutTests.time, recipient: "bank",
            entries: [(kind: "capture", reference: "a", amount: entry ?? amount)]) { return true }
        return false
    }

    @Test(arguments: ["-0.00", "- 1.00", " 1.00", "1.00\n", "\t10.00", "\u{a0}1.00", "10", ".50", "1.0", "1.000", "+1.00", "0.00", "-5.00"])
    func looseOrNonPositiveAmountsAreRefused(_ text: String) {
        #expect(Self.refused(text), "\(text.debugDescription) was accepted")
    }

    @Test func theCurrencyIsItsCodeAsWritten() {
        #expect(Self.refused("1.00", currency: "usd"))
        #expect(Self.refused("1.00", currency: " USD "))
        #expect(!Self.refused("1.00"))
        #expect(!Self.refused("1000", currency: "JPY"))
        #expect(Self.refused("1000.00", currency: "JPY"))
    }

    @Test func idsThatArePathStepsOrOddAreRefused() {
        for id in [".", "..", "a/b", "a b", "é", "a?b", "a#b", ""] { #expect(Self.refused("1.00", id: id), "\(id) was accepted") }
        #expect(!Self.refused("1.00", id: "2889b9d6-c6a3-4208-82ec-abc50bffa0c4"))
        #expect(!Self.refused("1.00", id: "po_1.v2"))
    }

    @Test func aPayoutWithoutEntriesIsRefused() {
        let result = Payout.read(id: "po", amount: "1.00", currency: "USD", createTime: PayoutTests.time, recipient: "", entries: [])
        if case .success = result { Issue.record("a payout without entries was accepted") }
    }
}
