public import Hummingbird
public import Logging
import TillCore
public import TillService

/// Till's HTTP API (DESIGN §6) over one open service: the route table, the router built from
/// it, and the application `till serve` runs.
public struct TillAPI: Sendable {
    public static let defaultMaxBodyBytes = 64 * 1024

    let service: TillService
    let token: APIToken
    let metrics: APIMetrics
    let logger: Logger
    let maxBodyBytes: Int
    /// Imports payouts; GoblinPay's notification wakes it.
    public let payoutImport: PayoutImportLoop?

    public init(
        service: TillService, token: APIToken, logger: Logger, maxBodyBytes: Int = Self.defaultMaxBodyBytes,
        payoutImport: PayoutImportLoop? = nil
    ) {
        self.service = service
        self.payoutImport = payoutImport
        self.token = token
        self.metrics = APIMetrics()
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
    }

    /// Every route: its method, its path as `openapi.yaml` writes it, whether it needs the token,
    /// and its handler. The router, the 404/405 answers and the spec test all read this list.
    var routes: RouteTable {
        let api = Endpoints(service: service, maxBodyBytes: maxBodyBytes)
        let service = self.service, metrics = self.metrics
        return RouteTable([
            Route(.get, "/health", open: true) { _, _ in
                switch await service.ledgerVersion() {
                case .success: Wire.response(["status": "ok"])
                case .failure(let rejection): Wire.problem(rejection, status: .serviceUnavailable)
                }
            },
            Route(.get, "/metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text())))
            },
            // GoblinPay's payout notification: no payload, no token; it only wakes the importer.
            Route(.get, "/goblinpay/webhook/", open: true) { [payoutImport] _, _ in
                payoutImport?.wake()
                return Wire.response(["status": payoutImport == nil ? "no importer" : "woken"], status: .accepted)
            },
            Route(.post, "/orders", api.createOrder),
            Route(.get, "/orders", api.orders),
            Route(.post, "/orders/pay", api.createAndPay),
            Route(.get, "/orders/{id}", api.order),
            Route(.post, "/orders/{id}/payments", api.pay),
            Route(.post, "/orders/{id}/refunds", api.refundOrder),
            Route(.post, "/authorize", api.authorize),
            Route(.post, "/capture", api.capture),
            Route(.post, "/refund", api.refundPayment),
            Route(.post, "/void", api.void),
            Route(.post, "/release", api.release),
            Route(.get, "/payments/{id}", api.payment),
            Route(.post, "/accounts", api.openAccount),
            Route(.get, "/accounts/{name}", api.account),
            Route(.post, "/accounts/{name}/deposit", api.deposit),
            Route(.post, "/accounts/{name}/withdraw", api.withdraw),
        ])
    }

    /// The routes every `openapi.yaml` check compares against: method and path.
    public var routeList: [(method: String, path: String)] { routes.all.map { ($0.method.rawValue, $0.path) } }

    public func router() -> Router<BasicRequestContext> {
        let table = routes
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FrontDoor(routes: table, token: token, metrics: metrics, logger: logger))
        for route in table.all {
            let handle = route.handle
            router.on(RouterPath(route.hummingbirdPath), method: route.method) { request, context in await handle(request, context) }
        }
        return router
    }
}

struct Route: Sendable {
    typealias Handler = @Sendable (Request, BasicRequestContext) async -> Response
    let method: HTTPRequest.Method
    /// As `openapi.yaml` writes it: `/orders/{id}`.
    let path: String
    let open: Bool
    let handle: Handler
    /// The path's parts, nil for a `{…}` part (any one segment); split once, not per request.
    let parts: [Substring?]

    init(_ method: HTTPRequest.Method, _ path: String, open: Bool = false, _ handle: @escaping Handler) {
        self.method = method
        self.path = path
        self.open = open
        self.handle = handle
        parts = path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 }
    }

    /// As Hummingbird writes it: `/orders/:id`.
    var hummingbirdPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }

    /// Whether a request path, split at "/", fits this route's pattern.
    func fits(_ given: [Substring]) -> Bool {
        guard parts.count == given.count else { return false }
        for (part, segment) in zip(parts, given) where part != nil && part != segment { return false }
        return true
    }

    var isLiteral: Bool { !parts.contains(nil) }
}

struct RouteTable: Sendable {
    let all: [Route]

    init(_ routes: [Route]) { all = routes }

    enum Match {
        case route(Route)
        /// The path exists, with other methods.
        case otherMethods([HTTPRequest.Method])
        case none

        /// The route's pattern for logs and metrics: never the raw path, which carries ids.
        var routeName: String {
            switch self {
            case .route(let route): route.path
            case .otherMethods: "(method not allowed)"
            case .none: "(not found)"
            }
        }
    }

    /// A literal path part beats a parameter (`/orders/pay` is not `/orders/{id}`), as in the router.
    func match(method: HTTPRequest.Method, path: String) -> Match {
        let given = path.split(separator: "/")
        let fitting = all.filter { $0.fits(given) }
        guard !fitting.isEmpty else { return .none }
        let literal = fitting.filter(\.isLiteral)
        let candidates = literal.isEmpty ? fitting : literal
        if let route = candidates.first(where: { $0.method == method }) { return .route(route) }
        return .otherMethods(candidates.map(\.method))
    }
}
