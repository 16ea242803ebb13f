import Foundation
import Synchronization
import Testing
import TillProcessor

#if canImport(Glibc)
import Glibc
#endif

/// `till serve` as its own process over a real socket: it prints where it listens, answers
/// with its token, and on SIGTERM finishes what it accepted. Every deposit it acknowledged is
/// in the ledger afterwards and nothing it did not acknowledge is: nothing half-done.
@Suite("till serve over a socket")
struct ServeEndToEndTests {
    static let token = "serve-test-token-0123456789"

    @Test func sigtermFinishesTheRequestsInFlight() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(atPath: folder.path + ".secrets")
        }
        let environment = [
            "TILL_DB": folder.appendingPathComponent("till.sqlite").path, "TILL_SECRETS_DIR": folder.path + ".secrets",
            "TILL_API_TOKEN": Self.token, "PATH": "/usr/bin:/bin",
        ]
        let logFile = folder.appendingPathComponent("serve.log").path
        let server = try ChildProcess(ChildProcess.tillPath, arguments: ["serve", "--port", "0"], environment: environment, outputFile: logFile)
        defer { server.stop() }
        let line = try #require(await ChildProcess.waitForLine(in: logFile, containing: "till serve: listening on http://"))
        let url = try #require(line.range(of: "http://").map { String(line[$0.lowerBound...]) })
        #expect(try await Self.post(url + "/accounts", #"{"name":"shop"}"#).status == 201)

        // Eight clients deposit one cent each, one after another, until the server stops
        // answering; SIGTERM comes after the first 100 acknowledgements.
        let tally = Tally()
        let pid = server.pid
        try await withThrowingTaskGroup(of: Void.self) { group in
            for clientNumber in 0..<8 {
                group.addTask {
                    for index in 0..<10_000 {
                        let body = #"{"amount":{"minor_units":1,"currency":"USD"},"transaction_id":"c\#(clientNumber)-\#(index)"}"#
                        guard let answer = try? await Self.post(url + "/accounts/shop/deposit", body) else { return }
                        if answer.status == 200 {
                            if tally.acknowledged.add(1, ordering: .relaxed).newValue == 100 { _ = Glibc.kill(pid, SIGTERM) }
                        } else {
                            tally.other.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let status = server.wait()
        let log = String(decoding: FileManager.default.contents(atPath: logFile) ?? Data(), as: UTF8.self)
        #expect(status == 0, "\(log.suffix(2_000))")
        #expect(log.contains("till serve: stopped"))
        #expect(tally.other.load(ordering: .relaxed) == 0)
        // The ledger, read by the CLI after the server is gone.
        let (getStatus, output) = try ChildProcess.run(ChildProcess.tillPath, arguments: ["wallet", "get", "shop", "--json"], environment: environment)
        #expect(getStatus == 0, "\(output)")
        let balance = (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["balance"] as? Int
        #expect(tally.acknowledged.load(ordering: .relaxed) >= 100)
        #expect(balance == tally.acknowledged.load(ordering: .relaxed), "every acknowledged deposit, and nothing else, is in the balance")
        // The access log names routes, never bodies or the token.
        #expect(log.contains("route=/accounts/{name}/deposit"))
        #expect(!log.contains(Self.token))
        #expect(!log.contains("transaction_id"))
    }

    final class Tally: Sendable {
        let acknowledged = Atomic<Int>(0)
        let other = Atomic<Int>(0)
    }

    static func post(_ url: String, _ body: String) async throws -> (status: Int, body: String) {
        let answer = try await HTTPExchange.send(
            "POST", url, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: Array(body.utf8), timeout: .seconds(10))
        return (answer.status, answer.text)
    }
}
