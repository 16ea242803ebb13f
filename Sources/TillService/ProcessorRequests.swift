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
    /// The outcome is not known; the request stays open until resolved.
    case pending(Rejection)
    /// Resolution found nothing applied and freed the key: the request may run afresh.
    case notApplied
}

extension TillService {
    /// The one path for every request that talks to the processor:
    /// 1. in one transaction: the idempotency rule, then `prepare` checks the request against
    ///    the target as it will be once every open request on it succeeds (so two requests
    ///    in flight can never together exceed what is due or capturable), and the intent is
    ///    recorded with the key;
    /// 2. the processor is called with keys derived from the intent (stable across retries);
    /// 3. the outcome is recorded in a second transaction.
    /// A retry of a request whose outcome is unknown asks the processor first, never charging
    /// twice.
    func processorRequest<R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String, fingerprint: RequestFingerprint,
        card: CardCredentials?, prepare: @escaping @Sendable (Ledger, Instant) throws -> Intent
    ) async -> Result<Keyed<R>, Rejection> {
        let owner = self.owner
        // At most twice: a resolution that finds nothing applied frees the key and runs again.
        for _ in 0..<2 {
            let start = await write { ledger, now -> ProcessorStart in
                let stored = try ledger.request(key: key.value)
                var decision = Idempotency.decide(record: stored?.record, request: fingerprint)
                if let stored, stored.state == .inProgress, stored.fingerprint == fingerprint.canonical,
                   owner.mayResolve(stored) {
                    decision = .resolve  // left open by a process that is gone
                }
                switch decision {
                case .replay(let response): return .replay(response)
                case .reject(let rejection): throw Refusal(rejection: rejection)
                case .resolve:
                    guard let stored, let text = stored.intent, let intent = try? Self.decode(Intent.self, text) else {
                        throw Refusal(rejection: Rejection(.requestInProgress))
                    }
                    try ledger.claim(key: key.value, pid: owner.pid, startedAt: owner.startedAt)
                    return .resume(intent)
                case .execute:
                    let intent = try prepare(ledger, now)
                    try ledger.insert(StoredRequest(
                        key: key.value, operation: operation, target: target, fingerprint: fingerprint.canonical,
                        state: .inProgress, intent: try Self.encode(intent), ownerPid: owner.pid,
                        ownerStartedAt: owner.startedAt), at: now)
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
                    return .failure(Self.storageRejection(error))
                }
            case .refused(let rejection), .pending(let rejection):
                return .failure(rejection)
            case .notApplied:
                continue
            }
        }
        return .failure(Rejection(.requestInProgress))
    }

    // MARK: Driving an intent from the start

    func drive(_ intent: Intent, key: String, card: CardCredentials?) async -> ProcessorRun {
        var intent = intent
        let reference = intent.processorReference ?? ""
        switch intent.kind {
        case .authorize:
            guard let card, let money = intent.money else { return await abandon(intent, key: key) }
            let outcome = await processor.authorize(key: intent.processorKey("authorize"), card: card, amount: money)
            return await settle(intent, key: key, outcome: outcome)
        case .capture, .refund, .void:
            let step = intent.kind.rawValue
            let outcome: ProcessorOutcome
            switch intent.kind {
            case .capture:
                guard let money = intent.money else { return await abandon(intent, key: key) }
                outcome = await processor.capture(key: intent.processorKey(step), authorization: reference, amount: money)
            case .refund:
                guard let money = intent.money else { return await abandon(intent, key: key) }
                outcome = await processor.refund(key: intent.processorKey(step), authorization: reference, amount: money)
            default:
                outcome = await processor.void(key: intent.processorKey(step), authorization: reference)
            }
            return await settle(intent, key: key, outcome: outcome)
        case .orderRefund:
            guard let money = intent.money else { return await abandon(intent, key: key) }
            let outcome = await processor.refund(key: intent.processorKey("refund"), authorization: reference, amount: money)
            return await settle(intent, key: key, outcome: outcome)
        case .orderCard:
            guard let card, let money = intent.money else { return await abandon(intent, key: key) }
            let authorization = await processor.authorize(key: intent.processorKey("authorize"), card: card, amount: money)
            guard case .approved(let reference) = authorization else {
                return await settle(intent, key: key, outcome: authorization)
            }
            intent.processorReference = reference
            return await captureInstallment(intent, key: key)
        }
    }

    /// The capture half of a card installment; a capture that fails is released (voided) so
    /// the customer is not left with a hold for a payment the order never got.
    func captureInstallment(_ intent: Intent, key: String) async -> ProcessorRun {
        guard let money = intent.money, let reference = intent.processorReference else {
            return await abandon(intent, key: key)
        }
        let capture = await processor.capture(key: intent.processorKey("capture"), authorization: reference, amount: money)
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
        let void = await processor.void(key: intent.processorKey("void"), authorization: intent.processorReference ?? "")
        switch void {
        case .approved, .declined:
            // Declined means there is nothing left to release (already voided or expired).
            return await forget(key: key, rejection: rejection)
        case .failed, .unknown:
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending,
                "The capture failed and releasing the authorization did not complete; Till will release it with GoblinPay."))
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
                "GoblinPay did not answer (\(reason)). The outcome will be resolved with GoblinPay: retry with the same key, or it resolves on the next start."))
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
        let result = await write { ledger, now in
            try ledger.deleteRequest(key: key)
            if let failedKind, let money = intent.money, let stored = try ledger.payment(id: intent.paymentId) {
                let at = max(now, stored.payment.events.last?.at ?? now)
                if case .success(let next) = stored.payment.applying(PaymentEvent(kind: failedKind, amount: money, at: at)) {
                    try ledger.append(next.events[next.events.count - 1], to: next)
                }
            }
        }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    func forget(key: String, rejection: Rejection) async -> ProcessorRun {
        let result = await write { ledger, _ in try ledger.deleteRequest(key: key) }
        if case .failure(let storage) = result { return .refused(storage) }
        return .refused(rejection)
    }

    func markUnknown(_ intent: Intent, key: String, rejection: Rejection) async -> ProcessorRun {
        let text: String
        do { text = try Self.encode(intent) } catch { return .pending(rejection) }
        _ = await write { ledger, now in try ledger.markOutcomeUnknown(key: key, intent: text, at: now) }
        return .pending(rejection)
    }

    /// An intent that cannot be carried out (it lost data it needs): nothing was sent.
    func abandon(_ intent: Intent, key: String) async -> ProcessorRun {
        await forget(key: key, rejection: Rejection(.invalidRequest, "The request could not be carried out; nothing was charged."))
    }

    // MARK: Recording an approved intent

    /// Records what the processor applied, and completes the request with its response.
    func finish(_ intent: Intent, key: String) async -> ProcessorRun {
        let holdWindow = self.holdWindow
        let result = await write { ledger, now -> String in
            if let stored = try ledger.request(key: key), stored.state == .completed, let response = stored.response {
                return response  // another process finished it first
            }
            let response = try Self.record(intent, ledger: ledger, now: now, holdWindow: holdWindow)
            try ledger.complete(key: key, response: response, at: now)
            return response
        }
        switch result {
        case .success(let response): return .completed(response)
        case .failure(let rejection):
            // The processor applied it but the ledger would not record it: keep the request
            // open (never forget money that moved) so resolution records it later.
            return await markUnknown(intent, key: key, rejection: Rejection(
                .paymentPending, "GoblinPay applied the payment but it could not be recorded yet (\(rejection.message)); it will be."))
        }
    }

    static func record(_ intent: Intent, ledger: Ledger, now: Instant, holdWindow: TimeSpan) throws -> String {
        guard let money = intent.money, let reference = intent.processorReference else {
            throw Refusal(rejection: Rejection(.invalidEvent, "The stored intent is incomplete."))
        }
        let at = intent.instant
        switch intent.kind {
        case .authorize:
            guard let card = intent.card, let summary = card.summary else {
                throw Refusal(rejection: Rejection(.invalidEvent, "The stored card is incomplete."))
            }
            let payment = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at,
                holdWindow: TimeSpan(milliseconds: intent.holdWindow ?? holdWindow.milliseconds)))
            try ledger.insert(payment, processorReference: reference, orderPaymentId: nil, cardFingerprint: card.fingerprint)
            return try encode(PaymentView(payment, orderPaymentId: nil, at: now))
        case .capture, .refund, .void:
            guard let stored = try ledger.payment(id: intent.paymentId) else { throw Refusal(rejection: noPayment(intent.paymentId)) }
            let command: PaymentCommand = switch intent.kind {
            case .capture: .capture(money)
            case .refund: .refund(money)
            default: .void
            }
            let (payment, event) = try decided(stored.payment.execute(command, at: at))
            try ledger.append(event, to: payment)
            return try encode(PaymentView(payment, orderPaymentId: stored.orderPaymentId, at: now))
        case .orderCard:
            guard let card = intent.card, let summary = card.summary, let orderId = intent.orderId,
                  let orderPaymentId = intent.orderPaymentId
            else { throw Refusal(rejection: Rejection(.invalidEvent, "The stored installment is incomplete.")) }
            var order: Order
            if let newOrder = intent.newOrder {
                let email = try decided(Email.parse(newOrder.email))
                order = try decided(Order.create(
                    id: orderId, email: email, total: Money(minorUnits: newOrder.total, currency: money.currency), at: at))
                try ledger.appendOrderEvent(orderId: orderId, kind: "created", reference: nil, amount: order.total, at: at)
            } else {
                guard let existing = try ledger.order(id: orderId) else { throw Refusal(rejection: noOrder(orderId)) }
                order = existing
            }
            let authorized = try decided(Payment.authorize(
                id: intent.paymentId, card: summary, amount: money, at: at, holdWindow: holdWindow))
            let (captured, _) = try decided(authorized.execute(.capture(money), at: at))
            try ledger.insert(captured, processorReference: reference, orderPaymentId: orderPaymentId, cardFingerprint: card.fingerprint)
            let (next, payment) = try decided(order.recordingPayment(
                id: orderPaymentId, amount: money, tender: .card(summary), gatewayPaymentId: intent.paymentId, at: at))
            try ledger.save(next, cardFingerprints: [orderPaymentId: card.fingerprint], at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "paid", reference: orderPaymentId, amount: money, at: at)
            return try encode(OrderPaymentResult(order: OrderView(next), payment: OrderPaymentView(payment)))
        case .orderRefund:
            guard let orderId = intent.orderId, let orderPaymentId = intent.orderPaymentId, let refundId = intent.refundId,
                  let order = try ledger.order(id: orderId), let stored = try ledger.payment(id: intent.paymentId)
            else { throw Refusal(rejection: Rejection(.invalidEvent, "The stored refund is incomplete.")) }
            let (payment, event) = try decided(stored.payment.execute(.refund(money), at: at))
            try ledger.append(event, to: payment)
            let (next, refund) = try decided(order.recordingRefund(id: refundId, ofPayment: orderPaymentId, amount: money, at: at))
            try ledger.save(next, at: now)
            try ledger.appendOrderEvent(orderId: orderId, kind: "refunded", reference: refundId, amount: money, at: at)
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
