import ArgumentParser
import Foundation
import TillCore
import TillProcessor
import TillService

extension GoblinPayCommands {
    /// `till goblinpay settle`: settles now, at the service (TILL_GOBLINPAY_URL) or, without one,
    /// in the in-process GoblinPay beside this ledger.
    struct Settle: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle GoblinPay now: captures less refunds not paid out yet become payouts, one per currency.")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            let remote: GoblinPayClient?
            do { remote = try context.goblinPayService() } catch { return context.failure(error) }
            if let remote {
                return await GoblinPayControl.post(context, url: remote.baseURL + "/v1/settle", body: [])
            }
            let goblin: GoblinPay
            let now: Instant
            do {
                _ = try await context.service()
                goblin = try GoblinPay(ledgerPath: try context.processorLedgerPath(), configuration: try context.goblinPayConfiguration())
                now = try context.clock()()
            } catch let rejection as Rejection {
                return context.failure(rejection)
            } catch {
                return context.failure(Rejection(.storageError, "Cannot open GoblinPay's ledger: \(TillService.storageDescription(error))"))
            }
            do {
                let payouts = try await goblin.settle(now: now)
                struct Answer: Encodable { let created: Int; let payouts: [PayoutWire.Payout] }
                let answer = Answer(created: payouts.count, payouts: payouts.map(PayoutWire.Payout.init))
                return context.json ? CommandResult(stdout: Output.json(answer)) : CommandResult(stdout: "settled: \(payouts.count) payout(s)\n")
            } catch {
                return context.failure(Rejection(.storageError, "GoblinPay could not settle: \(TillService.storageDescription(error))"))
            }
        }
    }

    /// `till goblinpay produce`: the payout import's load test, at the service.
    struct Produce: TillCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make synthetic payouts at the GoblinPay service and notify the shop of each, concurrently.")
        @Option(help: "How many payouts.") var payouts = 100
        @Option(help: "How many concurrent senders.") var concurrency = 10
        @Option(help: "Milliseconds each sender sleeps between payouts.") var sleepMs = 0
        @OptionGroup var global: GlobalOptions

        func execute(_ context: CommandContext) async -> CommandResult {
            let remote: GoblinPayClient?
            do { remote = try context.goblinPayService() } catch { return context.failure(error) }
            guard let remote else {
                return context.failure(Rejection(.invalidRequest, "produce needs GoblinPay as a service: set TILL_GOBLINPAY_URL or --goblinpay-url."))
            }
            guard (1...1_000_000).contains(payouts), (1...1000).contains(concurrency), (0...60_000).contains(sleepMs) else {
                return context.failure(Rejection(.invalidRequest, "--payouts takes 1 to 1000000, --concurrency 1 to 1000, --sleep-ms 0 to 60000."))
            }
            let body = "{\"payouts\":\(payouts),\"concurrency\":\(concurrency),\"sleep_ms\":\(sleepMs)}"
            return await GoblinPayControl.post(context, url: remote.baseURL + "/v1/produce", body: Array(body.utf8))
        }
    }
}

/// Calls the GoblinPay service's control endpoints and prints their JSON answer as it is.
enum GoblinPayControl {
    static func post(_ context: CommandContext, url: String, body: [UInt8]) async -> CommandResult {
        do {
            let answer = try await HTTPExchange.send(
                "POST", url, headers: [("Content-Type", "application/json")], body: body, timeout: .seconds(3600))
            guard answer.status == 200 else {
                return context.failure(Rejection(.processorError, "GoblinPay answered HTTP \(answer.status): \(answer.text.echoed(limit: 200))"))
            }
            return CommandResult(stdout: answer.text + "\n")
        } catch {
            return context.failure(Rejection(.processorError, "No answer from GoblinPay at \(url.echoed(limit: 100))."))
        }
    }
}
