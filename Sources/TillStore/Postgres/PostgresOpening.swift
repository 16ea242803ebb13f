import Foundation

/// Opening a PostgreSQL ledger: whichever till comes first creates the schema, in one
/// transaction holding an advisory lock that every till takes to open, so two machines starting
/// at the same moment never both create it (nor both make a card-fingerprint secret). The lock
/// is the transaction's: a till frozen while opening loses it when the server ends its idle
/// transaction (30 s), or with its connection. A database that holds other
/// tables is not taken for a ledger; a ledger of a newer schema is refused.
enum PostgresOpening {
    /// The advisory lock every opening holds: "till" in ASCII, a constant no other use shares.
    static let lockKey: Int64 = 0x7469_6C6C

    static func open(
        _ url: PostgresURL, secretsDirectory: String, creating: LedgerCreation
    ) throws -> (PostgresLedgerStore, String, CardFingerprinter) {
        let store = PostgresLedgerStore(url: url)
        let started = ContinuousClock.now
        var attempt = 0
        do {
            while true {
                attempt += 1
                do {
                    let (ledgerId, fingerprinter) = try store.withConnection { connection in
                        try connection.command("BEGIN")
                        try connection.command("SELECT pg_advisory_xact_lock(\(lockKey))")
                        let opened = try prepare(connection, url: url, creating: creating, secretsDirectory: secretsDirectory)
                        try connection.commit()
                        return opened
                    }
                    return (store, ledgerId, fingerprinter)
                } catch where PostgresLedgerStore.isConnectionLost(error) && store.waitedToRetry(since: started, attempt: attempt) {
                    // A server restarting: opening is safe to run again (each step checks first).
                    continue
                }
            }
        } catch {
            store.close()
            // An unreachable server is a storage error (the ledger is there, the way to it is not).
            if PostgresLedgerStore.isConnectionLost(error) { throw PostgresLedgerError.unreachable(url.display, error) }
            throw error
        }
    }

    private static func prepare(
        _ connection: PostgresLedgerConnection, url: PostgresURL, creating: LedgerCreation, secretsDirectory: String
    ) throws -> (String, CardFingerprinter) {
        let exists = try Bool.fetchOne(connection, sql: "SELECT to_regclass('till_schema') IS NOT NULL") ?? false
        if exists {
            if creating == .fresh {
                throw LedgerOpenError(kind: .exists, description: "\(url.display) already holds a Till ledger; till init makes a new one only in an empty database")
            }
            let versions = try String.fetchAll(connection, sql: "SELECT version FROM till_schema")
            guard versions == [PostgresSchema.version] else {
                throw LedgerOpenError(
                    kind: .newer,
                    description: "\(url.display) holds a ledger of schema \(versions.joined(separator: ", ")), which this Till (schema \(PostgresSchema.version)) does not know")
            }
        } else {
            if creating == .never {
                throw LedgerOpenError(kind: .notFound, description: "\(url.display) holds no Till ledger (till init creates one)")
            }
            let tables = try Int.fetchOne(connection, sql: "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()") ?? 0
            guard tables == 0 else {
                throw LedgerOpenError(
                    kind: .damaged, description: "\(url.display) holds \(tables) table\(tables == 1 ? "" : "s") but no Till ledger: Till makes its ledger only in an empty database")
            }
            try create(connection)
        }
        let ledgerId = try String.fetchOne(connection, sql: "SELECT ledger_id FROM ledger_identity WHERE id = 1")
        // In the opening's transaction: committed with the schema, or not at all.
        let fingerprinter = try CardFingerprinter.open(ledgerId: ledgerId, ledgerPath: nil, secretsDirectory: secretsDirectory) { work in
            try work(connection)
        }
        return (ledgerId ?? "", fingerprinter)
    }

    /// The schema (with the ledger's random identity), in the opening's transaction.
    private static func create(_ connection: PostgresLedgerConnection) throws {
        for statement in PostgresSchema.statements { try connection.command(statement) }
        try connection.execute(
            sql: "INSERT INTO till_schema (version, applied_at) VALUES (?, ?)",
            arguments: [PostgresSchema.version, Int64(time(nil)) * 1000])
    }
}
