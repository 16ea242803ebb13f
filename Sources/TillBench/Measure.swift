import Foundation

/// Timing and the result table. Every figure is a median of `rounds` rounds, each on fresh
/// state, and every ratio is against a baseline measured in the same run, on this machine,
/// so the table compares like with like whatever the hardware.
struct Measure {
    let rounds: Int

    /// Median seconds per operation over the rounds: each round runs `round` (which sets up
    /// untimed, then calls `timed` once around the operations it counts) and returns how many
    /// operations it timed.
    func perOperation(_ round: (_ timed: (() async throws -> Void) async throws -> Duration) async throws -> Int) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<rounds {
            var elapsed = Duration.zero
            let count = try await round { work in
                let start = ContinuousClock.now
                try await work()
                elapsed = ContinuousClock.now - start
                return elapsed
            }
            samples.append(elapsed.seconds / Double(max(1, count)))
        }
        return Self.median(samples)
    }

    /// Median seconds of `work` over `samples` calls (at least the rounds; after one untimed
    /// warm-up). A call of a millisecond or less needs many for a steady median on this machine.
    func each(samples count: Int = 5, _ work: () async throws -> Void) async throws -> Double {
        try await work()
        var samples: [Double] = []
        for _ in 0..<max(rounds, count) {
            let start = ContinuousClock.now
            try await work()
            samples.append((ContinuousClock.now - start).seconds)
        }
        return Self.median(samples)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The printed table: one line a measurement, with its figure and, where it has one, its
/// ratio against the baseline it is compared to and the goal that ratio must meet.
struct Report {
    struct Line {
        let name: String
        let figure: String
        let ratio: String
        let goal: String
        let met: Bool?
    }

    private(set) var lines: [Line] = []

    mutating func section(_ title: String) { lines.append(Line(name: "## " + title, figure: "", ratio: "", goal: "", met: nil)) }

    /// A time per operation, against `baseline` seconds (nil: no ratio); `goal` is the
    /// largest ratio allowed (or, with `atLeast`, the smallest).
    mutating func time(_ name: String, _ seconds: Double, against baseline: Double? = nil, goal: Double? = nil) {
        let ratio = baseline.map { seconds / max($0, 1e-12) }
        lines.append(Line(
            name: name, figure: Self.time(seconds), ratio: ratio.map { String(format: "%.2f×", $0) } ?? "",
            goal: goal.map { String(format: "≤ %.2f×", $0) } ?? "", met: goal.flatMap { goal in ratio.map { $0 <= goal } }))
    }

    /// A rate (per second), against `baseline` per second; `goal`: the smallest ratio allowed.
    mutating func rate(_ name: String, _ perSecond: Double, against baseline: Double? = nil, atLeast goal: Double? = nil) {
        let ratio = baseline.map { perSecond / max($0, 1e-12) }
        lines.append(Line(
            name: name, figure: String(format: "%.0f/s", perSecond), ratio: ratio.map { String(format: "%.2f×", $0) } ?? "",
            goal: goal.map { String(format: "≥ %.2f×", $0) } ?? "", met: goal.flatMap { goal in ratio.map { $0 >= goal } }))
    }

    /// Anything else: a figure as text, and whether it meets its goal.
    mutating func figure(_ name: String, _ text: String, goal: String = "", met: Bool? = nil) {
        lines.append(Line(name: name, figure: text, ratio: "", goal: goal, met: met))
    }

    static func time(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.2f s", seconds) }
        if seconds >= 0.001 { return String(format: "%.2f ms", seconds * 1000) }
        return String(format: "%.1f µs", seconds * 1_000_000)
    }

    /// A Markdown table (the README shows one).
    var text: String {
        var out = "| measurement | figure | ratio | goal | |\n|---|---:|---:|---|---|\n"
        for line in lines {
            if line.name.hasPrefix("## ") {
                out += "| **\(line.name.dropFirst(3))** | | | | |\n"
                continue
            }
            let mark = line.met.map { $0 ? "met" : "**not met**" } ?? ""
            out += "| \(line.name) | \(line.figure) | \(line.ratio) | \(line.goal) | \(mark) |\n"
        }
        return out
    }

    var unmet: [String] { lines.filter { $0.met == false }.map(\.name) }
}

/// The process's peak resident memory so far (getrusage), in bytes.
func peakMemoryBytes() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

/// A fresh private directory under the bench's work folder.
func freshDirectory(_ base: String, _ name: String) throws -> String {
    let path = base + "/" + name + "-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return path
}
