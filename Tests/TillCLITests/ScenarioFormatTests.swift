import Foundation
import Synchronization
import Testing
// @testable: the expected failures are made here, which only the runner does otherwise.
@testable import TillScenario

/// The scenario format, its parser and runner, against scripted executors (no Till needed),
/// and a check that every file in Tests/Scenarios reads.
@Suite("Scenario format")
struct ScenarioFormatTests {
    // MARK: - Helpers

    /// Records every call and answers from a script keyed by the command's first words.
    actor Recorder {
        private(set) var calls: [(arguments: [String], environment: [String: String])] = []
        private let answer: @Sendable ([String]) -> ScenarioCommandResult

        init(answer: @escaping @Sendable ([String]) -> ScenarioCommandResult) {
            self.answer = answer
        }

        func call(_ arguments: [String], _ environment: [String: String]) -> ScenarioCommandResult {
            calls.append((arguments, environment))
            return answer(arguments)
        }

        var argumentLists: [[String]] { calls.map(\.arguments) }
    }

    static func ok(_ json: String) -> ScenarioCommandResult { ScenarioCommandResult(exitCode: 0, stdout: json + "\n", stderr: "") }

    static func rejected(_ code: String, exit: Int32 = 1, onStderr: Bool = false) -> ScenarioCommandResult {
        let json = #"{"error":{"code":"\#(code)","message":"Refused: \#(code)."}}"#
        return onStderr
            ? ScenarioCommandResult(exitCode: exit, stdout: "", stderr: json)
            : ScenarioCommandResult(exitCode: exit, stdout: json, stderr: "")
    }

    /// A path as the parser reads it.
    func path(_ text: String) throws -> ScenarioPath {
        try #require(ScenarioPath(text), "not a path: \(text)")
    }

    static func parse(_ text: String, file: String = "test.till") throws -> Scenario {
        try Scenario.parse(text: text, file: file)
    }

    /// Runs `text` against `answer`, returning the report and the calls made.
    static func run(
        _ text: String, answer: @escaping @Sendable ([String]) -> ScenarioCommandResult
    ) async throws -> (ScenarioReport, [[String]], [[String: String]]) {
        let scenario = try parse(text)
        let recorder = Recorder(answer: answer)
        let report = await ScenarioRunner.run(scenario, rules: anything(in: scenario), executor: { arguments, environment in
            await recorder.call(arguments, environment)
        })
        let calls = await recorder.calls
        return (report, calls.map(\.arguments), calls.map(\.environment))
    }

    /// Rules that let `scenario`'s made-up commands (`till a`, `till x`) and variables run:
    /// these tests are about the format, not Till's sandbox (ScenarioSandboxTests).
    static func anything(in scenario: Scenario) -> ScenarioRules {
        var commands: Set<String> = [], environment: Set<String> = []
        for step in scenario.steps {
            switch step {
            case .command(let command): commands.insert(command.arguments.first?.description ?? "")
            case .environment(let line): environment.formUnion(line.assignments.map(\.name))
            }
        }
        return ScenarioRules(commands: commands, environment: environment)
    }

    static func parseError(_ text: String) -> ScenarioParseError? {
        do {
            _ = try Scenario.parse(text: text, file: "bad.till")
            return nil
        } catch {
            return error
        }
    }

    static let example = """
        # Title: the $50 order paid $10 + $10 + $30
        # Installments must add up to the total exactly.
        env TILL_NOW=2026-11-22T10:00:00Z
        till order create --email a@example.com --amount 50.00
          id -> ORDER
          status = open
          balance_due = 5000
          payments.# = 0
        till order pay $ORDER --amount 10.00 --cash 10.00 --key k1
          payments.0.amount = 1000
          payment.change = 0
        till order pay $ORDER --amount 60.00 --cash 60.00 --key k2
          error = exceeds_balance_due
        """

    // MARK: - Parsing

