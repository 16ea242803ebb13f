import Foundation
public import TillCore

/// GoblinPay as a remote service (`till goblinpay serve`), reached over HTTP (`HTTPExchange`).
/// Each call has a deadline for the whole exchange, connecting included; a timeout, a dropped connection or
/// an answer this protocol does not know is `.unknown` — the call may have been applied —
/// and is resolved by `lookup(key:)`, whose own failures are `.unknown` too, never "not
/// applied". The deadline travels with the call (`GoblinPay-Deadline`), so GoblinPay applies
/// nothing after the moment this client stops waiting.
public final class GoblinPayClient: PaymentProcessor {
    public let baseURL: String
    public let timeout: Duration
    public var identity: String { "GoblinPay at \(baseURL)" }

    /// The longest a call may wait: shorter than any request lease (minutes), so no other till
    /// takes a request over while its call is still on the wire.
    public static let timeouts: ClosedRange<Int> = 50...60_000

    /// `url`: e.g. "http://127.0.0.1:9090". `timeout`: the deadline of each call.
    public init(url: String, timeout: Duration = .seconds(2)) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.timeout = timeout
    }

    public func authorize(key: String, card: CardCredentials, amount: Money) async -> ProcessorOutcome {
        await call("authorize", GoblinPayWire.Call(key: key, amount: amount, card: card))
    }

    public func capture(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        await call("capture", GoblinPayWire.Call(key: key, authorization: authorization, amount: amount))
    }

    public func refund(key: String, authorization: String, amount: Money) async -> ProcessorOutcome {
        await call("refund", GoblinPayWire.Call(key: key, authorization: authorization, amount: amount))
    }

    public func void(key: String, authorization: String) async -> ProcessorOutcome {
        await call("void", GoblinPayWire.Call(key: key, authorization: authorization))
    }

    public func release(key: String, authorization: String) async -> ProcessorOutcome {
        await call("release", GoblinPayWire.Call(key: key, authorization: authorization))
    }

    public func lookup(key: String) async -> ProcessorLookup {
        switch await exchange("lookup", GoblinPayWire.Call(key: key)) {
        case .success((200, let body)):
            guard let answer = try? JSONDecoder().decode(GoblinPayWire.Lookup.self, from: body), let lookup = answer.processorLookup else {
                return .unknown(reason: "GoblinPay's lookup answer could not be read")
            }
            return lookup
        case .success((let status, _)): return .unknown(reason: "GoblinPay's lookup answered HTTP \(status)")
        case .failure(let reason): return .unknown(reason: reason.text)
        }
    }

    private func call(_ operation: String, _ call: GoblinPayWire.Call) async -> ProcessorOutcome {
        switch await exchange(operation, call) {
        case .success((let status, let body)):
            // 200 with any outcome; 500 only with "failed": refused before applying.
            guard status == 200 || status == 500,
                  let answer = try? JSONDecoder().decode(GoblinPayWire.Outcome.self, from: body),
                  let outcome = answer.processorOutcome, status == 200 || answer.outcome == "failed"
            else { return .unknown(reason: "GoblinPay answered HTTP \(status) without an outcome") }
            return outcome
        case .failure(let reason): return .unknown(reason: reason.text)
        }
    }

    struct Failure: Error {
        let text: String
    }

    /// One POST within the deadline: the status and body, or why there was no whole answer.
    private func exchange(_ operation: String, _ call: GoblinPayWire.Call) async -> Result<(Int, Data), Failure> {
        let body: Data
        do { body = try JSONEncoder().encode(call) } catch { return .failure(Failure(text: "the call could not be encoded")) }
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + timeout.milliseconds
        do {
            let answer = try await HTTPExchange.send(
                "POST", "\(baseURL)/v1/\(operation)",
                headers: [("Content-Type", "application/json"), (GoblinPayWire.deadlineHeader, String(deadline))],
                body: Array(body), timeout: timeout)
            return .success((answer.status, Data(answer.body)))
        } catch {
            return .failure(Failure(text: "no answer from GoblinPay at \(baseURL) (\(Self.describe(error)))"))
        }
    }

    /// A short, safe description of a transport failure (it never carries the request).
    static func describe(_ failure: HTTPExchange.Failure) -> String {
        switch failure {
        case .badURL: "not an http:// address"
        case .connectFailed: "could not connect"
        case .timedOut: "timed out"
        case .closedEarly: "connection closed without a whole answer"
        case .tooLarge: "the answer was larger than expected"
        }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
