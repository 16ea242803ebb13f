public import TillCore

/// The `idempotency` table holds the `RequestRecord`s (TillCore): one a key. Every move of a
/// processor request is a compare-and-set on the state (and the lease) `RequestLifecycle`
/// expects it in, which throws `RequestRecordConflict` when the row is not as expected: two
/// tills never both believe they hold a request.
extension RequestRecord {
    /// Throwing reads (`RowDecoding`): a damaged cell is `LedgerCorruption` naming the column,
    /// never a trap, and never an error that prints the row.
    init(row: SQLRow) throws {
        func required<T: SQLReadable>(_ column: String) throws -> T { try row.required(column, in: "idempotency") }
        func optional<T: SQLReadable>(_ column: String) throws -> T? { try row.optional(column, in: "idempotency") }
        // Read in the table's column order, so a damaged row names its first damaged column.
        let key: String = try required("key"), operation: String = try required("operation")
        let target: String = try required("target"), fingerprint: String = try required("fingerprint")
        let stateText: String = try required("state")
        guard let state = State(rawValue: stateText) else {
            throw LedgerCorruption("idempotency.state is not a known state")
        }
        self.init(
            key: key, operation: operation, target: target, fingerprint: fingerprint, state: state,
            response: try optional("response"), intent: try optional("intent"), leaseOwner: try optional("lease_owner"),
            leaseExpiresAt: try optional("lease_expires_at"), attention: try optional("attention"),
            createdAt: try required("created_at"), updatedAt: try required("updated_at"))
    }
}

/// A request row was not in the state (or held by the lease) its update expected: another
/// till moved it first. Nothing was written.
public struct RequestRecordConflict: Error, CustomStringConvertible {
    public let key: String
    public let expected: String
    public var description: String { "request \(key) is no longer \(expected)" }

    public init(key: String, expected: String) {
        self.key = key
        self.expected = expected
    }
}

