import Foundation
import HTTPTypes
import Logging
import ServiceLifecycle
import Testing
import TillCore
import TillHTTP
import TillProcessor
import TillService
import TillTestSupport

/// A till on a fresh ledger (a SQLite file in a temporary directory, or a PostgreSQL database:
/// `TestBackend`), GoblinPay in memory (no random
/// capture failures), and its API served on a free port of 127.0.0.1: real sockets, routing,
/// middleware and handlers.
struct APIHarness: Sendable {
    static let token = "test-token-0123456789abcdef"
    static let quiet = Logger(label: "till.test") { _ in SwiftLogNoOpLogHandler() }

    let directory: URL
    /// The ledger's path or database address.
    let ledger: String
    let service: TillService
    let api: TillAPI

    init(maxBodyBytes: Int = TillAPI.defaultMaxBodyBytes) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-http-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        ledger = try TestBackend.ledger(at: directory.appendingPathComponent("till.sqlite").path)
        service = try await TillService.open(
            path: ledger, secretsDirectory: directory.path + ".secrets",
            processor: GoblinPay(configuration: GoblinPayConfiguration(captureFailureRate: .never)))
        api = TillAPI(service: service, token: APIToken(Self.token), logger: Self.quiet, maxBodyBytes: maxBodyBytes)
    }

    func remove() {
        TestBackend.remove(ledger)
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(atPath: directory.path + ".secrets")
    }

    /// Runs `body` against the API on a free port, then stops it and removes the ledger.
    static func run(maxBodyBytes: Int = TillAPI.defaultMaxBodyBytes, _ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let harness = try await APIHarness(maxBodyBytes: maxBodyBytes)
        defer { harness.remove() }
        try await serving({ TillServer.application(harness.api, onRunning: $0) }) { base in
            try await body(Client(base: base, harness: harness))
        }
    }
}

/// Starts the service `make` builds (handing it the callback that learns its port), runs `body`
/// with "http://127.0.0.1:PORT", then shuts it down gracefully.
func serving(
    _ make: (@escaping @Sendable (Int) async -> Void) -> some Service, _ body: @escaping @Sendable (String) async throws -> Void
) async throws {
    let (ports, announce) = AsyncStream<Int>.makeStream()
    let group = ServiceGroup(configuration: .init(services: [make { announce.yield($0) }], gracefulShutdownSignals: [], logger: APIHarness.quiet))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// One answer, its body read as text and (when it is JSON) as an object.
struct Answer: Sendable {
    let status: Int
    let answer: HTTPExchange.Answer

    var text: String { answer.text }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]) ?? [:]
    }

    var code: String? { json["code"] as? String }
    func string(_ key: String) -> String? { json[key] as? String }
    func int(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
    var replayed: Bool { header("Idempotent-Replayed") == "true" }
    func header(_ name: String) -> String? { answer.header(name) }
}

/// What the tests send: the token unless told otherwise, JSON bodies, an optional key.
struct Client: Sendable {
    let base: String
    let harness: APIHarness

    var service: TillService { harness.service }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, key: String? = nil,
        token: String? = APIHarness.token, headers extra: [(String, String)] = []
    ) async throws -> Answer {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let key { headers.append(("Idempotency-Key", key)) }
        headers += extra
        let answer = try await HTTPExchange.send(method.rawValue, base + uri, headers: headers, body: body.map { Array($0.utf8) }, timeout: .seconds(60))
        return Answer(status: answer.status, answer: answer)
    }

    func get(_ uri: String) async throws -> Answer { try await call(.get, uri) }
    func post(_ uri: String, _ body: String, key: String? = nil) async throws -> Answer { try await call(.post, uri, body, key: key) }

    /// An order of `cents` USD for `email`; its id.
    func order(_ cents: Int, email: String = "ann@example.com", key: String = UUID().uuidString) async throws -> String {
        let answer = try await post("/orders", #"{"email":"\#(email)","amount":\#(usd(cents))}"#, key: key)
        #expect(answer.status == 201, "\(answer.text)")
        return answer.string("id") ?? ""
    }
}

func usd(_ cents: Int) -> String { #"{"minor_units":\#(cents),"currency":"USD"}"# }
let visa = #"{"pan":"4242 4242 4242 4242","expiry":"12/40","cvv":"123"}"#
