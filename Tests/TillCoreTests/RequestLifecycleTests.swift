import Testing
@testable import TillCore

/// Every (stage x event) pair of the request lifecycle, generated from the enums: the table must
/// say what DESIGN.md §3 says, and the "never charged twice" promises must hold on every path.
@Suite("Request lifecycle table")
struct RequestLifecycleTests {
    typealias Row = [RequestEvent: RequestAction]

    /// DESIGN.md §3 written out independently of `RequestLifecycle`, so editing the table
    /// without editing the contract fails here.
    static let contract: [RequestStage: Row] = {
        let reused = RequestAction.reject(.idempotencyKeyReused), inProgress = RequestAction.reject(.requestInProgress)
        let pending = RequestAction.reject(.paymentPending)
        func row(
            _ start: RequestAction, _ startOther: RequestAction, _ sweep: RequestAction, _ sweepAll: RequestAction,
            _ nextCall: RequestAction, _ applied: RequestAction, _ notApplied: RequestAction, _ noAnswer: RequestAction,
            _ unrecordable: RequestAction
        ) -> Row {
            [.start: start, .startOther: startOther, .sweep: sweep, .sweepAll: sweepAll, .nextCall: nextCall,
             .applied: applied, .notApplied: notApplied, .noAnswer: noAnswer, .unrecordable: unrecordable]
        }
        return [
            .free: row(.call, .call, .keep, .keep, .call, .record, .keep, .keep, .park),
            .inFlight: row(inProgress, reused, .keep, .keep, .call, .record, .free, .giveUp, .park),
            .taken: row(inProgress, reused, .keep, .keep, pending, .record, .keep, .keep, .keep),
            .lapsed: row(.lookUp, reused, .lookUp, .lookUp, pending, .record, .keep, .keep, .keep),
            .unknown: row(.lookUp, reused, .lookUp, .lookUp, pending, .record, .keep, .keep, .keep),
            .attention: row(pending, reused, .keep, .lookUp, pending, .record, .keep, .keep, .keep),
            .damaged: row(inProgress, reused, .keep, .keep, pending, .keep, .keep, .keep, .keep),
            .completed: row(.replay, reused, .keep, .keep, pending, .replay, .keep, .keep, .keep),
        ]
    }()

    /// Where each action leaves a request, also written out apart from the code.
    static func expectedNext(_ action: RequestAction, from stage: RequestStage) -> RequestStage {
        switch action {
        case .call, .lookUp: .inFlight
        case .replay, .record: .completed
        case .free: .free
        case .giveUp: .unknown
        case .park: .attention
        case .keep, .reject: stage
        }
    }

    static var pairs: [(RequestStage, RequestEvent)] {
        RequestStage.allCases.flatMap { stage in RequestEvent.allCases.map { (stage, $0) } }
    }

    @Test("the lifecycle table is the DESIGN.md contract", arguments: pairs)
    func tableMatchesContract(stage: RequestStage, event: RequestEvent) throws {
        let expected = try #require(Self.contract[stage]?[event])
        let transition = RequestLifecycle.transition(from: stage, on: event)
        #expect(transition.action == expected)
        #expect(transition.next == Self.expectedNext(expected, from: stage))
    }

    @Test("never charged twice: only the holder calls the processor; nobody else's request is called again", arguments: pairs)
    func onlyTheHolderCalls(stage: RequestStage, event: RequestEvent) {
        let transition = RequestLifecycle.transition(from: stage, on: event)
        if transition.action == .call {
            // From a free key (a new request, or the holder taking back a row a lookup freed
            // under it) or from the holder's own flight: never from a record someone else left.
            #expect([.free, .inFlight].contains(stage))
            #expect([.start, .startOther, .nextCall].contains(event))
        }
    }

    @Test("never charged twice: a completed request never reaches the processor again", arguments: RequestEvent.allCases)
    func completedIsFinal(event: RequestEvent) {
        let transition = RequestLifecycle.transition(from: .completed, on: event)
        #expect(transition.next == .completed)
        #expect(![.call, .lookUp, .free].contains(transition.action))
    }

