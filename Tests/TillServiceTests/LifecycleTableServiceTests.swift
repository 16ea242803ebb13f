import Testing
import TillCore
import TillProcessor
@testable import TillService
import TillStore

/// The lifecycle table, pair by pair, against the real service: a capture's record is put in
/// each stage a newcomer can find (free, taken, lapsed, unknown, attention, damaged,
/// completed), then a request or a resolution pass arrives, and the service must do what
/// `RequestLifecycle` says, charging at most once.
@Suite("Request lifecycle table, as the service follows it")
struct LifecycleTableServiceTests {
    static let stages: [RequestStage] = RequestStage.allCases.filter { $0 != .inFlight }
    static let events: [RequestEvent] = [.start, .startOther, .sweep, .sweepAll]
    static var pairs: [(RequestStage, RequestEvent)] { stages.flatMap { stage in events.map { (stage, $0) } } }

    /// A $100 authorization, and a $10 capture under "k" left in `stage`.
    static func prepare(_ stage: RequestStage, _ harness: Harness) async throws -> String {
        let service = harness.service
        let payment = try ok(await service.authorize(
            number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "100.00", currency: "USD", key: "auth")).response.id
        switch stage {
        case .free, .inFlight:
            break
        case .completed:
            _ = try ok(await service.capture(paymentId: payment, amount: "10.00", key: "k"))
        case .unknown, .attention, .damaged:
            // Applied at GoblinPay, the answer lost.
            harness.goblin.inject(.errorAfterApplying, on: .capture)
            #expect(code(await service.capture(paymentId: payment, amount: "10.00", key: "k")) == .paymentPending)
            let damage = stage == .attention
                ? "UPDATE idempotency SET state = 'needs_attention', attention = 'looked at' WHERE key = 'k'"
                : stage == .damaged ? "UPDATE idempotency SET intent = '{' WHERE key = 'k'" : nil
            if let damage { try await harness.execute(damage) }
        case .taken, .lapsed:
            // Another till stopped dead just before its call: nothing applied, its lease left.
            let crashing = TillService(
                database: try TillDatabase.open(path: harness.databasePath, secretsDirectory: harness.directory.secrets),
                processor: harness.goblin, clock: harness.clock.function, owner: RequestOwner(id: "crashing"),
                hooks: RequestHooks { step, key in step == .beforeProcessorCall && key == "k" ? .crash : .proceed })
            #expect(code(await crashing.capture(paymentId: payment, amount: "10.00", key: "k")) == .requestInProgress)
            if stage == .lapsed { harness.clock.advance(milliseconds: 3 * 60 * 1000) }
        }
        return payment
    }

    @Test("a request or a resolution pass arriving at each stage is answered as the table says", arguments: pairs)
    func serviceFollowsTheTable(stage: RequestStage, event: RequestEvent) async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let payment = try await Self.prepare(stage, harness)
        let before = try await harness.requestState(key: "k")
        let action = RequestLifecycle.transition(from: stage, on: event).action
        switch event {
        case .start, .startOther:
            let result = await service.capture(paymentId: payment, amount: event == .start ? "10.00" : "11.00", key: "k")
            switch action {
            case .call:
                #expect(try ok(result).replayed == false)
                #expect(try await harness.requestState(key: "k") == "completed")
            case .replay:
                #expect(try ok(result).replayed)
            case .lookUp:
                // Asked first: recorded if it was applied, else freed and run afresh; once either way.
                _ = try ok(result)
                #expect(try await harness.requestState(key: "k") == "completed")
            case .reject(let expected):
                #expect(code(result) == expected)
                #expect(try await harness.requestState(key: "k") == before)
            case .record, .free, .giveUp, .park, .keep:
                Issue.record("the table answers \(action) to a request")
            }
        default:
            let summary = counts(await service.resolveOpenRequests(includingAttention: event == .sweepAll))
            switch action {
            case .lookUp:
                #expect(summary.open == 0)
                #expect(summary.recorded + summary.released == 1)
                #expect(try await harness.requestState(key: "k") != before)
            case .keep:
                #expect(summary == Counts(recorded: 0, released: 0, open: before == nil || before == "completed" ? 0 : 1))
                #expect(try await harness.requestState(key: "k") == before)
            default:
                Issue.record("the table answers \(action) to a resolution pass")
            }
        }
        #expect(try await harness.entries(.capture).count <= 1)
        try await harness.expectEveryKeyAppliedOnce()
    }
}
