import Foundation
import Testing
import TillCore
import TillProcessor
import TillStore
@testable import TillSim
import TillTestSupport

/// The checker on a ledger built by hand: money GoblinPay holds that Till never recorded is
/// found, through the ledger's own rows (`LedgerInspection`), whoever made it.
@Suite("till sim checker")
struct SimCheckerTests {
    /// A fresh ledger (`TestBackend`), its secret outside its folder; removed afterwards.
    static func withLedger(_ body: (LedgerInspection) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-sim-checker-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/ledger", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try TestBackend.ledger(at: folder + "/ledger/till.sqlite")
        defer { TestBackend.remove(ledger) }
        let database = try TillDatabase.open(path: ledger, secretsDirectory: folder + "/secrets")
        defer { database.close() }
        try await body(LedgerInspection(database))
    }

    static let card = CardCredentials(
        number: GoblinPay.TestCard.approved, expiry: CardExpiry(month: YearMonth(year: 2040, month: 12)), cvv: "123")

    @Test func anEmptyLedgerAgreesWithAnEmptyGoblinPay() async throws {
        try await Self.withLedger { ledger in
            var checker = SimChecker()
            let found = try ledger.read { try checker.fullCheck(entries: [], ledger: $0, strict: true) }
            #expect(found == nil)
            #expect(checker.checks[Invariant.readModels.rawValue] == 1)
        }
    }

    /// A hold GoblinPay placed under a key Till has no request for is a leaked hold; a capture
    /// on it is money lost.
    @Test func aChargeTillNeverRecordedIsAViolation() async throws {
        try await Self.withLedger { ledger in
            let goblin = GoblinPay(configuration: GoblinPayConfiguration(seed: 1, captureFailureRate: .never))
            let amount = Money(minorUnits: 1_000, currency: .usd)
            guard case .approved(let reference) = await goblin.authorize(key: "k1#0:authorize", card: Self.card, amount: amount) else {
                Issue.record("GoblinPay did not authorize")
                return
            }
            var checker = SimChecker()
            let entries = try await goblin.ledger.entries()
            let hold = try ledger.read { try checker.afterStep(entries: entries, ledger: $0) }
            #expect(hold?.invariant == Invariant.ledgersAgree.rawValue)
            #expect(hold?.detail.contains("LEAKED HOLD: attempt k1#0") == true, "\(String(describing: hold))")

            _ = await goblin.capture(key: "k1#0:capture", authorization: reference, amount: amount)
            var later = SimChecker()
            let more = try await goblin.ledger.entries()
            let lost = try ledger.read { try later.afterStep(entries: more, ledger: $0) }
            #expect(lost?.detail.contains("LOST: GoblinPay applied authorize 1000, capture 1000 under attempt k1#0") == true, "\(String(describing: lost))")
        }
    }
}
