import Testing
import TillCore

// Card gateway payments.
extension PropertyTests {
    @Test("payment: random captures, refunds, voids and failures keep the gateway's invariants")
    func paymentSequences() {
        forEachSeed("payment") { random, trial in
            let card = Fixture.visa
            for _ in 0..<25 {
                let currency = random.currency()
                let authorizedMinor = random.positiveMinorUnits()
                let authorizedAt = random.int64(in: 0...4_000_000_000_000)
                let hold = randomHoldWindow(&random)
                let start = Instant(millisecondsSinceEpoch: authorizedAt)

                trial.step += 1
                // Authorizing nothing, or with no hold window, is refused.
                let badAmount = Money(minorUnits: -random.minorUnits(), currency: currency)
                trial.check(
                    rejectionCode(Payment.authorize(id: "bad", card: card, amount: badAmount, at: start)) == .invalidAmount,
                    "authorize(\(badAmount.minorUnits)) must be invalid_amount")
                let badWindow = TimeSpan(milliseconds: -random.minorUnits())
                trial.check(
                    rejectionCode(Payment.authorize(
                        id: "bad", card: card, amount: Money(minorUnits: authorizedMinor, currency: currency),
                        at: start, holdWindow: badWindow)) == .invalidHoldWindow,
                    "hold window \(badWindow.milliseconds) must be invalid_hold_window")

                guard case .success(var payment) = Payment.authorize(
                    id: "pay", card: card, amount: Money(minorUnits: authorizedMinor, currency: currency),
                    at: start, holdWindow: hold)
                else {
                    trial.check(false, "authorize \(authorizedMinor) \(currency) with window \(hold.milliseconds) failed")
                    return
                }
                let expiresAt = Int64(clamping: Int128(authorizedAt) + Int128(hold.milliseconds))
                var model = GatewayModel(authorized: authorizedMinor, currency: currency, expiresAt: expiresAt)
                trial.check(payment.expiresAt.millisecondsSinceEpoch == expiresAt,
                            "expiresAt \(payment.expiresAt) != \(expiresAt)")
                trial.check(payment.events == [PaymentEvent(kind: .authorized, amount: payment.authorized, at: start)],
                            "a new payment's history is its authorization")
                checkPaymentInvariants(payment, model, at: authorizedAt, &trial)

                // `clock` only moves forward; a step's own time sometimes lies before it (an event
                // out of order, which the history must refuse and execute reads as the last event's time).
                var clock = authorizedAt
                var lastEventAt = authorizedAt
                for _ in 0...random.below(30) {
                    trial.step += 1
                    let now = randomTime(after: clock, authorizedAt: authorizedAt, expiresAt: expiresAt, &random)
                    clock = max(clock, now)
                    let at = Instant(millisecondsSinceEpoch: now)
                    let outOfOrder = now < lastEventAt
                    let before = payment
                    let wasVoided = model.voided
                    let hadRefund = model.refunded > 0
                    let roll = random.below(100)

                    if roll < 95 {
                        let command: PaymentCommand
                        switch roll {
                        case ..<45:
                            command = .capture(commandAmount(
                                pivot: model.authorized - model.captured, currency: currency, &random))
                        case ..<80:
                            command = .refund(commandAmount(
                                pivot: model.captured - model.refunded, currency: currency, &random))
                        case ..<88:
                            command = .release
                        default:
                            command = .void
                        }
                        let ruling = model.outcome(command, at: now)
                        let decided = payment.decide(command, at: at)
                        trial.check(rejectionCode(decided) == ruling,
                                    "decide(\(command)) at \(now): \(describe(decided)), expected \(describe(ruling))")

                        // Three paths: execute (decide, then apply), applying the success event as
                        // when rebuilding history, or applying the processor's failure of the attempt.
                        let path = random.below(6)
                        let event: PaymentEvent
                        let expected: Rejection.Code?
                        let outcome: Result<Payment, Rejection>
                        switch path {
                        case 0, 1, 2:
                            // execute reads a clock that stepped back as the last event's time.
                            let effective = max(now, lastEventAt)
                            event = successEvent(
                                for: command, model: model, at: Instant(millisecondsSinceEpoch: effective))
                            expected = model.outcome(command, at: effective)
                            outcome = payment.execute(command, at: at).map { next, executed in
                                trial.check(executed == event, "execute(\(command)) returned the event \(executed)")
                                return next
                            }
                        case 3, 4:
                            event = successEvent(for: command, model: model, at: at)
                            expected = outOfOrder ? .invalidEvent : ruling
                            outcome = payment.applying(event)
                        default:
                            event = failureEvent(for: command, at: at) ?? successEvent(for: command, model: model, at: at)
                            expected = outOfOrder ? .invalidEvent : ruling
                            outcome = payment.applying(event)
                        }
                        let shown = "\(event.kind) \(event.amount.minorUnits) \(event.amount.currency) at \(now)"
                            + " (last event \(lastEventAt), expires \(expiresAt))"
                        trial.check(rejectionCode(outcome) == expected,
                                    "\(shown): \(describe(outcome)), expected \(describe(expected))")
                        switch outcome {
                        case .success(let next):
                            trial.check(next.events == before.events + [event], "\(shown) must append exactly its event")
                            if event.kind == .captureFailed || event.kind == .refundFailed {
                                trial.check(next.captured == before.captured && next.refunded == before.refunded
                                                && next.isVoided == before.isVoided, "\(shown) moved money")
                            } else {
                                model.apply(command)
                            }
                            payment = next
                            lastEventAt = event.at.millisecondsSinceEpoch
                        case .failure:
                            // A value cannot change behind our back: the payment held is the one we had.
                            trial.check(payment == before, "a rejected \(shown) changed the payment")
                        }
                        if wasVoided {
                            let allowed: Set<Rejection.Code> = [.alreadyVoided, .invalidAmount, .currencyMismatch, .invalidEvent]
                            trial.check(rejectionCode(outcome).map(allowed.contains) ?? false,
                                        "after a void, \(shown) answered \(describe(outcome)), not already_voided")
                            let validInput = moneyIn(command).map { $0.isPositive && $0.currency == currency } ?? true
                            if !outOfOrder, validInput {
                                trial.check(rejectionCode(outcome) == .alreadyVoided, "after a void, \(shown) answered \(describe(outcome))")
                            }
                        }
                        if hadRefund, case .capture = command {
                            trial.check(rejectionCode(outcome) != nil, "a capture after a refund succeeded: \(shown)")
                        }
                    } else {
                        // A second authorization is never folded in.
                        let again = PaymentEvent(kind: .authorized, amount: payment.authorized, at: at)
                        trial.check(rejectionCode(payment.applying(again)) == .invalidEvent, "a second authorized event was not invalid_event")
                    }
                    checkPaymentInvariants(payment, model, at: now, &trial)
                    if trial.failed { return }
                }
            }
        }
    }

