import Hummingbird
public import Logging
public import NIOCore
public import ServiceLifecycle
public import TillService
import UnixSignals

/// `till serve`: the API on a socket until SIGTERM or SIGINT. Then it stops taking connections,
/// lets every request in flight finish (each write durable before its answer, as always) and
/// returns.
public enum TillServer {
    /// A connection that sends nothing for this long is closed (a client that opens many and
    /// never finishes a request cannot hold the server's descriptors).
    public static let idleTimeout = TimeAmount.seconds(30)

    public static func run(
        _ api: TillAPI, host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (_ port: Int) async -> Void
    ) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [application(api, host: host, port: port, onRunning: onRunning)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The server as a service (its own and the open-request sweeper): what `run` runs, and
    /// what the tests start on a free port (`sweeping` false: no resolution in the background,
    /// for a test whose requests must meet only each other).
    public static func application(
        _ api: TillAPI, host: String = "127.0.0.1", port: Int = 0, sweeping: Bool = true,
        onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> some Service {
        Application(
            router: api.router(),
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: .init(address: .hostname(host, port: port), serverName: "till"),
            services: (sweeping ? [OpenRequestSweeper(service: api.service, every: .seconds(5)) as any Service] : [])
                + (api.payoutImport.map { [$0] } ?? []),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: api.logger)
    }
}

/// A long-running till resolves what it left unknown by itself: every few seconds it asks the
/// processor about the open requests it may claim (an answer that was lost, a lease that ran
/// out), as a restart or a retry would, so a held authorization never waits for a client.
public struct OpenRequestSweeper: Service {
    let service: TillService
    let every: Duration

    public init(service: TillService, every: Duration) {
        self.service = service
        self.every = every
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                guard !Task.isCancelled else { return }
                _ = await service.resolveOpenRequests()
            }
        }
    }
}
