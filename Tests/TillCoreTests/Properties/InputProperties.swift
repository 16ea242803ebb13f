import Testing
import TillCore

// No input traps.
extension PropertyTests {
    @Test("junk input: every parser and validator answers a well-formed result instead of trapping")
    func junkNeverTraps() {
        forEachSeed("junk") { random, trial in
            for _ in 0..<200 {
                trial.step += 1
                let junk = random.junkString()
                let now = randomInstant(&random)

                // Card numbers: the stripped text is a card exactly when it has 12-19 ASCII digits passing Luhn.
                let stripped = junk.filter { $0 != " " && $0 != "-" }
                let isCard = isCardNumber(stripped)
                switch CardNumber.digits(of: junk) {
                case .success(let digits):
                    trial.check(isCard && digits == stripped, "CardNumber.digits(\(junk.debugDescription)) = \(digits)")
                case .failure(let rejection):
                    trial.check(!isCard && rejection.code == .invalidCardNumber,
                                "CardNumber.digits(\(junk.debugDescription)) refused with \(rejection.code)")
                }
                _ = CardBrand.detect(digits: junk)

                // Valid numbers as typed pass; one changed digit is always caught by Luhn.
                let number = random.luhnValidNumber(length: 12 + random.below(8))
                let typed = random.typed(number)
                trial.check((try? CardNumber.digits(of: typed).get()) == (isCardNumber(number) ? number : nil),
                            "the valid number \(typed) was refused")
                var mistyped = Array(number)
                let position = random.below(mistyped.count)
                let original = mistyped[position].wholeNumberValue ?? 0
                mistyped[position] = Character(String((original + 1 + random.below(9)) % 10))
                trial.check(rejectionCode(CardNumber.digits(of: String(mistyped))) == .invalidCardNumber,
                            "\(String(mistyped)), one digit off \(number), passed Luhn")
                let longer = random.luhnValidNumber(length: random.element(of: [2, 11, 20, 21, 40]))
                trial.check(rejectionCode(CardNumber.digits(of: longer)) == .invalidCardNumber, "\(longer.count) digits passed")

                // Expiry: built MM/YY text against a month computed here; junk is never a valid expiry by accident.
                checkExpiry(now: now, &random, &trial)
                switch CardExpiry.parse(junk) {
                case .success(let expiry):
                    trial.check((1...12).contains(expiry.month.month) && junk.contains("/"),
                                "CardExpiry.parse(\(junk.debugDescription)) = \(expiry)")
                    let nowMonth = civilYearMonth(shifted(now, by: 0))
                    let tooFar = (expiry.month.year, expiry.month.month) > (nowMonth.year + 20, nowMonth.month)
                    trial.check(rejectionCode(CardExpiry.parse(junk, now: now))
                                    == (expiry.hasExpired(at: now) ? .cardExpired : tooFar ? .invalidExpiry : nil),
                                "CardExpiry.parse(\(junk.debugDescription), now:) disagrees with hasExpired")
                case .failure(let rejection):
                    trial.check(rejection.code == .invalidExpiry, "CardExpiry.parse(\(junk.debugDescription)) answered \(rejection.code)")
                    trial.check(rejectionCode(CardExpiry.parse(junk, now: now)) == .invalidExpiry,
                                "CardExpiry.parse(\(junk.debugDescription), now:) is not invalid_expiry")
                }

                // Whole card validation: first error in the order number, expiry, cvv.
                checkCardValidation(junk: junk, validNumber: number, now: now, &random, &trial)

                // Emails.
                switch Email.parse(junk) {
                case .success(let email):
                    let scalars = email.address.unicodeScalars
                    let labels = email.address.split(separator: "@", omittingEmptySubsequences: false).last?
                        .split(separator: ".", omittingEmptySubsequences: false) ?? []
                    trial.check(!email.address.isEmpty && email.address.count <= 254
                                    && isPrintable(email.address) && !scalars.contains { $0.properties.isWhitespace }
                                    && scalars.filter { $0 == "@" }.count == 1 && labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
                                    && email.key == Email.key(for: email.address) && email.key == email.key.caseFolded,
                                "Email.parse(\(junk.debugDescription)) = \(email.address.debugDescription)")
                case .failure(let rejection):
                    trial.check(rejection.code == .invalidEmail, "Email.parse(\(junk.debugDescription)) answered \(rejection.code)")
                }

                // Names and keys: trimmed, bounded, no control characters.
                switch Wallet.validName(junk) {
                case .success(let name):
                    trial.check((1...64).contains(name.count) && isPrintable(name) && name == trimmed(junk),
                                "Wallet.validName(\(junk.debugDescription)) = \(name.debugDescription)")
                case .failure(let rejection):
                    trial.check(rejection.code == .invalidName, "Wallet.validName answered \(rejection.code)")
                }
                switch IdempotencyKey.parse(junk) {
                case .success(let key):
                    trial.check((1...255).contains(key.value.count) && isPrintable(key.value) && key.value == trimmed(junk),
                                "IdempotencyKey.parse(\(junk.debugDescription)) = \(key.value.debugDescription)")
                case .failure(let rejection):
                    trial.check(rejection.code == .invalidIdempotencyKey, "IdempotencyKey.parse answered \(rejection.code)")
                }

                // Currencies: junk names one only when it is a known code.
                switch Currency.named(junk) {
                case .success(let currency):
                    trial.check(Currency.known.contains(currency) && trimmed(junk).uppercased() == currency.code,
                                "Currency.named(\(junk.debugDescription)) = \(currency)")
                case .failure(let rejection):
                    trial.check(rejection.code == .unknownCurrency, "Currency.named answered \(rejection.code)")
                }
                let known = random.currency()
                let spelled = random.element(of: ["", " ", "\t"]) + String(known.code.map { random.oneIn(2) ? Character($0.lowercased()) : $0 })
                    + random.element(of: ["", " ", "\n"])
                trial.check((try? Currency.named(spelled).get()) == known, "Currency.named(\(spelled.debugDescription)) is not \(known)")

                // Sums at the edges of Int64, against Int128.
                checkArithmetic(&random, &trial)
                if trial.failed { return }
            }
        }
    }

