import Testing
import TillCore
@testable import TillProcessor

/// The seeded capture failure: a hash of seed, key and earlier failed attempts under the key,
/// against a rate in parts per million. Same seed and history, same outcome, in any order.
@Suite struct RandomFailureTests {
    /// Authorizes 10.00 USD on an ordinary card under "auth-<key>" for each key.
    func authorizeOrdinary(_ goblinPay: GoblinPay, keys: [String]) async throws -> [String: String] {
        var references: [String: String] = [:]
        for key in keys {
            let outcome = await goblinPay.authorize(
                key: "auth-\(key)", card: Fixture.card(Fixture.ordinaryCard), amount: Fixture.usd(1000))
            references[key] = Fixture.reference(outcome)
        }
        return references
    }

    /// Captures 10.00 USD for each key, in the order given; true where the capture failed.
    func captureFailures(
        _ goblinPay: GoblinPay, keys: [String], references: [String: String]
    ) async throws -> [String: Bool] {
        var failures: [String: Bool] = [:]
        for key in keys {
            let outcome = await goblinPay.capture(
                key: "cap-\(key)", authorization: try #require(references[key]), amount: Fixture.usd(1000))
            switch outcome {
            case .approved: failures[key] = false
            case .failed: failures[key] = true
            default: Issue.record("unexpected \(outcome) for \(key)")
            }
        }
        return failures
    }

    @Test func sameSeedAndHistoryGiveTheSameOutcomesInAnyOrder() async throws {
        let configuration = GoblinPayConfiguration(seed: 42, captureFailureRate: try GoblinPayFailureRate.parse("0.5"))
        let keys = (0..<60).map { "order-\($0)" }
        let first = GoblinPay(configuration: configuration)
        let second = GoblinPay(configuration: configuration)
        let firstReferences = try await authorizeOrdinary(first, keys: keys)
        let secondReferences = try await authorizeOrdinary(second, keys: keys.reversed())
        #expect(firstReferences == secondReferences)
        let inOrder = try await captureFailures(first, keys: keys, references: firstReferences)
        let reversed = try await captureFailures(second, keys: keys.reversed(), references: secondReferences)
        #expect(inOrder == reversed)
        #expect(inOrder.values.contains(true) && inOrder.values.contains(false))
        for key in keys {
            #expect(inOrder[key] == configuration.captureFailureRate.fails(seed: 42, key: "cap-\(key)", attempt: 0))
        }

        let otherSeed = GoblinPay(
            configuration: GoblinPayConfiguration(seed: 43, captureFailureRate: configuration.captureFailureRate))
        let otherReferences = try await authorizeOrdinary(otherSeed, keys: keys)
        #expect(try await captureFailures(otherSeed, keys: keys, references: otherReferences) != inOrder)
    }

    @Test func aFailedCaptureRetriedUnderTheSameKeyRollsAgain() async throws {
        let configuration = GoblinPayConfiguration(seed: 9, captureFailureRate: try GoblinPayFailureRate.parse("0.5"))
        let rate = configuration.captureFailureRate
        // A key whose first attempt fails: the next attempts roll anew and one succeeds.
        let key = try #require((0..<100).map { "cap-\($0)" }.first { rate.fails(seed: 9, key: $0, attempt: 0) })
        let expectedFailures = try #require((0..<50).first { !rate.fails(seed: 9, key: key, attempt: $0) })
        #expect(expectedFailures >= 1)

        for kind in LedgerKind.allCases {
            try await withGoblinPay(kind, configuration: configuration) { (goblinPay) async throws in
                let reference = try #require(await Fixture.authorize(goblinPay, number: Fixture.ordinaryCard))
                var outcomes: [ProcessorOutcome] = []
                repeat {
                    outcomes.append(
                        await goblinPay.capture(key: key, authorization: reference, amount: Fixture.usd(1000)))
                } while outcomes.last != .approved(reference: reference) && outcomes.count < 50
                #expect(outcomes.count == expectedFailures + 1)
                #expect(try await goblinPay.ledger.failedAttempts(key: key) == expectedFailures)
                #expect(try await goblinPay.ledger.timesApplied(key: key) == 1)
                // Applied now: repeats replay, and never roll again.
                #expect(await goblinPay.capture(key: key, authorization: reference, amount: Fixture.usd(1000))
                    == .approved(reference: reference))
            }
        }
    }

