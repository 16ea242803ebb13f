/// Where a keyed request stands, as the one acting on it reads its record (`RequestLifecycle.stage`).
public enum RequestStage: String, CaseIterable, Sendable {
    /// No record: the key is free.
    case free
    /// In progress under the acting till's own lease (run out or not: nobody claimed it since).
    case inFlight = "in_flight"
    /// In progress under another till's lease that still runs.
    case taken
    /// In progress under another till's lease that ran out by the request's own times, or whose
    /// process is gone: it may be claimed.
    case lapsed
    /// The processor's answer was not heard; nobody holds the request.
    case unknown
    /// Applied but not recordable, or a release GoblinPay declined: an operator must look.
    case attention
    /// Open, not the acting till's, and its stored intent cannot be read: nobody can finish it.
    case damaged
    /// Done: its stored response is the answer, forever.
    case completed
}

/// What happens to a request. The first four arrive at the record from outside (a client, a
/// resolution pass); the others are heard by the till that called the processor or looked up.
public enum RequestEvent: String, CaseIterable, Sendable {
    /// A client sends the key with the same request (same fingerprint).
    case start
    /// A client sends the key with another request.
    case startOther = "start_other"
    /// A resolution pass: on every start, before a retry, from the order screen.
    case sweep
    /// An operator's resolve (`till pending --resolve`): also the requests needing attention.
    case sweepAll = "sweep_all"
    /// The holder is about to call the processor again (an installment's capture, a release).
    case nextCall = "next_call"
    /// The processor, or a lookup, says the request was applied.
    case applied
    /// A decline, a failure before applying, or a lookup that finds nothing applied.
    case notApplied = "not_applied"
    /// A call or a lookup that could not say (timeout, processor down), or a ledger too busy
    /// to record an applied answer.
    case noAnswer = "no_answer"
    /// Applied, but the ledger refuses to record it.
    case unrecordable
}

/// What the till acting on a request does.
public enum RequestAction: Hashable, Sendable {
    /// Record the intent (or renew the lease) under this till's lease, then call the processor.
    case call
    /// Answer the stored response, marked as replayed.
    case replay
    /// Claim the lease, then ask the processor what became of the request's keys.
    case lookUp
    /// Record what the processor applied: the request completes with its response.
    case record
    /// Delete the record: the key is free (a refusal is answered; a lookup's "not applied" runs
    /// the request afresh under the same processor keys).
    case free
    /// Give up the lease, outcome unknown: any till may resolve the request.
    case giveUp
    /// Park it as needing attention, with the reason.
    case park
    /// Leave the record as it is.
    case keep
    /// Answer this rejection; nothing changes.
    case reject(Rejection.Code)

    /// The stage an action leaves a request in.
    func next(from stage: RequestStage) -> RequestStage {
        switch self {
        case .call, .lookUp: .inFlight
        case .replay, .record: .completed
        case .free: .free
        case .giveUp: .unknown
        case .park: .attention
        case .keep, .reject: stage
        }
    }
}

public struct RequestTransition: Hashable, Sendable {
    public let next: RequestStage
    public let action: RequestAction
}

/// The lifecycle of a keyed request, processor requests above all (DESIGN.md §3, "never
/// charged twice"), in one table, one row a stage:
///
///     stage      start            start_other      sweep   sweep_all  next_call        applied  not_applied  no_answer  unrecordable
///     free       call             call             keep    keep       call             record   keep         keep       park
///     in_flight  in_progress      key_reused       keep    keep       call             record   free         give_up    park
///     taken      in_progress      key_reused       keep    keep       payment_pending  record   keep         keep       keep
///     lapsed     look_up          key_reused       look_up look_up    payment_pending  record   keep         keep       keep
///     unknown    look_up          key_reused       look_up look_up    payment_pending  record   keep         keep       keep
///     attention  payment_pending  key_reused       keep    look_up    payment_pending  record   keep         keep       keep
///     damaged    in_progress      key_reused       keep    keep       payment_pending  keep     keep         keep       keep
///     completed  replay           key_reused       keep    keep       payment_pending  replay   keep         keep       keep
///
/// (`in_progress` is `request_in_progress`, `key_reused` is `idempotency_key_reused`.) What the
/// table promises: only the holder calls the processor (`call` from free or in flight); a
/// request nobody holds is looked up before anything else, never called again; only "not
/// applied" frees a key; an applied answer is recorded whoever hears it and whatever the record
/// says, so the money that moved is never forgotten; a completed request answers its response.
///
/// Beyond the table: a request that arrives, and a resolution pass, read the record as a
/// newcomer (never `in_flight`: the call in flight is not them, even in the same till); the
/// holder acts on `in_flight` by compare-and-set on its lease, which fails loudly (nothing
/// written) when the record has moved on, and then reads it again to learn its stage. An
/// applied answer is recorded only under the attempt it was made for, and replayed only for
/// the request with the same fingerprint.
public enum RequestLifecycle {
    public static func transition(from stage: RequestStage, on event: RequestEvent) -> RequestTransition {
        let action = action(in: stage, on: event)
        return RequestTransition(next: action.next(from: stage), action: action)
    }

    static func action(in stage: RequestStage, on event: RequestEvent) -> RequestAction {
        switch (stage, event) {
        case (.free, .start), (.free, .startOther): .call
        case (_, .startOther): .reject(.idempotencyKeyReused)
        case (.inFlight, .start), (.taken, .start), (.damaged, .start): .reject(.requestInProgress)
        case (.lapsed, .start), (.unknown, .start): .lookUp
        case (.attention, .start): .reject(.paymentPending)
        case (.completed, .start): .replay

        case (.lapsed, .sweep), (.unknown, .sweep): .lookUp
        case (.lapsed, .sweepAll), (.unknown, .sweepAll), (.attention, .sweepAll): .lookUp
        case (_, .sweep), (_, .sweepAll): .keep

        case (.free, .nextCall), (.inFlight, .nextCall): .call
        case (_, .nextCall): .reject(.paymentPending)

        case (.damaged, .applied): .keep
        case (.completed, .applied): .replay
        case (_, .applied): .record

        case (.inFlight, .notApplied): .free
        case (.inFlight, .noAnswer): .giveUp
        case (.inFlight, .unrecordable), (.free, .unrecordable): .park
        case (_, .notApplied), (_, .noAnswer), (_, .unrecordable): .keep
        }
    }

    /// The stage of `record` at `now`, read by `holder` (the till acting for a call it made) or
    /// by a newcomer (nil). A lease runs out by the request's own times, never by the age of the
    /// process holding it; `holderGone` says whether a lease's owner is a process known to be
    /// dead (its lease may be taken at once); `intentReadable` whether the stored intent decodes.
    public static func stage(
        of record: RequestRecord?, at now: Instant, holder: String? = nil,
        holderGone: (String) -> Bool = { _ in false }, intentReadable: (RequestRecord) -> Bool
    ) -> RequestStage {
        guard let record else { return .free }
        if record.state == .inProgress, let holder, record.leaseOwner == holder { return .inFlight }
        if record.state != .completed, !intentReadable(record) { return .damaged }
        switch record.state {
        case .completed: return .completed
        case .outcomeUnknown: return .unknown
        case .needsAttention: return .attention
        case .inProgress:
            guard let expires = record.leaseExpiresAt, now.millisecondsSinceEpoch < expires,
                  let owner = record.leaseOwner, !holderGone(owner)
            else { return .lapsed }
            return .taken
        }
    }
}
