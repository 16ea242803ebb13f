public import TillCore
public import TillProcessor
import TillStore

/// How an import cycle retries acknowledgements: up to `attempts` rounds per cycle, waiting
/// `base · 2^n` (at most `cap`) with full jitter between rounds; what is still not acknowledged
/// is tried again by the next cycle, so it is retried until it sticks.
public struct AcknowledgementRetry: Sendable {
    public var attempts: Int
    public var base: Duration
    public var cap: Duration
    /// How many acknowledgements are on the wire at once.
    public var width: Int
    /// No new round starts after this long: the cycle ends and the next one records what
    /// arrived meanwhile first.
    public var phase: Duration
    /// Waits; `jitter(upTo:)` picks a wait. Tests and the simulation pass their own.
    public var pause: @Sendable (Duration) async -> Void
    public var jitter: @Sendable (Duration) -> Duration

    public init(
        attempts: Int = 6, base: Duration = .milliseconds(50), cap: Duration = .seconds(1), width: Int = 16,
        phase: Duration = .seconds(10),
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
        self.phase = phase
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
    /// 2. the notifying payouts are listed and each is read exactly (text to minor units); an
    ///    element that does not read is refused alone;
    /// 3. each new one is recorded with its entries and its effect in one transaction, keyed by
    ///    its id, so a payout listed twice or imported by two processes is recorded once; one
    ///    listed again with other contents under a recorded id is refused, never acknowledged;
    /// 4. only then is each claimed (one importer per payout, across processes) and acknowledged
    ///    in rounds: between rounds the list is read again, and a payout no longer notifying is
    ///    not sent again. What does not stick is released for the next cycle.
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
        let listing: PayoutListing
        do {
            listing = try await source.notifyingPayouts()
        } catch {
            return .failure(Rejection(.processorError, "GoblinPay's payouts could not be listed (\(String(describing: error).echoed(limit: 200))); nothing was imported."))
        }
        report.listed = listing.payouts.count + listing.unreadable.count
        for (index, id) in listing.unreadable.enumerated() {
            report.refused[id.map(Self.shown) ?? "(element \(index + 1) without an id)"] = "not a payout this API describes"
        }
        var payouts: [Payout] = []
        let byId = Dictionary(grouping: listing.payouts, by: \.id)
        var seen = Set<String>()
        for wire in listing.payouts where seen.insert(wire.id).inserted {
            guard byId[wire.id]?.allSatisfy({ $0 == wire }) ?? true else {
                report.refused[Self.shown(wire.id)] = "listed twice with different contents"
                continue
            }
            guard wire.state == "notifying" else {
                report.refused[Self.shown(wire.id)] = "in the notifying list, but its state says \(wire.state.echoed(limit: 20))"
                continue
            }
            switch wire.read() {
            case .success(let payout): payouts.append(payout)
            case .failure(let rejection): report.refused[Self.shown(wire.id)] = rejection.message
            }
        }
        // A recorded payout no longer listed was acknowledged (an answer was lost) only if
        // GoblinPay lists it as processing: a list that is partial must not strand it.
        let notifying = Set(listing.payouts.map(\.id) + listing.unreadable.compactMap { $0 })
        let complete = !listing.unreadable.contains(nil)
        let confirmedEarlier = complete ? await Self.processing(waiting.filter { !notifying.contains($0) }, at: source) : []

        var recordedOrKnown: [String] = []
        for start in stride(from: 0, to: max(payouts.count, confirmedEarlier.isEmpty ? 0 : 1), by: 500) {
            let chunk = Array(payouts[start..<min(start + 500, payouts.count)])
            switch await write({ ledger, now in
                try ledger.markAcknowledged(start == 0 ? confirmedEarlier : [], at: now)
                return try chunk.map { ($0.id, try ledger.record($0, at: now)) }
            }) {
            case .success(let outcomes):
                for (id, outcome) in outcomes {
                    switch outcome {
                    case .recorded: report.recorded += 1; recordedOrKnown.append(id)
                    case .alreadyRecorded: report.alreadyRecorded += 1; recordedOrKnown.append(id)
                    // A payout that read has an id of letters, digits, ".", "_" and "-": shown as it is.
                    case .conflicts: report.refused[id] = "another payout was recorded under this id; this one is not"
                    case .totalOverflows: report.refused[id] = "the paid-out total would not fit in an amount"
                    }
                }
            case .failure(let rejection): return .failure(rejection)
            }
        }
        report.acknowledged = confirmedEarlier.count
        let owner = "cycle-\(UInt64.random(in: 1...UInt64.max))"
        let claimed: [String], known = recordedOrKnown
        switch await write({ ledger, now in
            try ledger.claimForAcknowledgement(known, owner: owner, until: now.adding(Self.acknowledgementClaim), now: now)
        }) {
        case .success(let ids): claimed = ids
        case .failure(let rejection): return .failure(rejection)
        }
        let (acknowledged, calls) = await acknowledgeInRounds(claimed, at: source, retry: retry)
        report.acknowledgementCalls = calls
        let stuck = Set(acknowledged)
        let unstuck = claimed.filter { !stuck.contains($0) }
        if case .failure(let rejection) = await write({ ledger, now in
            try ledger.markAcknowledged(acknowledged, at: now)
            try ledger.releaseClaims(unstuck, owner: owner)
        }) {
            return .failure(rejection)
        }
        report.acknowledged += acknowledged.count
        report.unacknowledged = claimed.count - acknowledged.count
        return .success(report)
    }

