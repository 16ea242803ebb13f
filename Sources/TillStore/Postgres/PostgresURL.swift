import Foundation
import PostgresNIO

/// Where a PostgreSQL ledger is: `postgres://user[:password]@host[:port]/database`
/// (`postgresql://` too), as `TILL_DB` or `--db` gives it. Plain TCP: the database is on the
/// shop's own network or on loopback (DESIGN §7).
public struct PostgresURL: Sendable {
    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// The address, or why it is not one (never echoing the password).
    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else { throw LedgerOpenError(kind: .notFound, description: "\(Self.redacted(text)) is not a postgres://user@host/database address") }
        guard let user = components.user, !user.isEmpty else {
            throw LedgerOpenError(kind: .notFound, description: "\(Self.redacted(text)) names no user (postgres://user@host/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw LedgerOpenError(kind: .notFound, description: "\(Self.redacted(text)) names no database (postgres://user@host/database)")
        }
        for item in components.queryItems ?? [] where !(item.name == "sslmode" && item.value == "disable") {
            throw LedgerOpenError(
                kind: .notFound, description: "\(Self.redacted(text)): the option \(item.name.echoedName) is not supported (only sslmode=disable)")
        }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
    }

    /// The address as messages show it: the password replaced.
    public var display: String { "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }

    var configuration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [
            // A write waits for the ledger's write lock at most as long as SQLite's busy timeout.
            ("lock_timeout", "15s"),
            // A till stopped in the middle of a transaction (paused, cut off with its connection
            // still open) holds the write lock: the server ends its session after 30 s.
            ("idle_in_transaction_session_timeout", "30s"),
        ]
        return configuration
    }

    /// `text` without whatever stands between `://` … `:` and `@` (a password), cut and quoted.
    public static func redacted(_ text: String) -> String {
        var shown = text
        // The user and password end at the authority's last "@" (a password may hold "@" or "/").
        if let scheme = shown.range(of: "://"), let at = shown.range(of: "@", options: .backwards, range: scheme.upperBound..<shown.endIndex),
            let colon = shown.range(of: ":", range: scheme.upperBound..<at.lowerBound) {
            shown.replaceSubrange(colon.upperBound..<at.lowerBound, with: "***")
        }
        // Options may hold a password too (`?password=`): never shown.
        if let query = shown.firstIndex(of: "?") { shown = String(shown[..<query]) + "?…" }
        let cut = shown.count > 120 ? String(shown.prefix(120)) + "…" : shown
        return String(reflecting: cut)
    }
}

private extension String {
    var echoedName: String { String(reflecting: count > 40 ? String(prefix(40)) + "…" : self) }
}
