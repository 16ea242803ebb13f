import Foundation
import Hummingbird
public import Logging
import SeededRandom
public import ServiceLifecycle
import Synchronization
import TillCore
public import TillProcessor

/// The faults `till goblinpay serve` injects, as a real processor's network would: an error
/// before anything is applied (HTTP 500), a response lost after applying (the connection is
/// dropped without an answer), and latency before applying. Drawn from one seeded generator.
public struct GoblinPayServiceFaults: Sendable {
    public var errorRate: GoblinPayFailureRate = .never
    public var lostResponseRate: GoblinPayFailureRate = .never
    public var latencyMilliseconds: ClosedRange<Int> = 0...0
    public var seed: UInt64 = 0

    public init() {}

    /// "MIN-MAX" or "N" milliseconds, 0 to 60000.
    public static func parseLatency(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
              0 <= low, low <= high, high <= 60_000 else { return nil }
        return low...high
    }
}

/// GoblinPay's HTTP service (`GoblinPayWire`): thin handlers over one GoblinPay and its ledger.
/// Calls pass `InFlightCalls`: one whose `GoblinPay-Deadline` has come is refused unapplied, and
/// a lookup of a key in flight answers unknown; so a lookup's "not applied" is never overtaken.
public final class GoblinPayServer: Sendable {
    let goblin: GoblinPay
    let faults: GoblinPayServiceFaults
    let webhook: PayoutWebhook
    let logger: Logger
    private let random: Mutex<SplitMix64>
    private let inFlight = InFlightCalls()

    public init(goblin: GoblinPay, faults: GoblinPayServiceFaults, webhook: PayoutWebhook = PayoutWebhook(), logger: Logger) {
        self.goblin = goblin
        self.faults = faults
        self.webhook = webhook
        self.logger = logger
        random = Mutex(SplitMix64(seed: faults.seed))
    }

    public func application(host: String = "127.0.0.1", port: Int = 0, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        Application(
            router: router(), server: .http1(configuration: .init(idleTimeout: TillServer.idleTimeout)),
            configuration: .init(address: .hostname(host, port: port), serverName: "goblinpay"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in Wire.response(["status": "ok"]) }
        for operation in ["authorize", "capture", "refund", "void", "release"] {
            router.post(RouterPath("/v1/\(operation)")) { request, _ in await self.apply(operation, request) }
        }
        router.post("/v1/lookup") { request, _ in await self.lookup(request) }
        addPayoutRoutes(to: router)
        return router
    }

    func roll(_ rate: GoblinPayFailureRate) -> Bool {
        rate.partsPerMillion > 0 && random.withLock { $0.int(0...(GoblinPayFailureRate.partsPerMillionScale - 1)) } < rate.partsPerMillion
    }

    func draw(_ range: ClosedRange<Int>) -> Int { random.withLock { $0.int(range) } }

    private func apply(_ operation: String, _ request: Request) async -> Response {
        guard let call = await Self.read(request) else { return Self.badRequest }
        let deadline = request.headers.first { $0.name.canonicalName == GoblinPayWire.deadlineHeader.lowercased() }.flatMap { Int64($0.value) }
        if roll(faults.errorRate) { return Self.outcome(.failed(reason: "GoblinPay error (injected), nothing applied"), status: .internalServerError) }
        let latency = faults.latencyMilliseconds.upperBound > 0 ? random.withLock { $0.int(faults.latencyMilliseconds) } : 0
        if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
        // Past the caller's deadline nothing is applied: the caller stopped waiting and may be
        // looking the key up already.
        guard inFlight.admit(key: call.key, deadline: deadline, now: Int64(Date().timeIntervalSince1970 * 1000)) else { return Self.outcome(.failed(reason: "the call's deadline passed before it was applied"), status: .internalServerError) }
        let outcome = await perform(operation, call)
        inFlight.finish(key: call.key)
        // A lost response: applied (or not, as GoblinPay decided), and no answer at all.
        if case .unknown = outcome { return Self.dropped }
        if roll(faults.lostResponseRate) { return Self.dropped }
        return Self.outcome(outcome, status: .ok)
    }

    private func perform(_ operation: String, _ call: GoblinPayWire.Call) async -> ProcessorOutcome {
        let invalid = ProcessorOutcome.declined(reason: "the call is missing what \(operation) needs")
        switch operation {
        case "authorize":
            guard let card = call.card?.credentials(), let amount = call.amount?.money() else { return invalid }
            return await goblin.authorize(key: call.key, card: card, amount: amount)
        case "capture", "refund":
            guard let authorization = call.authorization, let amount = call.amount?.money() else { return invalid }
            return operation == "capture"
                ? await goblin.capture(key: call.key, authorization: authorization, amount: amount)
                : await goblin.refund(key: call.key, authorization: authorization, amount: amount)
        case "void":
            guard let authorization = call.authorization else { return invalid }
            return await goblin.void(key: call.key, authorization: authorization)
        default:
            guard let authorization = call.authorization else { return invalid }
            return await goblin.release(key: call.key, authorization: authorization)
        }
    }

    private func lookup(_ request: Request) async -> Response {
        guard let call = await Self.read(request) else { return Self.badRequest }
        let busy = inFlight.isInFlight(call.key)
        let answer = busy ? ProcessorLookup.unknown(reason: "a call under this key is in flight") : await goblin.lookup(key: call.key)
        return Wire.response(GoblinPayWire.Lookup(answer))
    }

    private static func read(_ request: Request) async -> GoblinPayWire.Call? {
        guard let buffer = try? await request.body.collect(upTo: 16 * 1024) else { return nil }
        return try? JSONDecoder().decode(GoblinPayWire.Call.self, from: Data(buffer.readableBytesView))
    }

    private static func outcome(_ outcome: ProcessorOutcome, status: HTTPResponse.Status) -> Response {
        Wire.response(GoblinPayWire.Outcome(outcome), status: status)
    }

    private static var badRequest: Response {
        Wire.response(GoblinPayWire.Outcome(.declined(reason: "the call could not be read")), status: .badRequest)
    }

    /// A response whose body fails as it is written: the server closes the connection and the
    /// caller gets no answer it can read.
    private static var dropped: Response {
        Response(status: .ok, headers: [.contentType: Wire.json], body: ResponseBody { _ in throw DroppedOnPurpose() })
    }

    struct DroppedOnPurpose: Error {}
}
