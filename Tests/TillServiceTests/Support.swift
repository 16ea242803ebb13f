import Foundation
import Synchronization
import Testing
import TillCore
import TillProcessor
// The harness reaches the service's ledger (`database`, internal) to look at what it wrote.
@testable import TillService
import TillStore
import TillTestSupport

/// A clock that stands still until a test moves it (2026-03-15T10:00:00Z to start).
final class TestClock: Sendable {
    static let start = Instant(millisecondsSinceEpoch: 1_773_568_800_000)

    private let current: Mutex<Instant>

    init(_ start: Instant = TestClock.start) { current = Mutex(start) }

    var now: Instant { current.withLock { $0 } }

    func set(_ instant: Instant) { current.withLock { $0 = instant } }

    func advance(milliseconds: Int64) {
        current.withLock { $0 = Instant(millisecondsSinceEpoch: $0.millisecondsSinceEpoch + milliseconds) }
    }

    /// What `TillService(clock:)` takes.
    var function: @Sendable () -> Instant { { [self] in self.now } }
}

/// Ids "ord_1", "pay_2", … : deterministic, so a test can reason about every byte written.
final class CountingIds: Sendable {
    private let next = Mutex(0)

    var source: IdSource {
        IdSource { [self] prefix in
            let number = self.next.withLock { value -> Int in
                value += 1
                return value
            }
            return "\(prefix)_\(number)"
        }
    }
}

/// A fresh directory under the system's temporary folder, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("till-service-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The card-fingerprint secrets of the ledgers in this directory: a sibling of it, since a
    /// secrets directory inside a ledger's folder is refused. Created on first use.
    var secrets: String { url.path + ".secrets" }

    /// Every regular file in the directory (the ledgers, their -wal/-shm, keys and locks).
    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().map(path)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.removeItem(atPath: secrets)
    }
}

/// Cards and values the tests type at the counter.
enum Cards {
    static let visa = GoblinPay.TestCard.approved  // 4242 4242 4242 4242
    static let expiry = "12/30"
    static let cvv = "123"

    static func card(_ number: String = visa, cvv: String = Cards.cvv) -> TenderInput {
        .card(number: number, expiry: expiry, cvv: cvv)
    }
}

extension TestBackend {
    /// The statement that drops trigger `name` of `table` in the backend's dialect.
    static func dropTrigger(_ name: String, on table: String) -> String {
        isPostgres ? "DROP TRIGGER \(name) ON \(table)" : "DROP TRIGGER \(name)"
    }
}

/// One till on a fresh ledger (SQLite in a temporary directory, or PostgreSQL: `TestBackend`),
/// with GoblinPay (no random capture failures) as its only fake. Call `remove()` when done.
struct Harness: Sendable {
    let directory: TemporaryDirectory
    let clock: TestClock
    let goblin: GoblinPay
    let service: TillService
    /// The ledger's path or database address.
    let databasePath: String

    static let noChance = GoblinPayConfiguration(captureFailureRate: .never)

    /// `goblinOnFile`: GoblinPay keeps its ledger in `goblinpay.sqlite` beside the till's
    /// (as a separate process would), else in memory.
    init(goblinOnFile: Bool = false, ids: IdSource = .random) throws {
        directory = try TemporaryDirectory()
        clock = TestClock()
        goblin = goblinOnFile
            ? try GoblinPay(ledgerPath: directory.path("goblinpay.sqlite"), configuration: Self.noChance)
            : GoblinPay(configuration: Self.noChance)
        databasePath = try TestBackend.ledger(at: directory.path("till.sqlite"))
        service = TillService(
            database: try TillDatabase.open(path: databasePath, secretsDirectory: directory.secrets),
            processor: goblin,
            clock: clock.function, ids: ids)
    }

    var database: TillDatabase { service.database }

