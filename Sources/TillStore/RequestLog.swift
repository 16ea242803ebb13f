import GRDB
public import TillCore

/// One keyed request as the ledger keeps it (the `idempotency` table).
public struct StoredRequest: Sendable, Hashable {
    public enum State: String, Sendable {
        case inProgress = "in_progress"
        case outcomeUnknown = "outcome_unknown"
        case completed
    }

    public let key: String
    public let operation: String
    /// What the request acts on (an order, a payment, a wallet, or a new order's id).
    public let target: String
    public let fingerprint: String
    public let state: State
    /// The response answered to the request, stored once it completed.
    public let response: String?
    /// What a request that talks to the processor needs to be resolved later (JSON).
    public let intent: String?
    /// The process that holds an open request, and when it started it (wall clock), so a
    /// request left open by a killed process can be told from one still running.
    public let ownerPid: Int32
    public let ownerStartedAt: Int64

    public init(
        key: String, operation: String, target: String, fingerprint: String, state: State,
        response: String? = nil, intent: String? = nil, ownerPid: Int32, ownerStartedAt: Int64
    ) {
        self.key = key
        self.operation = operation
        self.target = target
        self.fingerprint = fingerprint
        self.state = state
        self.response = response
        self.intent = intent
        self.ownerPid = ownerPid
        self.ownerStartedAt = ownerStartedAt
    }

    /// The record as the core's idempotency rule reads it.
    public var record: IdempotencyRecord<String> {
        let fingerprint = RequestFingerprint(stored: fingerprint)
        switch state {
        case .inProgress: return .inProgress(fingerprint)
        case .outcomeUnknown: return .outcomeUnknown(fingerprint)
        case .completed: return .completed(fingerprint, response ?? "")
        }
    }

    init(row: Row) {
        key = row["key"]
        operation = row["operation"]
        target = row["target"]
        fingerprint = row["fingerprint"]
        state = State(rawValue: row["state"]) ?? .outcomeUnknown
        response = row["response"]
        intent = row["intent"]
        ownerPid = row["owner_pid"]
        ownerStartedAt = row["owner_started_at"]
    }
}

extension Ledger {
    public func request(key: String) throws -> StoredRequest? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE key = ?"), arguments: [key])
            .map(StoredRequest.init(row:))
    }

    /// Requests on `target` that have not completed: in flight, or waiting to be resolved.
    public func openRequests(target: String) throws -> [StoredRequest] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM idempotency WHERE target = ? AND state != 'completed' ORDER BY created_at"),
            arguments: [target]).map(StoredRequest.init(row:))
    }

    /// Every request that has not completed, oldest first.
    public func openRequests() throws -> [StoredRequest] {
        try Row.fetchAll(db, sql: "SELECT * FROM idempotency WHERE state != 'completed' ORDER BY created_at")
            .map(StoredRequest.init(row:))
    }

    public func insert(_ request: StoredRequest, at now: Instant) throws {
        try db.execute(sql: """
            INSERT INTO idempotency (key, operation, target, fingerprint, state, response, intent, owner_pid,
                owner_started_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                request.key, request.operation, request.target, request.fingerprint, request.state.rawValue,
                request.response, request.intent, request.ownerPid, request.ownerStartedAt,
                now.millisecondsSinceEpoch, now.millisecondsSinceEpoch,
            ])
    }

    public func complete(key: String, response: String, at now: Instant) throws {
        try db.execute(
            sql: "UPDATE idempotency SET state = 'completed', response = ?, intent = NULL, updated_at = ? WHERE key = ?",
            arguments: [response, now.millisecondsSinceEpoch, key])
    }

    public func markOutcomeUnknown(key: String, intent: String, at now: Instant) throws {
        try db.execute(
            sql: "UPDATE idempotency SET state = 'outcome_unknown', intent = ?, updated_at = ? WHERE key = ?",
            arguments: [intent, now.millisecondsSinceEpoch, key])
    }

    /// Hands an open request to the current process (it is resolving it now).
    public func claim(key: String, pid: Int32, startedAt: Int64) throws {
        try db.execute(
            sql: "UPDATE idempotency SET state = 'in_progress', owner_pid = ?, owner_started_at = ? WHERE key = ?",
            arguments: [pid, startedAt, key])
    }

    /// Forgets a request that was refused or never applied: its key is free again.
    public func deleteRequest(key: String) throws {
        try db.execute(sql: "DELETE FROM idempotency WHERE key = ? AND state != 'completed'", arguments: [key])
    }
}
