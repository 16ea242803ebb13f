import Testing
@testable import TillCore

/// Every (status x operation) pair, generated from the enums: the table must say what
/// DESIGN.md says, and a real payment in each status must answer what the table says.
@Suite("Payment transition table")
struct PaymentTableTests {
    /// DESIGN.md §3 written out independently of `PaymentRules`, so editing the table without
    /// editing the contract fails here.
    static let contract: [PaymentStatus: [PaymentOperation: PaymentRule]] = [
        .authorized: [.capture: .allowed, .refund: .refused(.exceedsCaptured), .void: .allowed,
                      .release: .refused(.releaseBeforeCapture)],
        .partiallyCaptured: [.capture: .allowed, .refund: .allowed, .void: .refused(.voidAfterCapture), .release: .allowed],
        .captured: [.capture: .refused(.exceedsAuthorized), .refund: .allowed, .void: .refused(.voidAfterCapture),
                    .release: .refused(.nothingToRelease)],
        .partiallyRefunded: [.capture: .refused(.captureAfterRefund), .refund: .allowed, .void: .refused(.voidAfterCapture),
                             .release: .allowed],
        .refunded: [.capture: .refused(.captureAfterRefund), .refund: .refused(.exceedsCaptured), .void: .refused(.voidAfterCapture),
                    .release: .allowed],
        .voided: [.capture: .refused(.alreadyVoided), .refund: .refused(.alreadyVoided), .void: .refused(.alreadyVoided),
                  .release: .refused(.alreadyVoided)],
        .expired: [.capture: .refused(.authorizationExpired), .refund: .refused(.authorizationExpired),
                   .void: .refused(.authorizationExpired), .release: .refused(.authorizationExpired)],
    ]

    static var pairs: [(PaymentStatus, PaymentOperation)] {
        PaymentStatus.allCases.flatMap { status in PaymentOperation.allCases.map { (status, $0) } }
    }

    /// A $10.00 authorization brought into `status`, and the instant to act at. The refunded
    /// states capture only part, so a release (allowed there) has a rest to give up.
    static func payment(in status: PaymentStatus) -> (Payment, Instant)? {
        guard let start = Fixture.authorized(1000) else { return nil }
        let now = Fixture.now
        let steps: [PaymentCommand] = switch status {
        case .authorized, .expired: []
        case .partiallyCaptured: [.capture(Fixture.usd(400))]
        case .captured: [.capture(Fixture.usd(1000))]
        case .partiallyRefunded: [.capture(Fixture.usd(600)), .refund(Fixture.usd(300))]
        case .refunded: [.capture(Fixture.usd(600)), .refund(Fixture.usd(600))]
        case .voided: [.void]
        }
        var payment = start
        for step in steps {
            guard let (next, _) = Fixture.success(payment.execute(step, at: now), "\(step)") else { return nil }
            payment = next
        }
        return (payment, status == .expired ? Fixture.later(days: 8) : now)
    }

    @Test("the rule table is the DESIGN.md contract", arguments: pairs)
    func tableMatchesContract(status: PaymentStatus, operation: PaymentOperation) {
        #expect(PaymentRules.rule(operation, in: status) == Self.contract[status]?[operation])
    }

    @Test("a payment in each status answers each operation as the table says", arguments: pairs)
    func decideFollowsTable(status: PaymentStatus, operation: PaymentOperation) throws {
        let (payment, now) = try #require(Self.payment(in: status))
        #expect(payment.status(at: now) == status)
        let command: PaymentCommand = switch operation {
        case .capture: .capture(Fixture.usd(1))
        case .refund: .refund(Fixture.usd(1))
        case .void: .void
        case .release: .release
        }
        let result = payment.execute(command, at: now)
        switch PaymentRules.rule(operation, in: status) {
        case .allowed:
            let (next, event) = try result.get()
            #expect(event.at == now)
            #expect(next.events.last == event)
        case .refused(let code):
            #expect(rejectionCode(result) == code)
        }
    }

    @Test("zero and other-currency amounts are refused before the table is consulted", arguments: pairs)
    func amountChecksComeFirst(status: PaymentStatus, operation: PaymentOperation) throws {
        guard operation != .void, operation != .release else { return }
        let (payment, now) = try #require(Self.payment(in: status))
        let zero: PaymentCommand = operation == .capture ? .capture(Fixture.usd(0)) : .refund(Fixture.usd(0))
        let negative: PaymentCommand = operation == .capture ? .capture(Fixture.usd(-1)) : .refund(Fixture.usd(-1))
        let pounds: PaymentCommand = operation == .capture ? .capture(Fixture.gbp(1)) : .refund(Fixture.gbp(1))
        #expect(rejectionCode(payment.decide(zero, at: now)) == .invalidAmount)
        #expect(rejectionCode(payment.decide(negative, at: now)) == .invalidAmount)
        #expect(rejectionCode(payment.decide(pounds, at: now)) == .currencyMismatch)
    }
}
