import Foundation
import Testing
import TillCore
@testable import TillProcessor

/// Shared values for the GoblinPay tests.
enum Fixture {
    static let ordinaryCard = "4111111111111111"
    /// No random capture failures: outcomes come from the rules, the cards and the faults.
    static let noChance = GoblinPayConfiguration(captureFailureRate: .never)

    static func card(_ number: String) -> CardCredentials {
        CardCredentials(number: number, expiry: CardExpiry(month: YearMonth(year: 2030, month: 12)), cvv: "123")
    }

    static func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }

    /// The reference of an approved outcome, recording an issue otherwise.
    static func reference(
        _ outcome: ProcessorOutcome, sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        guard case .approved(let reference) = outcome else {
            Issue.record("expected approved, got \(outcome)", sourceLocation: sourceLocation)
            return nil
        }
        return reference
    }

    /// Authorizes `minor` cents on `number` under `key` and returns the reference.
    static func authorize(
        _ goblinPay: GoblinPay, key: String = "auth-1", number: String = TestCardNumbers.approved,
        minor: Int64 = 1000, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> String? {
        reference(
            await goblinPay.authorize(key: key, card: card(number), amount: usd(minor)), sourceLocation: sourceLocation)
    }
}

typealias TestCardNumbers = GoblinPay.TestCard

/// Where a test's GoblinPay keeps its ledger: most behaviour is checked on both storages,
/// since they sit behind one protocol and must answer alike.
enum LedgerKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, file

    var testDescription: String { rawValue }
}

/// A fresh directory under the system's temporary folder, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("goblinpay-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a GoblinPay on `kind` of ledger, removing any file afterwards.
func withGoblinPay(
    _ kind: LedgerKind, configuration: GoblinPayConfiguration = GoblinPayConfiguration(),
    _ body: (GoblinPay) async throws -> Void
) async throws {
    switch kind {
    case .memory:
        try await body(GoblinPay(configuration: configuration))
    case .file:
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(GoblinPay(ledgerPath: directory.path("goblinpay.sqlite"), configuration: configuration))
    }
}
