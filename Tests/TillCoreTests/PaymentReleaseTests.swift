import Testing
@testable import TillCore

/// Releasing the rest of an authorization (DESIGN §3 "Releasing the rest"), case by case.
@Suite("Releasing the rest of an authorization")
struct PaymentReleaseTests {
    /// A $10.00 authorization after `commands`, all at `Fixture.now`.
    func after(_ commands: [PaymentCommand]) -> Payment? {
        guard var payment = Fixture.authorized(1000) else { return nil }
        for command in commands {
            guard let (next, _) = Fixture.success(payment.execute(command, at: Fixture.now), "\(command)") else { return nil }
            payment = next
        }
        return payment
    }

    @Test("after a partial capture the rest is released: captured, nothing capturable, refunds still allowed")
    func releaseAfterPartialCapture() throws {
        let captured = try #require(after([.capture(Fixture.usd(600))]))
        #expect(captured.releasable(at: Fixture.now) == Fixture.usd(400))
        #expect(captured.isOpenHold(at: Fixture.now))
        let (released, event) = try captured.execute(.release, at: Fixture.now).get()
        #expect(event == PaymentEvent(kind: .released, amount: Fixture.usd(400), at: Fixture.now))
        #expect(released.released == Fixture.usd(400))
        #expect(released.held == Fixture.usd(600))
        #expect(released.status(at: Fixture.now) == .captured)
        #expect(released.capturable(at: Fixture.now) == .zero(.usd))
        #expect(released.releasable(at: Fixture.now) == .zero(.usd))
        #expect(!released.isOpenHold(at: Fixture.now))
        #expect(rejectionCode(released.decide(.capture(Fixture.usd(1)), at: Fixture.now)) == .exceedsAuthorized)
        #expect(rejectionCode(released.decide(.release, at: Fixture.now)) == .nothingToRelease)
        #expect(rejectionCode(released.decide(.void, at: Fixture.now)) == .voidAfterCapture)
        let refunded = try released.execute(.refund(Fixture.usd(600)), at: Fixture.now).get().0
        #expect(refunded.status(at: Fixture.now) == .refunded)
        #expect(refunded.refundable == .zero(.usd))
    }

    @Test("nothing captured: release_before_capture (void it); all captured: nothing_to_release")
    func releaseNeedsAnUncapturedRestAfterACapture() throws {
        let authorized = try #require(after([]))
        #expect(rejectionCode(authorized.decide(.release, at: Fixture.now)) == .releaseBeforeCapture)
        let full = try #require(after([.capture(Fixture.usd(1000))]))
        #expect(rejectionCode(full.decide(.release, at: Fixture.now)) == .nothingToRelease)
        let voided = try #require(after([.void]))
        #expect(rejectionCode(voided.decide(.release, at: Fixture.now)) == .alreadyVoided)
    }

    @Test("after a refund of a partial capture the hold's rest can still be released")
    func releaseAfterRefund() throws {
        let payment = try #require(after([.capture(Fixture.usd(600)), .refund(Fixture.usd(100))]))
        #expect(payment.releasable(at: Fixture.now) == Fixture.usd(400))
        // Nothing capturable after a refund, but $4.00 still held: an open hold (review finding).
        #expect(payment.isOpenHold(at: Fixture.now))
        let released = try payment.execute(.release, at: Fixture.now).get().0
        #expect(released.status(at: Fixture.now) == .partiallyRefunded)
        #expect(rejectionCode(released.decide(.release, at: Fixture.now)) == .nothingToRelease)
    }

    @Test("once the hold window passed, a release is authorization_expired")
    func releaseAfterExpiry() throws {
        let payment = try #require(after([.capture(Fixture.usd(600))]))
        let late = Fixture.later(days: 8)
        #expect(rejectionCode(payment.decide(.release, at: late)) == .authorizationExpired)
        #expect(payment.releasable(at: late) == .zero(.usd))
        #expect(!payment.isOpenHold(at: late))
    }

    @Test("a stored release must give up exactly the uncaptured rest")
    func storedReleaseAmountIsChecked() throws {
        let payment = try #require(after([.capture(Fixture.usd(600))]))
        let wrong = PaymentEvent(kind: .released, amount: Fixture.usd(300), at: Fixture.now)
        #expect(rejectionCode(payment.applying(wrong)) == .invalidEvent)
        let right = PaymentEvent(kind: .released, amount: Fixture.usd(400), at: Fixture.now)
        #expect(try payment.applying(right).get().released == Fixture.usd(400))
    }
}
