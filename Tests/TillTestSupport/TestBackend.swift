import Foundation
import TillStore

/// Where the tests' ledgers are: SQLite files in temporary directories, or, with
/// TILL_TEST_BACKEND=postgres, a fresh database per ledger on the server TILL_TEST_PG_URL names
/// (`scripts/test.sh` runs the ledger's suites both ways; DESIGN §7).
public enum TestBackend {
    /// The PostgreSQL server to make databases on (a database to connect to first), when the
    /// tests run on PostgreSQL.
    public static let adminURL: String? = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["TILL_TEST_BACKEND"] == "postgres", let url = environment["TILL_TEST_PG_URL"], !url.isEmpty else { return nil }
        return url
    }()

    public static var isPostgres: Bool { adminURL != nil }

    /// A new ledger's location: `path` (a file to be), or a new PostgreSQL database's address.
    public static func ledger(at path: String) throws -> String {
        guard let adminURL else { return path }
        return try PostgresAdministration.createDatabase(adminURL: adminURL)
    }

    /// Removes a ledger `ledger(at:)` made on PostgreSQL (a file goes with its directory).
    public static func remove(_ location: String) {
        guard let adminURL, PostgresURL.isPostgres(location) else { return }
        try? PostgresAdministration.dropDatabase(location, adminURL: adminURL)
    }
}
