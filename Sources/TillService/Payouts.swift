public import TillCore
public import TillProcessor
import TillStore

/// How an import cycle retries an acknowledgement: up to `attempts` tries per payout per cycle,
/// waiting `base · 2^n` (at most `cap`) with full jitter between tries; what is still not
/// acknowledged is tried again by the next cycle, so it is retried until it sticks.
public struct AcknowledgementRetry: Sendable {
    public var attempts: Int
    public var base: Duration
    public var cap: Duration
    /// How many acknowledgements are on the wire at once.
    public var width: Int
    /// Waits; `jitter(upTo:)` picks a wait. Tests and the simulation pass their own.
    public var pause: @Sendable (Duration) async -> Void
    public var jitter: @Sendable (Duration) -> Duration

    public init(
        attempts: Int = 8, base: Duration = .milliseconds(20), cap: Duration = .seconds(1), width: Int = 8,
        pause: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        jitter: @escaping @Sendable (Duration) -> Duration = { limit in
            let microseconds = max(1, limit.components.seconds * 1_000_000 + limit.components.attoseconds / 1_000_000_000_000)
            return .microseconds(Int64.random(in: 0...microseconds))
        }
    ) {
        self.attempts = max(1, attempts)
        self.base = base
        self.cap = cap
        self.width = max(1, width)
        self.pause = pause
        self.jitter = jitter
    }

    func wait(before attempt: Int) -> Duration {
        var limit = base
        for _ in 0..<min(attempt, 30) where limit < cap { limit = limit * 2 }
        return jitter(min(limit, cap))
    }
}

/// What one import cycle did.
public struct PayoutCycleReport: Sendable, Hashable, Encodable {
    /// Payouts GoblinPay listed as notifying.
    public var listed = 0
    /// Recorded by this cycle (new to Till).
    public var recorded = 0
    /// Listed again although Till had them already (an earlier cycle, another process).
    public var alreadyRecorded = 0
    /// Acknowledged by this cycle, or found processing already.
    public var acknowledged = 0
    /// Recorded but not acknowledged yet: the next cycle tries again.
    public var unacknowledged = 0
    /// Acknowledgement calls made (tries, not payouts).
    public var acknowledgementCalls = 0
    /// Payouts Till would not record (their text does not read, or the entries do not add up),
    /// by id with the reason. They stay notifying at GoblinPay.
    public var refused: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case listed, recorded, refused, acknowledged, unacknowledged
        case alreadyRecorded = "already_recorded"
        case acknowledgementCalls = "acknowledgement_calls"
    }
}

extension TillService {
    /// One import cycle against `source`:
    /// 1. Till's payouts not yet acknowledged are read first: any GoblinPay no longer lists as
    ///    notifying was acknowledged already (an earlier answer was lost) and is marked so
    ///    without calling again, which would count a second update;
    /// 2. the notifying payouts are listed and each is read exactly (text to minor units);
    /// 3. each new one is recorded with its entries and its effect in one transaction, keyed by
    ///    its id, so a payout listed twice or imported by two processes is recorded once;
    /// 4. only then is each acknowledged, retried with backoff and jitter (`retry`); what sticks
    ///    is marked acknowledged, the rest waits for the next cycle.
    /// A list that fails ends the cycle with `processor_error` and changes nothing.
    public func importPayouts(from source: any PayoutSource, retry: AcknowledgementRetry = AcknowledgementRetry()) async
        -> Result<PayoutCycleReport, Rejection>
    {
        var report = PayoutCycleReport()
        let waiting: [String]
        switch await read({ ledger, _ in try ledger.unacknowledgedPayoutIds() }) {
        case .success(let ids): waiting = ids
        case .failure(let rejection): return .failure(rejection)
        }
        let listed: [PayoutWire.Payout]
        do {
            listed = try await source.notifyingPayouts()
        } catch {
            return .failure(Rejection(.processorError, "GoblinPay's payouts could not be listed (\(String(describing: error).echoed(limit: 200))); nothing was imported."))
        }
        report.listed = listed.count
        var payouts: [Payout] = []
        for wire in listed {
            switch wire.read() {
            case .success(let payout): payouts.append(payout)
            case .failure(let rejection): report.refused[wire.id.echoed(limit: 60)] = rejection.message
            }
        }
        let notifying = Set(listed.map(\.id))
        let confirmedEarlier = waiting.filter { !notifying.contains($0) }

        // Record in chunks: each payout whole in the chunk's one transaction.
        for start in stride(from: 0, to: payouts.count, by: 500) {
            let chunk = Array(payouts[start..<min(start + 500, payouts.count)])
            switch await write({ ledger, now in
                try ledger.markAcknowledged(start == 0 ? confirmedEarlier : [], at: now)
                return try chunk.filter { try ledger.record($0, at: now) }.count
            }) {
            case .success(let count):
                report.recorded += count
                report.alreadyRecorded += chunk.count - count
            case .failure(let rejection): return .failure(rejection)
            }
        }
        if payouts.isEmpty, !confirmedEarlier.isEmpty {
            if case .failure(let rejection) = await write({ ledger, now in try ledger.markAcknowledged(confirmedEarlier, at: now) }) {
                return .failure(rejection)
            }
        }
        report.acknowledged = confirmedEarlier.count

        let (acknowledged, calls) = await acknowledge(payouts.map(\.id), at: source, retry: retry)
        report.acknowledgementCalls = calls
        if !acknowledged.isEmpty {
            if case .failure(let rejection) = await write({ ledger, now in try ledger.markAcknowledged(acknowledged, at: now) }) {
                return .failure(rejection)
            }
        }
        report.acknowledged += acknowledged.count
        report.unacknowledged = payouts.count - acknowledged.count
        return .success(report)
    }

    /// Acknowledges `ids`, `retry.width` at a time: the ids that stuck and the calls made.
    private func acknowledge(_ ids: [String], at source: any PayoutSource, retry: AcknowledgementRetry) async -> ([String], Int) {
        await withTaskGroup(of: (String, Bool, Int).self) { group in
            var next = 0
            var stuck: [String] = []
            var calls = 0
            func start() {
                guard next < ids.count else { return }
                let id = ids[next]
                next += 1
                group.addTask {
                    for attempt in 0..<retry.attempts {
                        if attempt > 0 { await retry.pause(retry.wait(before: attempt)) }
                        if await source.acknowledge(id: id) { return (id, true, attempt + 1) }
                    }
                    return (id, false, retry.attempts)
                }
            }
            for _ in 0..<retry.width { start() }
            for await (id, ok, tries) in group {
                calls += tries
                if ok { stuck.append(id) }
                start()
            }
            return (stuck, calls)
        }
    }

    /// Every payout Till recorded, newest first.
    public func importedPayouts() async -> Result<[ImportedPayout], Rejection> {
        await read { ledger, _ in try ledger.importedPayouts() }
    }

    /// Till's captures and refunds sorted against the payouts imported (DESIGN §5).
    public func reconcilePayouts() async -> Result<(Reconciliation, [ImportedPayout]), Rejection> {
        await read { ledger, _ in
            let payouts = try ledger.importedPayouts()
            return (Reconciliation(movements: try ledger.cardMovements(), payouts: payouts.map(\.payout)), payouts)
        }
    }

    /// The processor's payouts API, when it has one (GoblinPay in-process or as a service).
    public var payoutSource: (any PayoutSource)? { processor as? any PayoutSource }
}
