/// The kinds of call GoblinPay takes, as faults target them and the ledger names them.
public enum GoblinPayOperation: String, CaseIterable, Hashable, Sendable {
    case authorize, capture, refund, void, release
}

/// Something to go wrong on a coming call, injected by a test with
/// `GoblinPay.inject(_:on:times:)`. Each call of the targeted kind takes the oldest fault
/// waiting for that kind, at most one per call, whatever the key (a replay takes one too).
public enum GoblinPayFault: Hashable, Sendable {
    /// The call is refused with this reason and nothing is applied. A key that was already
    /// applied still answers `.approved`: a processor never declines what it did.
    case decline(reason: String)
    /// The call fails before reaching the ledger: `.failed`, nothing applied.
    case errorBeforeApplying
    /// The call runs as usual (applying if it would), then its answer is lost: `.unknown`.
    /// `lookup(key:)` tells what happened.
    case errorAfterApplying
    /// The call waits this long, then runs as usual.
    case latency(Duration)
}

/// Faults waiting, per operation, oldest first.
struct FaultQueue: Sendable {
    private var waiting: [GoblinPayOperation: [GoblinPayFault]] = [:]

    mutating func add(_ fault: GoblinPayFault, on operation: GoblinPayOperation, times: Int) {
        guard times > 0 else { return }
        waiting[operation, default: []].append(contentsOf: repeatElement(fault, count: times))
    }

    mutating func next(for operation: GoblinPayOperation) -> GoblinPayFault? {
        guard var faults = waiting[operation], !faults.isEmpty else { return nil }
        let fault = faults.removeFirst()
        waiting[operation] = faults
        return fault
    }

    func count(for operation: GoblinPayOperation) -> Int { waiting[operation]?.count ?? 0 }

    mutating func removeAll() { waiting = [:] }
}
