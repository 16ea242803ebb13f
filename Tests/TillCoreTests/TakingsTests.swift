import Testing
@testable import TillCore

/// Net takings (DESIGN §3): card + cash, less refunds paid out by card or cash; store credit
/// spent and refunds to store credit are apart, never new money.
@Suite("Takings")
struct TakingsTests {
    @Test("store credit spent is not taken, a refund to store credit pays nothing out")
    func storeCreditIsNotNewMoney() throws {
        var takings = Takings(currency: .usd)
        try takings.take(Fixture.usd(5000), by: .card).get()
        try takings.take(Fixture.usd(2000), by: .cash).get()
        try takings.take(Fixture.usd(3000), by: .storeCredit).get()
        try takings.refund(Fixture.usd(500), of: .card, toStoreCredit: false).get()
        try takings.refund(Fixture.usd(700), of: .card, toStoreCredit: true).get()
        try takings.refund(Fixture.usd(300), of: .cash, toStoreCredit: false).get()
        try takings.refund(Fixture.usd(100), of: .storeCredit, toStoreCredit: false).get()
        #expect(try takings.net.get() == Fixture.usd(5000 + 2000 - 500 - 300))
        #expect(takings.storeCreditRedeemed == Fixture.usd(3000))
        #expect(takings.refundedToStoreCredit == Fixture.usd(800))
    }

    @Test("another currency or an overflow is refused and changes nothing")
    func mismatchAndOverflow() throws {
        var takings = Takings(currency: .usd)
        #expect(rejectionCode(takings.take(Fixture.gbp(1), by: .cash)) == .currencyMismatch)
        try takings.take(Fixture.usd(.max), by: .cash).get()
        #expect(rejectionCode(takings.take(Fixture.usd(1), by: .cash)) == .amountTooLarge)
        try takings.take(Fixture.usd(1), by: .card).get()
        #expect(rejectionCode(takings.net) == .amountTooLarge)
        #expect(takings.taken(by: .cash) == Fixture.usd(.max))
    }
}
