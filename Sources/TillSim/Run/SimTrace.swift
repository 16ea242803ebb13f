/// The run's trace: each line numbered by its step and indented by how deep in request hooks
/// it ran. All of it goes into the digest; the last lines are kept for a failure report.
struct SimTrace {
    private var digest = TraceDigest()
    /// How many lines a failure report prints.
    let keep: Int
    private(set) var tail: [String] = []

    init(keep: Int) { self.keep = keep }

    var hex: String { digest.hex }

    mutating func record(_ line: String, step: Int, depth: Int) {
        let text = "\(step) " + String(repeating: "  ", count: depth) + line
        digest.add(text)
        tail.append(text)
        if tail.count > keep * 2 { tail.removeFirst(tail.count - keep) }
    }

    /// Keeps only the lines a failure report prints.
    mutating func cut() {
        if tail.count > keep { tail.removeFirst(tail.count - keep) }
    }
}

/// FNV-1a over the trace, two lanes for 128 bits: equal digests mean byte-identical traces.
private struct TraceDigest {
    private var lanes: (UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4)

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            lanes.0 = (lanes.0 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            lanes.1 = (lanes.1 ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01b3
        }
        lanes.0 = (lanes.0 ^ 0x0A) &* 0x0000_0100_0000_01b3
        lanes.1 = (lanes.1 ^ 0x50) &* 0x0000_0100_0000_01b3
    }

    var hex: String { Self.hex(lanes.0) + Self.hex(lanes.1) }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
