import Testing
@testable import TillCore

/// Issue 10, point 4: text that means the same is one key, numbers at the edges are read as
/// typed, and a message never replays what was typed raw or in full.
@Suite("Input at the edges")
struct EdgeInputTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    @Test("a key typed precomposed (NFC) and decomposed (NFD) is one key")
    func keysAreNFC() throws {
        #expect(Array(Self.nfc.utf8) != Array(Self.nfd.utf8))
        let precomposed = try IdempotencyKey.parse(Self.nfc).get()
        let decomposed = try IdempotencyKey.parse(Self.nfd).get()
        #expect(Array(precomposed.value.utf8) == Array(decomposed.value.utf8))
        #expect(Array(Wallet.key(for: Self.nfd).utf8) == Array(Wallet.key(for: Self.nfc).utf8))
        #expect(Array(try Wallet.validName(Self.nfd).get().utf8) == Array(Self.nfc.utf8))
    }

    @Test("emails match after NFC and full case folding", arguments: [
        ("jos\u{E9}@example.com", "jose\u{301}@example.com"),
        ("\u{130}nci@example.com", "inci@example.com"),
        ("\u{130}NCI@EXAMPLE.COM", "inci@example.com"),
        ("stra\u{DF}e@example.com", "STRASSE@example.com"),
        ("\u{3A3}\u{3BF}\u{3C6}\u{3AF}\u{3B1}\u{3C2}@example.gr", "\u{3C3}\u{3BF}\u{3C6}\u{3AF}\u{3B1}\u{3C3}@example.gr"),
        ("Ann@Example.com ", "ann@example.com"),
    ])
    func emailsFold(one: String, other: String) throws {
        let first = try Email.parse(one).get(), second = try Email.parse(other).get()
        #expect(Array(first.key.utf8) == Array(second.key.utf8), "\(first.key) vs \(second.key)")
        #expect(Email.sameCustomer(one, other))
        // Folding is a canonical form: folding it again changes nothing.
        #expect(Array(first.key.caseFolded.utf8) == Array(first.key.utf8))
    }

    @Test("different addresses stay different")
    func distinctEmails() throws {
        #expect(!Email.sameCustomer("ann@example.com", "anne@example.com"))
        #expect(!Email.sameCustomer("jos\u{E9}@example.com", "jose@example.com"))
    }

    @Test("an expiry more than 20 years ahead is invalid_expiry; 20 years is accepted")
    func expiryHorizon() {
        // Fixture.now is 2026-11.
        #expect(rejectionCode(CardExpiry.parse("12/9999", now: Fixture.now)) == .invalidExpiry)
        #expect(rejectionCode(CardExpiry.parse("12/2046", now: Fixture.now)) == .invalidExpiry)
        #expect(rejectionCode(CardExpiry.parse("11/2046", now: Fixture.now)) == nil)
        #expect(rejectionCode(CardValidation.validate(number: "4242424242424242", expiry: "12/9999", cvv: "123", now: Fixture.now))
                == .invalidExpiry)
    }

    @Test("a card number's length must be one its brand issues", arguments: [
        ("55555555555555552", CardBrand.mastercard), ("42424242424242426", .visa), ("3782822463100003", .amex),
    ])
    func lengthPerBrand(number: String, brand: CardBrand) {
        #expect(CardNumber.passesLuhn(number))
        #expect(CardBrand.detect(digits: number) == brand)
        let result = CardNumber.digits(of: number)
        #expect(rejectionCode(result) == .invalidCardNumber)
        if case .failure(let rejection) = result {
            #expect(rejection.message.contains(brand.displayName), "\(rejection.message)")
            #expect(!rejection.message.contains(number))
        }
    }

    @Test("messages echo input cut and escaped, never raw")
    func messagesEscape() {
        let crafted = "x\u{1B}]0;owned\u{7}\u{1B}[2J"
        let echoed = crafted.echoed()
        #expect(!echoed.unicodeScalars.contains { $0.value < 0x20 })
        #expect(echoed.contains("\\u{1B}"))
        let long = String(repeating: "a", count: 10_000)
        #expect(long.echoed().count < 50)
        // Whatever a message was built from, the rejection carries it escaped and capped.
        let rejection = Rejection(.notFound, "There is no order \(crafted)\(long).")
        #expect(!rejection.message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(rejection.message.count <= Rejection.maximumMessageLength + 1)
        #expect(rejectionCode(Money.parse("1\u{1B}[2J", currency: .usd)) == .invalidAmount)
        if case .failure(let refusal) = Money.parse("1\u{1B}[2J" + long, currency: .usd) {
            #expect(!refusal.message.contains("\u{1B}"))
            #expect(refusal.message.count < 80)
        }
    }
}