    private func checkPaymentInvariants(_ payment: Payment, _ model: GatewayModel, at now: Int64, _ trial: inout Trial) {
        let at = Instant(millisecondsSinceEpoch: now)
        let authorized = payment.authorized.minorUnits
        let captured = payment.captured.minorUnits
        let refunded = payment.refunded.minorUnits
        trial.check(payment.captured.currency == payment.currency && payment.refunded.currency == payment.currency,
                    "amounts changed currency")
        trial.check(0 <= refunded && refunded <= captured && captured <= authorized,
                    "0 <= refunded \(refunded) <= captured \(captured) <= authorized \(authorized) broken")
        trial.check(payment.released.minorUnits == model.released, "released \(payment.released.minorUnits), model says \(model.released)")
        trial.check(captured == model.captured && refunded == model.refunded && payment.isVoided == model.voided,
                    "captured \(captured) refunded \(refunded) voided \(payment.isVoided), model says "
                        + "\(model.captured) \(model.refunded) \(model.voided)")

        // The status at several instants, from the model and from the amounts.
        var probes = [now, model.expiresAt, Int64.max]
        if model.expiresAt < .max { probes.append(model.expiresAt + 1) }
        for probe in probes {
            let status = payment.status(at: Instant(millisecondsSinceEpoch: probe))
            trial.check(status == model.status(at: probe), "status at \(probe) is \(status), model says \(model.status(at: probe))")
            let expired = probe > model.expiresAt
            let consistent: Bool = switch status {
            case .authorized: captured == 0 && !payment.isVoided && !expired
            case .expired: captured == 0 && !payment.isVoided && expired
            case .partiallyCaptured: 0 < captured && captured < authorized && refunded == 0 && model.released == 0
            case .captured: captured == model.held && refunded == 0
            case .partiallyRefunded: 0 < refunded && refunded < captured
            case .refunded: 0 < refunded && refunded == captured
            case .voided: payment.isVoided && captured == 0
            }
            trial.check(consistent, "status \(status) at \(probe) does not fit captured \(captured) refunded \(refunded) "
                            + "authorized \(authorized) voided \(payment.isVoided)")
        }

        let status = payment.status(at: at)
        let capturable = payment.capturable(at: at)
        trial.check(capturable.currency == payment.currency, "capturable changed currency")
        if (status == .authorized || status == .partiallyCaptured) && !payment.isExpired(at: at) {
            trial.check(Int128(capturable.minorUnits) + Int128(captured) == Int128(model.held),
                        "capturable \(capturable.minorUnits) + captured \(captured) != held \(model.held)")
        } else {
            trial.check(capturable.isZero, "capturable is \(capturable.minorUnits) in status \(status)")
        }
        trial.check(payment.refundable.minorUnits == captured - refunded,
                    "refundable \(payment.refundable.minorUnits) != captured - refunded")
    }

    /// A release gives up the rest the model says is uncaptured.
    private func successEvent(for command: PaymentCommand, model: GatewayModel, at: Instant) -> PaymentEvent {
        switch command {
        case .capture(let amount): PaymentEvent(kind: .captured, amount: amount, at: at)
        case .refund(let amount): PaymentEvent(kind: .refunded, amount: amount, at: at)
        case .void: PaymentEvent(kind: .voided, amount: .zero(model.currency), at: at)
        case .release:
            PaymentEvent(kind: .released, amount: Money(minorUnits: model.held - model.captured, currency: model.currency), at: at)
        }
    }

    /// The processor failed the attempt: the attempt is history, nothing moves.
    private func failureEvent(for command: PaymentCommand, at: Instant) -> PaymentEvent? {
        switch command {
        case .capture(let amount): PaymentEvent(kind: .captureFailed, amount: amount, at: at)
        case .refund(let amount): PaymentEvent(kind: .refundFailed, amount: amount, at: at)
        case .void, .release: nil
        }
    }

    private func moneyIn(_ command: PaymentCommand) -> Money? {
        switch command {
        case .capture(let amount), .refund(let amount): amount
        case .void, .release: nil
        }
    }
}
