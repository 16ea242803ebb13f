import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TillCore
import TillHTTP
import TillProcessor
import UnixSignals

/// `till goblinpay …`: GoblinPay as its own process, the remote party a till reaches with
/// `TILL_GOBLINPAY_URL` (DESIGN §4).
struct GoblinPayCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goblinpay", abstract: "GoblinPay, the card processor, as a service of its own.",
        subcommands: [Serve.self, Settle.self, Produce.self])

    struct Serve: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve GoblinPay over HTTP with its own ledger, failing like a real processor when told to.",
            discussion: """
                A till uses it with TILL_GOBLINPAY_URL=http://HOST:PORT (or --goblinpay-url). Faults: \
                --error-rate answers 500 before applying, --lost-response-rate applies and then drops \
                the connection without an answer, --latency-ms waits before applying. \
                --goblinpay-failure-rate and --goblinpay-seed set GoblinPay's own capture failures \
                and the seed of every roll.
                """)
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port (0: any free one, printed on start).") var port = 9090
        @Option(help: "GoblinPay's ledger file (created if missing).") var ledger: String
        @Option(help: "Share of calls answered HTTP 500 before anything is applied, 0 to 1.") var errorRate = "0"
        @Option(help: "Share of calls applied whose answer is then lost (the connection dropped), 0 to 1.") var lostResponseRate = "0"
        @Option(help: "Latency before applying, MIN-MAX milliseconds (e.g. 0-300).") var latencyMs = "0"
        @Option(help: "Share of payout acknowledgements answered HTTP 500 before changing anything, 0 to 1.") var ackFailureRate = "0.05"
        @Option(help: "The shop's payout notification URL, e.g. http://127.0.0.1:8080/goblinpay/webhook/.") var webhookUrl: String?
        @Option(help: "Share of payout notifications sent twice, 0 to 1.") var webhookDuplicateRate = "0"
        @Option(help: "Share of payout notifications never sent, 0 to 1.") var webhookDropRate = "0"
        @Option(help: "The account payouts are paid to.") var recipient = GoblinPay.defaultRecipient
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            var faults = GoblinPayServiceFaults()
            var webhook = PayoutWebhook()
            var configuration: GoblinPayConfiguration
            do {
                configuration = try context.goblinPayConfiguration()
                configuration.ackFailureRate = try GoblinPayFailureRate.parse(ackFailureRate, source: "--ack-failure-rate")
                webhook.duplicateRate = try GoblinPayFailureRate.parse(webhookDuplicateRate, source: "--webhook-duplicate-rate")
                webhook.dropRate = try GoblinPayFailureRate.parse(webhookDropRate, source: "--webhook-drop-rate")
                faults.errorRate = try GoblinPayFailureRate.parse(errorRate, source: "--error-rate")
                faults.lostResponseRate = try GoblinPayFailureRate.parse(lostResponseRate, source: "--lost-response-rate")
            } catch let error as GoblinPayConfigurationError {
                return context.failure(Rejection(.invalidRequest, error.description))
            } catch let rejection as Rejection {
                return context.failure(rejection)
            } catch {
                return context.failure(Rejection(.invalidRequest, "\(error)"))
            }
            guard let latency = GoblinPayServiceFaults.parseLatency(latencyMs) else {
                return context.failure(Rejection(.invalidRequest, "--latency-ms takes MIN-MAX milliseconds from 0 to 60000, e.g. 0-300."))
            }
            guard (0...65535).contains(port) else { return context.failure(Rejection(.invalidRequest, "--port takes 0 to 65535.")) }
            if let webhookUrl {
                guard webhookUrl.hasPrefix("http://"), !webhookUrl.contains(where: \.isWhitespace) else {
                    return context.failure(Rejection(.invalidRequest, "--webhook-url \(webhookUrl.echoed()) must be http://HOST:PORT/PATH."))
                }
                webhook.url = webhookUrl
            }
            guard !recipient.isEmpty, recipient.count <= Payout.maximumTextLength else {
                return context.failure(Rejection(.invalidRequest, "--recipient takes 1 to \(Payout.maximumTextLength) characters."))
            }
            webhook.recipient = recipient
            faults.latencyMilliseconds = latency
            faults.seed = configuration.seed
            let goblin: GoblinPay
            do {
                goblin = try GoblinPay(ledgerPath: ledger, configuration: configuration)
            } catch {
                return context.failure(Rejection(.storageError, "Cannot open GoblinPay's ledger at \(ledger.echoed(limit: 200)): \(error)"))
            }
            let logger = Logger(label: "goblinpay") { StreamLogHandler.standardError(label: $0) }
            let host = self.host
            let app = GoblinPayServer(goblin: goblin, faults: faults, webhook: webhook, logger: logger).application(host: host, port: port) { port in
                FileHandle.standardError.write(Data("goblinpay: listening on http://\(host):\(port)\n".utf8))
            }
            do {
                let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
            } catch {
                return context.failure(Rejection(.invalidRequest, "GoblinPay stopped: \(String(describing: error).echoed(limit: 200))"))
            }
            return CommandResult(stderr: "goblinpay: stopped\n")
        }
    }
}
