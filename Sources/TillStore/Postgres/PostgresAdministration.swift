import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Databases made and removed on a PostgreSQL server: the test suites give each test a ledger
/// of its own (`TILL_TEST_PG_URL` names the server and a database to connect to first).
public enum PostgresAdministration {
    /// A new empty database beside the one `adminURL` names; answers its address.
    public static func createDatabase(adminURL: String, prefix: String = "till_t") throws -> String {
        let url = try PostgresURL(adminURL)
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try run("CREATE DATABASE \(name)", on: url)
        var components = URLComponents(string: adminURL)
        components?.path = "/" + name
        return components?.string ?? adminURL
    }

    /// Removes the database `url` names, closing any connection still open to it.
    public static func dropDatabase(_ url: String, adminURL: String) throws {
        let name = try PostgresURL(url).database
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return }
        try run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: try PostgresURL(adminURL))
    }

    /// Closes every connection to the database `url` names but the caller's, as a server
    /// restart or an administrator would (the fault tests).
    public static func terminateConnections(to url: String, adminURL: String) throws {
        let name = try PostgresURL(url).database
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return }
        try run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()",
                on: try PostgresURL(adminURL))
    }

    private static func run(_ sql: String, on url: PostgresURL) throws {
        let logger = Logger(label: "till.postgres.admin", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: url.configuration, id: 0, logger: logger
        ).wait()
        defer { try? (connection.close() as EventLoopFuture<Void>).wait() }
        _ = try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
    }
}
