import Foundation
import Testing

/// TillCore must stay pure: no imports (so no Foundation clock, files or randomness), no
/// floating point near money, no explicit traps (`try!`, `as!`, force unwraps, `fatalError`,
/// preconditions). It reads the module's sources and names every line that breaks a rule.
/// Unchecked `+`/`-` on amounts are not caught here: each one in the core sits behind a
/// decision that bounded it, and the property tests drive them with extreme values.
@Suite("TillCore purity")
struct PurityTests {
    static let coreDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/TillCore")

    /// Patterns with why they are banned. Checked on code only (comments are skipped).
    static let banned: [(pattern: String, why: String)] = [
        (#"^\s*(@\w+(\([^)]*\))?\s+)*import\s+(?!Swift\s*$)"#, "the core has no dependencies, not even Foundation (only the standard library's Unicode SPI)"),
        (#"\b(Double|Float|Float80|CGFloat|Decimal|NSDecimalNumber)\b"#, "money is never floating point"),
        (#"\b(Date|ContinuousClock|SuspendingClock|DispatchTime|clock_gettime|gettimeofday|time)\s*\("#, "the core reads no clock"),
        (#"\.random\(|SystemRandomNumberGenerator|arc4random|\bUUID\b"#, "the core uses no randomness; ids are passed in"),
        (#"\b(print|debugPrint|FileManager|FileHandle|fopen|fwrite|readLine)\b"#, "the core does no I/O"),
        (#"try!|as!|fatalError\(|precondition\(|preconditionFailure\(|assertionFailure\("#, "a payment path never traps"),
        (#"[A-Za-z0-9_)\]]!\s*[.)\],]|[A-Za-z0-9_)\]]!$"#, "no force unwraps"),
    ]

    static func sourceFiles() throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: coreDirectory, includingPropertiesForKeys: nil)
        let files = (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
        return files.sorted { $0.path < $1.path }
    }

    @Test("the core sources are found")
    func found() throws {
        #expect(try Self.sourceFiles().count >= 10)
    }

    @Test("no banned construct in TillCore")
    func pure() throws {
        for file in try Self.sourceFiles() {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (number, line) in lines.enumerated() {
                let code = Self.stripComment(line)
                for (pattern, why) in Self.banned where code.range(of: pattern, options: .regularExpression) != nil {
                    Issue.record("\(file.lastPathComponent):\(number + 1): \(why): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }

    @Test("the scanner catches what it bans")
    func scannerWorks() {
        let samples = ["import Foundation", "let x: Double = 1", "let now = Date()", "let r = Int.random(in: 0...1)",
                       "print(x)", "let y = try! f()", "let w = v as! Int", "let z = a!.b", "fatalError(\"x\")"]
        for sample in samples {
            #expect(Self.banned.contains { sample.range(of: $0.pattern, options: .regularExpression) != nil }, "\(sample)")
        }
        #expect(!Self.banned.contains { "guard a != b else { return }".range(of: $0.pattern, options: .regularExpression) != nil })
        #expect(Self.stripComment("let a = 1 // Double") == "let a = 1 ")
    }

    /// Drops a `//` comment; string literals in the core never contain "//".
    static func stripComment(_ line: String) -> String {
        guard let range = line.range(of: "//") else { return line }
        return String(line[..<range.lowerBound])
    }
}
