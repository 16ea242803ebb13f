import Testing
import TillCore

// Wallets.
extension PropertyTests {
    @Test("wallet: random credits and debits never pass the overdraft limit")
    func walletOperations() {
        forEachSeed("wallet") { random, trial in
            for index in 0..<60 {
                trial.step += 1
                let currency = random.currency()
                let limitMinor = random.minorUnits()
                let openingMinor = random.minorUnits()
                let name = "Wallet \(index)"

                // Opening is refused for a bad name, another currency, a negative balance or limit.
                let badOpen = random.below(5)
                let badResult: Result<Wallet, Rejection>
                let badCode: Rejection.Code
                switch badOpen {
                case 0:
                    badResult = Wallet.open(name: random.element(of: ["", "  ", "\t", String(repeating: "n", count: 65), "a\u{7}b"]),
                                            currency: currency)
                    badCode = .invalidName
                case 1:
                    badResult = Wallet.open(name: name, currency: currency,
                                            overdraftLimit: Money(minorUnits: limitMinor, currency: random.currency(otherThan: currency)))
                    badCode = .currencyMismatch
                case 2:
                    badResult = Wallet.open(name: name, currency: currency,
                                            balance: Money(minorUnits: openingMinor, currency: random.currency(otherThan: currency)))
                    badCode = .currencyMismatch
                case 3:
                    badResult = Wallet.open(name: name, currency: currency,
                                            balance: Money(minorUnits: -random.positiveMinorUnits(), currency: currency))
                    badCode = .invalidAmount
                default:
                    badResult = Wallet.open(name: name, currency: currency,
                                            overdraftLimit: Money(minorUnits: -random.positiveMinorUnits(), currency: currency))
                    badCode = .invalidOverdraft
                }
                trial.check(rejectionCode(badResult) == badCode, "bad open #\(badOpen): \(describe(badResult)), expected \(badCode)")

                guard case .success(var wallet) = Wallet.open(
                    name: name, currency: currency, balance: Money(minorUnits: openingMinor, currency: currency),
                    overdraftLimit: Money(minorUnits: limitMinor, currency: currency))
                else {
                    trial.check(false, "opening with \(openingMinor) and limit \(limitMinor) failed")
                    return
                }
                var balance = Int128(openingMinor)
                let limit = Int128(limitMinor)

                for _ in 0..<20 {
                    trial.step += 1
                    let before = wallet
                    let isDebit = random.oneIn(2)
                    // Aim at the edges: exactly what is available, one more, what would overflow.
                    let available = Int64(clamping: balance + limit)
                    let headroom = Int64(clamping: Int128(Int64.max) - balance)
                    let amount = commandAmount(pivot: isDebit ? available : headroom, currency: currency, &random)
                    let expected: Expected<Int128>
                    if !amount.isPositive {
                        expected = .reject(.invalidAmount)
                    } else if amount.currency != currency {
                        expected = .reject(.currencyMismatch)
                    } else if isDebit {
                        expected = Int128(amount.minorUnits) > balance + limit
                            ? .reject(.insufficientFunds) : .accept(balance - Int128(amount.minorUnits))
                    } else {
                        let sum = balance + Int128(amount.minorUnits)
                        expected = sum > Int128(Int64.max) ? .reject(.amountTooLarge) : .accept(sum)
                    }
                    let result = isDebit ? wallet.debit(amount) : wallet.credit(amount)
                    let shown = "\(isDebit ? "debit" : "credit") \(amount.minorUnits) \(amount.currency) "
                        + "on balance \(balance) limit \(limit)"
                    let expectedCode = expected.code
                    trial.check(rejectionCode(result) == expectedCode, "\(shown): \(describe(result)), expected \(describe(expectedCode))")
                    if case .success(let next) = result {
                        if case .accept(let want) = expected {
                            trial.check(Int128(next.balance.minorUnits) == want, "\(shown) left \(next.balance.minorUnits), expected \(want)")
                        }
                        trial.check(next.name == before.name && next.currency == before.currency
                                        && next.overdraftLimit == before.overdraftLimit,
                                    "\(shown) changed more than the balance")
                        wallet = next
                        balance = Int128(next.balance.minorUnits)
                    } else {
                        trial.check(wallet == before, "a rejected \(shown) changed the wallet")
                    }
                    trial.check(Int128(wallet.balance.minorUnits) >= -limit && wallet.balance.currency == currency,
                                "balance \(wallet.balance.minorUnits) is below -\(limit)")

                    // Credit then debit (and debit then credit) of one amount is the identity when both succeed.
                    let roundTrip = Money(minorUnits: random.positiveMinorUnits(), currency: currency)
                    if case .success(let credited) = wallet.credit(roundTrip),
                       case .success(let restored) = credited.debit(roundTrip) {
                        trial.check(restored == wallet, "credit then debit \(roundTrip.minorUnits) did not restore the wallet")
                    }
                    if case .success(let debited) = wallet.debit(roundTrip),
                       case .success(let restored) = debited.credit(roundTrip) {
                        trial.check(restored == wallet, "debit then credit \(roundTrip.minorUnits) did not restore the wallet")
                    }
                    if trial.failed { return }
                }
            }
        }
    }
}
