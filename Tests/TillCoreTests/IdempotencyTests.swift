import Testing
@testable import TillCore

@Suite("Idempotency")
struct IdempotencyTests {
    static let pay10 = RequestFingerprint(operation: "order.pay", target: "ord_1", parameters: ["amount": "1000", "tender": "cash"])
    static let pay20 = RequestFingerprint(operation: "order.pay", target: "ord_1", parameters: ["amount": "2000", "tender": "cash"])

    static let now = Instant(millisecondsSinceEpoch: 1_000_000)

    /// A record as the ledger keeps it; one in progress is held by a lease that still runs.
    static func completed(_ fingerprint: RequestFingerprint, _ response: String) -> RequestRecord {
        RequestRecord(key: "k", operation: "order.pay", target: "ord_1", fingerprint: fingerprint.canonical, state: .completed, response: response)
    }
    static func inProgress(_ fingerprint: RequestFingerprint) -> RequestRecord {
        RequestRecord(
            key: "k", operation: "order.pay", target: "ord_1", fingerprint: fingerprint.canonical, state: .inProgress,
            intent: "{}", leaseOwner: "till", leaseExpiresAt: now.millisecondsSinceEpoch + 1)
    }
    static func outcomeUnknown(_ fingerprint: RequestFingerprint) -> RequestRecord {
        RequestRecord(key: "k", operation: "order.pay", target: "ord_1", fingerprint: fingerprint.canonical, state: .outcomeUnknown, intent: "{}")
    }

    /// What the lifecycle table answers a request that arrives at `record`.
    private func outcome(_ record: RequestRecord?, _ request: RequestFingerprint) -> String {
        let event: RequestEvent = record.map { $0.fingerprint == request.canonical } ?? true ? .start : .startOther
        let stage = RequestLifecycle.stage(of: record, at: Self.now, intentReadable: { _ in true })
        return switch RequestLifecycle.transition(from: stage, on: event).action {
        case .call: "execute"
        case .replay: "replay:\(record?.response ?? "")"
        case .lookUp: "resolve"
        case .reject(let code): code.rawValue
        case .record, .free, .giveUp, .park, .keep: "no answer to a request"
        }
    }

    @Test("the one rule: none, completed, in progress, unknown outcome x same or other request")
    func rule() {
        #expect(outcome(nil, Self.pay10) == "execute")
        #expect(outcome(Self.completed(Self.pay10, "{\"ok\":1}"), Self.pay10) == "replay:{\"ok\":1}")
        #expect(outcome(Self.completed(Self.pay10, "x"), Self.pay20) == "idempotency_key_reused")
        #expect(outcome(Self.inProgress(Self.pay10), Self.pay10) == "request_in_progress")
        #expect(outcome(Self.inProgress(Self.pay10), Self.pay20) == "idempotency_key_reused")
        #expect(outcome(Self.outcomeUnknown(Self.pay10), Self.pay10) == "resolve")
        #expect(outcome(Self.outcomeUnknown(Self.pay10), Self.pay20) == "idempotency_key_reused")
    }

    @Test("fingerprints cover the operation, the target and every parameter, in a canonical order")
    func fingerprints() {
        let base = RequestFingerprint(operation: "wallet.debit", target: "ann", parameters: ["amount": "100", "currency": "USD"])
        #expect(base == RequestFingerprint(operation: "wallet.debit", target: "ann", parameters: ["currency": "USD", "amount": "100"]))
        #expect(base.canonical == "wallet.debit|ann|amount=100&currency=USD")
        #expect(base != RequestFingerprint(operation: "wallet.credit", target: "ann", parameters: ["amount": "100", "currency": "USD"]))
        #expect(base != RequestFingerprint(operation: "wallet.debit", target: "bob", parameters: ["amount": "100", "currency": "USD"]))
        #expect(base != RequestFingerprint(operation: "wallet.debit", target: "ann", parameters: ["amount": "101", "currency": "USD"]))
        #expect(base != RequestFingerprint(operation: "wallet.debit", target: "ann", parameters: ["amount": "100"]))
    }

    @Test("typed parameters say themselves one way: 10 and 10.00 dollars are the same request")
    func typedParameters() throws {
        let ten = try Money.parse("10", currency: .usd).get()
        let tenDollars = try Money.parse("10.00", currency: .usd).get()
        let pay: (Money, Email) -> RequestFingerprint = { amount, email in
            RequestFingerprint(operation: "order.create", target: "", parameters: ["total": amount, "email": email, "tender": Tender.Kind.cash])
        }
        let ann = try Email.parse("Ann@Example.com").get()
        let lowerAnn = try Email.parse("ann@example.com").get()
        #expect(pay(ten, ann) == pay(tenDollars, lowerAnn))
        #expect(pay(ten, ann).canonical == "order.create||email=ann@example.com&tender=cash&total=USD 1000")
        #expect(pay(Money(minorUnits: 1000, currency: .eur), ann) != pay(ten, ann))
        #expect(pay(Fixture.usd(1001), ann) != pay(ten, ann))
    }

    @Test("separators inside values cannot make two requests look alike")
    func escaping() {
        let one = RequestFingerprint(operation: "op", target: "t", parameters: ["a": "1&b=2"])
        let two = RequestFingerprint(operation: "op", target: "t", parameters: ["a": "1", "b": "2"])
        #expect(one != two)
        let three = RequestFingerprint(operation: "op|t", target: "", parameters: [:])
        let four = RequestFingerprint(operation: "op", target: "t|", parameters: [:])
        #expect(three != four)
        #expect(RequestFingerprint(operation: "op", target: "%7C", parameters: [:])
                != RequestFingerprint(operation: "op", target: "|", parameters: [:]))
    }

    @Test("keys are 1 to 255 printable characters", arguments: [
        ("k1", true), ("  order-42/attempt-1 ", true), (String(repeating: "k", count: 255), true),
        ("", false), ("   ", false), (String(repeating: "k", count: 256), false), ("a\u{7}b", false), ("a\nb", false),
        ("a\u{85}b", false), ("a\u{2028}b", false), ("a\u{200B}b", false), ("k1\r\n", true),
    ])
    func keys(text: String, valid: Bool) {
        let result = IdempotencyKey.parse(text)
        if valid {
            #expect((try? result.get())?.value == text.trimmingBlanks())
        } else {
            #expect(rejectionCode(result) == .invalidIdempotencyKey)
        }
    }
}