    @Test func parsesTheExampleFromTheDesign() throws {
        let scenario = try Self.parse(Self.example, file: "order_paid_in_three.till")
        #expect(scenario.title == "the $50 order paid $10 + $10 + $30")
        #expect(scenario.summary == "Installments must add up to the total exactly.")
        #expect(scenario.steps.count == 4)
        #expect(scenario.commands.count == 3)
        let create = try #require(scenario.commands.first)
        #expect(create.line == 4)
        #expect(create.arguments.map(\.description) == ["order", "create", "--email", "a@example.com", "--amount", "50.00"])
        #expect(create.expectations.map(\.line) == [5, 6, 7, 8])
        let expectedKinds: [ScenarioExpectation.Kind] = try [
            .capture(path("id"), "ORDER"),
            .equals(path("status"), .json(.string("open"))),
            .equals(path("balance_due"), .json(.number("5000"))),
            .equals(path("payments.#"), .json(.number("0"))),
        ]
        #expect(create.expectations.map(\.kind) == expectedKinds)
        let pay = scenario.commands[1]
        #expect(pay.arguments[2].pieces == [.variable("ORDER")])
        #expect(scenario.commands[2].expectations.map(\.kind) == [.error("exceeds_balance_due")])
        guard case .environment(let environment) = scenario.steps[0] else {
            Issue.record("the first step should be the env line")
            return
        }
        #expect(environment.line == 3)
        #expect(environment.assignments.map(\.name) == ["TILL_NOW"])
        #expect(environment.assignments.map(\.value.description) == ["2026-11-22T10:00:00Z"])
    }

