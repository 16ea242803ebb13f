import AsyncHTTPClient
import Foundation
public import TillCore
import NIOCore
import NIOHTTP1

/// GoblinPay as a remote service (`till goblinpay serve`), reached over HTTP. Each call has a
/// connect timeout and a deadline for the whole exchange; a timeout, a dropped connection or
/// an answer this protocol does not know is `.unknown` — the call may have been applied —
/// and is resolved by `lookup(key:)`, whose own failures are `.unknown` too, never "not
/// applied". The deadline travels with the call (`GoblinPay-Deadline`), so GoblinPay applies
/// nothing after the moment this client stops waiting.
public final class GoblinPayClient: PaymentProcessor {
    public let baseURL: String
    public let timeout: Duration
    public var identity: String { "GoblinPay at \(baseURL)" }

    /// One client for the process: its connections are pooled across calls, and it is never
    /// torn down while a call could still use it.
    private static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(1), read: .seconds(60))))

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
        var request = HTTPClientRequest(url: "\(baseURL)/v1/\(operation)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let deadlineMs = Int64(Date().timeIntervalSince1970 * 1000) + timeout.milliseconds
        request.headers.add(name: GoblinPayWire.deadlineHeader, value: String(deadlineMs))
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .milliseconds(timeout.milliseconds)
        do {
            let response = try await Self.http.execute(request, deadline: deadline)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return .success((Int(response.status.code), Data(bytes.readableBytesView)))
        } catch {
            return .failure(Failure(text: "no answer from GoblinPay at \(baseURL) (\(Self.describe(error)))"))
        }
    }

    /// A short, safe description of a transport error (it never carries the request).
    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "connection closed"
            default: return "transport error"
            }
        }
        return "connection failed"
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
