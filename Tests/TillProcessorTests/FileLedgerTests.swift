import Foundation
import Testing
import TillCore
@testable import TillProcessor

/// The SQLite ledger: what one process applied, the next one sees; the file is private and
/// never holds a card number.
@Suite struct FileLedgerTests {
    @Test func aSecondInstanceSeesTheFirstOnesAuthorization() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("goblinpay.sqlite")
        let configuration = GoblinPayConfiguration(captureFailureRate: .never)
        let reference: String
        do {
            let first = try GoblinPay(ledgerPath: path, configuration: configuration)
            reference = try #require(await Fixture.authorize(first, number: Fixture.ordinaryCard, minor: 2500))
        }
        let second = try GoblinPay(ledgerPath: path, configuration: configuration)
        #expect(await second.lookup(key: "auth-1") == .applied(reference: reference))
        #expect(await second.capture(key: "cap", authorization: reference, amount: Fixture.usd(2500))
            == .approved(reference: reference))
        let third = try GoblinPay(ledgerPath: path, configuration: configuration)
        let card = Fixture.card(Fixture.ordinaryCard)
        #expect(await third.authorize(key: "auth-1", card: card, amount: Fixture.usd(2500))
            == .approved(reference: reference))
        #expect(await third.refund(key: "ref", authorization: reference, amount: Fixture.usd(2500))
            == .approved(reference: reference))
        let summary = try #require(try await third.ledger.summary(reference: reference))
        #expect(summary.captured == Fixture.usd(2500))
        #expect(summary.refunded == Fixture.usd(2500))
        #expect(try await third.ledger.entries().map(\.operation) == [.authorize, .capture, .refund])
        #expect(try await third.ledger.entries().map(\.sequence) == [1, 2, 3])
    }

    @Test func failedAttemptsPersistSoTheNextProcessRollsTheNextAttempt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("goblinpay.sqlite")
        let configuration = GoblinPayConfiguration(seed: 3, captureFailureRate: try GoblinPayFailureRate.parse("0.5"))
        let rate = configuration.captureFailureRate
        let key = try #require((0..<100).map { "cap-\($0)" }.first {
            rate.fails(seed: 3, key: $0, attempt: 0) && !rate.fails(seed: 3, key: $0, attempt: 1)
        })
        let reference = try #require(await Fixture.authorize(
            try GoblinPay(ledgerPath: path, configuration: configuration), number: Fixture.ordinaryCard))
        let first = await (try GoblinPay(ledgerPath: path, configuration: configuration))
            .capture(key: key, authorization: reference, amount: Fixture.usd(1000))
        guard case .failed = first else {
            Issue.record("expected failed, got \(first)")
            return
        }
        let second = await (try GoblinPay(ledgerPath: path, configuration: configuration))
            .capture(key: key, authorization: reference, amount: Fixture.usd(1000))
        #expect(second == .approved(reference: reference))
    }

    @Test func theLedgerFilesArePrivateAndWalIsOnWithFullSync() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("goblinpay.sqlite")
        let goblinPay = try GoblinPay(ledgerPath: path)
        _ = try #require(await Fixture.authorize(goblinPay))
        for file in [path, path + ".lock", path + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
            #expect(mode == 0o600, "\(file) has mode \(String(mode, radix: 8))")
        }
        let storage = try SQLiteLedgerStorage(path: path)
        #expect(try storage.synchronousSetting() == 2)
    }

    @Test func theFileNeverHoldsTheCardNumber() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("goblinpay.sqlite")
        let goblinPay = try GoblinPay(ledgerPath: path, configuration: Fixture.noChance)
        let numbers = [Fixture.ordinaryCard, "5555555555554444", TestCardNumbers.lostResponse]
        for (index, number) in numbers.enumerated() {
            let key = "auth-\(index)"
            _ = await goblinPay.authorize(key: key, card: Fixture.card(number), amount: Fixture.usd(1000))
            guard case .applied(let reference) = await goblinPay.lookup(key: key) else {
                Issue.record("\(key) not applied")
                continue
            }
            _ = await goblinPay.capture(key: "cap-\(index)", authorization: reference, amount: Fixture.usd(1000))
        }
        #expect(try await goblinPay.ledger.entries().count == 6)
        var bytes = Data()
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        #expect(bytes.count > 0)
        for number in numbers {
            #expect(bytes.range(of: Data(number.utf8)) == nil, "the ledger holds \(number)")
        }
        // What it does keep of the card: the last four digits.
        #expect(bytes.range(of: Data("1111".utf8)) != nil)
    }

    @Test func instancesOpeningOneFreshFileAtOnceShareOneLedger() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("fresh.sqlite")
        let approvals = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    guard let goblinPay = try? GoblinPay(ledgerPath: path) else { return false }
                    let outcome = await goblinPay.authorize(
                        key: "k\(index)", card: Fixture.card(TestCardNumbers.approved), amount: Fixture.usd(100))
                    guard case .approved = outcome else { return false }
                    return true
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(approvals == 8)
        #expect(try await GoblinPay(ledgerPath: path).ledger.entries().count == 8)
    }

    @Test func anUnopenablePathIsAnError() {
        #expect(throws: GoblinPayLedgerError.self) {
            try GoblinPay(ledgerPath: "/nonexistent-goblinpay-dir/ledger.sqlite")
        }
    }
}
