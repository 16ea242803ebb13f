import Foundation
public import Testing
public import TillUI

/// Text snapshots of the rendered buffer, stored beside the calling test file in `Snapshots/`. A missing
/// or different snapshot fails; `TILL_RECORD_SNAPSHOTS=1 swift test` writes them anew (then
/// read the diff before committing).
public enum Snapshot {
    static func directory(_ file: String) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Snapshots")
    }

    public static func assert(_ buffer: CellBuffer, named name: String, file: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory(file).appendingPathComponent(name + ".txt")
        // Framed so trailing blanks and the exact size are visible in the file.
        let framed = "size \(buffer.width)x\(buffer.height)\n" + buffer.text
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { "|" + $0 }.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["TILL_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? framed.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let stored = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("No snapshot \(name).txt: run with TILL_RECORD_SNAPSHOTS=1 and review it.\n\(framed)", sourceLocation: sourceLocation)
            return
        }
        #expect(stored == framed, "snapshot \(name) differs:\n\(framed)", sourceLocation: sourceLocation)
    }
}