    @Test("unknown leaves only by a lookup (claimed, then asked) or an applied answer", arguments: RequestEvent.allCases)
    func unknownLeavesOnlyByAnAnswer(event: RequestEvent) {
        let transition = RequestLifecycle.transition(from: .unknown, on: event)
        switch transition.next {
        case .unknown: break
        case .inFlight: #expect(transition.action == .lookUp)
        case .completed: #expect(event == .applied && transition.action == .record)
        default: Issue.record("unknown went to \(transition.next) on \(event)")
        }
    }

    @Test("only the processor's 'not applied', heard by the holder, frees a key", arguments: pairs)
    func onlyNotAppliedFrees(stage: RequestStage, event: RequestEvent) {
        let transition = RequestLifecycle.transition(from: stage, on: event)
        if stage != .free, transition.next == .free {
            #expect(stage == .inFlight && event == .notApplied)
        }
    }

    @Test("an applied answer is recorded whatever the record says (a damaged one aside), never dropped", arguments: RequestStage.allCases)
    func appliedIsNeverForgotten(stage: RequestStage) {
        let transition = RequestLifecycle.transition(from: stage, on: .applied)
        #expect(transition.next == (stage == .damaged ? .damaged : .completed))
    }

    @Test("another request under a used key changes nothing", arguments: RequestStage.allCases)
    func otherRequestChangesNothing(stage: RequestStage) {
        let transition = RequestLifecycle.transition(from: stage, on: .startOther)
        if stage == .free {
            #expect(transition.action == .call)
        } else {
            #expect(transition == RequestTransition(next: stage, action: .reject(.idempotencyKeyReused)))
        }
    }

    // MARK: Reading a record's stage

    static let now = Instant(millisecondsSinceEpoch: 1_000_000)

    static func record(_ state: RequestRecord.State, owner: String? = nil, expires: Int64? = nil, intent: String? = "{}") -> RequestRecord {
        RequestRecord(
            key: "k", operation: "payment.capture", target: "pay_1", fingerprint: "f", state: state,
            response: state == .completed ? "{}" : nil, intent: state == .completed ? nil : intent,
            leaseOwner: owner, leaseExpiresAt: expires)
    }

    static func stage(_ record: RequestRecord?, holder: String? = nil, gone: Set<String> = []) -> RequestStage {
        RequestLifecycle.stage(
            of: record, at: now, holder: holder, holderGone: { gone.contains($0) }, intentReadable: { $0.intent == "{}" })
    }

    @Test("a lease runs out by the request's own times, or when its process is known to be gone")
    func leases() {
        let live = Self.record(.inProgress, owner: "a", expires: Self.now.millisecondsSinceEpoch + 1)
        let due = Self.record(.inProgress, owner: "a", expires: Self.now.millisecondsSinceEpoch)
        #expect(Self.stage(live) == .taken)
        #expect(Self.stage(due) == .lapsed)
        #expect(Self.stage(live, gone: ["a"]) == .lapsed)
        #expect(Self.stage(Self.record(.inProgress, owner: nil, expires: Self.now.millisecondsSinceEpoch + 1)) == .lapsed)
        #expect(Self.stage(Self.record(.inProgress, owner: "a", expires: nil)) == .lapsed)
        // The holder reads its own row as in flight, lease run out or not; anyone else does not.
        #expect(Self.stage(live, holder: "a") == .inFlight)
        #expect(Self.stage(due, holder: "a") == .inFlight)
        #expect(Self.stage(live, holder: "b") == .taken)
    }

    @Test("the record's states, a damaged intent, and no record")
    func states() {
        #expect(Self.stage(nil) == .free)
        #expect(Self.stage(Self.record(.outcomeUnknown)) == .unknown)
        #expect(Self.stage(Self.record(.needsAttention)) == .attention)
        #expect(Self.stage(Self.record(.completed)) == .completed)
        #expect(Self.stage(Self.record(.outcomeUnknown, intent: "{")) == .damaged)
        #expect(Self.stage(Self.record(.needsAttention, intent: nil)) == .damaged)
        #expect(Self.stage(Self.record(.inProgress, owner: "a", expires: Self.now.millisecondsSinceEpoch + 1, intent: "{")) == .damaged)
        // The holder's own row is in flight even when its intent no longer reads.
        #expect(Self.stage(Self.record(.inProgress, owner: "a", expires: nil, intent: "{"), holder: "a") == .inFlight)
    }
}