    private func checkExpiry(now: Instant, _ random: inout SeededGenerator, _ trial: inout Trial) {
        let offset = randomUTCOffset(&random)
        let shopMonth = civilYearMonth(shifted(now, by: offset))
        let month = random.below(14)
        let year = random.oneIn(2) ? random.below(100) : 1990 + random.below(200)
        let monthText = month < 10 && random.oneIn(2) ? "0\(month)" : "\(month)"
        let yearText = year < 100 ? (year < 10 ? "0\(year)" : "\(year)") : "\(year)"
        let text = random.element(of: ["", " "]) + monthText + random.element(of: ["", " "]) + "/"
            + random.element(of: ["", " "]) + yearText + random.element(of: ["", " ", "\r\n"])
        let fullYear = year < 100 ? 2000 + year : year
        let formatCode: Rejection.Code? = (1...12).contains(month) ? nil : .invalidExpiry
        // Past the shop's month: expired; more than 20 years ahead: a mistyped year.
        let expected: Rejection.Code? =
            formatCode ?? ((fullYear, month) < (shopMonth.year, shopMonth.month) ? .cardExpired
                : (fullYear, month) > (shopMonth.year + 20, shopMonth.month) ? .invalidExpiry : nil)
        let parsed = CardExpiry.parse(text, now: now, utcOffset: TimeSpan(milliseconds: offset))
        trial.check(rejectionCode(parsed) == expected, "CardExpiry.parse(\(text.debugDescription)) at \(shopMonth) (offset \(offset)) "
                        + "is \(describe(parsed)), expected \(describe(expected))")
        trial.check(rejectionCode(CardExpiry.parse(text)) == formatCode, "CardExpiry.parse(\(text.debugDescription)) without a date "
                        + "is \(describe(CardExpiry.parse(text)))")
        if case .success(let expiry) = parsed {
            trial.check(expiry.month == YearMonth(year: fullYear, month: month), "\(text.debugDescription) parsed as \(expiry.month)")
        }
        let utc = civilYearMonth(now.millisecondsSinceEpoch)
        trial.check(now.utcYearMonth == YearMonth(year: utc.year, month: utc.month),
                    "\(now) is in \(now.utcYearMonth), expected \(utc)")
    }

