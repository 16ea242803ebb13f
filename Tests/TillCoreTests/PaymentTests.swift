import Testing
@testable import TillCore

/// The named cases of DESIGN.md §3 and issue 2, one behaviour each.
@Suite("Card payments")
struct PaymentTests {
    private func run(_ payment: Payment, _ commands: [PaymentCommand], at now: Instant = Fixture.now) -> Payment? {
        var current = payment
        for command in commands {
            guard let (next, _) = Fixture.success(current.execute(command, at: now), "\(command)") else { return nil }
            current = next
        }
        return current
    }

    /// A $10.00 authorization after `commands`.
    private func after(_ commands: [PaymentCommand]) -> Payment? {
        Fixture.authorized(1000).flatMap { run($0, commands) }
    }

    @Test("£10.00 authorized, captured £4 + £6; a third capture of £0.01 is exceeds_authorized")
    func captureInParts() throws {
        let payment = try #require(Fixture.authorized(1000, currency: .gbp))
        let captured = try #require(run(payment, [.capture(Fixture.gbp(400)), .capture(Fixture.gbp(600))]))
        #expect(captured.captured == Fixture.gbp(1000))
        #expect(captured.status(at: Fixture.now) == .captured)
        #expect(captured.capturable(at: Fixture.now) == .zero(.gbp))
        #expect(rejectionCode(captured.decide(.capture(Fixture.gbp(1)), at: Fixture.now)) == .exceedsAuthorized)
    }

    @Test("a capture beyond what is left is exceeds_authorized, and the message says what is left")
    func overCapture() throws {
        let payment = try #require(after([.capture(Fixture.usd(400))]))
        let result = payment.decide(.capture(Fixture.usd(601)), at: Fixture.now)
        guard case .failure(let rejection) = result else { Issue.record("601 of 600 left must fail"); return }
        #expect(rejection.code == .exceedsAuthorized)
        #expect(rejection.message.contains("$6.00"))
        #expect((try? payment.decide(.capture(Fixture.usd(600)), at: Fixture.now).get()) != nil)
    }

