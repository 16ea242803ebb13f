import Testing
import TillCore

// Idempotency fingerprints.
extension PropertyTests {
    @Test("fingerprint: independent of parameter order, different when anything changes")
    func fingerprints() {
        // Pairs that collide when the separators are not escaped.
        let collisions: [((String, String, [String: String]), (String, String, [String: String]))] = [
            (("pay", "o1", ["a": "1&b=2"]), ("pay", "o1", ["a": "1", "b": "2"])),
            (("pay", "o1", ["a=b": "c"]), ("pay", "o1", ["a": "b=c"])),
            (("pay", "o1", ["a": "&"]), ("pay", "o1", ["a": "%26"])),
            (("pay", "o1", ["a": "%26"]), ("pay", "o1", ["a": "%2526"])),
            (("pay|o1", "x", [:]), ("pay", "o1|x", [:])),
            (("pay", "o1|a=1", [:]), ("pay", "o1", ["a": "1"])),
            (("pay", "o1", ["a": "1|x"]), ("pay", "o1", ["a": "1%7Cx"])),
            (("pay", "o1", ["": ""]), ("pay", "o1", [:])),
            (("pay", "o1", ["a": ""]), ("pay", "o1", ["a=": ""])),
            (("pay", "o1", ["a": "1&b", "c": "2"]), ("pay", "o1", ["a": "1", "b&c": "2"])),
            (("pay", "o1", ["a": "1&b=2"]), ("pay", "o1", ["a": "1&b%3D2"])),
        ]
        for (one, two) in collisions {
            let first = RequestFingerprint(operation: one.0, target: one.1, parameters: one.2)
            let second = RequestFingerprint(operation: two.0, target: two.1, parameters: two.2)
            #expect(first != second, "\(one) and \(two) share the fingerprint \(first.canonical)")
        }

        forEachSeed("fingerprint") { random, trial in
            for _ in 0..<200 {
                trial.step += 1
                let operation = fingerprintText(&random), target = fingerprintText(&random)
                var parameters: [String: String] = [:]
                for _ in 0..<random.below(6) { parameters[fingerprintText(&random)] = fingerprintText(&random) }
                let fingerprint = RequestFingerprint(operation: operation, target: target, parameters: parameters)
                let shown = "(\(operation.debugDescription), \(target.debugDescription), \(parameters))"

                // The same parameters inserted in another order, into a differently sized dictionary.
                var reordered: [String: String] = [:]
                reordered.reserveCapacity(random.below(100))
                for (key, value) in parameters.shuffled(using: &random) { reordered[key] = value }
                let again = RequestFingerprint(operation: operation, target: target, parameters: reordered)
                trial.check(again == fingerprint && again.hashValue == fingerprint.hashValue,
                            "\(shown) fingerprints differently when reordered")

                // One value changed, often into what an unescaped separator would look like.
                if !parameters.isEmpty {
                    let key = random.element(of: parameters.keys.sorted())
                    let value = parameters[key] ?? ""
                    let changed = mutated(value, &random)
                    if changed != value {
                        var other = parameters
                        other[key] = changed
                        trial.check(RequestFingerprint(operation: operation, target: target, parameters: other) != fingerprint,
                                    "\(shown): changing \(key.debugDescription) to \(changed.debugDescription) kept the fingerprint")
                    }
                }
                let otherTarget = mutated(target, &random)
                if otherTarget != target {
                    trial.check(RequestFingerprint(operation: operation, target: otherTarget, parameters: parameters) != fingerprint,
                                "\(shown): target \(otherTarget.debugDescription) kept the fingerprint")
                }

                // Any two different requests differ (the small alphabet makes raw collisions likely).
                let otherOperation = random.oneIn(2) ? operation : fingerprintText(&random)
                var otherParameters = random.oneIn(2) ? parameters : [:]
                for _ in 0..<random.below(3) { otherParameters[fingerprintText(&random)] = fingerprintText(&random) }
                let otherRequest = RequestFingerprint(operation: otherOperation, target: target, parameters: otherParameters)
                let same = otherOperation == operation && otherParameters == parameters
                trial.check((otherRequest == fingerprint) == same,
                            "\(shown) vs (\(otherOperation.debugDescription), \(otherParameters)): equal fingerprints \(otherRequest == fingerprint)")

                // The same characters cut at other separators: what an unescaped encoding would confuse.
                if let (cutOperation, cutTarget, cutParameters) = recut(operation, target, parameters, &random),
                   cutOperation != operation || cutTarget != target || cutParameters != parameters {
                    trial.check(RequestFingerprint(operation: cutOperation, target: cutTarget, parameters: cutParameters) != fingerprint,
                                "\(shown) and (\(cutOperation.debugDescription), \(cutTarget.debugDescription), \(cutParameters)) "
                                    + "share the fingerprint \(fingerprint.canonical.debugDescription)")
                }

                // Amounts fingerprint by value and currency: equal exactly when the money is equal.
                let amountCurrency = random.currency()
                let amount = random.money(amountCurrency)
                let otherAmount = random.oneIn(3) ? amount
                    : Money(minorUnits: random.oneIn(2) ? amount.minorUnits : random.minorUnits(),
                            currency: random.oneIn(2) ? amount.currency : random.currency())
                let withAmount = RequestFingerprint(operation: operation, target: target, parameters: ["amount": amount])
                let withOther = RequestFingerprint(operation: operation, target: target, parameters: ["amount": otherAmount])
                trial.check((withAmount == withOther) == (amount == otherAmount),
                            "amounts \(amount.minorUnits) \(amount.currency) and \(otherAmount.minorUnits) \(otherAmount.currency): "
                                + "equal fingerprints \(withAmount == withOther)")
                if trial.failed { return }
            }
        }
    }
}
