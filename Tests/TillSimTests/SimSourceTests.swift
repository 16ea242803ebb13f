import Foundation
import Testing

/// TillSim reads the ledger only through TillStore (`LedgerInspection`), never SQL of its own,
/// and holds one idea a file.
@Suite("TillSim sources")
struct SimSourceTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/TillSim")

    static func sources() throws -> [(name: String, lines: [String])] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        let files = (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
        return try files.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8).components(separatedBy: "\n")) }
    }

    @Test func noGRDBAndNoLongFiles() throws {
        let sources = try Self.sources()
        #expect(sources.count >= 5)
        for (name, lines) in sources {
            let grdb = lines.filter { $0.range(of: #"^\s*(@\w+\s+)*(public\s+|internal\s+)?import\s+GRDB\b"#, options: .regularExpression) != nil }
            #expect(grdb.isEmpty, "\(name) imports GRDB: read the ledger through TillStore's LedgerInspection")
            let count = lines.last == "" ? lines.count - 1 : lines.count
            #expect(count <= 400, "\(name) has \(count) lines")
        }
    }
}
