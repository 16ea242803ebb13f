import Testing
@testable import TillCore

@Suite("Card input")
struct CardTests {
    static let testCards = [
        "4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 9995", "4000 0000 0000 0119",
        "4000 0000 0000 0259", "4000 0000 0000 3238",
    ]

    @Test("the DESIGN.md test cards pass Luhn and validate as Visa", arguments: testCards)
    func testCardsPass(number: String) throws {
        let summary = try CardValidation.validate(number: number, expiry: "12/30", cvv: "123", now: Fixture.now).get()
        #expect(summary.brand == .visa)
        #expect(summary.first6 == String(number.filter { $0 != " " }.prefix(6)))
        #expect(summary.last4 == String(number.suffix(4)))
    }

    @Test("bad card numbers are invalid_card_number", arguments: [
        "4242 4242 4242 4241", "", "0", "-1", "abcd", "4242", "4242 4242 4242 4242 4242",
        "42424242424242424242", "４２４２４２４２４２４２４２４２", "4242\t4242 4242 4242", "4242.4242.4242.4242",
        "12345678901", "0000 0000 0000 00000000", "0000 0000 0000 0000", "000000000000",
    ])
    func badNumbers(number: String) {
        #expect(rejectionCode(CardNumber.digits(of: number)) == .invalidCardNumber)
        #expect(rejectionCode(CardValidation.validate(number: number, expiry: "12/30", cvv: "123", now: Fixture.now))
                == .invalidCardNumber)
    }

    @Test("12 to 19 digits with a good check digit are accepted; spaces and dashes are ignored", arguments: [
        ("4242-4242-4242-4242", "4242424242424242"), ("  4242424242424242 ", "4242424242424242"),
        ("500000000009", "500000000009"), ("6011000000000004", "6011000000000004"),
        ("4000000000000000006", "4000000000000000006"),
    ])
    func goodNumbers(typed: String, digits: String) {
        #expect((try? CardNumber.digits(of: typed).get()) == digits)
    }

    @Test("brand by BIN", arguments: [
        ("4242424242424242", CardBrand.visa), ("5555555555554444", .mastercard), ("2221000000000009", .mastercard),
        ("2720999999999996", .mastercard), ("2721000000000004", .unknown), ("378282246310005", .amex),
        ("340000000000009", .amex), ("6011111111111117", .discover), ("6445644564456445", .discover),
        ("6221260000000000", .discover), ("6200000000000005", .unionpay), ("3056930009020004", .diners),
        ("36227206271667", .diners), ("3566002020360505", .jcb), ("6304000000000000", .maestro),
        ("5018000000000009", .maestro), ("9999999999999995", .unknown), ("", .unknown), ("4", .visa),
        ("37", .amex),
    ])
    func brands(digits: String, brand: CardBrand) {
        #expect(CardBrand.detect(digits: digits) == brand)
    }

    @Test("expiry is valid through the end of its month, in MM/YY or MM/YYYY")
    func expiry() {
        // Fixture.now is 2026-11-22.
        #expect((try? CardExpiry.parse("11/26", now: Fixture.now).get())?.month == YearMonth(year: 2026, month: 11))
        #expect((try? CardExpiry.parse("11/2026", now: Fixture.now).get())?.month == YearMonth(year: 2026, month: 11))
        #expect((try? CardExpiry.parse(" 1 / 27 ", now: Fixture.now).get())?.month == YearMonth(year: 2027, month: 1))
        #expect(rejectionCode(CardExpiry.parse("10/26", now: Fixture.now)) == .cardExpired)
        #expect(rejectionCode(CardExpiry.parse("12/25", now: Fixture.now)) == .cardExpired)
        // The last millisecond of November is still fine; the first of December is not.
        let endOfNovember = Instant(millisecondsSinceEpoch: 1_796_083_199_999) // 2026-11-30T23:59:59.999Z
        let startOfDecember = Instant(millisecondsSinceEpoch: 1_796_083_200_000)
        #expect((try? CardExpiry.parse("11/26", now: endOfNovember).get()) != nil)
        #expect(rejectionCode(CardExpiry.parse("11/26", now: startOfDecember)) == .cardExpired)
    }

    @Test("malformed expiry dates are invalid_expiry", arguments: [
        "00/27", "13/27", "0/27", "", "1227", "12-27", "12/7", "12/027", "ab/cd", "12/", "/27", "12/27/1",
        "-1/27", "١٢/٢٧", "12/+7",
    ])
    func badExpiry(text: String) {
        #expect(rejectionCode(CardExpiry.parse(text, now: Fixture.now)) == .invalidExpiry)
    }

    @Test("the security code has 3 digits, 4 for Amex")
    func cvv() {
        let visa = "4242424242424242", amex = "378282246310005"
        func check(_ number: String, _ cvv: String) -> Rejection.Code? {
            rejectionCode(CardValidation.validate(number: number, expiry: "12/30", cvv: cvv, now: Fixture.now))
        }
        #expect(check(visa, "123") == nil)
        #expect(check(amex, "1234") == nil)
        for bad in ["1234", "12", "", "abc", "１２３", "12 3"] { #expect(check(visa, bad) == .invalidCvv, "\(bad)") }
        for bad in ["123", "12345"] { #expect(check(amex, bad) == .invalidCvv, "\(bad)") }
    }

    @Test("checks run on the text first (number, expiry format, security code), then the date")
    func checkOrder() {
        func check(_ number: String, _ expiry: String, _ cvv: String) -> Rejection.Code? {
            rejectionCode(CardValidation.validate(number: number, expiry: expiry, cvv: cvv, now: Fixture.now))
        }
        #expect(check("1", "13/99", "x") == .invalidCardNumber)
        #expect(check("4242424242424242", "13/99", "x") == .invalidExpiry)
        #expect(check("4242424242424242", "01/20", "x") == .invalidCvv)
        #expect(check("4242424242424242", "01/20", "123") == .cardExpired)
        #expect(check("4242424242424242", "01/30", "123") == nil)
    }

    @Test("expiry is judged by the shop's month: a card of 11/26 still works on 30 Nov, 23:00 at UTC-8")
    func localMonth() {
        let pacificLate = Instant(millisecondsSinceEpoch: 1_796_083_200_000 + 7 * 3_600_000) // 2026-12-01T07:00Z
        let minus8 = TimeSpan(milliseconds: -8 * 3_600_000)
        #expect((try? CardExpiry.parse("11/26", now: pacificLate, utcOffset: minus8).get()) != nil)
        #expect(rejectionCode(CardExpiry.parse("11/26", now: pacificLate)) == .cardExpired)
        let tokyoEarly = Instant(millisecondsSinceEpoch: 1_796_083_200_000 - 3_600_000) // 2026-11-30T23:00Z
        let plus9 = TimeSpan(milliseconds: 9 * 3_600_000)
        #expect(rejectionCode(CardExpiry.parse("11/26", now: tokyoEarly, utcOffset: plus9)) == .cardExpired)
    }

    @Test("typed text with CRLF or no-break spaces around it is trimmed")
    func trimming() throws {
        let summary = try CardValidation.validate(
            number: "4242 4242 4242 4242\r\n", expiry: "\u{00A0}12/30\r\n", cvv: "123\r\n", now: Fixture.now).get()
        #expect(summary.last4 == "4242")
    }

    @Test("a summary can never hold a full card number")
    func summaryCannotHoldPAN() {
        let expiry = CardExpiry(month: YearMonth(year: 2030, month: 12))
        #expect(CardSummary(brand: .visa, first6: "4242424242424242", last4: "4242", expiry: expiry) == nil)
        #expect(CardSummary(brand: .visa, first6: "424242", last4: "4242424242424242", expiry: expiry) == nil)
        #expect(CardSummary(brand: .visa, first6: "42424x", last4: "4242", expiry: expiry) == nil)
        #expect(CardSummary(brand: .visa, first6: "", last4: "4242", expiry: expiry) == nil)
        #expect(CardSummary(brand: .visa, first6: "424242", last4: "4242", expiry: expiry)?.masked == "Visa 424242…4242")
    }

    @Test("short card numbers keep fewer leading digits, so at least 5 stay hidden", arguments: [
        ("4242424242424242", "424242"), ("378282246310005", "378282"), ("36227206271667", "36227"),
        ("500000000009", "500"), ("4000000000000000006", "400000"),
    ])
    func shortNumbers(number: String, leading: String) throws {
        let brand = CardBrand.detect(digits: number)
        let summary = try CardValidation.validate(
            number: number, expiry: "12/30", cvv: String(repeating: "1", count: brand.cvvLength), now: Fixture.now).get()
        #expect(summary.first6 == leading)
        #expect(summary.first6.count + summary.last4.count <= number.count - 5)
    }

    @Test("no rejection message echoes the card number or the security code")
    func messagesHideTheCard() {
        let results = [
            CardValidation.validate(number: "4000 0000 0000 3239", expiry: "12/30", cvv: "987", now: Fixture.now),
            CardValidation.validate(number: "4000 0000 0000 3238", expiry: "12/30", cvv: "98", now: Fixture.now),
            CardValidation.validate(number: "4000 0000 0000 3238", expiry: "1230", cvv: "987", now: Fixture.now),
        ]
        for result in results {
            guard case .failure(let rejection) = result else { Issue.record("must be refused"); continue }
            #expect(!rejection.message.contains("3239") && !rejection.message.contains("3238"))
            #expect(!rejection.message.contains("987") && !rejection.message.contains("98 "))
        }
    }

    @Test("BIN range edges", arguments: [
        ("2220999999999999", CardBrand.unknown), ("2221000000000000", .mastercard), ("5099999999999999", .maestro),
        ("5100000000000000", .mastercard), ("5599999999999999", .mastercard), ("5600000000000000", .maestro),
        ("6221250000000000", .unionpay), ("6221260000000000", .discover), ("6229250000000000", .discover),
        ("6229260000000000", .unionpay), ("3527999999999999", .unknown), ("3528000000000000", .jcb),
        ("3589999999999999", .jcb), ("3590000000000000", .unknown), ("6439999999999999", .unknown),
        ("6440000000000000", .discover), ("6499999999999999", .discover), ("3800000000000000", .diners),
        ("3999999999999999", .diners), ("3060000000000000", .unknown), ("8100000000000000", .unionpay),
        ("6700000000000000", .maestro), ("3400000000000000", .amex), ("3500000000000000", .unknown),
    ])
    func binEdges(digits: String, brand: CardBrand) {
        #expect(CardBrand.detect(digits: digits) == brand)
    }
}
