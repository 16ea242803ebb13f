import TillScenario

/// Scenario files (`.till`) and the JSON their expectations are checked against. Input: the
/// file's text. It is parsed; a scenario that parses is run against a stand-in executor that
/// answers every command with the same JSON (exit 0 or 1 by the number of arguments), so the
/// expectations, captures and substitutions all run; the text is also read as one JSON value.
///
/// Properties: nothing traps; a parse error names a line inside the file; a report renders;
/// a card number written after `--card` never appears in the report (issue 10); JSON that
/// parses prints compact JSON that parses back to an equal value.
enum ScenarioFuzz {
    /// What the stand-in executor prints: one of each JSON kind, nested, an error included.
    private static let answer = """
        {"id": "ord_1", "status": "open", "balance_due": 5000, "total": 5e3, "big": 92233720368547758.07,
         "payments": [{"amount": 1000, "tender": "card", "card": {"first6": "424242", "last4": "4242"}}],
         "paid": true, "pending": null, "error": {"code": "invalid_amount", "message": "é\\u0007"}}
        """

    static func run(_ input: [UInt8]) async throws {
        var bytes = FuzzBytes(input)
        let text = bytes.restText()
        try checkJSON(text)

        // Lines as the parser counts them: "\r\n" and a lone "\r" end a line too.
        let lineCount = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.count
        let scenario: Scenario
        do {
            scenario = try Scenario.parse(text: text, file: "fuzz.till")
        } catch {
            try require((0...lineCount).contains(error.line), "parse error on line \(error.line) of \(lineCount)")
            _ = error.description
            return
        }
        let report = await ScenarioRunner.run(scenario) { arguments, _ in
            ScenarioCommandResult(exitCode: Int32(arguments.count % 2), stdout: answer)
        }
        let rendered = report.rendered
        for command in scenario.commands {
            for (index, word) in command.arguments.enumerated().dropLast() where word.description == "--card" {
                let card = command.arguments[index + 1]
                let digits = card.description.filter(\.isASCII).filter(\.isNumber)
                guard card.variables.isEmpty, digits.count >= 12 else { continue }
                try require(!rendered.contains(card.description), "the report shows the card number \(card.description)")
            }
        }
    }

    /// JSON text either fails to parse or round-trips through its compact form.
    private static func checkJSON(_ text: String) throws {
        guard let value = ScenarioJSON(parsing: text) else { return }
        let compact = value.description
        _ = value.pretty
        try require(ScenarioJSON(parsing: compact) == value, "JSON \(compact.prefix(80).debugDescription) does not read back")
    }
}
