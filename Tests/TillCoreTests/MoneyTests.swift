import Testing
@testable import TillCore

@Suite("Money and currencies")
struct MoneyTests {
    @Test("amounts typed by people parse exactly", arguments: [
        ("10", "USD", Int64(1000)), ("10.5", "USD", 1050), ("10.00", "USD", 1000), (".50", "USD", 50),
        ("0.01", "USD", 1), ("  7.25 ", "USD", 725), ("007", "USD", 700), ("1000", "JPY", 1000),
        ("1.234", "KWD", 1234), ("0.001", "BHD", 1), ("12.3456", "CLF", 123_456), ("0", "USD", 0),
        ("92233720368547758.07", "USD", Int64.max),
    ])
    func parses(text: String, code: String, minor: Int64) throws {
        let currency = try Currency.named(code).get()
        #expect(try Money.parse(text, currency: currency).get() == Money(minorUnits: minor, currency: currency))
    }

    @Test("malformed amounts are invalid_amount and change nothing", arguments: [
        ("", "USD"), ("   ", "USD"), ("-1", "USD"), ("-0", "USD"), ("+1", "USD"), ("1e3", "USD"),
        ("NaN", "USD"), ("nan", "USD"), ("inf", "USD"), ("1.234", "USD"), ("10.", "USD"), (".", "USD"),
        ("1.2.3", "USD"), ("1,000.00", "USD"), ("١٠", "USD"), ("１０", "USD"), ("10 00", "USD"),
        ("$10", "USD"), ("1.5", "JPY"), ("1000.", "JPY"), ("1.2345", "KWD"), ("0x10", "USD"),
    ])
    func refusesMalformed(text: String, code: String) throws {
        let currency = try Currency.named(code).get()
        #expect(rejectionCode(Money.parse(text, currency: currency)) == .invalidAmount)
    }

    @Test("amounts beyond Int64 minor units are amount_too_large, never a trap", arguments: [
        "92233720368547758.08", "92233720368547758.10", "9223372036854775808", "99999999999999999999999",
        String(repeating: "9", count: 400),
    ])
    func refusesHuge(text: String) {
        #expect(rejectionCode(Money.parse(text, currency: .usd)) == .amountTooLarge)
        if !text.contains(".") {
            #expect(rejectionCode(Money.parse(text, currency: .jpy)) == .amountTooLarge)
        }
    }

    @Test("zero parses but is not a positive amount")
    func zeroIsNotPositive() {
        #expect((try? Money.parse("0.00", currency: .usd).get()) == .zero(.usd))
        #expect(rejectionCode(Money.parsePositive("0.00", currency: .usd)) == .invalidAmount)
        #expect((try? Money.parsePositive("0.01", currency: .usd).get()) == Fixture.usd(1))
    }

    @Test("formatting follows the currency", arguments: [
        (Int64(1000), "USD", "$10.00", "10.00"), (123_450, "USD", "$1,234.50", "1234.50"),
        (-300, "GBP", "-£3.00", "-3.00"), (1000, "JPY", "¥1,000", "1000"), (1234, "KWD", "KWD 1.234", "1.234"),
        (5, "EUR", "€0.05", "0.05"), (1_000_000_00, "USD", "$1,000,000.00", "1000000.00"),
        (Int64.max, "USD", "$92,233,720,368,547,758.07", "92233720368547758.07"),
        (Int64.min, "USD", "-$92,233,720,368,547,758.08", "-92233720368547758.08"),
        (7, "BHD", "BHD 0.007", "0.007"), (0, "CLF", "CLF 0.0000", "0.0000"),
    ])
    func formats(minor: Int64, code: String, formatted: String, plain: String) throws {
        let money = Money(minorUnits: minor, currency: try Currency.named(code).get())
        #expect(money.formatted == formatted)
        #expect(money.plainText == plain)
    }

    @Test("ten deposits of 0.10 make exactly 1.00")
    func tenDimes() throws {
        let dime = try Money.parse("0.10", currency: .usd).get()
        let total = try Money.sum(Array(repeating: dime, count: 10), currency: .usd).get()
        #expect(total == Fixture.usd(100))
        #expect(total.formatted == "$1.00")
    }

    @Test("sums are overflow-checked and currency-checked")
    func checkedArithmetic() {
        #expect(rejectionCode(Fixture.usd(.max).adding(Fixture.usd(1))) == .amountTooLarge)
        #expect(rejectionCode(Fixture.usd(.min).subtracting(Fixture.usd(1))) == .amountTooLarge)
        #expect(rejectionCode(Fixture.usd(1).adding(Fixture.gbp(1))) == .currencyMismatch)
        #expect(rejectionCode(Money.sum([Fixture.usd(.max), Fixture.usd(1)], currency: .usd)) == .amountTooLarge)
        #expect((try? Fixture.usd(.max - 1).adding(Fixture.usd(1)).get()) == Fixture.usd(.max))
    }

    @Test("every zero- and three-decimal ISO 4217 currency is known with its exponent")
    func exponents() throws {
        let zero = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                    "VND", "VUV", "XAF", "XOF", "XPF"]
        let three = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
        for code in zero { #expect(try Currency.named(code).get().exponent == 0, "\(code)") }
        for code in three { #expect(try Currency.named(code).get().exponent == 3, "\(code)") }
        for code in ["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "INR", "CNY", "SEK", "MXN"] {
            #expect(try Currency.named(code).get().exponent == 2, "\(code)")
        }
        #expect(Set(Currency.known.map(\.code)).count == Currency.known.count, "codes are unique")
    }

    @Test("currency codes are read case-insensitively; unknown ones are refused", arguments: [
        ("usd", true), (" gbp ", true), ("Jpy", true), ("XXX", false), ("", false), ("US", false),
        ("USDX", false), ("€", false),
    ])
    func currencyLookup(text: String, known: Bool) {
        let result = Currency.named(text)
        if known {
            #expect((try? result.get()) != nil)
        } else {
            #expect(rejectionCode(result) == .unknownCurrency)
        }
    }
}
