import TillCore
import TillProcessor
import TillStore

/// Where a processor request starts, as decided in its first transaction.
enum ProcessorStart: Sendable {
    case replay(String)
    case run(Intent)
    case resume(Intent)
}

/// How a processor request ended, before it is shaped into the caller's response type.
enum ProcessorRun: Sendable {
    /// Recorded; the stored response (JSON).
    case completed(String)
    /// Refused (by the processor or, rarely, by a rule re-checked at the end); key freed.
    case refused(Rejection)
    /// The outcome is not known, or not recorded; the request stays open until resolved.
    case pending(Rejection)
    /// Resolution found nothing applied and freed the key: the request may run afresh.
    case notApplied
    /// A simulation stopped this instance at a crash point: nothing more was done.
    case crashed
}

extension TillService {
    /// The one path for every request that talks to the processor (DESIGN §3), every move
    /// decided by `RequestLifecycle`'s table:
    /// 1. in one transaction: the record's stage and the request decide (replay, reject, look
    ///    up, or call); to call, `prepare` checks the request against the target as it will be
    ///    once every open request on it succeeds (so two requests in flight can never together
    ///    exceed what is due or capturable), and the intent is recorded with the key and a lease
    ///    held by this instance;
    /// 2. the processor is called with keys derived from the client key and the attempt
    ///    number, so every retry of this attempt reaches it under the same keys, forever;
    /// 3. the outcome is recorded in a second transaction, by compare-and-set on the lease.
    /// A retry of a request whose outcome is unknown claims it and asks the processor first,
    /// never charging twice. Only a processor's "not applied" frees the key.
    func processorRequest<R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String, fingerprint: RequestFingerprint,
        card: CardCredentials?, prepare: @escaping @Sendable (Ledger, Instant) throws -> Intent
    ) async -> Result<Keyed<R>, Rejection> {
        let owner = self.owner.id, lease = leaseDuration, ledgerId = self.ledgerId, processorIdentity = processor.identity
        // At most twice: a resolution that finds nothing applied frees the key and runs again.
        for _ in 0..<2 {
            let start = await write { ledger, now -> ProcessorStart in
                let stored = try ledger.request(key: key.value)
                let hint = { stored.flatMap(Self.intent(of:))?.retryHint(key: key.value)
                    ?? Self.retryHint(key: key.value, operation: operation, target: target) }
                switch Self.transition(of: stored, for: fingerprint, at: now).action {
                case .replay:
                    return .replay(stored?.response ?? "")
                case .lookUp:
                    // The stage says the intent reads; a lease that ran out, or nobody's.
                    guard let stored, let intent = Self.intent(of: stored) else {
                        throw Rejection(.requestInProgress).retrying(hint())
                    }
                    try ledger.claim(stored, owner: owner, until: now.adding(lease), at: now)
                    return .resume(intent)
                case .call:
                    var intent = try prepare(ledger, now)
                    // The ledger's id first: two ledgers (or a ledger made again) sharing one
                    // GoblinPay never reach each other's processor keys.
                    intent.id = "\(ledgerId)/\(key.value)#\(try ledger.processorAttempts(key: key.value))"
                    intent.processor = processorIdentity
                    intent.request = RequestIdentity(operation: operation, target: target, fingerprint: fingerprint.canonical)
                    intent.operatorName = self.operatorName.text
                    try ledger.insert(RequestRecord(
                        key: key.value, operation: operation, target: target, fingerprint: fingerprint.canonical,
                        state: .inProgress, intent: try Self.encode(intent), leaseOwner: owner,
                        leaseExpiresAt: now.adding(lease).millisecondsSinceEpoch), at: now)
                    return .run(intent)
                case .reject(.paymentPending):
                    // Parked as needing attention: the reason it was kept, and the key to retry with.
                    throw Rejection(
                        .paymentPending,
                        "GoblinPay applied this request but Till could not record it (\(stored?.attention ?? "no reason kept")); it needs attention: see `till pending`."
                    ).retrying(hint())
                case .reject(.requestInProgress), .record, .free, .giveUp, .park, .keep:
                    throw Rejection(.requestInProgress).retrying(hint())
                case .reject(let code):
                    throw Rejection(code)
                }
            }
            let run: ProcessorRun
            var replayed = false
            switch start {
            case .failure(let rejection): return .failure(rejection)
            case .success(.replay(let response)):
                run = .completed(response)
                replayed = true
            case .success(.run(let intent)):
                run = await drive(intent, key: key.value, card: card)
            case .success(.resume(let intent)):
                run = await resume(intent, key: key.value)
                replayed = true
            }
            switch run {
            case .completed(let response):
                do {
                    return .success(Keyed(response: try Self.decode(R.self, response), key: key.value, replayed: replayed))
                } catch {
                    return .failure(Self.damagedResponse(key: key.value))
                }
            case .refused(let rejection), .pending(let rejection):
                return .failure(rejection)
            case .crashed:
                return .failure(Rejection(.requestInProgress, "This till stopped before the request finished."))
            case .notApplied:
                continue
            }
        }
        return .failure(Rejection(.requestInProgress).retrying(Self.retryHint(key: key.value, operation: operation, target: target)))
    }

    /// What the lifecycle table says to a request that arrives at `stored` (a newcomer: the call
    /// in flight is never it, even in this till).
    static func transition(of stored: RequestRecord?, for fingerprint: RequestFingerprint, at now: Instant) -> RequestTransition {
        let event: RequestEvent = stored.map { $0.fingerprint == fingerprint.canonical } ?? true ? .start : .startOther
        return RequestLifecycle.transition(from: stage(of: stored, at: now), on: event)
    }

    /// The stage of a request's record, read by `holder` (this till, for a call it made) or by a newcomer.
    static func stage(of stored: RequestRecord?, at now: Instant, holder: String? = nil) -> RequestStage {
        RequestLifecycle.stage(
            of: stored, at: now, holder: holder, holderGone: RequestOwner.isDeadLocalProcess,
            intentReadable: { intent(of: $0) != nil })
    }

    static func retryHint(key: String, operation: String, target: String) -> Rejection.RetryHint {
        // A create-and-pay's order exists only once its payment is recorded: the key alone.
        guard target != "-", operation != "order.create_and_pay" else { return Rejection.RetryHint(key: key) }
        return operation.hasPrefix("order.")
            ? Rejection.RetryHint(key: key, orderId: target) : Rejection.RetryHint(key: key, paymentId: target)
    }

    static func intent(of request: RequestRecord) -> Intent? {
        guard let text = request.intent else { return nil }
        return try? decode(Intent.self, text)
    }

    // MARK: Driving an intent from the start

    func drive(_ intent: Intent, key: String, card: CardCredentials?) async -> ProcessorRun {
        var intent = intent
        let reference = intent.processorReference ?? ""
        let step = intent.kind.processorStep
        let outcome: ProcessorOutcome?
        switch intent.kind {
        case .authorize, .orderCard:
            guard let card, let money = intent.money else { return await abandon(intent, key: key) }
            outcome = await calling(key) { await processor.authorize(key: intent.processorKey("authorize"), card: card, amount: money) }
        case .capture:
            guard let money = intent.money else { return await abandon(intent, key: key) }
            outcome = await calling(key) { await processor.capture(key: intent.processorKey(step), authorization: reference, amount: money) }
        case .refund, .orderRefund:
            guard let money = intent.money else { return await abandon(intent, key: key) }
            outcome = await calling(key) { await processor.refund(key: intent.processorKey(step), authorization: reference, amount: money) }
        case .void:
            outcome = await calling(key) { await processor.void(key: intent.processorKey(step), authorization: reference) }
        case .release:
            outcome = await calling(key) { await processor.release(key: intent.processorKey(step), authorization: reference) }
        }
        guard let outcome else { return .crashed }
        guard intent.kind == .orderCard, case .approved(let authorization) = outcome else {
            return await settle(intent, key: key, outcome: outcome)
        }
        intent.processorReference = authorization
        return await captureInstallment(intent, key: key)
    }

    /// One processor call, between the two steps where a simulation may take over (nil: it
    /// crashed this instance there, and nothing after the step runs).
    func calling(_ key: String, _ call: () async -> ProcessorOutcome) async -> ProcessorOutcome? {
        if let hooks, await hooks.step(.beforeProcessorCall, key) == .crash { return nil }
        let outcome = await call()
        if let hooks, await hooks.step(.afterProcessorAnswer, key) == .crash { return nil }
        return outcome
    }

    /// Extends this instance's lease before another processor call, saving the intent as it
    /// now stands; false if another till holds the request now (this one must not call the
    /// processor). A request whose row was freed meanwhile (another till's lookup ran before
    /// this one's call landed) is taken back: only this till knows what it applied.
    func reacquire(_ intent: Intent, key: String) async -> Reacquired {
        let owner = self.owner.id, lease = leaseDuration
        guard let text = try? Self.encode(intent) else { return .lost }
        let renewed = await write { ledger, now -> Reacquired in
            let stored = try ledger.request(key: key)
            let stage = Self.stage(of: stored, at: now, holder: owner)
            guard RequestLifecycle.transition(from: stage, on: .nextCall).action == .call else { return .lost }
            if stage == .inFlight {
                try ledger.renewLease(key: key, owner: owner, until: now.adding(lease), intent: text, at: now)
                return .held
            }
            guard let identity = intent.request else { return .lost }
            // While the row was gone the order did not count this installment: it may have
            // been paid meanwhile. Checked again before anything is captured.
            var fits = true
            if intent.kind == .orderCard, intent.releasing != true, intent.newOrder == nil, let orderId = intent.orderId,
               let money = intent.money, let card = intent.card?.summary {
                if let order = try ledger.order(id: orderId) {
                    fits = (try? Self.projected(order, ledger: ledger).plan(amount: money, tender: .card(card)).get()) != nil
                } else {
                    fits = false
                }
            }
            try ledger.insert(RequestRecord(
                key: key, operation: identity.operation, target: identity.target, fingerprint: identity.fingerprint,
                state: .inProgress, intent: text, leaseOwner: owner, leaseExpiresAt: now.adding(lease).millisecondsSinceEpoch),
                at: now)
            return fits ? .held : .heldButNoLongerFits
        }
        return (try? renewed.get()) ?? .lost
    }

    /// What `reacquire` found.
    enum Reacquired {
        /// This till holds the request: it may call the processor.
        case held
        /// Another till holds it: this one must not call the processor.
        case lost
        /// Taken back after its row was freed, but the order no longer has room for it: release it.
        case heldButNoLongerFits
    }

    /// The capture half of a card installment; a capture that fails is released (voided) so
    /// the customer is not left with a hold for a payment the order never got.
    func captureInstallment(_ intent: Intent, key: String) async -> ProcessorRun {
        guard let money = intent.money, let reference = intent.processorReference else {
            return await abandon(intent, key: key)
        }
        switch await reacquire(intent, key: key) {
        case .held: break
        case .lost: return .pending(Self.heldElsewhere(intent, key: key))
        case .heldButNoLongerFits:
            return await release(intent, key: key, because: Rejection(
                .exceedsBalanceDue, "The order was paid meanwhile; the card's authorization was released and nothing was charged."))
        }
        guard let capture = await calling(key, {
            await processor.capture(key: intent.processorKey("capture"), authorization: reference, amount: money)
        }) else { return .crashed }
        switch capture {
        case .approved, .unknown:
            return await settle(intent, key: key, outcome: capture)
        case .declined(let reason), .failed(let reason):
            let rejection = Rejection(
                capture.isDecline ? .processorDeclined : .processorError,
                "GoblinPay could not capture the payment (\(reason)); the authorization was released and nothing was charged.")
            return await release(intent, key: key, because: rejection)
        }
    }

    /// Voids an installment's authorization, then frees the key. If the void's outcome is not
    /// known, the request stays open and resolution voids again (the void key is stable).
    func release(_ intent: Intent, key: String, because rejection: Rejection) async -> ProcessorRun {
        var intent = intent
        intent.releasing = true
        // Saved before the void: a till that resolves it later releases too, never captures.
        guard await reacquire(intent, key: key) != .lost else { return .pending(Self.heldElsewhere(intent, key: key)) }
        guard let void = await calling(key, {
            await processor.void(key: intent.processorKey("void"), authorization: intent.processorReference ?? "")
        }) else { return .crashed }
        switch void {
        case .approved:
            return await forget(intent, key: key, countsAttempt: true, rejection: rejection)
        case .declined(let reason):
            // A capture of this attempt that went through after all is what happened: recorded.
            if case .applied = await processor.lookup(key: intent.processorKey("capture")) {
                return await finish(intent, key: key)
            }
            // Otherwise the hold may still be on the card: never forgotten (a retry would place
            // a second one), but parked for an operator, who can try the release again.
            return await park(intent, key: key, reason: "GoblinPay declined releasing the authorization (\(reason))", rejection: Rejection(
                .paymentPending,
                "GoblinPay could not capture the payment and declined releasing its hold (\(reason)); nothing was charged, but the hold needs attention: see `till pending`."
            ).retrying(intent.retryHint(key: key)))
        case .failed, .unknown:
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending,
                "The capture failed and releasing the authorization did not complete; Till will release it with GoblinPay."
            ).retrying(intent.retryHint(key: key)))
        }
    }
}
