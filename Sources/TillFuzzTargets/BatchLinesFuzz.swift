import Foundation
import TillCLI
import TillScenario
import TillStore

/// `till batch` lines, run for real on a fresh copy of the fuzz ledger (`FuzzLedger`). Input:
/// up to 6 lines, each read as `BatchCommand` reads a line (a JSON array of strings, not
/// `batch`, `run` or `demo`) and run with `--json`. `$ORDER`, `$PAYMENT` and `$ORDER_PAYMENT`
/// inside an argument become the ledger's newest such id, so inputs can act on what exists.
///
/// The sandbox: only the commands below run (no POS, servers, simulator or demo), and no
/// argument may choose another ledger (`--db`).
///
/// Properties: nothing traps; the exit code is below 128; a failure prints one JSON error
/// with a code, and its message has no raw control character, at most 400 characters and no
/// SQL (issue 10).
enum BatchLinesFuzz {
    private static let commands: Set<String> = ["order", "payment", "wallet", "pending", "drawer", "report", "payouts"]

    static func run(_ input: [UInt8]) async throws {
        var bytes = FuzzBytes(input)
        let lines = bytes.restText().split(separator: "\n", omittingEmptySubsequences: true).prefix(6)
        let ledger = FuzzLedger.shared
        let folder = try await ledger.fresh()
        defer { ledger.discard(folder) }
        let environment = ledger.environment(folder)
        for line in lines {
            // As BatchCommand.execute reads a line.
            guard let data = String(line).data(using: .utf8),
                  let arguments = try? JSONSerialization.jsonObject(with: data) as? [String],
                  !arguments.contains(where: { $0 == "batch" || $0 == "run" || $0 == "demo" })
            else { continue }
            guard let first = arguments.first, commands.contains(first),
                  !arguments.contains(where: { $0.hasPrefix("--db") })
            else { continue }
            let resolved = try newestIds(in: folder).reduce(arguments) { words, id in
                words.map { $0.replacingOccurrences(of: id.key, with: id.value) }
            }
            let result = await TillCommandLine.run(resolved + ["--json"], environment: environment)
            try check(result, resolved)
        }
    }

    private static func check(_ result: CommandResult, _ arguments: [String]) throws {
        let context = "till \(arguments.joined(separator: " ").prefix(200))"
        try require((0..<128).contains(result.exitCode), "\(context): exit \(result.exitCode)")
        guard result.exitCode != 0 else { return }
        guard let answer = ScenarioJSON(parsing: result.stdout),
              case .string(let code)? = answer["error"]?["code"],
              case .string(let message)? = answer["error"]?["message"]
        else {
            throw FuzzFailure("\(context): exit \(result.exitCode) without a JSON error: \(result.stdout.prefix(300).debugDescription)")
        }
        try require(!code.isEmpty, "\(context): empty error code")
        try require(
            !message.unicodeScalars.contains { $0.properties.generalCategory == .control },
            "\(context): \(code) message has a raw control character: \(message.prefix(300).debugDescription)")
        try require(message.count <= 400, "\(context): \(code) message has \(message.count) characters")
        let upper = message.uppercased()
        try require(
            !["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"].contains { upper.contains($0) },
            "\(context): \(code) message shows SQL: \(message.prefix(300).debugDescription)")
    }

    /// The newest order, payment and order payment ids of the ledger in `folder`, longest
    /// placeholder first so `$ORDER_PAYMENT` is not read as `$ORDER` + `_PAYMENT`.
    private static func newestIds(in folder: URL) throws -> [(key: String, value: String)] {
        let placeholders = [("$ORDER_PAYMENT", "order_payments"), ("$PAYMENT", "payments"), ("$ORDER", "orders")]
        let ids = try LedgerRows.newestIds(
            in: placeholders.map(\.1), ledgerAt: folder.appendingPathComponent("till.sqlite").path)
        return zip(placeholders, ids).map { placeholder, id in (placeholder.0, id ?? "none") }
    }
}