    @Test(arguments: LedgerKind.allCases)
    func rateZeroNeverFailsAndRateOneAlwaysFails(kind: LedgerKind) async throws {
        let keys = (0..<100).map { "k\($0)" }
        let never = GoblinPayConfiguration(seed: 1, captureFailureRate: .never)
        let always = GoblinPayConfiguration(seed: 1, captureFailureRate: .always)
        try await withGoblinPay(kind, configuration: never) { (goblinPay) async throws in
            let references = try await authorizeOrdinary(goblinPay, keys: keys)
            #expect(try await captureFailures(goblinPay, keys: keys, references: references).values.allSatisfy { !$0 })
        }
        try await withGoblinPay(kind, configuration: always) { (goblinPay) async throws in
            let references = try await authorizeOrdinary(goblinPay, keys: keys)
            #expect(try await captureFailures(goblinPay, keys: keys, references: references).values.allSatisfy { $0 })
            // Retries under the same key keep failing, and nothing is ever captured.
            #expect(try await captureFailures(goblinPay, keys: keys, references: references).values.allSatisfy { $0 })
            #expect(try await goblinPay.ledger.entries().allSatisfy { $0.operation == .authorize })
        }
    }

    @Test func theDefaultRateFailsAboutAQuarterOfCaptures() async throws {
        let goblinPay = GoblinPay()
        #expect(goblinPay.configuration == GoblinPayConfiguration(seed: 0, captureFailureRate: .default))
        let keys = (0..<400).map { "order-\($0)" }
        let references = try await authorizeOrdinary(goblinPay, keys: keys)
        let failures = try await captureFailures(goblinPay, keys: keys, references: references).values.count { $0 }
        // 100 expected; the standard deviation is about 8.7.
        #expect((70...130).contains(failures), "\(failures) of 400 captures failed")
    }

    @Test func theRollIsAnIntegerComparisonAtTheEdges() {
        let onePerMillion = GoblinPayFailureRate(partsPerMillion: 1)
        let allButOne = GoblinPayFailureRate(partsPerMillion: 999_999)
        #expect(onePerMillion != nil && allButOne != nil)
        let keys = (0..<2_000).map { "key-\($0)" }
        #expect(keys.allSatisfy { !GoblinPayFailureRate.never.fails(seed: 5, key: $0, attempt: 0) })
        #expect(keys.allSatisfy { GoblinPayFailureRate.always.fails(seed: 5, key: $0, attempt: 3) })
        if let onePerMillion, let allButOne {
            #expect(keys.count { onePerMillion.fails(seed: 5, key: $0, attempt: 0) } <= 2)
            #expect(keys.count { allButOne.fails(seed: 5, key: $0, attempt: 0) } >= 1_998)
        }
    }

    @Test func theHashIsFixedAcrossBuildsAndPlatforms() {
        // Pinned values (computed independently from the documented FNV-1a + SplitMix64
        // recipe): a change here changes every recorded outcome and reference.
        var hash = SeededHash(seed: 0, purpose: "capture-failure")
        hash.mix("cap-1")
        hash.mix(0)
        #expect(hash.value == 0x4464_3077_3da2_c235)
        #expect(authorizationReference(seed: 0, key: "auth-1") == "gp_auth_af7d7fac0589f5981b1a9b57e42e9fa1")
        #expect(authorizationReference(seed: 0, key: "auth-1") != authorizationReference(seed: 1, key: "auth-1"))
        #expect(authorizationReference(seed: 0, key: "ab") != authorizationReference(seed: 0, key: "ba"))
    }
}
