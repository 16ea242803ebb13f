import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Logging
import Testing
import TillCore
import TillHTTP
import TillProcessor
import TillService

/// A till on a fresh SQLite ledger in a temporary directory, GoblinPay in memory (no random
/// capture failures), and its API driven in process by HummingbirdTesting: real routing,
/// middleware and handlers, no socket.
struct APIHarness: Sendable {
    static let token = "test-token-0123456789abcdef"

    let directory: URL
    let service: TillService
    let api: TillAPI

    init(maxBodyBytes: Int = TillAPI.defaultMaxBodyBytes) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-http-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        service = try await TillService.open(
            path: directory.appendingPathComponent("till.sqlite").path, secretsDirectory: directory.path + ".secrets",
            processor: GoblinPay(configuration: GoblinPayConfiguration(captureFailureRate: .never)))
        api = TillAPI(service: service, token: APIToken(Self.token), logger: Logger(label: "till.test") { _ in SwiftLogNoOpLogHandler() }, maxBodyBytes: maxBodyBytes)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(atPath: directory.path + ".secrets")
    }

    /// Runs `body` against the API, then removes the ledger.
    static func run(maxBodyBytes: Int = TillAPI.defaultMaxBodyBytes, _ body: @Sendable (Client) async throws -> Void) async throws {
        let harness = try await APIHarness(maxBodyBytes: maxBodyBytes)
        defer { harness.remove() }
        try await TillServer.application(harness.api).test(.router) { client in
            try await body(Client(client: client, harness: harness))
        }
    }
}

/// One answer, its body read as text and (when it is JSON) as an object.
struct Answer: Sendable {
    let status: Int
    let headers: HTTPFields
    let text: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    var code: String? { json["code"] as? String }
    func string(_ key: String) -> String? { json[key] as? String }
    func int(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
    var replayed: Bool { header("Idempotent-Replayed") == "true" }

    func header(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return headers[field]
    }
}

/// What the tests send: the token unless told otherwise, JSON bodies, an optional key.
struct Client: Sendable {
    let client: any TestClientProtocol
    let harness: APIHarness

    var service: TillService { harness.service }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, key: String? = nil,
        token: String? = APIHarness.token, headers extra: [(String, String)] = []
    ) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        if let key, let name = HTTPField.Name("Idempotency-Key") { headers[name] = key }
        for (name, value) in extra { if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) } }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
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
