import Testing
@testable import TillCore

@Suite("Wallets")
struct WalletTests {
    static func wallet(balance: Int64 = 100_000, overdraft: Int64 = 0) -> Wallet? {
        Fixture.success(Wallet.open(
            name: "Ann", currency: .usd, balance: Fixture.usd(balance), overdraftLimit: Fixture.usd(overdraft)))
    }

    @Test("opened with 1000.00, a 100.00 debit leaves 900.00")
    func debit() throws {
        let wallet = try #require(Self.wallet())
        let after = try wallet.debit(Fixture.usd(10_000)).get()
        #expect(after.balance == Fixture.usd(90_000))
        #expect(after.balance.formatted == "$900.00")
    }

    @Test("a debit beyond the balance is insufficient_funds")
    func insufficient() throws {
        let wallet = try #require(Self.wallet(balance: 5000))
        #expect(rejectionCode(wallet.debit(Fixture.usd(5001))) == .insufficientFunds)
        #expect((try? wallet.debit(Fixture.usd(5000)).get())?.balance == .zero(.usd))
    }

    @Test("an overdraft limit of 50.00 allows exactly -50.00 and refuses -50.01")
    func overdraft() throws {
        let wallet = try #require(Self.wallet(balance: 0, overdraft: 5000))
        let atLimit = try wallet.debit(Fixture.usd(5000)).get()
        #expect(atLimit.balance == Fixture.usd(-5000))
        #expect(rejectionCode(atLimit.debit(Fixture.usd(1))) == .insufficientFunds)
        #expect(rejectionCode(wallet.debit(Fixture.usd(5001))) == .insufficientFunds)
    }

    @Test("a EUR debit on a USD wallet is currency_mismatch")
    func currency() throws {
        let wallet = try #require(Self.wallet())
        #expect(rejectionCode(wallet.debit(Money(minorUnits: 100, currency: .eur))) == .currencyMismatch)
        #expect(rejectionCode(wallet.credit(Money(minorUnits: 100, currency: .eur))) == .currencyMismatch)
    }

    @Test("ten credits of 0.10 make exactly 1.00")
    func tenDimes() throws {
        var wallet = try #require(Self.wallet(balance: 0))
        for _ in 0..<10 { wallet = try wallet.credit(try Money.parse("0.10", currency: .usd).get()).get() }
        #expect(wallet.balance == Fixture.usd(100))
    }

    @Test("amounts must be positive; credits past Int64 are amount_too_large")
    func amounts() throws {
        let wallet = try #require(Self.wallet(balance: .max))
        #expect(rejectionCode(wallet.credit(Fixture.usd(0))) == .invalidAmount)
        #expect(rejectionCode(wallet.debit(Fixture.usd(-1))) == .invalidAmount)
        #expect(rejectionCode(wallet.credit(Fixture.usd(1))) == .amountTooLarge)
    }

    @Test("an Int64.max overdraft on an Int64.max balance lets Int64.max be debited, with no overflow")
    func extremes() throws {
        let wallet = try #require(Self.wallet(balance: .max, overdraft: .max))
        let drained = try wallet.debit(Fixture.usd(.max)).get()
        #expect(drained.balance == .zero(.usd))
        let overdrawn = try drained.debit(Fixture.usd(.max)).get()
        #expect(overdrawn.balance == Fixture.usd(-.max))
        #expect(rejectionCode(overdrawn.debit(Fixture.usd(1))) == .insufficientFunds)
    }

    @Test("opening checks the name, the currency and the overdraft")
    func opening() {
        #expect(rejectionCode(Wallet.open(name: "  ", currency: .usd)) == .invalidName)
        #expect(rejectionCode(Wallet.open(name: String(repeating: "x", count: 65), currency: .usd)) == .invalidName)
        #expect(rejectionCode(Wallet.open(name: "tab\there", currency: .usd)) == .invalidName)
        #expect(rejectionCode(Wallet.open(name: "a", currency: .usd, balance: Fixture.gbp(1))) == .currencyMismatch)
        #expect(rejectionCode(Wallet.open(name: "a", currency: .usd, balance: Fixture.usd(-1))) == .invalidAmount)
        #expect(rejectionCode(Wallet.open(name: "a", currency: .usd, overdraftLimit: Fixture.usd(-1))) == .invalidOverdraft)
        #expect(rejectionCode(Wallet.open(name: "a", currency: .usd, balance: Fixture.gbp(-1))) == .invalidAmount)
        #expect(rejectionCode(Wallet.open(name: "\u{00A0}\u{00A0}", currency: .usd)) == .invalidName)
        #expect(rejectionCode(Wallet.open(name: "\u{200B}", currency: .usd)) == .invalidName)
        #expect(rejectionCode(Wallet.open(name: "a\u{2028}b", currency: .usd)) == .invalidName)
        let wallet = try? Wallet.open(name: "  Zoë’s café  ", currency: .jpy).get()
        #expect(wallet?.name == "Zoë’s café")
        #expect(wallet?.key == "zoë’s café")
        #expect(wallet?.balance == .zero(.jpy))
        #expect(wallet?.customer == nil)
    }

    @Test("a customer's wallet keeps its owner through every movement")
    func owner() throws {
        let ann = try Email.parse("Ann@Example.com").get()
        let wallet = try Wallet.open(name: "gift", currency: .usd, customer: ann).get()
        #expect(try wallet.credit(Fixture.usd(500)).get().debit(Fixture.usd(200)).get().customer == ann)
        let restored = Wallet.restore(name: "gift", balance: Fixture.usd(0), overdraftLimit: Fixture.usd(0), customer: ann)
        #expect(restored == wallet)
    }
}
