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

    @Test("regressions", arguments: FuzzInput.all(in: "Regressions"))
    func regression(_ input: FuzzInput) async throws {
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

    init(target: FuzzTarget, url: URL) {
        self.target = target
        self.url = url
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
