import Foundation
import Synchronization
import Testing
@testable import TillCLI
import TillCore
import TillProcessor
@testable import TillService
import TillStore

/// `till demo` against a real SQLite ledger in a temporary directory: the data it writes goes
/// through the service, so it must read back as valid orders, payments and wallets.
@Suite("Demo data")
struct DemoTests {
    static let nowText = "2026-11-22T12:00:00Z"
    static let now = Timestamp.parse(nowText)!
    static let day: Int64 = 86_400_000

    /// A fresh directory, removed when `body` ends.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("till-demo-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: secrets(directory + "/till.sqlite"))
        }
        return try await body(directory)
    }

    /// The card-fingerprint secrets of the ledger at `path`: beside its folder, never in it.
    static func secrets(_ path: String) -> String { (path as NSString).deletingLastPathComponent + ".secrets" }

    static func demo(_ arguments: [String], path: String) async -> CommandResult {
        await TillCommandLine.run(
            ["demo"] + arguments + ["--json"], environment: ["TILL_DB": path, "TILL_SECRETS_DIR": secrets(path), "TILL_NOW": nowText])
    }

    /// The service on the demo's ledger, its processor the demo's GoblinPay ledger.
    static func service(_ path: String) async throws -> TillService {
        try await TillService.open(
            path: path, secretsDirectory: secrets(path), processor: try GoblinPay(ledgerPath: path + ".goblinpay"), clock: { now })
    }

    static func allOrders(_ service: TillService) async throws -> [Order] {
        try await service.database.read { ledger in try ledger.recentOrders(limit: 1_000_000) }
    }

    static func summary(_ result: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("demo --orders 200 writes valid, varied data over the past 90 days")
    func twoHundredOrders() async throws {
        try await Self.withTemporaryDirectory { directory in
            let path = directory + "/till.sqlite"
            let result = await Self.demo(["--orders", "200"], path: path)
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            let summary = try Self.summary(result)
            #expect(summary["orders"] as? Int == 200)
            #expect(summary["failures"] as? Int == 0, "\(summary["failure_codes"] ?? "")")
            #expect(summary["skipped"] as? Int == 0)

            let service = try await Self.service(path)
            #expect(try service.database.integrityCheck() == "ok")
            let counts = try await service.database.read { ledger in
                (try ledger.orderCount(), try ledger.openRequests().count)
            }
            #expect(counts.0 == 200)
            #expect(counts.1 == 0, "no request is left in flight")

            let orders = try await Self.allOrders(service)
            #expect(orders.count == 200)
            let payments = orders.flatMap(\.payments)

            // Every tender, and the usual card brands.
            #expect(Set(payments.map(\.tender.kind)) == Set(Tender.Kind.allCases))
            let brands = Set(payments.compactMap { payment -> CardBrand? in
                if case .card(let card) = payment.tender { return card.brand }
                return nil
            })
            #expect(brands.isSuperset(of: [.visa, .mastercard, .amex, .discover]), "\(brands)")
            let cash = payments.filter { $0.tender.kind == .cash }
            #expect(cash.contains { $0.change.minorUnits > 0 }, "some cash is given change")

            // Paid in full, in installments, and still owing.
            let statuses = Set(orders.map(\.status))
            #expect(statuses.isSuperset(of: [.open, .partiallyPaid, .paid]), "\(statuses)")
            #expect(orders.contains { $0.payments.count >= 2 })
            let owing = orders.filter { $0.balanceDue.minorUnits > 0 }.count
            #expect((10...80).contains(owing), "\(owing) orders owe a balance")
            #expect(Set(orders.map(\.currency.code)).contains("USD"))
            #expect(orders.filter { $0.currency == .usd }.count > 150)

            // Refunds never raise the balance due; amounts stay within the rules.
            let refunded = orders.filter { $0.refunded.minorUnits > 0 }
            #expect(!refunded.isEmpty)
            for order in orders {
                #expect((500...40_000).contains(order.total.minorUnits))
                #expect(order.paid.minorUnits + order.balanceDue.minorUnits == order.total.minorUnits)
                #expect(order.refunded.minorUnits <= order.paid.minorUnits)
            }

            // Over the past 90 days (some today), never in the future, each order's payments in order.
            let created = orders.map(\.createdAt.millisecondsSinceEpoch)
            let first = try #require(created.min()), last = try #require(created.max())
            #expect(last <= Self.now.millisecondsSinceEpoch)
            #expect(last - first >= 60 * Self.day)
            #expect(Self.now.millisecondsSinceEpoch - first <= 91 * Self.day)
            #expect(created.contains { Self.now.millisecondsSinceEpoch - $0 < Self.day }, "some orders today")
            for order in orders {
                let times = [order.createdAt] + order.payments.map(\.createdAt) + order.payments.flatMap { $0.refunds.map(\.at) }
                #expect(times.allSatisfy { $0 <= Self.now })
                #expect(order.payments.map(\.createdAt) == order.payments.map(\.createdAt).sorted())
                #expect(order.payments.allSatisfy { $0.createdAt >= order.createdAt })
            }

            // Customers come back: fewer customers than orders, each with a plausible address.
            let emails = Set(orders.map(\.email.key))
            #expect((10..<200).contains(emails.count), "\(emails.count) customers")
            let list = try await service.orders(email: orders[0].email.address).get()
            #expect(!list.orders.isEmpty)

            // Standalone card payments: captured, voided, refunded.
            let paymentIds = try await service.database.read { ledger in try ledger.recentPaymentIds(limit: 100_000) }
            var statusCounts: [String: Int] = [:]
            for id in paymentIds {
                let view = try await service.payment(id: id).get()
                if view.orderPaymentId == nil { statusCounts[view.status.rawValue, default: 0] += 1 }
            }
            #expect(statusCounts["voided", default: 0] > 0, "\(statusCounts)")
            #expect(statusCounts["captured", default: 0] + statusCounts["partially_captured", default: 0] > 0, "\(statusCounts)")
            #expect(statusCounts["refunded", default: 0] + statusCounts["partially_refunded", default: 0] > 0, "\(statusCounts)")

            // Wallets: used as a tender, credited and debited.
            let walletNames = Set(payments.compactMap { payment -> String? in
                if case .storeCredit(let name) = payment.tender { return name }
                return nil
            })
            #expect(!walletNames.isEmpty)
            #expect(walletNames.contains { !$0.allSatisfy(\.isASCII) }, "names beyond ASCII: \(walletNames)")
            #expect(summary["wallets"] as? Int ?? 0 >= walletNames.count)
            var kinds = Set<String>()
            for name in walletNames {
                // Every demo wallet is its owner's, and their customer screen shows it.
                let wallet = try await service.wallet(name: name).get()
                let owner = try #require(wallet.customer, "\(name) has no customer")
                #expect(try await service.customer(email: owner).get().storeCredit.contains(wallet))
                kinds.formUnion(try await service.walletHistory(name: name, limit: 1000).get().map(\.kind))
            }
            #expect(kinds.isSuperset(of: ["credited", "debited"]), "\(kinds)")
        }
    }

    @Test("the same seed and time give the same data; progress is reported in order")
    func deterministicWithProgress() async throws {
        try await Self.withTemporaryDirectory { directory in
            let calls = Mutex<[(Int, Int)]>([])
            var shapes: [[String]] = []
            for run in 0..<2 {
                let path = directory + "/run\(run)/till.sqlite"
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let summary = try await DemoData.fill(databasePath: path, secretsDirectory: Self.secrets(path), orders: 60, seed: 7, now: Self.now) { done, total in
                    if run == 0 { calls.withLock { $0.append((done, total)) } }
                }
                #expect(summary.orders == 60)
                #expect(summary.failures == 0, "\(summary.failureCodes)")
                let orders = try await Self.allOrders(try await Self.service(path))
                shapes.append(orders.map(Self.shape).sorted())
            }
            #expect(shapes[0] == shapes[1])

            let progress = calls.withLock { $0 }
            #expect(!progress.isEmpty && progress.count <= 201)
            #expect(progress.allSatisfy { $0.1 == 60 })
            #expect(progress.map(\.0) == progress.map(\.0).sorted())
            #expect(progress.last?.0 == 60)
        }
    }

    @Test("another seed gives other data")
    func otherSeed() {
        let one = DemoPlan.make(orders: 50, seed: 1, now: Self.now)
        let two = DemoPlan.make(orders: 50, seed: 2, now: Self.now)
        #expect(one.orders.map(\.total) != two.orders.map(\.total))
        #expect(DemoPlan.make(orders: 50, seed: 1, now: Self.now).orders.map(\.total) == one.orders.map(\.total))
    }

    @Test("running the demo twice on one ledger appends")
    func twiceAppends() async throws {
        try await Self.withTemporaryDirectory { directory in
            let path = directory + "/till.sqlite"
            var wallets: [Int] = []
            for _ in 0..<2 {
                let result = await Self.demo(["--orders", "40", "--seed", "11"], path: path)
                #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
                let summary = try Self.summary(result)
                #expect(summary["orders"] as? Int == 40)
                #expect(summary["failures"] as? Int == 0, "\(summary["failure_codes"] ?? "")")
                wallets.append(summary["wallets"] as? Int ?? -1)
            }
            // The second run opens its own wallets (names taken get a number), so it pays the same.
            #expect(wallets[0] > 0 && wallets[0] == wallets[1])
            let service = try await Self.service(path)
            #expect(try await service.database.read { try $0.orderCount() } == 80)
            #expect(try service.database.integrityCheck() == "ok")
        }
    }

    @Test("tiny and empty runs")
    func tiny() async throws {
        try await Self.withTemporaryDirectory { directory in
            let result = await Self.demo(["--orders", "1"], path: directory + "/till.sqlite")
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            let summary = try Self.summary(result)
            #expect(summary["orders"] as? Int == 1)
        }
        let plan = DemoPlan.make(orders: 0, seed: 3, now: Self.now)
        #expect(plan.steps.isEmpty)
    }

    @Test("beyond the planned orders, two years of cash history are recorded in bulk")
    func history() async throws {
        try await Self.withTemporaryDirectory { directory in
            let path = directory + "/till.sqlite"
            let calls = Mutex<[(Int, Int)]>([])
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let summary = try await DemoData.fill(databasePath: path, secretsDirectory: Self.secrets(path), orders: 3000, planned: 100, seed: 5, now: Self.now) {
                done, total in calls.withLock { $0.append((done, total)) }
            }
            #expect(summary.orders == 3000 && summary.historyOrders == 2900)
            #expect(summary.failures == 0, "\(summary.failureCodes)")
            let progress = calls.withLock { $0 }
            #expect(progress.map(\.0) == progress.map(\.0).sorted() && progress.last?.0 == 3000)
            #expect(progress.allSatisfy { $0.1 == 3000 })

            let service = try await Self.service(path)
            #expect(try service.database.integrityCheck() == "ok")
            // Every order reads back through the core.
            let orders = try await Self.allOrders(service)
            #expect(orders.count == 3000)
            let end = DemoHistory.end(before: Self.now)
            let history = orders.filter { $0.createdAt.millisecondsSinceEpoch < end }
            #expect(history.count == 2900, "the planned orders all fall in the last 90 days")

            // Two years of cash, every step before the planned days began.
            let created = history.map(\.createdAt.millisecondsSinceEpoch)
            let first = try #require(created.min())
            #expect(first >= end - 730 * Self.day && first < end - 700 * Self.day)
            let payments = history.flatMap(\.payments)
            #expect(payments.allSatisfy { $0.tender.kind == .cash && $0.createdAt.millisecondsSinceEpoch < end })
            #expect(payments.flatMap(\.refunds).allSatisfy { $0.at.millisecondsSinceEpoch < end })
            #expect(Set(history.map(\.status)) == [.open, .partiallyPaid, .paid])
            #expect(history.contains { $0.refunded.isPositive })
            for order in history {
                #expect(order.payments.map(\.createdAt) == order.payments.map(\.createdAt).sorted())
                #expect(order.payments.allSatisfy { $0.createdAt >= order.createdAt })
            }

            // About twenty orders a customer, the regulars far more; their history pages.
            var perCustomer: [String: Int] = [:]
            for order in orders { perCustomer[order.email.key, default: 0] += 1 }
            #expect((100...160).contains(perCustomer.count), "\(perCustomer.count) customers")
            #expect(summary.customers == perCustomer.count)
            let (top, count) = try #require(perCustomer.max { $0.value < $1.value })
            #expect(count >= 40, "the busiest regular has \(count) orders")
            var paged = 0, cursor: OrderCursor?
            repeat {
                let page = try await service.customerOrders(email: top, limit: 9, after: cursor).get()
                paged += page.orders.count
                cursor = page.next
            } while cursor != nil
            #expect(paged == count)
            #expect(try await service.customer(email: top).get().orderCount == count)

            // A second run appends: new ids, nothing refused.
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let again = try await DemoData.fill(databasePath: path, secretsDirectory: Self.secrets(path), orders: 500, planned: 20, seed: 5, now: Self.now) { _, _ in }
            #expect(again.failures == 0 && again.historyOrders == 480)
            #expect(try await service.database.read { try $0.orderCount() } == 3500)
        }
    }

    /// An order as the seed decides it (ids are random, so they are left out).
    static func shape(_ order: Order) -> String {
        let payments = order.payments.map { payment in
            "\(payment.amount.minorUnits) \(payment.tender.kind.rawValue) \(payment.createdAt.millisecondsSinceEpoch) "
                + "\(payment.change.minorUnits) " + payment.refunds.map { "r\($0.amount.minorUnits)@\($0.at.millisecondsSinceEpoch)" }.joined()
        }
        return "\(order.createdAt.millisecondsSinceEpoch) \(order.email.address) \(order.total) \(order.status.rawValue) "
            + payments.joined(separator: "; ")
    }
}
