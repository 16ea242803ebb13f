import ArgumentParser
import Foundation
import Logging
import TillCore
import TillHTTP
import TillService

/// `till serve`: the HTTP API (DESIGN §6) over one open ledger, until SIGTERM or SIGINT.
struct ServeCommand: TillCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (JSON; see openapi.yaml).",
        discussion: """
            Every request but GET /health carries `Authorization: Bearer TOKEN`: TILL_API_TOKEN, \
            else a token made on first start, kept in <ledger>.token (0600) and printed once. \
            Writes from all connections share commits; each is durable before its answer. \
            SIGTERM or SIGINT stops taking connections and lets the requests in flight finish.
            """)
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free one, printed on start).") var port = 8080
    @Option(help: "Largest request body, in bytes.") var maxBodyBytes = TillAPI.defaultMaxBodyBytes
    @Option(help: "Milliseconds between payout import cycles (GoblinPay's notifications also start one).")
    var payoutPollMs = 10_000
    @OptionGroup var global: GlobalOptions

    func execute(_ context: CommandContext) async -> CommandResult {
        guard (0...65535).contains(port) else { return context.failure(Rejection(.invalidRequest, "--port takes 0 to 65535.")) }
        guard (100...3_600_000).contains(payoutPollMs) else {
            return context.failure(Rejection(.invalidRequest, "--payout-poll-ms takes 100 to 3600000."))
        }
        guard (256...(16 << 20)).contains(maxBodyBytes) else {
            return context.failure(Rejection(.invalidRequest, "--max-body-bytes takes 256 to 16777216."))
        }
        let service: TillService, token: APIToken, made: Bool, tokenPath: String
        do throws(Rejection) {
            // The ledger first: a mistyped --db must not leave a token file behind.
            service = try await context.service()
            // Beside a SQLite ledger; for a shared PostgreSQL ledger, in this machine's secrets
            // directory, named by the ledger (copy it to the shop's other servers, or set
            // TILL_API_TOKEN on each).
            tokenPath = LedgerFile.isSharedDatabase(context.databasePath)
                ? context.secretsDirectory + "/api-token-\(service.ledgerId)" : context.databasePath + ".token"
            (token, made) = try APIToken.load(environment: context.environment, tokenPath: tokenPath)
        } catch { return context.failure(error) }
        let logger = Logger(label: "till.serve") { StreamLogHandler.standardError(label: $0) }
        let importer = service.payoutSource.map {
            PayoutImportLoop(service: service, source: $0, poll: .milliseconds(payoutPollMs), logger: logger)
        }
        let api = TillAPI(service: service, token: token, logger: logger, maxBodyBytes: maxBodyBytes, payoutImport: importer)
        let host = self.host
        do {
            try await TillServer.run(api, host: host, port: port, logger: logger) { port in
                var text = "till serve: listening on http://\(host):\(port)\n"
                if made { text += "till serve: a new API token was saved to \(tokenPath) (0600): \(token.text)\n" }
                FileHandle.standardError.write(Data(text.utf8))
            }
        } catch {
            return context.failure(Rejection(.invalidRequest, "The server stopped: \(String(describing: error).echoed(limit: 200))"))
        }
        return CommandResult(stderr: "till serve: stopped\n")
    }
}
