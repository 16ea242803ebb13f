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
    /// The one path for every request that talks to the processor (DESIGN §3):
    /// 1. in one transaction: the idempotency rule, then `prepare` checks the request against
    ///    the target as it will be once every open request on it succeeds (so two requests
    ///    in flight can never together exceed what is due or capturable), and the intent is
    ///    recorded with the key and a lease held by this instance;
    /// 2. the processor is called with keys derived from the client key and the attempt
    ///    number, so every retry of this attempt reaches it under the same keys, forever;
    /// 3. the outcome is recorded in a second transaction, by compare-and-set on the lease.
    /// A retry of a request whose outcome is unknown claims it and asks the processor first,
    /// never charging twice. Only a processor's "not applied" frees the key.
    func processorRequest<R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String, fingerprint: RequestFingerprint,
        card: CardCredentials?, prepare: @escaping @Sendable (Ledger, Instant) throws -> Intent
    ) async -> Result<Keyed<R>, Rejection> {
        let owner = self.owner.id, lease = leaseDuration
        // At most twice: a resolution that finds nothing applied frees the key and runs again.
        for _ in 0..<2 {
            let start = await write { ledger, now -> ProcessorStart in
                let stored = try ledger.request(key: key.value)
                switch Idempotency.decide(record: stored?.record, request: fingerprint) {
                case .replay(let response):
                    return .replay(response)
                case .reject(let rejection):
                    // The same request in progress: its holder's lease may have run out.
                    guard let stored, stored.state == .inProgress, stored.fingerprint == fingerprint.canonical,
                          RequestOwner.mayClaim(stored, at: now), let intent = Self.intent(of: stored)
                    else {
                        let hint = stored.flatMap(Self.intent(of:))?.retryHint(key: key.value)
                            ?? Self.retryHint(key: key.value, operation: operation, target: target)
                        throw rejection.code == .requestInProgress ? rejection.retrying(hint) : rejection
                    }
                    try ledger.claim(stored, owner: owner, until: now.adding(lease), at: now)
                    return .resume(intent)
                case .resolve:
                    guard let stored, let intent = Self.intent(of: stored) else {
                        throw Rejection(.requestInProgress).retrying(Self.retryHint(key: key.value, operation: operation, target: target))
                    }
                    if stored.state == .needsAttention {
                        throw Rejection(
                            .paymentPending,
                            "GoblinPay applied this request but Till could not record it (\(stored.attention ?? "no reason kept")); it needs attention: see `till pending`."
                        ).retrying(intent.retryHint(key: key.value))
                    }
                    try ledger.claim(stored, owner: owner, until: now.adding(lease), at: now)
                    return .resume(intent)
                case .execute:
                    var intent = try prepare(ledger, now)
                    intent.id = "\(key.value)#\(try ledger.processorAttempts(key: key.value))"
                    intent.request = RequestIdentity(operation: operation, target: target, fingerprint: fingerprint.canonical)
                    intent.operatorName = self.operatorName.text
                    try ledger.insert(RequestRecord(
                        key: key.value, operation: operation, target: target, fingerprint: fingerprint.canonical,
                        state: .inProgress, intent: try Self.encode(intent), leaseOwner: owner,
                        leaseExpiresAt: now.adding(lease).millisecondsSinceEpoch), at: now)
                    return .run(intent)
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
            do {
                try ledger.renewLease(key: key, owner: owner, until: now.adding(lease), intent: text, at: now)
                return .held
            } catch is RequestRecordConflict {
                guard try ledger.request(key: key) == nil, let identity = intent.request else { return .lost }
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

    /// Records a processor answer for an intent.
    func settle(_ intent: Intent, key: String, outcome: ProcessorOutcome) async -> ProcessorRun {
        switch outcome {
        case .approved(let reference):
            var intent = intent
            intent.processorReference = intent.processorReference ?? reference
            return await finish(intent, key: key)
        case .declined(let reason):
            return await refuse(intent, key: key, rejection: Rejection(.processorDeclined, "GoblinPay declined: \(reason)."))
        case .failed(let reason):
            return await refuse(intent, key: key, rejection: Rejection(
                .processorError, "GoblinPay failed (\(reason)); nothing was charged. Try again."))
        case .unknown(let reason):
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending,
                "GoblinPay did not answer (\(reason)). Till resolves the outcome with GoblinPay; to retry, use the same key: \(key)."
            ).retrying(intent.retryHint(key: key)))
        }
    }

    /// A refused processor call: the key is freed; a refused capture or refund stays in the
    /// payment's history as a failed attempt.
    func refuse(_ intent: Intent, key: String, rejection: Rejection) async -> ProcessorRun {
        let failedKind: PaymentEvent.Kind? = switch intent.kind {
        case .capture: .captureFailed
        case .refund, .orderRefund: .refundFailed
        default: nil
        }
        let owner = self.owner.id
        let result = await write { ledger, now in
            // Declined or failed: nothing of this attempt was applied, and GoblinPay takes the same
            // processor keys again, so the next try keeps them (a late call of this attempt and
            // the retry can then never both apply).
            try ledger.release(key: key, owner: owner, countsAttempt: false)
            if let failedKind, let money = intent.money, let stored = try ledger.payment(id: intent.paymentId) {
                let event = PaymentEvent(kind: failedKind, amount: money, at: stored.payment.eventTime(at: now))
                if case .success(let next) = stored.payment.applying(event) {
                    try ledger.append(next.events[next.events.count - 1], to: next)
                }
            }
        }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    /// Frees the key of a request the processor never applied (or whose hold was released);
    /// `countsAttempt` when this attempt is over for good (see `Ledger.release`).
    func forget(_ intent: Intent, key: String, countsAttempt: Bool, rejection: Rejection) async -> ProcessorRun {
        let owner = self.owner.id
        let result = await write { ledger, _ in try ledger.release(key: key, owner: owner, countsAttempt: countsAttempt) }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    /// Gives up the lease on a request whose outcome is not known: any till may resolve it.
    func markUnknown(_ intent: Intent, key: String, rejection: Rejection) async -> ProcessorRun {
        let owner = self.owner.id
        if let text = try? Self.encode(intent) {
            _ = await write { ledger, now in try ledger.markOutcomeUnknown(key: key, owner: owner, intent: text, at: now) }
        }
        return .pending(rejection)
    }

    /// Parks a request an operator must look at (by default: one the processor applied but the
    /// ledger would not record), with the reason.
    func park(_ intent: Intent, key: String, reason: String, rejection: Rejection? = nil) async -> ProcessorRun {
        let owner = self.owner.id
        if let text = try? Self.encode(intent) {
            _ = await write { ledger, now in
                do {
                    try ledger.markNeedsAttention(key: key, owner: owner, intent: text, reason: reason, at: now)
                } catch is RequestRecordConflict {
                    // Its row was freed meanwhile (a lookup raced the call): parked afresh, never lost.
                    guard try ledger.request(key: key) == nil, let identity = intent.request else { return }
                    try ledger.insert(RequestRecord(
                        key: key, operation: identity.operation, target: identity.target, fingerprint: identity.fingerprint,
                        state: .needsAttention, intent: text, attention: reason), at: now)
                }
            }
        }
        return .pending(rejection ?? Rejection(
            .paymentPending,
            "GoblinPay applied the request but Till could not record it (\(reason)); it needs attention: see `till pending`."
        ).retrying(intent.retryHint(key: key)))
    }

    /// An intent that cannot be carried out (it lost data it needs): nothing was sent.
    func abandon(_ intent: Intent, key: String) async -> ProcessorRun {
        await forget(intent, key: key, countsAttempt: false, rejection: Rejection(
            .invalidRequest, "The request could not be carried out; nothing was charged."))
    }

    static func heldElsewhere(_ intent: Intent, key: String) -> Rejection {
        Rejection(.paymentPending, "Another till took this request over; it resolves it with GoblinPay.")
            .retrying(intent.retryHint(key: key))
    }

    // MARK: Recording an approved intent

    /// Records what the processor applied, and completes the request with its response. The
    /// money moved, so it is never forgotten: recorded by whichever till hears the answer while
    /// the request is open under this attempt, or even after its row was freed (a lookup raced
    /// the call); if the ledger refuses to record it, the request is parked as needing
    /// attention with the reason (`till pending`); a transient storage error leaves it unknown.
    func finish(_ intent: Intent, key: String) async -> ProcessorRun {
        let holdWindow = self.holdWindow, clock = self.clock
        do {
            // Recorded as the operator who asked, whichever till hears the answer.
            let operatorName = intent.operatorName.flatMap(OperatorName.restore) ?? self.operatorName
            let response = try await database.write(as: operatorName) { ledger -> String in
                let now = clock()
                let stored = try ledger.request(key: key)
                if let stored, stored.state == .completed, let response = stored.response {
                    // Another till recorded this request first; a different request completed
                    // under the key since cannot stand for this answer.
                    guard intent.request.map({ $0.fingerprint == stored.fingerprint }) ?? true else {
                        throw RequestRecordConflict(key: key, expected: "request \(intent.id)")
                    }
                    return response
                }
                if let stored {
                    guard Self.intent(of: stored)?.id == intent.id else {
                        throw RequestRecordConflict(key: key, expected: "attempt \(intent.id)")
                    }
                    let response = try Self.record(intent, ledger: ledger, now: now, holdWindow: holdWindow)
                    try ledger.complete(stored, response: response, at: now)
                    return response
                }
                guard let identity = intent.request else { throw RequestRecordConflict(key: key, expected: "open") }
                let response = try Self.record(intent, ledger: ledger, now: now, holdWindow: holdWindow)
                try ledger.insert(RequestRecord(
                    key: key, operation: identity.operation, target: identity.target, fingerprint: identity.fingerprint,
                    state: .completed, response: response), at: now)
                return response
            }
            return .completed(response)
        } catch let conflict as RequestRecordConflict {
            return .pending(Rejection(
                .paymentPending, "GoblinPay applied it, but the request moved on meanwhile (\(conflict)); see `till pending`."
            ).retrying(intent.retryHint(key: key)))
        } catch where StorageFailure.isTransient(error) {
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending, "GoblinPay applied it; the ledger was busy (\(StorageFailure.describe(error))), so it is recorded on the next resolution."
            ).retrying(intent.retryHint(key: key)))
        } catch {
            let reason = (error as? Rejection)?.description ?? Self.storageRejection(error).message
            return await park(intent, key: key, reason: reason)
        }
    }

    static func record(_ intent: Intent, ledger: Ledger, now: Instant, holdWindow: TimeSpan) throws -> String {
        guard let money = intent.money, let reference = intent.processorReference else {
            throw Rejection(.invalidEvent, "The stored intent is incomplete.")
        }
        let at = intent.instant
        switch intent.kind {
        case .authorize:
            guard let card = intent.card, let summary = card.summary else {
                throw Rejection(.invalidEvent, "The stored card is incomplete.")
            }
            let payment = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at,
                holdWindow: TimeSpan(milliseconds: intent.holdWindow ?? holdWindow.milliseconds)))
            try ledger.insert(payment, processorReference: reference, orderPaymentId: nil, cardFingerprint: card.fingerprint)
            return try encode(PaymentView(payment, orderPaymentId: nil, at: now))
        case .capture, .refund, .void, .release:
            guard let stored = try ledger.payment(id: intent.paymentId) else { throw noPayment(intent.paymentId) }
            let command: PaymentCommand = switch intent.kind {
            case .capture: .capture(money)
            case .refund: .refund(money)
            case .release: .release
            default: .void
            }
            let (payment, event) = try decided(stored.payment.execute(command, at: at))
            try ledger.append(event, to: payment)
            return try encode(PaymentView(payment, orderPaymentId: stored.orderPaymentId, at: now))
        case .orderCard:
            guard let card = intent.card, let summary = card.summary, let orderId = intent.orderId,
                  let orderPaymentId = intent.orderPaymentId
            else { throw Rejection(.invalidEvent, "The stored installment is incomplete.") }
            var order: Order
            if let newOrder = intent.newOrder {
                let email = try decided(Email.parse(newOrder.email))
                order = try decided(Order.create(
                    id: orderId, email: email, total: Money(minorUnits: newOrder.total, currency: money.currency), at: at))
                try ledger.appendOrderEvent(orderId: orderId, kind: "created", reference: nil, amount: order.total, at: at)
            } else {
                guard let existing = try ledger.order(id: orderId) else { throw noOrder(orderId) }
                order = existing
            }
            let authorized = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at, holdWindow: holdWindow))
            let (captured, _) = try decided(authorized.execute(.capture(money), at: at))
            try ledger.insert(captured, processorReference: reference, orderPaymentId: orderPaymentId, cardFingerprint: card.fingerprint)
            let (next, payment) = try decided(order.recordingPayment(
                id: orderPaymentId, amount: money, tender: .card(summary), gatewayPaymentId: intent.paymentId,
                by: ledger.operatorName, at: at))
            try ledger.save(next, cardFingerprints: [orderPaymentId: card.fingerprint], at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "paid", reference: orderPaymentId, amount: money, at: payment.createdAt)
            return try encode(OrderPaymentResult(order: OrderView(next), payment: OrderPaymentView(payment)))
        case .orderRefund:
            guard let orderId = intent.orderId, let orderPaymentId = intent.orderPaymentId, let refundId = intent.refundId,
                  let order = try ledger.order(id: orderId), let stored = try ledger.payment(id: intent.paymentId)
            else { throw Rejection(.invalidEvent, "The stored refund is incomplete.") }
            let (payment, event) = try decided(stored.payment.execute(.refund(money), at: at))
            try ledger.append(event, to: payment)
            let (next, refund) = try decided(order.recordingRefund(id: refundId, ofPayment: orderPaymentId, amount: money, at: at))
            try ledger.save(next, at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "refunded", reference: refundId, amount: money, at: refund.at)
            return try encode(OrderRefundResult(order: OrderView(next), refund: RefundView(refund, paymentId: orderPaymentId)))
        }
    }
}

extension ProcessorOutcome {
    var isDecline: Bool {
        if case .declined = self { return true }
        return false
    }
}
