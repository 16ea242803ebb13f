import Testing
import TillCore

// Money text.
extension PropertyTests {
    @Test("money text: plainText parses back to the same money in every currency; formatted never traps")
    func moneyTextRoundTrips() {
        forEachSeed("money text") { random, trial in
            let edges: [Int64] = [0, 1, Int64.max - 1, Int64.max]
            for (index, currency) in Currency.known.enumerated() {
                // Every currency meets every edge over the seeds, and random values in between.
                var values = [edges[(Int(trial.seed) + index) % edges.count]]
                for _ in 0..<3 { values.append(random.minorUnits()) }
                for value in values {
                    trial.step += 1
                    let money = Money(minorUnits: value, currency: currency)
                    let plain = money.plainText
                    trial.check(plain == expectedPlainText(value, exponent: currency.exponent),
                                "\(value) \(currency) plainText \"\(plain)\", expected \"\(expectedPlainText(value, exponent: currency.exponent))\"")
                    trial.check(rejectionCode(Money.parse(plain, currency: currency)) == nil
                                    && (try? Money.parse(plain, currency: currency).get()) == money,
                                "parse(\"\(plain)\", \(currency)) is \(describe(Money.parse(plain, currency: currency))), not \(value)")
                    // White space around is ignored.
                    let blank = random.element(of: [" ", "\t", "\n", "\r", "\r\n", "  \t", "\u{A0}"])
                    let padded = blank + plain + random.element(of: ["", blank])
                    trial.check((try? Money.parse(padded, currency: currency).get()) == money,
                                "parse(\(padded.debugDescription), \(currency)) is \(describe(Money.parse(padded, currency: currency)))")
                    trial.check(money.formatted == expectedFormatted(value, currency),
                                "formatted \"\(money.formatted)\", expected \"\(expectedFormatted(value, currency))\"")
                    trial.check((try? Money.parsePositive(plain, currency: currency).get()) == (value > 0 ? money : nil),
                                "parsePositive(\"\(plain)\") disagrees with the sign of \(value)")

                    // Negative amounts and Int64.min still print (they are never parsed back).
                    for negative in [-value, Int64.min + value] where negative != 0 {
                        let signed = Money(minorUnits: negative, currency: currency)
                        trial.check(signed.formatted == expectedFormatted(negative, currency),
                                    "formatted \(negative) \(currency) is \"\(signed.formatted)\"")
                        trial.check(signed.plainText == expectedPlainText(negative, exponent: currency.exponent),
                                    "plainText \(negative) \(currency) is \"\(signed.plainText)\"")
                        trial.check(rejectionCode(Money.parse(signed.plainText, currency: currency)) == .invalidAmount,
                                    "a signed amount \"\(signed.plainText)\" parsed")
                    }
                }
                if trial.failed { return }
            }
            let lowest = Money(minorUnits: .min, currency: random.currency())
            trial.check(lowest.formatted == expectedFormatted(.min, lowest.currency), "Int64.min formats as \(lowest.formatted)")
        }
    }

    @Test("money text: built numbers parse to their exact value; junk never traps and any success round-trips")
    func moneyTextParsing() {
        forEachSeed("money parse") { random, trial in
            for _ in 0..<300 {
                trial.step += 1
                let currency = random.currency()

                // A number built from parts, its value computed here in Int128.
                let whole = random.oneIn(5) ? "" : random.digits(count: random.below(23))
                let hasPoint = random.oneIn(2)
                let fraction = hasPoint ? random.digits(count: random.below(6)) : ""
                let text = whole + (hasPoint ? "." : "") + fraction
                let expected: Expected<Int64>
                if (whole.isEmpty && fraction.isEmpty) || (hasPoint && fraction.isEmpty) {
                    expected = .reject(.invalidAmount)
                } else if fraction.count > currency.exponent {
                    expected = .reject(.invalidAmount)
                } else {
                    let padded = fraction + String(repeating: "0", count: currency.exponent - fraction.count)
                    let value = decimalValue(whole + padded)
                    expected = value > Int128(Int64.max) ? .reject(.amountTooLarge) : .accept(Int64(value))
                }
                let parsed = Money.parse(text, currency: currency)
                switch (expected, parsed) {
                case (.accept(let want), .success(let got)):
                    trial.check(got == Money(minorUnits: want, currency: currency), "parse(\"\(text)\", \(currency)) is \(got.minorUnits), expected \(want)")
                case (.reject(let want), .failure(let got)):
                    trial.check(got.code == want, "parse(\"\(text)\", \(currency)) is \(got.code), expected \(want)")
                default:
                    trial.check(false, "parse(\"\(text)\", \(currency)) is \(describe(parsed)), expected \(expected.code.map(\.rawValue) ?? "success")")
                }

                // Junk: no trap; a success is a non-negative amount that round-trips.
                let junk = random.junkString()
                switch Money.parse(junk, currency: currency) {
                case .success(let money):
                    trial.check(money.minorUnits >= 0 && money.currency == currency, "parse(\(junk.debugDescription)) is \(money.minorUnits)")
                    trial.check((try? Money.parse(money.plainText, currency: currency).get()) == money,
                                "parse(\(junk.debugDescription)) = \(money.minorUnits) does not round-trip via \"\(money.plainText)\"")
                    trial.check(isASCIIDigits(trimmed(junk).filter { $0 != "." }),
                                "parse accepted \(junk.debugDescription), which has more than digits, a point and white space")
                case .failure(let rejection):
                    trial.check([.invalidAmount, .amountTooLarge].contains(rejection.code),
                                "parse(\(junk.debugDescription)) answered \(rejection.code)")
                }
                if trial.failed { return }
            }
        }
    }
}