    /// A second service on the same file through its own pool, as another process would open it.
    func anotherService(processor: (any PaymentProcessor)? = nil) throws -> TillService {
        TillService(
            database: try TillDatabase.open(path: databasePath, secretsDirectory: directory.secrets),
            processor: processor ?? goblin, clock: clock.function)
    }

    func remove() {
        database.close()
        TestBackend.remove(databasePath)
        directory.remove()
    }

    // MARK: SQL (either backend)

    /// Runs `sql` in one write behind the service's back: a test's damage or setup.
    func execute(_ sql: String, _ arguments: SQLArguments = []) async throws {
        try await database.write { ledger in try ledger.db.execute(sql: sql, arguments: arguments) }
    }

    func count(_ sql: String, _ arguments: SQLArguments = []) async throws -> Int {
        try await database.read { ledger in try Int.fetchOne(ledger.db, sql: sql, arguments: arguments) ?? -1 }
    }

    func requestState(key: String) async throws -> String? {
        try await database.read { ledger in
            try String.fetchOne(ledger.db, sql: "SELECT state FROM idempotency WHERE key = ?", arguments: [key])
        }
    }

    func requestTarget(key: String) async throws -> String? {
        try await database.read { ledger in
            try String.fetchOne(ledger.db, sql: "SELECT target FROM idempotency WHERE key = ?", arguments: [key])
        }
    }

    /// Waits (up to 10 s) until the request under `key` is recorded as in progress: its
    /// processor call is in flight.
    func waitUntilInFlight(key: String) async throws {
        for _ in 0..<1000 {
            if try await requestState(key: key) == "in_progress" { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("request \(key) never went in flight")
    }

    // MARK: GoblinPay

    /// Processor keys as this till makes them: the ledger's id, "/", then "<key>#<attempt>:<step>".
    func keyed(_ keys: [String]) -> [String] { keys.map { "\(database.ledgerId)/\($0)" } }

    func entries(_ operation: GoblinPayOperation) async throws -> [GoblinPayLedgerEntry] {
        try await goblin.ledger.entries().filter { $0.operation == operation }
    }

    /// Every key GoblinPay applied was applied exactly once.
    func expectEveryKeyAppliedOnce(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let entries = try await goblin.ledger.entries()
        #expect(Set(entries.map(\.key)).count == entries.count, sourceLocation: sourceLocation)
        for entry in entries {
            #expect(try await goblin.ledger.timesApplied(key: entry.key) == 1, sourceLocation: sourceLocation)
        }
    }
}

/// The success of a service call, or an issue naming the rejection (and a thrown error).
func ok<T>(_ result: Result<T, Rejection>, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let rejection):
        Issue.record("expected success, got \(rejection)", sourceLocation: sourceLocation)
        throw rejection
    }
}

/// The rejection code of a result (nil for a success).
func code<T>(_ result: Result<T, Rejection>) -> Rejection.Code? {
    if case .failure(let rejection) = result { return rejection.code }
    return nil
}

/// Minor units of a dollar amount typed as "12.00".
func cents(_ dollars: Int) -> Int64 { Int64(dollars) * 100 }

/// A `ResolutionSummary` as a value the tests can write.
struct Counts: Equatable, CustomStringConvertible {
    let recorded: Int
    let released: Int
    let open: Int

    var description: String { "recorded \(recorded), released \(released), open \(open)" }
}

func counts(_ summary: ResolutionSummary) -> Counts {
    Counts(recorded: summary.recorded, released: summary.released, open: summary.open)
}

/// The secrets directory `TemporaryDirectory.secrets` gives a ledger directly inside it.
func secretsDirectory(forLedger path: String) -> String { (path as NSString).deletingLastPathComponent + ".secrets" }

extension Trait where Self == ConditionTrait {
    /// A test of the SQLite file itself (its format, pages, PRAGMAs, old files' migrations): PostgreSQL has none.
    static var sqliteOnly: Self { .enabled(if: !TestBackend.isPostgres, "tests the SQLite file itself") }
}
