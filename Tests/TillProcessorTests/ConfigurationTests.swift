import Testing
@testable import TillProcessor

/// Reading the seed and the failure rate from options and the environment, exactly.
@Suite struct ConfigurationTests {
    @Test(arguments: [
        ("0.25", 250_000), ("0", 0), ("1", 1_000_000), ("1.0", 1_000_000), ("1.000000000", 1_000_000),
        ("0.000001", 1), ("0.2500000", 250_000), (" 0.5\n", 500_000), ("00.75", 750_000), ("0.999999", 999_999),
    ])
    func validRatesParseExactly(text: String, partsPerMillion: Int) throws {
        #expect(try GoblinPayFailureRate.parse(text).partsPerMillion == partsPerMillion)
    }

    @Test(arguments: [
        "", " ", "abc", "-0.1", "+0.5", "1.5", "2", "10", "1.000001", "0.0000001", ".5", "1.", "1e-1",
        "nan", "NaN", "inf", "0,25", "25%", "0.25.1", "0. 5", "\u{0661}", "0x1",
    ])
    func invalidRatesAreErrors(text: String) {
        #expect(throws: GoblinPayConfigurationError.self) { try GoblinPayFailureRate.parse(text) }
    }

    @Test func rateDescriptionsAreExactDecimals() throws {
        for text in ["0.25", "0", "1", "0.000001", "0.5", "0.123456"] {
            #expect(try GoblinPayFailureRate.parse(text).description == text)
        }
        #expect(GoblinPayFailureRate.default.description == "0.25")
        #expect(GoblinPayFailureRate(partsPerMillion: 1_000_001) == nil)
        #expect(GoblinPayFailureRate(partsPerMillion: -1) == nil)
    }

    @Test func seedsAreWholeNumbers() throws {
        #expect(try GoblinPayConfiguration.parseSeed("42") == 42)
        #expect(try GoblinPayConfiguration.parseSeed(" 7 ") == 7)
        #expect(try GoblinPayConfiguration.parseSeed("18446744073709551615") == .max)
        for text in ["", "-1", "18446744073709551616", "0x10", "1.0", "+3", "seven"] {
            #expect(throws: GoblinPayConfigurationError.self) { try GoblinPayConfiguration.parseSeed(text) }
        }
    }

    @Test func environmentDefaultsAndOverrides() throws {
        #expect(try GoblinPayConfiguration.fromEnvironment([:]) == GoblinPayConfiguration())
        #expect(try GoblinPayConfiguration.fromEnvironment(["TILL_GOBLINPAY_SEED": ""]) == GoblinPayConfiguration())
        let configuration = try GoblinPayConfiguration.fromEnvironment([
            "TILL_GOBLINPAY_SEED": "123", "TILL_GOBLINPAY_FAILURE_RATE": "0.1", "PATH": "/bin",
        ])
        #expect(configuration.seed == 123)
        #expect(configuration.captureFailureRate.partsPerMillion == 100_000)
    }

    @Test func invalidEnvironmentTextNamesTheVariable() {
        do {
            _ = try GoblinPayConfiguration.fromEnvironment(["TILL_GOBLINPAY_FAILURE_RATE": "lots"])
            Issue.record("expected an error")
        } catch {
            #expect(error.source == "TILL_GOBLINPAY_FAILURE_RATE")
            #expect(error.description == "TILL_GOBLINPAY_FAILURE_RATE must be a decimal from 0 to 1 "
                + "with at most 6 decimal places, like 0.25, not \"lots\".")
        }
        do {
            _ = try GoblinPayConfiguration.fromEnvironment(["TILL_GOBLINPAY_SEED": "-4"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("TILL_GOBLINPAY_SEED must be a whole number"))
        }
        do {
            _ = try GoblinPayFailureRate.parse("3")
            Issue.record("expected an error")
        } catch {
            #expect(error.source == "--goblinpay-failure-rate")
        }
    }
}
