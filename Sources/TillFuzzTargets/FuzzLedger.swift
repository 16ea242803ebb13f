import Foundation
import TillCLI

/// A small real ledger, made once per process through the real command line (orders paid by
/// cash, card and store credit, a captured, refunded and voided payment), kept as
/// the bytes of its folder (the ledger, its key, GoblinPay's file) and laid down afresh for
/// every input, so an input's outcome never depends on the inputs before it.
actor FuzzLedger {
    static let shared = FuzzLedger()

    /// The fixed clock and surroundings every command runs with; nothing points outside `root`.
    static let now = "2026-11-30T10:00:00Z"

    /// Made once: the first caller starts it, any caller meanwhile waits for the same task.
    private var template: Task<[String: Data], any Error>?
    private var copies = 0
    private let root: URL

    private init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("till-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    }

    /// A folder of its own holding a fresh copy of the ledger (`till.sqlite`); `discard` it after.
    func fresh() async throws -> URL {
        let making = template ?? Task { try await Self.makeTemplate(in: root.appendingPathComponent("template")) }
        template = making
        let files = try await making.value
        copies += 1
        let work = root.appendingPathComponent("work-\(copies)")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for (name, data) in files {
            try data.write(to: work.appendingPathComponent(name))
            chmod(work.appendingPathComponent(name).path, 0o600)
        }
        return work
    }

    nonisolated func discard(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The environment of a command on the ledger in `folder`.
    nonisolated func environment(_ folder: URL) -> [String: String] {
        Self.environment(folder, root: root)
    }

    private static func environment(_ folder: URL, root: URL) -> [String: String] {
        [
            "TILL_DB": folder.appendingPathComponent("till.sqlite").path,
            "TILL_NOW": Self.now,
            "TZ": "UTC",
            "HOME": root.path,
            "XDG_DATA_HOME": root.appendingPathComponent("data").path,
            "XDG_CONFIG_HOME": root.appendingPathComponent("config").path,
            // Beside the ledgers' folders, never in one: every copy finds the template's secret.
            "TILL_SECRETS_DIR": root.appendingPathComponent("secrets").path,
            "TILL_RECEIPT_DIR": root.appendingPathComponent("receipts").path,
            // GoblinPay is seeded and never fails at random: an input always gives the same answers.
            "TILL_GOBLINPAY_SEED": "7",
            "TILL_GOBLINPAY_FAILURE_RATE": "0",
        ]
    }

    private static func makeTemplate(in folder: URL) async throws -> [String: Data] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let environment = environment(folder, root: folder.deletingLastPathComponent())
        // The ids the commands answer with, for the later commands that act on them.
        var ids: [String: String] = [:]
        for (index, arguments) in Self.history.enumerated() {
            let line = arguments.map { ids[$0] ?? $0 }
            let result = await TillCommandLine.run(line + ["--json"], environment: environment)
            guard result.exitCode == 0 else {
                throw FuzzFailure("making the fuzz ledger: step \(index) \(line) failed: \(result.stdout) \(result.stderr)")
            }
            if line.starts(with: ["order", "create"]), let id = Self.id(in: result.stdout) { ids["$ORDER"] = id }
            if line.starts(with: ["payment", "authorize"]), let id = Self.id(in: result.stdout) { ids["$PAYMENT"] = id }
        }
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where !name.hasSuffix("-shm") && !name.hasSuffix(".lock") {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        try? FileManager.default.removeItem(at: folder)
        return files
    }

    /// The first `"id"` of a JSON answer.
    private static func id(in json: String) -> String? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return (object["order"] as? [String: Any])?["id"] as? String ?? object["id"] as? String
    }

    /// What the ledger holds: every table gets rows.
    private static let history: [[String]] = [
        ["wallet", "open", "Ann Credit", "--currency", "USD", "--balance", "100.00", "--customer", "ann@example.com"],
        ["wallet", "open", "House", "--currency", "KWD", "--overdraft", "50.000"],
        ["wallet", "credit", "Ann Credit", "--amount", "5.00", "--key", "w1"],
        ["order", "create", "--email", "ann@example.com", "--amount", "50.00"],
        ["order", "pay", "$ORDER", "--amount", "10.00", "--cash", "20.00", "--key", "p1"],
        ["order", "pay", "$ORDER", "--amount", "10.00", "--wallet", "Ann Credit", "--key", "p2"],
        ["order", "pay", "$ORDER", "--amount", "30.00", "--card", "4242424242424242", "--expiry", "12/30", "--cvv", "123", "--key", "p3"],
        ["order", "create-and-pay", "--email", "Bob@Example.com", "--amount", "12.50", "--currency", "USD",
         "--key", "p4", "--card", "378282246310005", "--expiry", "01/29", "--cvv", "1234"],
        ["order", "create", "--email", "cy@example.com", "--amount", "1000", "--currency", "JPY"],
        ["payment", "authorize", "--card", "5555555555554444", "--expiry", "03/28", "--cvv", "321",
         "--amount", "20.00", "--currency", "GBP", "--key", "a1"],
        ["payment", "capture", "$PAYMENT", "--amount", "15.00", "--key", "c1"],
        ["payment", "refund", "$PAYMENT", "--amount", "5.00", "--key", "r1"],
        ["payment", "authorize", "--card", "4000056655665556", "--expiry", "03/28", "--cvv", "321",
         "--amount", "7.00", "--currency", "EUR", "--key", "a2"],
        ["payment", "void", "$PAYMENT", "--key", "v1"],
    ]
}
