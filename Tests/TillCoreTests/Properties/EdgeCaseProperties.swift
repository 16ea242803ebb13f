import Testing
import TillCore

// Edge cases these properties found, kept as plain regression tests.
extension PropertyTests {
    @Test("edge cases the properties found: CRLF is trimmed, C1 controls are refused")
    func trimmingAndControls() {
        #expect((try? Money.parse("10.00\r\n", currency: .usd).get()) == Money(minorUnits: 1000, currency: .usd))
        #expect((try? Currency.named("usd\r\n").get()) == .usd)
        #expect((try? Wallet.validName("Ann\r\n").get()) == "Ann")
        #expect((try? IdempotencyKey.parse("key-1\r\n").get())?.value == "key-1")
        #expect((try? Email.parse("ann@example.com\r\n").get())?.address == "ann@example.com")
        #expect((try? CardExpiry.parse("12/40\r\n").get()) == CardExpiry(month: YearMonth(year: 2040, month: 12)))
        #expect(rejectionCode(Wallet.validName("Ann\u{9B}2J")) == .invalidName)
        #expect(rejectionCode(IdempotencyKey.parse("key\u{85}1")) == .invalidIdempotencyKey)
        #expect(rejectionCode(Email.parse("ann\u{9B}@example.com")) == .invalidEmail)
    }

    @Test("a separator carrying a combining mark is still escaped, so fingerprints stay apart")
    func combiningMarkFingerprintCollision() {
        let first = RequestFingerprint(operation: "pay", target: "o1", parameters: ["\u{301}x|\u{301}k": "v"])
        let second = RequestFingerprint(operation: "pay", target: "o1|\u{301}x", parameters: ["\u{301}k": "v"])
        #expect(first != second, "different targets share the fingerprint \(first.canonical.debugDescription)")
        // "=" + U+0338 is canonically "≠", so an unescaped "=" could disappear into the key.
        let third = RequestFingerprint(operation: "pay", target: "o1", parameters: ["k": "\u{338}x=\u{301}"])
        let fourth = RequestFingerprint(operation: "pay", target: "o1", parameters: ["k≠x": "\u{301}"])
        #expect(third != fourth, "different parameters share the fingerprint \(third.canonical.debugDescription)")
        let fifth = RequestFingerprint(operation: "pay", target: "o1", parameters: ["k": "\u{338}"])
        let sixth = RequestFingerprint(operation: "pay", target: "o1", parameters: ["k≠": ""])
        #expect(fifth != sixth)
    }

    @Test("an \"@\" carrying a combining mark still counts, so an address cannot hold two")
    func emailWithTwoAtSigns() {
        #expect(rejectionCode(Email.parse("a@\u{301}x@b.co")) == .invalidEmail)
        #expect(rejectionCode(Email.parse("a@b.\u{301}co")) == .invalidEmail)
        #expect(rejectionCode(Currency.named("uſd")) == .unknownCurrency)
    }
}