extension Ledger {
    public func request(key: String) throws -> RequestRecord? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE key = ?"), arguments: [key])
            .map(RequestRecord.init(row:))
    }

    /// Requests on `target` that have not completed: in flight, unknown or needing attention.
    public func openRequests(target: String) throws -> [RequestRecord] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM idempotency WHERE target = ? AND state != 'completed' ORDER BY created_at"),
            arguments: [target]).map(RequestRecord.init(row:))
    }

    /// Every request that has not completed, oldest first.
    public func openRequests() throws -> [RequestRecord] {
        try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE state != 'completed' ORDER BY created_at, key"))
            .map(RequestRecord.init(row:))
    }

    /// The keys of every request that has not completed (on `target`, if given), oldest first.
    /// Only the key is read: one damaged request row fails the commands that read that row,
    /// not the resolution every start runs.
    public func openRequestKeys(target: String? = nil) throws -> [String] {
        let sql = "SELECT key FROM idempotency WHERE state != 'completed'"
            + (target == nil ? "" : " AND target = ?") + " ORDER BY created_at, key"
        return try SQLValue.fetchAll(db.cachedStatement(sql: sql), arguments: SQLArguments(target.map { [$0] } ?? []))
            .compactMap { if case .text(let key) = $0 { key } else { nil } }
    }

    /// The intents of every request that has not completed: what the running-total check
    /// reserves room for. A damaged intent cannot be counted and is left out.
    public func openRequestIntents() throws -> [String] {
        try SQLValue.fetchAll(db.cachedStatement(sql: "SELECT intent FROM idempotency WHERE state != 'completed'"))
            .compactMap { if case .text(let intent) = $0 { intent } else { nil } }
    }

    public func insert(_ request: RequestRecord, at now: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO idempotency (key, operation, target, fingerprint, state, response, intent, lease_owner,
                lease_expires_at, attention, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                request.key, request.operation, request.target, request.fingerprint, request.state.rawValue,
                request.response, request.intent, request.leaseOwner, request.leaseExpiresAt, request.attention,
                now.millisecondsSinceEpoch, now.millisecondsSinceEpoch,
            ])
    }

    /// Runs one conditional update and insists that it changed exactly the one row.
    private func expectOne(_ sql: String, _ arguments: SQLArguments, key: String, expected: String) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
        guard db.changesCount == 1 else { throw RequestRecordConflict(key: key, expected: expected) }
    }

    /// Records the response of an open request, as `expected` read it in this transaction.
    /// (An answer the processor applied is recorded by whichever till hears it: the lease says
    /// who may call the processor, not who may record what it did.)
    public func complete(_ expected: RequestRecord, response: String, at now: Instant) throws {
        try expectOne(
            """
            UPDATE idempotency SET state = 'completed', response = ?, intent = NULL, lease_owner = NULL,
                lease_expires_at = NULL, attention = NULL, updated_at = ?
            WHERE key = ? AND state = ? AND lease_owner IS NOT DISTINCT FROM ? AND state != 'completed'
            """, [response, now.millisecondsSinceEpoch, expected.key, expected.state.rawValue, expected.leaseOwner],
            key: expected.key, expected: expected.state.rawValue)
    }

    /// Gives up `owner`'s lease on a request whose outcome it does not know; anyone may claim it.
    public func markOutcomeUnknown(key: String, owner: String, intent: String, at now: Instant) throws {
        try expectOne(
            """
            UPDATE idempotency SET state = 'outcome_unknown', intent = ?, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
            WHERE key = ? AND state = 'in_progress' AND lease_owner = ?
            """, [intent, now.millisecondsSinceEpoch, key, owner], key: key, expected: "held by \(owner)")
    }

    /// Parks a request the processor applied but the ledger would not record, with the reason.
    public func markNeedsAttention(key: String, owner: String, intent: String, reason: String, at now: Instant) throws {
        try expectOne(
            """
            UPDATE idempotency SET state = 'needs_attention', intent = ?, attention = ?, lease_owner = NULL,
                lease_expires_at = NULL, updated_at = ?
            WHERE key = ? AND state = 'in_progress' AND lease_owner = ?
            """, [intent, reason, now.millisecondsSinceEpoch, key, owner], key: key, expected: "held by \(owner)")
    }

    /// Takes the lease on an open request that is in `expected.state` and, if in progress,
    /// still held by `expected.leaseOwner` (whose lease the caller found expired).
    public func claim(_ expected: RequestRecord, owner: String, until: Instant, at now: Instant) throws {
        try expectOne(
            """
            UPDATE idempotency SET state = 'in_progress', lease_owner = ?, lease_expires_at = ?, attention = NULL,
                updated_at = ?
            WHERE key = ? AND state = ? AND lease_owner IS NOT DISTINCT FROM ? AND lease_expires_at IS NOT DISTINCT FROM ?
            """,
            [owner, until.millisecondsSinceEpoch, now.millisecondsSinceEpoch, expected.key, expected.state.rawValue,
             expected.leaseOwner, expected.leaseExpiresAt],
            key: expected.key, expected: "\(expected.state.rawValue)")
    }

    /// Extends `owner`'s lease before it calls the processor again, saving the intent as it
    /// now stands (e.g. that a failed installment is being released) when one is given.
    public func renewLease(key: String, owner: String, until: Instant, intent: String? = nil, at now: Instant) throws {
        try expectOne(
            """
            UPDATE idempotency SET lease_expires_at = ?, intent = COALESCE(?, intent), updated_at = ?
            WHERE key = ? AND state = 'in_progress' AND lease_owner = ?
            """, [until.millisecondsSinceEpoch, intent, now.millisecondsSinceEpoch, key, owner], key: key,
            expected: "held by \(owner)")
    }

    /// Frees the key of a request `owner` holds that was refused or never applied. A definite
    /// refusal of the attempt (`countsAttempt`) also moves the key on to its next attempt, whose
    /// processor keys are new; a lookup's "not applied" does not, so a retry reaches the
    /// processor under the same keys as any call of this attempt still on its way.
    public func release(key: String, owner: String, countsAttempt: Bool) throws {
        try expectOne(
            "DELETE FROM idempotency WHERE key = ? AND state = 'in_progress' AND lease_owner = ?",
            [key, owner], key: key, expected: "held by \(owner)")
        guard countsAttempt else { return }
        try db.cachedStatement(
            sql: "INSERT INTO processor_attempts (key, used) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET used = processor_attempts.used + 1"
        ).execute(arguments: [key])
    }

    /// How many attempts under `key` were refused or never applied: the number of the next.
    public func processorAttempts(key: String) throws -> Int64 {
        guard let row = try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT used FROM processor_attempts WHERE key = ?"), arguments: [key])
        else { return 0 }
        return try row.required("used", in: "processor_attempts")
    }
}