    @Test("capture 700, refund 300 then 400; a further 0.01 is exceeds_captured")
    func refundInParts() throws {
        let payment = try #require(Fixture.authorized(1000))
        let refunded = try #require(run(payment, [
            .capture(Fixture.usd(700)), .refund(Fixture.usd(300)), .refund(Fixture.usd(400)),
        ]))
        #expect(refunded.refunded == Fixture.usd(700))
        #expect(refunded.status(at: Fixture.now) == .refunded)
        #expect(refunded.refundable == .zero(.usd))
        #expect(rejectionCode(refunded.decide(.refund(Fixture.usd(1)), at: Fixture.now)) == .exceedsCaptured)
    }

    @Test("no capture once a refund happened, even with authorization left")
    func captureAfterRefund() throws {
        let payment = try #require(after([
            .capture(Fixture.usd(500)), .refund(Fixture.usd(100)),
        ]))
        #expect(payment.status(at: Fixture.now) == .partiallyRefunded)
        #expect(rejectionCode(payment.decide(.capture(Fixture.usd(100)), at: Fixture.now)) == .captureAfterRefund)
        #expect(payment.capturable(at: Fixture.now) == .zero(.usd))
    }

    @Test("nothing is possible after a void")
    func afterVoid() throws {
        let voided = try #require(after([.void]))
        #expect(voided.status(at: Fixture.now) == .voided)
        for command in [PaymentCommand.capture(Fixture.usd(1)), .refund(Fixture.usd(1)), .void] {
            #expect(rejectionCode(voided.decide(command, at: Fixture.now)) == .alreadyVoided, "\(command)")
        }
        #expect(voided.capturable(at: Fixture.now) == .zero(.usd))
        #expect(voided.refundable == .zero(.usd))
    }

    @Test("a void after a capture is void_after_capture")
    func voidAfterCapture() throws {
        let payment = try #require(after([.capture(Fixture.usd(1))]))
        #expect(rejectionCode(payment.decide(.void, at: Fixture.now)) == .voidAfterCapture)
    }

    @Test("a refund the processor failed is not a refund: capture stays allowed")
    func failedRefund() throws {
        let payment = try #require(after([.capture(Fixture.usd(400))]))
        let failed = try payment.applying(PaymentEvent(kind: .refundFailed, amount: Fixture.usd(100), at: Fixture.now)).get()
        #expect(failed.refunded == .zero(.usd))
        #expect(failed.status(at: Fixture.now) == .partiallyCaptured)
        #expect(failed.events.map(\.kind) == [.authorized, .captured, .refundFailed])
        let (captured, _) = try failed.execute(.capture(Fixture.usd(600)), at: Fixture.now).get()
        #expect(captured.captured == Fixture.usd(1000))
    }

    @Test("a failed capture moves nothing")
    func failedCapture() throws {
        let payment = try #require(Fixture.authorized(1000))
        let failed = try payment.applying(PaymentEvent(kind: .captureFailed, amount: Fixture.usd(1000), at: Fixture.now)).get()
        #expect(failed.captured == .zero(.usd))
        #expect(failed.status(at: Fixture.now) == .authorized)
        #expect((try? failed.decide(.void, at: Fixture.now).get()) != nil)
    }

    @Test("the hold window: capture on day 7 works, after it authorization_expired")
    func expiry() throws {
        let payment = try #require(Fixture.authorized(1000))
        #expect(payment.status(at: Fixture.later(days: 7)) == .authorized)
        #expect((try? payment.decide(.capture(Fixture.usd(1)), at: Fixture.later(days: 7)).get()) != nil)
        let late = Fixture.later(days: 7, hours: 1)
        #expect(payment.status(at: late) == .expired)
        #expect(rejectionCode(payment.decide(.capture(Fixture.usd(1)), at: late)) == .authorizationExpired)
        #expect(rejectionCode(payment.decide(.void, at: late)) == .authorizationExpired)
        #expect(payment.capturable(at: late) == .zero(.usd))
    }

    @Test("after the hold window a partly captured payment captures no more but still refunds")
    func expiryAfterPartialCapture() throws {
        let payment = try #require(after([.capture(Fixture.usd(400))]))
        let late = Fixture.later(days: 30)
        #expect(payment.status(at: late) == .partiallyCaptured)
        #expect(rejectionCode(payment.decide(.capture(Fixture.usd(1)), at: late)) == .authorizationExpired)
        #expect(payment.capturable(at: late) == .zero(.usd))
        #expect((try? payment.decide(.refund(Fixture.usd(400)), at: late).get()) != nil)
    }

    @Test("the hold window is configurable")
    func configurableHold() throws {
        let payment = try Payment.authorize(
            id: "p", card: Fixture.visa, amount: Fixture.usd(1000), at: Fixture.now, holdWindow: .days(1)).get()
        #expect(rejectionCode(payment.decide(.capture(Fixture.usd(1)), at: Fixture.later(days: 2))) == .authorizationExpired)
        #expect(rejectionCode(Payment.authorize(
            id: "p", card: Fixture.visa, amount: Fixture.usd(1), at: Fixture.now, holdWindow: .days(0))) == .invalidHoldWindow)
    }

    @Test("authorizing needs a positive amount")
    func authorizeAmount() {
        #expect(rejectionCode(Payment.authorize(id: "p", card: Fixture.visa, amount: Fixture.usd(0), at: Fixture.now)) == .invalidAmount)
        #expect(rejectionCode(Payment.authorize(id: "p", card: Fixture.visa, amount: Fixture.usd(-5), at: Fixture.now)) == .invalidAmount)
        #expect((try? Payment.authorize(id: "p", card: Fixture.visa, amount: Fixture.usd(.max), at: Fixture.now).get()) != nil)
    }

    @Test("Int64.max authorizations capture and refund without overflow")
    func hugeAmounts() throws {
        let payment = try #require(Fixture.authorized(.max))
        let captured = try #require(run(payment, [.capture(Fixture.usd(.max - 1)), .capture(Fixture.usd(1))]))
        #expect(captured.captured == Fixture.usd(.max))
        #expect(rejectionCode(captured.decide(.capture(Fixture.usd(.max)), at: Fixture.now)) == .exceedsAuthorized)
        let refunded = try #require(run(captured, [.refund(Fixture.usd(.max))]))
        #expect(rejectionCode(refunded.decide(.refund(Fixture.usd(.max)), at: Fixture.now)) == .exceedsCaptured)
    }

    @Test("applying an event that breaks a rule is refused, so stored history cannot be forged")
    func forgedEvents() throws {
        let payment = try #require(Fixture.authorized(1000))
        func apply(_ kind: PaymentEvent.Kind, _ amount: Money, _ at: Instant = Fixture.now) -> Rejection.Code? {
            rejectionCode(payment.applying(PaymentEvent(kind: kind, amount: amount, at: at)))
        }
        #expect(apply(.captured, Fixture.usd(1001)) == .exceedsAuthorized)
        #expect(apply(.refunded, Fixture.usd(1)) == .exceedsCaptured)
        #expect(apply(.authorized, Fixture.usd(1)) == .invalidEvent)
        #expect(apply(.refundFailed, Fixture.gbp(5)) == .currencyMismatch)
        #expect(apply(.captureFailed, Fixture.usd(-5)) == .invalidAmount)
        // Back-dated: before the authorization, or inside the hold window after it has passed.
        #expect(apply(.captured, Fixture.usd(1), Instant(millisecondsSinceEpoch: 0)) == .invalidEvent)
        let late = try #require(after([.capture(Fixture.usd(1))]).flatMap {
            try? $0.applying(PaymentEvent(kind: .captureFailed, amount: Fixture.usd(1), at: Fixture.later(days: 3))).get()
        })
        #expect(rejectionCode(late.applying(PaymentEvent(kind: .captured, amount: Fixture.usd(1), at: Fixture.later(days: 1)))) == .invalidEvent)
        // A failed attempt must have been an allowed attempt.
        let voided = try #require(after([.void]))
        #expect(rejectionCode(voided.applying(PaymentEvent(kind: .captureFailed, amount: Fixture.usd(1), at: Fixture.now))) == .alreadyVoided)
    }

    @Test("a payment rebuilt from its own events equals the original")
    func rebuild() throws {
        let original = try #require(after([
            .capture(Fixture.usd(300)), .capture(Fixture.usd(200)), .refund(Fixture.usd(50)),
        ]))
        var rebuilt = try #require(Fixture.authorized(1000))
        for event in original.events.dropFirst() { rebuilt = try rebuilt.applying(event).get() }
        #expect(rebuilt == original)
    }

    @Test("a clock that stepped back is read as the last event's time: the operation works, history stays ordered")
    func clockSteppedBack() throws {
        let payment = try #require(Fixture.authorized(1000))
        let (captured, event) = try payment.execute(.capture(Fixture.usd(100)), at: Fixture.later(days: 1)).get()
        let earlier = Fixture.later(days: 0, hours: 23)
        let (refunded, refund) = try captured.execute(.refund(Fixture.usd(50)), at: earlier).get()
        #expect(refund.at == event.at)
        #expect(refunded.refunded == Fixture.usd(50))
        #expect(refunded.events.map(\.at) == refunded.events.map(\.at).sorted())
    }

    @Test("the hold window ends exactly at expiresAt")
    func holdEdge() throws {
        let payment = try #require(Fixture.authorized(1000))
        let edge = payment.expiresAt
        #expect(edge == Fixture.later(days: 7))
        #expect((try? payment.decide(.capture(Fixture.usd(1)), at: edge).get()) != nil)
        let after = Instant(millisecondsSinceEpoch: edge.millisecondsSinceEpoch + 1)
        #expect(rejectionCode(payment.decide(.capture(Fixture.usd(1)), at: after)) == .authorizationExpired)
    }

    @Test("history lists every event in order")
    func history() throws {
        let payment = try #require(after([
            .capture(Fixture.usd(300)), .capture(Fixture.usd(200)), .refund(Fixture.usd(50)),
        ]))
        #expect(payment.events.map(\.kind) == [.authorized, .captured, .captured, .refunded])
        #expect(payment.events.map(\.amount.minorUnits) == [1000, 300, 200, 50])
    }
}