    private func checkCardValidation(
        junk: String, validNumber: String, now: Instant, _ random: inout SeededGenerator, _ trial: inout Trial
    ) {
        let offset = randomUTCOffset(&random)
        let shopMonth = civilYearMonth(shifted(now, by: offset))
        let builtMonth = 1 + random.below(12)
        let builtExpiry = (builtMonth < 10 ? "0" : "") + "\(builtMonth)/\(shopMonth.year - 2 + random.below(5))"
        let number = random.oneIn(4) ? junk : random.typed(validNumber)
        let expiry = random.oneIn(4) ? junk : builtExpiry
        let cvv = random.oneIn(4) ? junk : random.element(of: ["", " ", "\t"]) + random.digits(count: 3 + random.below(2))

        // The expected answer, in the documented order: number, expiry format, security code, date.
        let digits = number.filter { $0 != " " && $0 != "-" }
        let isAmex = digits.hasPrefix("34") || digits.hasPrefix("37")
        let securityCode = trimmed(cvv)
        let cvvOK = isASCIIDigits(securityCode) && securityCode.count == (isAmex ? 4 : 3)
        let expected: Rejection.Code?
        let expiryMonth: YearMonth?
        if !isCardNumber(digits) {
            expected = .invalidCardNumber
            expiryMonth = nil
        } else if case .failure(let rejection) = CardExpiry.parse(expiry) {
            // Only junk gets here; the built expiry always has a valid form.
            trial.check(expiry == junk, "the built expiry \(expiry) was refused: \(rejection.code)")
            expected = rejection.code
            expiryMonth = nil
        } else if !cvvOK {
            expected = .invalidCvv
            expiryMonth = nil
        } else {
            let month = (try? CardExpiry.parse(expiry).get())?.month
            expiryMonth = month
            expected = month.map { month -> Rejection.Code? in
                if (month.year, month.month) < (shopMonth.year, shopMonth.month) { return .cardExpired }
                return (month.year, month.month) > (shopMonth.year + 20, shopMonth.month) ? .invalidExpiry : nil
            } ?? .cardExpired
        }

        let result = CardValidation.validate(
            number: number, expiry: expiry, cvv: cvv, now: now, utcOffset: TimeSpan(milliseconds: offset))
        let shown = "validate(\(number.debugDescription), \(expiry.debugDescription), \(cvv.debugDescription)) at \(shopMonth)"
        trial.check(rejectionCode(result) == expected, "\(shown) is \(describe(result)), expected \(describe(expected))")
        if case .success(let summary) = result {
            let shownDigits = min(6, digits.count - 9)
            trial.check(summary.first6.count == shownDigits && digits.hasPrefix(summary.first6)
                            && digits.hasSuffix(summary.last4) && summary.last4.count == 4
                            && digits.count - summary.first6.count - 4 >= 5
                            && summary.expiry.month == expiryMonth && summary.brand.cvvLength == (isAmex ? 4 : 3)
                            && !summary.masked.contains(digits) && !summary.description.contains(digits),
                        "\(shown) summary \(summary.masked) (\(summary.brand)) is wrong or shows too much")
        }
    }

    private func checkArithmetic(_ random: inout SeededGenerator, _ trial: inout Trial) {
        let currency = random.currency()
        let a = random.signedMinorUnits(), b = random.signedMinorUnits()
        let left = Money(minorUnits: a, currency: currency)
        let right = Money(minorUnits: b, currency: random.oneIn(10) ? random.currency(otherThan: currency) : currency)
        for (name, result, exact) in [
            ("+", left.adding(right), Int128(a) + Int128(b)),
            ("-", left.subtracting(right), Int128(a) - Int128(b)),
        ] {
            let expected: Rejection.Code? =
                right.currency != currency ? .currencyMismatch
                : (exact > Int128(Int64.max) || exact < Int128(Int64.min) ? .amountTooLarge : nil)
            trial.check(rejectionCode(result) == expected, "\(a) \(name) \(b) is \(describe(result)), expected \(describe(expected))")
            if case .success(let sum) = result {
                trial.check(Int128(sum.minorUnits) == exact && sum.currency == currency, "\(a) \(name) \(b) = \(sum.minorUnits)")
            }
        }
        let parts = (0..<random.below(5)).map { _ in Money(minorUnits: random.signedMinorUnits(), currency: currency) }
        var running = Int128(0), overflowed = false
        for part in parts {
            running += Int128(part.minorUnits)
            if running > Int128(Int64.max) || running < Int128(Int64.min) { overflowed = true }
        }
        let sum = Money.sum(parts, currency: currency)
        trial.check(overflowed ? rejectionCode(sum) == .amountTooLarge : (try? sum.get())?.minorUnits == Int64(running),
                    "sum of \(parts.map(\.minorUnits)) is \(describe(sum)), exact \(running)")

        let instant = Instant(millisecondsSinceEpoch: random.signedMinorUnits())
        let span = TimeSpan(milliseconds: random.signedMinorUnits())
        let moved = instant.adding(span).millisecondsSinceEpoch
        trial.check(moved == Int64(clamping: Int128(instant.millisecondsSinceEpoch) + Int128(span.milliseconds)),
                    "\(instant) + \(span.milliseconds)ms = \(moved), not saturated")
    }
}
