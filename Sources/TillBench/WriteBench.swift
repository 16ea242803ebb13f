import Foundation
import Synchronization
import TillCore
import TillProcessor
import TillService
import TillStore

/// Durable writes, one client at a time and many at once, against the raw one-row commit.
struct WriteBench {
    let work: String
    let measure: Measure
    /// Operations per round.
    let operations: Int
    /// A PostgreSQL server (`--postgres`): each fresh ledger is then a new database there.
    var postgres: String? = nil
    /// The databases made, dropped by `dropDatabases()`.
    let made = MadeDatabases()

    /// A fresh ledger (and its secret, outside its folder) with GoblinPay in memory: no
    /// latency, no random failures.
    func freshService() async throws -> TillService { try await freshLedger().service }

    func freshLedger() async throws -> (service: TillService, ledger: LedgerFile) {
        let folder = try freshDirectory(work, "ledger")
        var path = folder + "/till.sqlite"
        if let postgres {
            path = try PostgresAdministration.createDatabase(adminURL: postgres, prefix: "till_bench")
            made.list.withLock { [path] in $0.append(path) }
        }
        let ledger = try LedgerFile.open(path: path, secretsDirectory: folder + "-secrets")
        let processor = GoblinPay(configuration: GoblinPayConfiguration(seed: 1, captureFailureRate: .never))
        return (await TillService.open(ledger: ledger, processor: processor), ledger)
    }

    /// Removes the PostgreSQL databases this bench made.
    func dropDatabases() {
        guard let postgres else { return }
        for database in made.list.withLock({ $0 }) { try? PostgresAdministration.dropDatabase(database, adminURL: postgres) }
    }

    /// The raw C SQLite one-row durable commit: the floor every durable write stands on.
    func rawCommit() async throws -> Double {
        try await measure.perOperation { timed in
            let folder = try freshDirectory(work, "raw")
            let raw = try RawSQLite(path: folder + "/raw.sqlite")
            let commits = try raw.prepareOneRowCommits()
            _ = try await timed {
                for index in 0..<operations { try commits.commitOneRow("row \(index)") }
            }
            return operations
        }
    }

    func walletCredit() async throws -> Double {
        try await measure.perOperation { timed in
            let service = try await freshService()
            try check(await service.openWallet(name: "bench", currency: "USD"))
            _ = try await timed {
                for index in 0..<operations { try check(await service.credit(name: "bench", amount: "1.00", key: "c\(index)")) }
            }
            return operations
        }
    }

    func orderCreate() async throws -> Double {
        try await measure.perOperation { timed in
            let service = try await freshService()
            _ = try await timed {
                for index in 0..<operations {
                    try check(await service.createOrder(email: "c\(index % 50)@bench.test", amount: "10.00", key: "o\(index)"))
                }
            }
            return operations
        }
    }

    /// An installment on an order made beforehand (untimed): cash, or a card through GoblinPay.
    func installment(card: Bool) async throws -> Double {
        try await measure.perOperation { timed in
            let service = try await freshService()
            var orders: [String] = []
            for index in 0..<operations {
                orders.append(try check(await service.createOrder(email: "c\(index % 50)@bench.test", amount: "10.00", key: "o\(index)")).response.id)
            }
            let tender: TenderInput = card ? .card(number: "4242 4242 4242 4242", expiry: "12/40", cvv: "123") : .cash(tendered: "10.00")
            _ = try await timed {
                for (index, order) in orders.enumerated() {
                    try check(await service.pay(orderId: order, amount: "10.00", tender: tender, key: "p\(index)"))
                }
            }
            return operations
        }
    }

    /// Wallet credits from `clients` concurrent clients in this process (each its own wallet),
    /// `total` in all: operations per second, every one durable before its answer, and the
    /// writes per commit and the writer's CPU per write (µs) of the median round.
    func concurrentCredits(clients: Int, total: Int) async throws -> (rate: Double, perCommit: Double, writerCPU: Double) {
        var rounds: [(rate: Double, perCommit: Double, writerCPU: Double)] = []
        for _ in 0..<measure.rounds {
            let (service, ledger) = try await freshLedger()
            try await openWallets(on: service, clients: clients)
            let before = ledger.commitGroups
            let start = ContinuousClock.now
            let done = try await credits(on: service, clients: clients, total: total)
            let elapsed = (ContinuousClock.now - start).seconds
            let after = ledger.commitGroups
            let writes = Double(max(1, after.writes - before.writes))
            rounds.append((
                Double(done) / elapsed, writes / Double(max(1, after.commits - before.commits)),
                Double(after.writerCPUMicroseconds - before.writerCPUMicroseconds) / writes))
        }
        return rounds.sorted { $0.rate < $1.rate }[rounds.count / 2]
    }

    /// A wallet for each client, `w0`, `w1`, …
    func openWallets(on service: TillService, clients: Int) async throws {
        for client in 0..<clients { try check(await service.openWallet(name: "w\(client)", currency: "USD")) }
    }

    /// `total` credits from `clients` clients at once, each to its own wallet; `progress`
    /// hears client 0's count. Answers how many credits ran.
    @discardableResult
    func credits(
        on service: TillService, clients: Int, total: Int, progress: @escaping @Sendable (_ done: Int, _ each: Int) -> Void = { _, _ in }
    ) async throws -> Int {
        let each = max(1, total / clients)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for index in 0..<each {
                        try check(await service.credit(name: "w\(client)", amount: "0.01", key: "k\(client)-\(index)"))
                        if client == 0 { progress(index, each) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return each * clients
    }
}

/// PostgreSQL databases a bench made (a class: a `WriteBench` is copied).
final class MadeDatabases: Sendable {
    let list = Mutex<[String]>([])
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}

/// The answer, or the rejection as an error: a benchmark of refusals measures nothing.
@discardableResult
func check<T>(_ result: Result<T, Rejection>) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let rejection): throw BenchFailure(description: "\(rejection.code.rawValue): \(rejection.message)")
    }
}

extension WriteBench {
    /// `operations` wallet credits from `clients` clients on one service: the resident memory
    /// after a tenth of them and after all (a flat process keeps the two close).
    func memoryRun(operations: Int, clients: Int) async throws -> (early: Int, late: Int) {
        let early = Sample()
        let service = try await freshService()
        try await openWallets(on: service, clients: clients)
        try await credits(on: service, clients: clients, total: operations) { done, each in
            if done == each / 10 { early.value.withLock { $0 = residentBytes() } }
        }
        return (early.value.withLock { $0 }, residentBytes())
    }
}

/// A figure one client writes while the others run.
final class Sample: Sendable {
    let value = Mutex(0)
}

/// The process's resident memory now (/proc/self/statm), in bytes.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
