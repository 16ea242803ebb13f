import Foundation

/// Whole `till` processes: start-up (`--version`, one `order get`) against `sqlite3` reading
/// the same row, and `till batch` per line against the raw commit.
struct ProcessBench {
    let work: String
    let measure: Measure
    let till: String

    /// Runs `executable` with `arguments`, `input` on its standard input; its standard output.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Written from another thread: a long input must not wait on a full output pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    func version() async throws -> Double {
        try await measure.each { try run(till, ["--version"]) }
    }

    func orderGet(_ ledger: ReadBench.Ledger) async throws -> Double {
        let environment = ["TILL_DB": ledger.path, "TILL_SECRETS_DIR": ledger.secrets]
        return try await measure.each {
            let out = try run(till, ["order", "get", ledger.someOrder, "--json"], environment: environment)
            guard out.contains(ledger.someOrder) else { throw BenchFailure(description: "till order get answered: \(out.prefix(200))") }
        }
    }

    /// `sqlite3` reading the same order row (nil when the shell is not installed).
    func sqliteGet(_ ledger: ReadBench.Ledger) async throws -> Double? {
        guard let shell = ["/usr/bin/sqlite3", "/bin/sqlite3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return try await measure.each {
            let out = try run(shell, [ledger.path, "SELECT * FROM orders WHERE id = '\(ledger.someOrder)'"])
            guard out.contains(ledger.someOrder) else { throw BenchFailure(description: "sqlite3 answered: \(out.prefix(200))") }
        }
    }

    /// Seconds per line of `till batch` (wallet credits): the difference between a batch of
    /// `lines` credits and one that only reads the wallet, so the process's start-up and the
    /// opening of the ledger are not counted.
    func batchPerLine(lines: Int) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<measure.rounds {
            let folder = try freshDirectory(work, "batch")
            let environment = ["TILL_DB": folder + "/till.sqlite", "TILL_SECRETS_DIR": folder + "-secrets"]
            try run(till, ["batch"], input: #"["wallet", "open", "b", "--currency", "USD"]"# + "\n", environment: environment)
            let opening = #"["wallet", "get", "b"]"# + "\n"
            let credits = opening + (0..<lines).map { #"["wallet", "credit", "b", "--amount", "1.00", "--key", "k\#($0)"]"# }.joined(separator: "\n") + "\n"
            var start = ContinuousClock.now
            try run(till, ["batch"], input: opening, environment: environment)
            let empty = (ContinuousClock.now - start).seconds
            start = ContinuousClock.now
            let answers = try run(till, ["batch"], input: credits, environment: environment)
            let full = (ContinuousClock.now - start).seconds
            let acknowledged = answers.split(separator: "\n").filter { $0.contains("\"replayed\" : false") }.count
            guard acknowledged == lines else {
                throw BenchFailure(description: "till batch acknowledged \(acknowledged) of \(lines): \(answers.prefix(300))")
            }
            samples.append(max(0, full - empty) / Double(lines))
        }
        return Measure.median(samples)
    }
}