    @Test func splitsArgumentsLikeAShell() throws {
        let scenario = try Self.parse(#"""
            till wallet open "Ann Smith" --note 'it''s $HOME' --tag a\ b --price $50.00 --empty "" --esc "q\"\$x\n"
            """#)
        let words = try #require(scenario.commands.first).arguments
        #expect(words.map(\.description) == [
            "wallet", "open", "Ann Smith", "--note", "its $HOME", "--tag", "a b", "--price", "$50.00", "--empty", "", "--esc", #"q"$x\n"#,
        ])
        #expect(words.allSatisfy { $0.variables.isEmpty })
    }

    @Test func substitutesVariablesInBothSpellingsAndInsideDoubleQuotes() throws {
        let scenario = try Self.parse("""
            till order create --email a@example.com --amount 1.00
              id -> ID
              email -> E_1
            till order get $ID "x${ID}y" 'no$ID' pre$E_1.post
            """)
        let words = scenario.commands[1].arguments
        #expect(words[2].pieces == [.variable("ID")])
        #expect(words[3].pieces == [.literal("x"), .variable("ID"), .literal("y")])
        #expect(words[4].pieces == [.literal("no$ID")])
        #expect(words[5].pieces == [.literal("pre"), .variable("E_1"), .literal(".post")])
    }

    @Test func readsEveryExpectationForm() throws {
        let scenario = try Self.parse("""
            till x
              a = 1
              b != "two"
              c -> C
              d exists
              e.f absent
              error = not_found
              exit = 2
              exit != 0
              i = true
              j = null
              k = some words here
              l = 0119
              m.-1.n = -50.5e2
              n = []
            till y
              g = $C
              h = ${C}
            """)
        let kinds = try #require(scenario.commands.first).expectations.map(\.kind)
            + scenario.commands[1].expectations.map(\.kind)
        let expected: [ScenarioExpectation.Kind] = try [
            .equals(path("a"), .json(.number("1"))),
            .notEquals(path("b"), .json(.string("two"))),
            .capture(path("c"), "C"),
            .exists(path("d")),
            .absent(path("e.f")),
            .error("not_found"),
            .exitCode(2),
            .exitCodeNot(0),
            .equals(path("i"), .json(.bool(true))),
            .equals(path("j"), .json(.null)),
            .equals(path("k"), .json(.string("some words here"))),
            .equals(path("l"), .json(.string("0119"))),
            .equals(path("m.-1.n"), .json(.number("-50.5e2"))),
            .equals(path("n"), .json(.array([]))),
            .equals(path("g"), .variable("C")),
            .equals(path("h"), .variable("C")),
        ]
        #expect(kinds == expected)
    }

    @Test func titleFallsBackToTheFileNameAndSkipsAShebang() throws {
        let untitled = try Self.parse("till order get x\n", file: "Tests/Scenarios/plain.till")
        #expect(untitled.title == "plain.till")
        let shebang = try Self.parse("#!/usr/bin/env till run\n# A title without a label\n\ntill order get x\n")
        #expect(shebang.title == "A title without a label")
        #expect(shebang.summary.isEmpty)
        let crlf = try Self.parse("\u{FEFF}# T\r\ntill order get x\r\n  id = x\r\n")
        #expect(crlf.title == "T")
        let idIsX = ScenarioExpectation.Kind.equals(try path("id"), .json(.string("x")))
        #expect(crlf.commands.first?.expectations.first?.kind == idIsX)
    }

    /// Blanks around a line and a value are TillCore's (`trimmingBlanks`: any white space, a
    /// no-break space pasted from a web page included), not only spaces and tabs.
    @Test func blanksAreTheCoresWhiteSpace() throws {
        let scenario = try Self.parse("till order get x\u{00A0}\n\u{000B}\n  status = paid\u{00A0}\n")
        #expect(scenario.commands.count == 1)
        let paid = ScenarioExpectation.Kind.equals(try path("status"), .json(.string("paid")))
        #expect(scenario.commands.first?.expectations.map(\.kind) == [paid])
    }

    @Test(arguments: [
        ("  status = open\n", 1, "no `till` command comes before it"),
        ("till order get x\n  status open\n", 2, "cannot read `status open`"),
        ("# t\ntill order get $ORDER\n", 2, "unknown variable $ORDER"),
        ("till a\n  x -> X\ntill b\n  y = $Y\n", 4, "unknown variable $Y"),
        ("till a\n  x -> X\n  y = $X\n", 3, "unknown variable $X"),
        ("env A=$NOPE\n", 1, "unknown variable $NOPE"),
        ("till order get \"x\n", 1, "double quote"),
        ("till order get 'x\n", 1, "single quote"),
        ("till order get x\\\n", 1, "backslash"),
        ("till order get ${1x}\n", 1, "not a variable name"),
        ("till order get ${X\n", 1, "not closed"),
        ("order get x\n", 1, "expected a command"),
        ("till\n", 1, "needs a command"),
        ("env\n", 1, "at least one NAME=VALUE"),
        ("env 1A=b\n", 1, "NAME=VALUE pairs"),
        ("till a\n  exit = zero\n", 2, "whole number"),
        ("till a\n  error != x\n", 2, "`error` takes `=` only"),
        ("till a\n  error = 5\n", 2, "not a number"),
        ("till a\n  error = two words\n", 2, "one word"),
        ("till a\n  payments.#.amount = 1\n", 2, "can only be the last part"),
        ("till a\n  payments..amount = 1\n", 2, "empty part"),
        ("till a\n  id -> 9lives\n", 2, "not a variable name"),
        ("till a\n  id =\n", 2, "needs a value"),
        ("till a\n  = 3\n", 2, "has no path"),
        ("till a\n  a b = 3\n", 2, "no blanks"),
        ("till a\n  name = \"unclosed\n", 2, "quoted string"),
    ])
    func parseErrorsNameTheFileAndLine(text: String, line: Int, fragment: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(error.file == "bad.till")
        #expect(error.line == line)
        #expect(error.message.contains(fragment), "message was: \(error.message)")
        #expect(error.description.hasPrefix("bad.till:\(line): "))
    }

    // MARK: - Running

    @Test func runsCommandsInOrderWithCapturesEnvironmentAndJSONFlag() async throws {
        let (report, calls, environments) = try await Self.run(Self.example) { arguments in
            switch Array(arguments.prefix(2)) {
            case ["order", "create"]:
                return Self.ok(#"{"id":"ord_1","status":"open","balance_due":5000,"payments":[]}"#)
            case ["order", "pay"] where arguments.contains("k1"):
                return Self.ok(#"{"id":"ord_1","payments":[{"amount":1000}],"payment":{"change":0}}"#)
            default:
                return Self.rejected("exceeds_balance_due")
            }
        }
        #expect(report.passed, "\(report.rendered)")
        #expect(report.commandsRun == 3)
        #expect(report.commandCount == 3)
        #expect(calls == [
            ["order", "create", "--email", "a@example.com", "--amount", "50.00", "--json"],
            ["order", "pay", "ord_1", "--amount", "10.00", "--cash", "10.00", "--key", "k1", "--json"],
            ["order", "pay", "ord_1", "--amount", "60.00", "--cash", "60.00", "--key", "k2", "--json"],
        ])
        #expect(environments.allSatisfy { $0 == ["TILL_NOW": "2026-11-22T10:00:00Z"] })
        #expect(report.rendered == "PASS  test.till  (3 commands)")
    }

    @Test func laterEnvLinesReplaceValuesForLaterCommandsOnly() async throws {
        let (report, _, environments) = try await Self.run("""
            env TILL_NOW=day0 A=1
            till a
            env TILL_NOW="day 8"
            till b
            """) { _ in Self.ok("{}") }
        #expect(report.passed)
        #expect(environments == [["TILL_NOW": "day0", "A": "1"], ["TILL_NOW": "day 8", "A": "1"]])
    }

    @Test func doesNotAddASecondJSONFlagAndSubstitutesNonStrings() async throws {
        let (report, calls, _) = try await Self.run("""
            till wallet get w --json
              balance -> BALANCE
              flag -> FLAG
              nothing -> NOTHING
            till echo $BALANCE $FLAG $NOTHING
            """) { _ in Self.ok(#"{"balance":-5000,"flag":true,"nothing":null}"#) }
        #expect(report.passed, "\(report.rendered)")
        #expect(calls == [["wallet", "get", "w", "--json"], ["echo", "-5000", "true", "null", "--json"]])
    }

    @Test func stopsAtTheFirstFailingCommandAndShowsTheDiff() async throws {
        let text = """
            # Title: overpayment
            till order create --email a@example.com --amount 50.00
              id -> ORDER
            till order pay $ORDER --amount 60.00 --cash "60.00" --key 'k 2'
              error = exceeds_balance_due
              status = paid
              payments.# = 2
            till order get $ORDER
            """
        let (report, calls, _) = try await Self.run(text) { arguments in
            arguments[1] == "create"
                ? Self.ok(#"{"id":"ord_1"}"#)
                : Self.ok(#"{"id":"ord_1","status":"partially_paid","payments":[{"amount":4000}]}"#)
        }
        #expect(!report.passed)
        #expect(calls.count == 2)
        #expect(report.commandsRun == 2)
        let failure = try #require(report.failure)
        #expect(failure.line == 4)
        #expect(failure.command == "till order pay ord_1 --amount 60.00 --cash 60.00 --key 'k 2' --json")
        #expect(failure.failedExpectations == [
            ScenarioExpectationFailure(
                line: 5, source: "error = exceeds_balance_due",
                expected: #"a non-zero exit with error.code "exceeds_balance_due""#, actual: "exit 0"),
            ScenarioExpectationFailure(line: 6, source: "status = paid", expected: #""paid""#, actual: #""partially_paid""#),
            ScenarioExpectationFailure(line: 7, source: "payments.# = 2", expected: "2", actual: "1"),
        ])
        let text2 = try #require(report.failureText)
        #expect(text2.hasPrefix("test.till:4: till order pay ord_1"))
        #expect(text2.contains("    expected: \"paid\"\n    actual:   \"partially_paid\""))
        #expect(text2.contains("  exit 0; output:\n    {\n      \"id\": \"ord_1\",\n      \"status\": \"partially_paid\","))
        #expect(report.rendered.hasPrefix("FAIL  test.till  (2 of 3 commands run)\n      overpayment\n      test.till:4:"))
    }

    @Test func aCommandWithoutErrorOrExitMustSucceed() async throws {
        let (report, _, _) = try await Self.run("""
            till wallet debit w --amount 1.00 --key k
              balance = 100
            """) { _ in Self.rejected("insufficient_funds") }
        let failure = try #require(report.failure)
        #expect(failure.failedExpectations.first?.expected == "exit 0")
        #expect(failure.failedExpectations.first?.actual == #"exit 1, error.code "insufficient_funds" (Refused: insufficient_funds.)"#)
        #expect(failure.failedExpectations.last?.actual == "missing: the output has no `balance` (it has: error)")
    }

    @Test func errorShorthandNeedsANonZeroExitAndTheCode() async throws {
        let scenario = "till wallet get nobody\n  error = not_found\n"
        let (passed, _, _) = try await Self.run(scenario) { _ in Self.rejected("not_found", exit: 3) }
        #expect(passed.passed)
        let (fromStderr, _, _) = try await Self.run(scenario) { _ in Self.rejected("not_found", onStderr: true) }
        #expect(fromStderr.passed)
        let (otherCode, _, _) = try await Self.run(scenario) { _ in Self.rejected("invalid_name") }
        #expect(otherCode.failure?.failedExpectations.first?.actual == #"exit 1, error.code "invalid_name" (Refused: invalid_name.)"#)
        let (zeroExit, _, _) = try await Self.run(scenario) {
            _ in ScenarioCommandResult(exitCode: 0, stdout: #"{"error":{"code":"not_found"}}"#)
        }
        #expect(!zeroExit.passed)
        let (notJSON, _, _) = try await Self.run(scenario) { _ in ScenarioCommandResult(exitCode: 1, stdout: "", stderr: "boom") }
        #expect(notJSON.failure?.failedExpectations.first?.actual == "exit 1, output is not JSON")
        #expect(notJSON.failureText?.contains("  exit 1; no output\n  stderr:\n    boom") == true)
    }

    @Test func exitExpectationsReplaceTheImplicitSuccessCheck() async throws {
        let (two, _, _) = try await Self.run("till a\n  exit = 2\n") { _ in ScenarioCommandResult(exitCode: 2, stdout: "") }
        #expect(two.passed)
        let (notZero, _, _) = try await Self.run("till a\n  exit != 0\n") { _ in ScenarioCommandResult(exitCode: 0, stdout: "") }
        #expect(notZero.failure?.failedExpectations.first?.expected == "any exit but 0")
    }

    @Test func pathsIndexArraysCountAndNameWhatIsMissing() async throws {
        let output = #"{"payments":[{"amount":1000,"card":{"last4":"4242"}},{"amount":3000}],"wallet":null,"name":"Ann"}"#
        let (report, _, _) = try await Self.run("""
            till order get x
              payments.# = 2
              payments.0.amount = 1000
              payments.-1.amount = 3000
              payments.-2.card.last4 = "4242"
              payments.0.card.# = 1
              name.# = 3
              wallet exists
              wallet = null
              refund absent
              payments.0.card.first6 absent
            """) { _ in Self.ok(output) }
        #expect(report.passed, "\(report.rendered)")

        let (missing, _, _) = try await Self.run("""
            till order get x
              payments.2.amount = 1
              payments.first.amount = 1
              payments.0.amount.value = 1
              payments.1.card -> CARD
              wallet.# = 0
              name absent
              missing exists
            """) { _ in Self.ok(output) }
        #expect(missing.failure?.failedExpectations.map(\.actual) == [
            "missing: payments has 2 elements, no index 2",
            "missing: payments is an array; `first` is not an index (0, 1, ... or -1 for the last)",
            "missing: payments.0.amount is a number (1000), it has no `value`",
            "missing: payments.1 has no `card` (it has: amount)",
            "missing: wallet is null, which has no length (#)",
            #""Ann""#,
            "missing: the output has no `missing` (it has: payments, wallet, name)",
        ])
    }

    @Test func valuesCompareByJSONTypeAndExactNumber() async throws {
        let output = #"{"last4":"4242","amount":5000,"big":92233720368547758.07,"zero":0,"flag":false,"text":"true"}"#
        let (report, _, _) = try await Self.run("""
            till x
              amount = 5000.0
              amount = 5e3
              big = 92233720368547758.07
              big != 92233720368547758.06
              zero = -0
              flag = false
              text = "true"
              last4 != 4242
            """) { _ in Self.ok(output) }
        #expect(report.passed, "\(report.rendered)")

        let (mismatch, _, _) = try await Self.run("""
            till x
              last4 = 4242
              amount = "5000"
              text = true
            """) { _ in Self.ok(output) }
        let failures = try #require(mismatch.failure?.failedExpectations)
        #expect(failures.map(\.expected) == [
            #"4242 (a number; the output has a string: quote the value, e.g. "4242")"#,
            #""5000" (a string; the output has a number: write it without quotes)"#,
            #"true (a boolean; the output has a string: quote the value, e.g. "true")"#,
        ])
        #expect(failures.map(\.actual) == [#""4242""#, "5000", #""true""#])
    }

    @Test func capturedValuesCompareAsJSON() async throws {
        let (report, calls, _) = try await Self.run("""
            till order pay o --key k
              payment.id -> PAYMENT
              payment.amount -> AMOUNT
            till order refund o --payment $PAYMENT
              refund.payment_id = $PAYMENT
              refund.amount = $AMOUNT
              refund.id != $PAYMENT
            """) { arguments in
            arguments[1] == "pay"
                ? Self.ok(#"{"payment":{"id":"pay 1","amount":1000}}"#)
                : Self.ok(#"{"refund":{"id":"ref_1","payment_id":"pay 1","amount":1000}}"#)
        }
        #expect(report.passed, "\(report.rendered)")
        #expect(calls.last == ["order", "refund", "o", "--payment", "pay 1", "--json"])
    }

    @Test func capturesOfAFailedCommandAreNotKept() async throws {
        let (report, calls, _) = try await Self.run("""
            till a
              id -> ID
              status = open
            till b $ID
            """) { _ in Self.ok(#"{"id":"x","status":"paid"}"#) }
        #expect(!report.passed)
        #expect(calls.count == 1)
    }

    @Test func outputThatIsNotJSONIsShownAsIs() async throws {
        let (report, _, _) = try await Self.run("till a\n  id exists\n") { _ in
            ScenarioCommandResult(exitCode: 0, stdout: "Order ord_1 created\n", stderr: "warning: slow disk\n")
        }
        #expect(report.failure?.failedExpectations.first?.actual == "missing: the output is not JSON")
        #expect(report.failureText?.hasSuffix("  exit 0; output:\n    Order ord_1 created\n  stderr:\n    warning: slow disk") == true)
        let (silent, _, _) = try await Self.run("till a\n  id exists\n") { _ in ScenarioCommandResult(exitCode: 0, stdout: "") }
        #expect(silent.failure?.failedExpectations.first?.actual == "missing: the command printed nothing")
    }

    @Test func anEmptyScenarioPasses() async throws {
        let (report, calls, _) = try await Self.run("# nothing yet\n") { _ in Self.ok("{}") }
        #expect(report.passed)
        #expect(calls.isEmpty)
        #expect(report.rendered == "PASS  test.till  (0 commands)")
    }

    // MARK: - JSON

    @Test func readsStrictJSON() throws {
        let value = try #require(ScenarioJSON(parsing: #" {"a": [1, -2.5e3, true, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}} "#))
        #expect(value["a"] == .array([.number("1"), .number("-2500"), .bool(true), .null]))
        #expect(value["s"] == .string("q\"\\/\né😀"))
        #expect(value["o"] == .object([]))
        #expect(value.description == #"{"a":[1,-2.5e3,true,null],"s":"q\"\\/\né😀","o":{}}"#)
        #expect(value["missing"] == nil)
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "tru", "\"\\x\"", "\"\u{01}\"",
                    "\"\\ud83d\"", "[1] [2]", "{'a':1}", "NaN", String(repeating: "[", count: 300) + String(repeating: "]", count: 300)] {
            #expect(ScenarioJSON(parsing: bad) == nil, "\(bad.prefix(20)) should not parse")
        }
    }

    @Test func comparesNumbersByExactValueAndObjectsWithoutOrder() throws {
        let equal: [(String, String)] = [
            ("5000", "5000.0"), ("5000", "5e3"), ("0", "-0.0"), ("0.1", "1e-1"), ("-12.50", "-1.25E1"),
            ("92233720368547758.07", "9223372036854775807e-2"), (#"{"a":1,"b":2}"#, #"{"b":2.0,"a":1}"#),
        ]
        for (left, right) in equal {
            #expect(ScenarioJSON(parsing: left) == ScenarioJSON(parsing: right), "\(left) == \(right)")
        }
        let different: [(String, String)] = [
            ("5000", "5001"), ("1", "-1"), ("9223372036854775807", "9223372036854775808"), ("1e400", "1e401"),
            ("1", "\"1\""), ("[1,2]", "[2,1]"), (#"{"a":1}"#, #"{"a":1,"b":1}"#), ("null", "false"),
        ]
        for (left, right) in different {
            #expect(ScenarioJSON(parsing: left) != ScenarioJSON(parsing: right), "\(left) != \(right)")
        }
        #expect(ScenarioJSON.number("not a number") != .number("0"))
    }

    @Test func printsIndentedJSON() throws {
        let value = try #require(ScenarioJSON(parsing: #"{"id":"o","payments":[{"amount":1}],"empty":[]}"#))
        #expect(value.pretty == """
            {
              "id": "o",
              "payments": [
                {
                  "amount": 1
                }
              ],
              "empty": []
            }
            """)
    }

    // MARK: - Suites of files

    @Test func suiteRunsEachFileWithAFreshExecutorAndSumsUp() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-suite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files: [(String, String)] = [
            ("a_passes.till", "# A passes\ntill wallet open w --balance 1.00\n  balance = 100\n"),
            ("b_fails.till", "# B fails\ntill wallet open w --balance 1.00\n  balance = 200\n"),
            ("c_bad.till", "# C does not parse\ntill order get $NOPE\n"),
            ("notes.txt", "not a scenario"),
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        let urls = try ScenarioSuite.files(at: [directory.path])
        #expect(urls.map(\.lastPathComponent) == ["a_passes.till", "b_fails.till", "c_bad.till"])

        actor Counter {
            var made = 0
            var calls: [Int] = []
            func make() -> Int { made += 1; return made }
            func record(_ database: Int) { calls.append(database) }
        }
        final class Closed: Sendable {
            let databases = Mutex<[Int]>([])
        }
        let counter = Counter(), closed = Closed()
        let heard = Recorder { _ in Self.ok("{}") }
        let suite = await ScenarioSuite.run(
            files: urls,
            makeWorkspace: {
                let database = await counter.make()
                return ScenarioWorkspace(
                    executor: { _, _ in
                        await counter.record(database)
                        return Self.ok(#"{"balance":100}"#)
                    },
                    close: { closed.databases.withLock { $0.append(database) } })
            },
            progress: { report in _ = await heard.call([report.fileName], [:]) })

        #expect(await counter.calls == [1, 2])
        // Each workspace is closed once its scenario ends, passed or failed.
        #expect(closed.databases.withLock { $0 } == [1, 2])
        #expect(await heard.argumentLists == [["a_passes.till"], ["b_fails.till"], ["c_bad.till"]])
        #expect(suite.passedCount == 1)
        #expect(suite.failedCount == 2)
        #expect(!suite.allPassed)
        let lines = suite.rendered.split(separator: "\n").map(String.init)
        #expect(lines.first == "PASS  a_passes.till  (1 command)")
        #expect(lines.contains("FAIL  b_fails.till  (1 of 1 command run)"))
        #expect(lines.contains("      B fails"))
        #expect(lines.contains { $0.hasPrefix("      \(directory.path)/c_bad.till:2: unknown variable $NOPE") })
        #expect(lines.last == "3 scenarios: 1 passed, 2 failed")

        let broken = await ScenarioSuite.run(files: [urls[0]], makeWorkspace: { throw CocoaError(.fileNoSuchFile) })
        #expect(broken.reports.first?.failure?.message?.hasPrefix("could not prepare a fresh till") == true)

        #expect(throws: ScenarioParseError.self) { try ScenarioSuite.files(at: [directory.appendingPathComponent("nope").path]) }
        let missing = await ScenarioSuite.run(
            files: [directory.appendingPathComponent("gone.till")], makeWorkspace: { ScenarioWorkspace(executor: { _, _ in Self.ok("{}") }, close: {}) })
        #expect(missing.reports.first?.failure?.message?.hasPrefix("cannot read the file") == true)
    }

    // MARK: - The scenario files of this repository

    static let scenarioDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    @Test func everyScenarioFileParsesAndSaysWhatAndWhy() throws {
        let urls = try ScenarioSuite.files(at: [Self.scenarioDirectory.path])
        #expect(urls.count >= 40, "only \(urls.count) scenario files in \(Self.scenarioDirectory.path)")
        var titles: Set<String> = []
        for url in urls {
            let scenario: Scenario
            do {
                scenario = try Scenario.load(contentsOf: url)
            } catch {
                Issue.record("\(error)")
                continue
            }
            let name = url.lastPathComponent
            #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "." }, "\(name): use snake_case")
            #expect(scenario.title != name, "\(name): the first line should be a `# Title: ...` comment")
            #expect(!scenario.summary.isEmpty, "\(name): say why it matters in a comment under the title")
            #expect(!scenario.commands.isEmpty, "\(name): no commands")
            #expect(titles.insert(scenario.title).inserted, "\(name): the title \"\(scenario.title)\" is used twice")
            for command in scenario.commands {
                let words = command.arguments.map(\.description)
                #expect(!words.contains("--json"), "\(name):\(command.line): the runner adds --json")
            }
        }
    }
}

