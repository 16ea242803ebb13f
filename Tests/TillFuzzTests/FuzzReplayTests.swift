import Foundation
import Testing
import TillFuzzTargets

/// Replays the committed fuzz inputs (Fuzz/README.md) through the same target bodies the
/// libFuzzer executables run: the seed corpus, and every crash or property failure the fuzzers
/// found, minimised, under `Fuzz/Regressions/<target>/`.
@Suite struct FuzzReplayTests {
    @Test("seed corpus", arguments: FuzzInput.all(in: "Corpus"))
    func corpus(_ input: FuzzInput) async throws {
        try await input.target.run(input.bytes())
    }

    @Test("regressions", arguments: FuzzInput.all(in: "Regressions").filter { !FuzzInput.stillFailing.contains($0.testDescription) })
    func regression(_ input: FuzzInput) async throws {
        try await input.target.run(input.bytes())
    }

    // TODO(issue 10, scenario runner): a failing scenario's report prints `--card` with the
    // full number; enable once reports mask card options (then drop it from `stillFailing`).
    @Test(.disabled("the scenario report still shows the full card number"))
    func scenarioReportMasksTheCardNumber() async throws {
        let input = FuzzInput(target: .scenario, name: "card_number_in_report")
        try await input.target.run(input.bytes())
    }

    // TODO(issue 10, TillCore Text.swift): `caseFolded` is not idempotent: "ẞ" (U+1E9E) folds
    // to "ß", which folds to "ss", so wallet "ẞ" and wallet "ß"/"ss" are different wallets.
    // Enable once `caseFolded("ẞ") == "ss"` (then drop it from `stillFailing`).
    @Test(.disabled("String.caseFolded(\"ẞ\") is \"ß\", not \"ss\""))
    func caseFoldingIsIdempotent() async throws {
        let input = FuzzInput(target: .text, name: "case_folding_capital_sharp_s")
        try await input.target.run(input.bytes())
    }

    // TODO(issue 10, TillCore Text.swift): "İ" + U+0301 folds to "i" + U+0301 (dropping U+0307
    // leaves it unnormalized), which folds again to "í" (U+00ED): two keys for one name.
    // Enable once `caseFolded` normalizes after dropping the dot (then drop it from `stillFailing`).
    @Test(.disabled("String.caseFolded(\"İ\u{301}\") is not in NFC"))
    func caseFoldingStaysNormalized() async throws {
        let input = FuzzInput(target: .text, name: "case_folding_dotted_capital_i_with_accent")
        try await input.target.run(input.bytes())
    }

    @Test("every target has a seed corpus", arguments: FuzzTarget.allCases)
    func seeded(_ target: FuzzTarget) {
        #expect(FuzzInput.all(in: "Corpus").contains { $0.target == target })
    }
}

/// One committed input file: `Fuzz/<kind>/<target>/<name>`.
struct FuzzInput: Sendable, CustomTestStringConvertible {
    let target: FuzzTarget
    let url: URL

    /// Regressions that still fail on this branch: each has a disabled test of its own above.
    static let stillFailing: Set<String> = [
        "scenario/card_number_in_report", "text/case_folding_capital_sharp_s", "text/case_folding_dotted_capital_i_with_accent",
    ]

    init(target: FuzzTarget, url: URL) {
        self.target = target
        self.url = url
    }

    init(target: FuzzTarget, name: String) {
        self.init(target: target, url: Self.fuzzFolder.appendingPathComponent("Regressions/\(target.rawValue)/\(name)"))
    }

    var testDescription: String { "\(target.rawValue)/\(url.lastPathComponent)" }

    func bytes() throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// The repository's Fuzz/ folder, found from this file's path.
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func all(in kind: String) -> [FuzzInput] {
        FuzzTarget.allCases.flatMap { target in
            let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map {
                FuzzInput(target: target, url: folder.appendingPathComponent($0))
            }
        }
    }
}