    /// Of `ids`, those GoblinPay lists as processing (none when it cannot say).
    static func processing(_ ids: [String], at source: any PayoutSource) async -> [String] {
        guard !ids.isEmpty, let listing = try? await source.payouts(in: "processing") else { return [] }
        let processing = Set(listing.payouts.filter { $0.state == "processing" }.map(\.id))
        return ids.filter { processing.contains($0) }
    }

    /// An id as a report shows it: as it is when it reads as a payout id, else cut and quoted.
    static func shown(_ id: String) -> String {
        Payout.isId(id) ? id : id.echoed(limit: 60)
    }

    /// How long an importer holds the payouts it is acknowledging: longer than a cycle's
    /// acknowledgement phase (no call starts after `retry.phase`, 10 s, and a call waits at most
    /// 5 s), so no other till sends them while it still may; short, because a till that dies
    /// holding them keeps others waiting until then.
    static let acknowledgementClaim = TimeSpan(milliseconds: 30_000)

    /// Acknowledges `ids` in rounds of `retry.width` calls at a time. Before every round, the
    /// first included (the cycle's list may be old by now: another till may have acknowledged
    /// meanwhile), the list is read again: only payouts still notifying are sent; one GoblinPay
    /// lists as processing is done (an answer was lost); one in neither list is left for the
    /// next cycle. Stops after `retry.attempts` rounds or `retry.phase`.
    private func acknowledgeInRounds(_ ids: [String], at source: any PayoutSource, retry: AcknowledgementRetry) async -> ([String], Int) {
        var pending = ids
        var stuck: [String] = []
        var calls = 0
        let started = ContinuousClock.now
        for round in 0..<retry.attempts where !pending.isEmpty {
            if round > 0 {
                guard ContinuousClock.now - started < retry.phase else { break }
                await retry.pause(retry.wait(before: round))
            }
            guard let listing = try? await source.notifyingPayouts(), !listing.unreadable.contains(nil) else {
                if round == 0 { break } else { continue }
            }
            let still = Set(listing.payouts.map(\.id) + listing.unreadable.compactMap { $0 })
            let confirmed = Set(await Self.processing(pending.filter { !still.contains($0) }, at: source))
            stuck += pending.filter { confirmed.contains($0) }
            pending = pending.filter { !confirmed.contains($0) }
            let (done, tried) = await acknowledgeOnce(
                pending.filter { still.contains($0) }, at: source, width: retry.width, until: started + retry.phase)
            calls += tried
            let doneSet = Set(done)
            stuck += done
            pending = pending.filter { !doneSet.contains($0) }
        }
        return (stuck, calls)
    }

    /// One call per id, `width` at a time, none started after `until`: the ids GoblinPay
    /// confirmed, and the calls made.
    private func acknowledgeOnce(
        _ ids: [String], at source: any PayoutSource, width: Int, until: ContinuousClock.Instant
    ) async -> ([String], Int) {
        await withTaskGroup(of: (String, Bool).self) { group in
            var next = 0
            var done: [String] = []
            func start() {
                guard next < ids.count, ContinuousClock.now < until else { return }
                let id = ids[next]
                next += 1
                group.addTask { (id, await source.acknowledge(id: id)) }
            }
            for _ in 0..<width { start() }
            for await (id, ok) in group {
                if ok { done.append(id) }
                start()
            }
            return (done, next)
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
