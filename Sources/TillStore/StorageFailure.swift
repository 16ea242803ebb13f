import GRDB

/// How a failed ledger write is told apart.
public enum StorageFailure {
    /// A failure that may pass by itself (busy, locked, I/O, full), unlike a constraint, a
    /// trigger's refusal or a damaged row, which would fail the same way again.
    public static func isTransient(_ error: any Error) -> Bool {
        if PostgresLedgerStore.isConnectionLost(error) || error is PostgresLedgerError { return true }
        // The write lock not had in 15 s (`lock_timeout`), or the server short of resources.
        if let state = PostgresLedgerStore.sqlState(error), state == "55P03" || state.hasPrefix("53") { return true }
        guard let error = error as? DatabaseError else { return false }
        return [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_NOMEM, .SQLITE_INTERRUPT]
            .contains(error.resultCode.primaryResultCode)
    }

    /// A write whose COMMIT was sent but never answered: it may or may not be in the ledger.
    public static func outcomeUnknown(_ error: any Error) -> Bool {
        if case .commitOutcomeUnknown? = error as? PostgresLedgerError { return true }
        return false
    }

    /// What went wrong, fit for a message: SQLite's code and reason, never the statement or its
    /// arguments (GRDB's own description carries both, with customers' data in them).
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresLedgerError { return error.description }
        if String(reflecting: Swift.type(of: error)).hasPrefix("PostgresNIO.") { return PostgresLedgerError.describe(error) }
        // GRDB's other errors (row decoding) print the row, customers' data and all: only their
        // kind is said. Till's own errors are written to be shown.
        guard let error = error as? DatabaseError else {
            let type = String(reflecting: Swift.type(of: error))
            return type.hasPrefix("GRDB.") ? type : String(describing: error)
        }
        let reason = error.message.map { ": " + $0 } ?? ""
        return "SQLite error \(error.extendedResultCode.rawValue)\(reason)"
    }
}
