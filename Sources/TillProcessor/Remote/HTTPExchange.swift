import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request and its whole answer, on a connection of its own, within a deadline:
/// GoblinPay's client (and the tests' client of `till serve`). Plain NIO: no TLS, no pool,
/// no redirects; everything GoblinPay's protocol needs and nothing else.
public enum HTTPExchange {
    /// The largest answer read unless the caller says otherwise: an answer is held whole in
    /// memory, so a peer cannot make it grow without bound.
    public static let defaultMaxAnswerBytes = 16 << 20

    public struct Answer: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Failure: Error, Sendable, Equatable {
        case badURL
        case connectFailed
        /// No whole answer before the deadline.
        case timedOut
        /// The connection closed (or failed) before the answer was whole.
        case closedEarly
        /// The answer's body grew past the caller's limit (the connection is closed).
        case tooLarge
    }

    /// Sends `method url` with `headers` and `body`; the answer, or why there was none. The
    /// deadline covers connecting, sending and the whole answer.
    public static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration,
        maxAnswerBytes: Int = HTTPExchange.defaultMaxAnswerBytes
    ) async throws(Failure) -> Answer {
        guard let target = Target(url) else { throw .badURL }
        let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: Answer.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(milliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector(promise: promise, deadline: .milliseconds(milliseconds), maxBytes: maxAnswerBytes))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            promise.fail(Failure.connectFailed)
            throw .connectFailed
        }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target.path)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body, !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            let answer = try await promise.futureResult.get()
            channel.close(promise: nil)
            return answer
        } catch {
            channel.close(promise: nil)
            throw error as? Failure ?? .closedEarly
        }
    }

    /// "http://host:port/path".
    struct Target {
        let host: String
        let port: Int
        let path: String
        var hostHeader: String { "\(host):\(port)" }

        init?(_ url: String) {
            guard url.hasPrefix("http://") else { return nil }
            let rest = url.dropFirst(7)
            let authority = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(authority.count)
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let hostPart = parts.first, !hostPart.isEmpty else { return nil }
            host = String(hostPart)
            if parts.count == 2 {
                guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
                self.port = port
            } else {
                port = 80
            }
            self.path = path.isEmpty ? "/" : String(path)
        }
    }
}

/// Collects one response (head, body, end) and completes the promise once: with the answer,
/// or with a failure if the connection ends first or the deadline comes. Lives on the
/// channel's event loop only.
private final class AnswerCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<HTTPExchange.Answer>
    let deadline: TimeAmount
    let maxBytes: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false
    private var timer: Scheduled<Void>?

    init(promise: EventLoopPromise<HTTPExchange.Answer>, deadline: TimeAmount, maxBytes: Int) {
        self.promise = promise
        self.deadline = deadline
        self.maxBytes = maxBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) {
            let (collector, context) = loopBound.value
            collector.finish(.failure(.timedOut))
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received): head = received
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= maxBytes else {
                finish(.failure(.tooLarge))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return finish(.failure(.closedEarly)) }
            finish(.success(HTTPExchange.Answer(
                status: Int(head.status.code), headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(.closedEarly))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(.closedEarly))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<HTTPExchange.Answer, HTTPExchange.Failure>) {
        guard !done else { return }
        done = true
        timer?.cancel()
        promise.completeWith(result.mapError { $0 as any Error })
    }
}
