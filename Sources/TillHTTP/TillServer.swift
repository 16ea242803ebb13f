public import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `till serve`: the API on a socket until SIGTERM or SIGINT. Then it stops taking connections,
/// lets every request in flight finish (each write durable before its answer, as always) and
/// returns.
public enum TillServer {
    public static func run(
        _ api: TillAPI, host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (_ port: Int) async -> Void
    ) async throws {
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "till"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The application for in-process tests (HummingbirdTesting drives it without a socket).
    public static func application(_ api: TillAPI) -> some ApplicationProtocol {
        Application(router: api.router(), logger: api.logger)
    }
}
