import Foundation
import Testing

/// The layers of DESIGN §2, as the compiler cannot check them: what each module may import,
/// and that TillService keeps the store behind it (no re-export of TillStore, no TillStore type
/// in its public API), so the CLI, the POS and an HTTP API reach the ledger only through the
/// service. It reads every module's sources, as the core's purity test does, and names each
/// line that crosses a boundary.
@Suite("Module boundaries")
struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The platform's own modules: any module but the core and the seeded generator may use them.
    static let platform: Set<String> = ["Foundation", "Glibc", "Darwin", "Synchronization", "Dispatch"]

    /// What each module may import besides the platform. GRDB only in the store and in GoblinPay's
    /// own storage; TillStore only below the service (the simulator and the fuzz targets read
    /// the raw ledger on purpose, through TillStore's API, never through GRDB).
    static let allowed: [String: Set<String>] = [
        "TillCore": ["Swift"],
        "SeededRandom": ["Swift"],
        // GRDBSQLite: the C API, for the benchmark's raw baselines only.
        // PostgresNIO and its NIO and Logging: the ledger on PostgreSQL (TillStore/Postgres/ only).
        "TillStore": ["TillCore", "GRDB", "GRDBSQLite", "Crypto", "CryptoExtras", "PostgresNIO", "NIOCore", "NIOPosix", "Logging"],
        // NIO: GoblinPay's HTTP client, when it runs as a service.
        "TillProcessor": ["TillCore", "SeededRandom", "GRDB", "NIOCore", "NIOPosix", "NIOHTTP1"],
        "TillService": ["TillCore", "TillStore", "TillProcessor"],
        "TillScenario": ["TillCore"],
        "TillSim": ["TillCore", "TillStore", "TillService", "TillProcessor", "SeededRandom"],
        "TillUI": ["TillCore", "TillService"],
        // The HTTP face: the service's API only, never the store.
        "TillHTTP": ["TillCore", "TillService", "TillProcessor", "SeededRandom", "Hummingbird", "HTTPTypes", "NIOCore", "Logging", "ServiceLifecycle", "UnixSignals"],
        "TillTerminal": ["CNCurses", "TillUI"],
        "TillCLI": [
            "TillCore", "TillService", "TillProcessor", "TillScenario", "TillUI", "TillTerminal", "TillSim", "SeededRandom",
            "ArgumentParser", "TillHTTP", "Logging", "ServiceLifecycle", "UnixSignals",
        ],
        "TillFuzzTargets": ["TillCore", "TillScenario", "TillStore", "TillCLI"],
        "till": ["TillCLI"],
        "TillBench": ["TillCore", "TillStore", "TillService", "TillProcessor", "TillSim", "TillCLI"],
    ]

    /// Modules that hold no Swift sources (a system library's module map).
    static let withoutSources: Set<String> = ["CNCurses"]

    /// `import X`, `public import X`, `@testable import X`, `import struct X.Y`: the module X.
    static let importPattern =
        #"^\s*(@\w+\s+)*((public|package|internal|fileprivate|private)\s+)?import\s+((typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#

    struct ImportLine {
        let file: String
        let number: Int
        let module: String
        let text: String
    }

    static func swiftFiles(_ directory: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    static func modules() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func lines(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
    }

    /// The module a line imports, if it is an import.
    static func imported(_ line: String) throws -> String? {
        // Most lines are not imports: the cheap test first.
        guard line.contains("import"), let match = line.firstMatch(of: try Regex(importPattern)),
              let module = match.output[6].substring
        else { return nil }
        return String(module)
    }

    static func imports(of module: String) throws -> [ImportLine] {
        try swiftFiles(sources.appendingPathComponent(module)).flatMap { file in
            try lines(file).enumerated().compactMap { number, line in
                try imported(line).map {
                    ImportLine(file: "\(module)/\(file.lastPathComponent)", number: number + 1, module: $0, text: line)
                }
            }
        }
    }

    @Test("every module's sources are found, and each has an allow-list")
    func found() throws {
        let modules = try Self.modules()
        #expect(modules.count >= 10)
        for module in modules where !Self.withoutSources.contains(module) {
            #expect(Self.allowed[module] != nil, "\(module) has no entry in ModuleBoundaryTests.allowed: say what it may import")
            #expect(!Self.swiftFiles(Self.sources.appendingPathComponent(module)).isEmpty, "\(module) has no sources")
        }
    }

    @Test("each module imports only what its layer may")
    func importsAllowed() throws {
        for module in try Self.modules() {
            guard let allowed = Self.allowed[module] else { continue }
            let mayUse = module == "TillCore" || module == "SeededRandom" ? allowed : allowed.union(Self.platform)
            for line in try Self.imports(of: module) where !mayUse.contains(line.module) {
                Issue.record("\(line.file):\(line.number): \(module) may not import \(line.module): \(line.text.trimmingCharacters(in: .whitespaces))")
            }
        }
    }

    /// GoblinPay's SQLite storage: its ledger (`SQLiteLedgerStorage.swift`) and its payouts
    /// (`SQLitePayoutStorage.swift`).
    static func isGoblinPayStorage(_ file: String) -> Bool {
        file.hasPrefix("TillProcessor/SQLite") && file.hasSuffix("Storage.swift")
    }

    /// PostgreSQL is reached only in the store's Postgres*.swift files (TillStore/Postgres/): the
    /// rest of the store speaks `SQLConnection`.
    @Test("PostgresNIO only in TillStore/Postgres")
    func postgresStaysInItsFolder() throws {
        for module in try Self.modules() where !Self.withoutSources.contains(module) {
            for line in try Self.imports(of: module)
            where ["PostgresNIO", "NIOCore", "NIOPosix", "Logging"].contains(line.module) && module == "TillStore"
                && !line.file.hasPrefix("TillStore/Postgres") {
                Issue.record("\(line.file):\(line.number): only TillStore/Postgres/ reaches PostgreSQL")
            }
        }
    }

    /// Outside the store, GRDB is GoblinPay's own storage only (its ledger is its own file).
    @Test("GRDB only in TillStore and in GoblinPay's SQLite storage")
    func grdbStaysInTheStorage() throws {
        for module in try Self.modules() where module != "TillStore" {
            for line in try Self.imports(of: module) where line.module == "GRDB" && !Self.isGoblinPayStorage(line.file) {
                Issue.record("\(line.file):\(line.number): \(module) may reach GRDB only through its storage")
            }
        }
    }

    @Test("TillService neither re-exports TillStore nor imports it publicly")
    func storeStaysInternal() throws {
        for line in try Self.imports(of: "TillService") where line.module == "TillStore" || line.module == "GRDB" {
            let text = line.text.trimmingCharacters(in: .whitespaces)
            if Self.exposes(text) { Issue.record("\(line.file):\(line.number): the store must stay internal to the service: \(text)") }
        }
    }

    @Test("no public declaration of TillService mentions a TillStore type")
    func publicSurfaceSpeaksInViews() throws {
        let storeTypes = try Self.storeTypeNames()
        #expect(storeTypes.contains("TillDatabase") && storeTypes.contains("Ledger"), "TillStore's type names are found")
        for file in Self.swiftFiles(Self.sources.appendingPathComponent("TillService")) {
            for (number, declaration) in Self.publicDeclarations(try Self.lines(file)) {
                for name in Self.mentioned(storeTypes, in: declaration) {
                    Issue.record("TillService/\(file.lastPathComponent):\(number): a public declaration mentions TillStore's \(name): \(declaration)")
                }
            }
        }
    }

    /// A file holds one idea; past 400 lines it holds several (issue 12).
    @Test("no source file is longer than 400 lines")
    func noLongFiles() throws {
        var files = 0
        for module in try Self.modules() {
            for file in Self.swiftFiles(Self.sources.appendingPathComponent(module)) {
                files += 1
                let lines = try Self.lines(file)
                let count = lines.last == "" ? lines.count - 1 : lines.count
                #expect(count <= 400, "\(module)/\(file.lastPathComponent) has \(count) lines")
            }
        }
        #expect(files > 100)
    }

    @Test("the scanners catch what they ban")
    func scannersWork() throws {
        #expect(try Self.imported("import GRDB") == "GRDB")
        #expect(try Self.imported("    public import TillStore") == "TillStore")
        #expect(try Self.imported("@testable import TillCLI") == "TillCLI")
        #expect(try Self.imported("import struct GRDB.Row") == "GRDB")
        #expect(try Self.imported("// import GRDB") == nil)
        #expect(try Self.imported("let important = 1") == nil)
        #expect(Self.exposes("public import TillStore"))
        #expect(Self.exposes("@_exported import TillStore"))
        #expect(Self.exposes("package import TillStore"))
        #expect(!Self.exposes("import TillStore"))
        #expect(!Self.exposes("internal import TillStore"))
        let declarations = Self.publicDeclarations([
            "public final class TillService: Sendable {", "    public let database: TillDatabase", "    let internalOnly: Ledger",
            "    public init(", "        clock: @escaping @Sendable () -> Instant,", "        database: TillDatabase", "    ) {", "    public func ledgerVersion() -> LedgerVersion {",
            "    public var x: Int // a Ledger in a comment",
            "        throw Rejection(.x, \"Cannot open the Ledger\")", "    @Sendable public static func now() -> Instant {",
        ])
        #expect(declarations.map { $0.0 } == [1, 2, 4, 8, 9, 11])
        let names: Set<String> = ["TillDatabase", "Ledger"]
        #expect(declarations.map { Self.mentioned(names, in: $0.1) } == [[], ["TillDatabase"], ["TillDatabase"], [], [], []])
    }

    /// An import of TillStore that its importers' importers could see.
    static func exposes(_ importLine: String) -> Bool {
        importLine.range(of: #"^(@_exported\s+|.*\b(public|package|open)\s+import\b)"#, options: .regularExpression) != nil
    }

    /// The top-level types TillStore makes public (nested ones are named through them).
    static func storeTypeNames() throws -> Set<String> {
        let pattern = try Regex(#"^public\s+(final\s+)?(struct|enum|class|protocol|typealias|actor)\s+([A-Za-z_][A-Za-z0-9_]*)"#)
        return Set(try swiftFiles(sources.appendingPathComponent("TillStore")).flatMap { file in
            try lines(file).filter { $0.hasPrefix("public") }.compactMap { line in
                line.firstMatch(of: pattern)?.output[3].substring.map(String.init)
            }
        })
    }

    /// A line that starts a `public` or `open` declaration: attributes and modifiers, then the
    /// access level, then more.
    static let declarationStart =
        #"^\s*(@[\w.]+(\([^)]*\))?\s+)*((static|class|final|override|convenience|required|nonisolated|mutating)\s+)*(public|open)\s+\S"#

    /// Each `public` (or `open`) declaration with the line it starts on, comments dropped, its
    /// lines joined up to its body (`{` or `=` outside brackets) or the end of its brackets.
    static func publicDeclarations(_ lines: [String]) -> [(Int, String)] {
        var found: [(Int, String)] = []
        var index = 0
        while index < lines.count {
            guard code(lines[index]).range(of: declarationStart, options: .regularExpression) != nil else {
                index += 1
                continue
            }
            let start = index
            var text = "", depth = 0, done = false
            while index < lines.count, !done {
                var previous: Character = " "
                for character in code(lines[index]) {
                    if depth == 0, character == "{" || character == "=" {
                        done = true
                        break
                    }
                    // The `>` of `->` closes nothing.
                    if "([<".contains(character) { depth += 1 }
                    if ")]".contains(character) || (character == ">" && previous != "-") { depth = max(0, depth - 1) }
                    text.append(character)
                    previous = character
                }
                text.append(" ")
                index += 1
                if depth == 0 { done = true }
            }
            found.append((start + 1, text.trimmingCharacters(in: .whitespaces)))
        }
        return found
    }

    /// The names of `names` that `declaration` mentions as whole words.
    static func mentioned(_ names: Set<String>, in declaration: String) -> [String] {
        let words = Set(declaration.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        return names.intersection(words).sorted()
    }

    /// A line without its `//` comment (TillService's string literals hold no "//").
    static func code(_ line: String) -> String {
        guard let range = line.range(of: "//") else { return line }
        return String(line[..<range.lowerBound])
    }
}
