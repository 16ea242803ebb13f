public import TillCore

// Payouts imported from GoblinPay: each once (the id is the primary key), with its entries and
// its effect on the paid-out totals, in one transaction. `acknowledged_at` is set once GoblinPay
// confirmed the payout is processing; until then every import cycle acknowledges it again.

extension Ledger {
    static func migrateToPayouts(_ db: any SQLConnection) throws {
        try db.execute(sql: """
            CREATE TABLE payouts (
                id TEXT PRIMARY KEY NOT NULL,
                currency TEXT NOT NULL,
                amount INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                recipient TEXT NOT NULL,
                imported_at INTEGER NOT NULL,
                acknowledged_at INTEGER
            );
            CREATE INDEX payouts_by_time ON payouts (created_at DESC);
            CREATE INDEX payouts_unacknowledged ON payouts (imported_at) WHERE acknowledged_at IS NULL;
            CREATE TABLE payout_entries (
                payout_id TEXT NOT NULL REFERENCES payouts (id),
                position INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('capture', 'refund', 'fee', 'adjustment')),
                reference TEXT NOT NULL,
                amount INTEGER NOT NULL,
                PRIMARY KEY (payout_id, position)
            );
            CREATE INDEX payout_entries_by_reference ON payout_entries (reference);
            -- The effect of every payout recorded: paid out so far, per currency.
            CREATE TABLE payout_totals (
                currency TEXT PRIMARY KEY NOT NULL,
                payouts INTEGER NOT NULL CHECK (payouts >= 0),
                amount INTEGER NOT NULL
            );
            """)
    }

    /// Who is acknowledging a recorded payout, until when: one importer at a time per payout,
    /// across processes, so two tills never acknowledge the same payout together.
    static func migrateToPayoutClaims(_ db: any SQLConnection) throws {
        try db.execute(sql: """
            ALTER TABLE payouts ADD COLUMN ack_claim TEXT;
            ALTER TABLE payouts ADD COLUMN ack_claim_until INTEGER;
            """)
    }

    /// What recording a payout did.
    public enum PayoutRecording: Sendable, Equatable {
        case recorded
        /// Recorded before, the same in every field.
        case alreadyRecorded
        /// A payout with this id was recorded with other contents: refused, never overwritten.
        case conflicts
        /// Its amount would take the paid-out total beyond 64 bits: refused.
        case totalOverflows
    }

    /// Records `payout` with its entries and its effect unless its id is recorded already.
    /// Within the caller's transaction; a refusal writes nothing.
    public func record(_ payout: Payout, at now: Instant) throws -> PayoutRecording {
        if let stored = try recordedPayout(id: payout.id) { return stored == payout ? .alreadyRecorded : .conflicts }
        let totals = try db.cachedStatement(sql: "SELECT amount FROM payout_totals WHERE currency = ?")
        let before = try Int64.fetchOne(totals, arguments: [payout.currency.code]) ?? 0
        let (after, overflow) = before.addingReportingOverflow(payout.amount.minorUnits)
        guard !overflow else { return .totalOverflows }
        try db.cachedStatement(sql: """
            INSERT INTO payouts (id, currency, amount, created_at, recipient, imported_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING
            """).execute(arguments: [
                payout.id, payout.currency.code, payout.amount.minorUnits, payout.createdAt.millisecondsSinceEpoch,
                payout.recipient, now.millisecondsSinceEpoch,
            ])
        guard db.changesCount > 0 else { return .alreadyRecorded }
        let entry = try db.cachedStatement(
            sql: "INSERT INTO payout_entries (payout_id, position, kind, reference, amount) VALUES (?, ?, ?, ?, ?)")
        for (position, line) in payout.entries.enumerated() {
            try entry.execute(arguments: [payout.id, position, line.kind.rawValue, line.reference, line.amount.minorUnits])
        }
        try db.cachedStatement(sql: """
            INSERT INTO payout_totals (currency, payouts, amount) VALUES (?, 1, ?)
            ON CONFLICT (currency) DO UPDATE SET payouts = payout_totals.payouts + 1, amount = excluded.amount
            """).execute(arguments: [payout.currency.code, after])
        return .recorded
    }

    /// The payout recorded under `id`, as it was recorded.
    func recordedPayout(id: String) throws -> Payout? {
        guard let head = try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM payouts WHERE id = ?"), arguments: [id]) else { return nil }
        let table = "payouts"
        let currency = try Self.currency(head.required("currency", in: table))
        let entries = try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT kind, reference, amount FROM payout_entries WHERE payout_id = ? ORDER BY position"),
            arguments: [id]
        ).map { row in
            guard let kind = PayoutEntry.Kind(rawValue: try row.required("kind", in: "payout_entries")) else {
                throw LedgerCorruption("payout \(LedgerCorruption.shown(id)): an entry of unknown kind")
            }
            return PayoutEntry(
                kind: kind, reference: try row.required("reference", in: "payout_entries"),
                amount: Money(minorUnits: try row.required("amount", in: "payout_entries"), currency: currency))
        }
        return Payout(
            id: id, amount: Money(minorUnits: try head.required("amount", in: table), currency: currency),
            createdAt: Instant(millisecondsSinceEpoch: try head.required("created_at", in: table)),
            recipient: try head.required("recipient", in: table), entries: entries)
    }

    /// Claims the recorded, unacknowledged payouts among `ids` that nobody else holds, for
    /// `owner` until `until`: the ones it may acknowledge now.
    public func claimForAcknowledgement(_ ids: [String], owner: String, until: Instant, now: Instant) throws -> [String] {
        let statement = try db.cachedStatement(sql: """
            UPDATE payouts SET ack_claim = ?, ack_claim_until = ?
            WHERE id = ? AND acknowledged_at IS NULL AND (ack_claim_until IS NULL OR ack_claim_until <= ? OR ack_claim = ?)
            """)
        return try ids.filter { id in
            try statement.execute(arguments: [owner, until.millisecondsSinceEpoch, id, now.millisecondsSinceEpoch, owner])
            return db.changesCount > 0
        }
    }

    /// Gives back `owner`'s claims on `ids` (their acknowledgement did not stick this time).
    public func releaseClaims(_ ids: [String], owner: String) throws {
        let statement = try db.cachedStatement(sql: "UPDATE payouts SET ack_claim = NULL, ack_claim_until = NULL WHERE id = ? AND ack_claim = ?")
        for id in ids { try statement.execute(arguments: [id, owner]) }
    }

    /// Notes that GoblinPay confirmed these payouts; the first confirmation's time is kept.
    public func markAcknowledged(_ ids: [String], at now: Instant) throws {
        let statement = try db.cachedStatement(
            sql: "UPDATE payouts SET acknowledged_at = ?, ack_claim = NULL, ack_claim_until = NULL WHERE id = ? AND acknowledged_at IS NULL")
        for id in ids { try statement.execute(arguments: [now.millisecondsSinceEpoch, id]) }
    }

    /// Recorded payouts whose acknowledgement has not stuck yet, oldest first.
    public func unacknowledgedPayoutIds() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM payouts WHERE acknowledged_at IS NULL ORDER BY imported_at, id")
    }

    /// How many payouts Till recorded.
    public func payoutCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(payouts), 0) FROM payout_totals") ?? 0
    }

    /// Every recorded payout, newest first.
    public func importedPayouts() throws -> [ImportedPayout] {
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT p.*, e.kind, e.reference, e.amount AS entry_amount
            FROM payouts p LEFT JOIN payout_entries e ON e.payout_id = p.id
            ORDER BY p.created_at DESC, p.id, e.position
            """)
        var payouts: [ImportedPayout] = []
        var index = 0
        while index < rows.count {
            let head = rows[index]
            let table = "payouts"
            let id: String = try head.required("id", in: table)
            let currency = try Self.currency(head.required("currency", in: table))
            var entries: [PayoutEntry] = []
            while index < rows.count, try rows[index].required("id", in: table) as String == id {
                if let kindText: String = try rows[index].optional("kind", in: "payout_entries") {
                    guard let kind = PayoutEntry.Kind(rawValue: kindText) else {
                        throw LedgerCorruption("payout \(LedgerCorruption.shown(id)): an entry of unknown kind")
                    }
                    entries.append(PayoutEntry(
                        kind: kind, reference: try rows[index].required("reference", in: "payout_entries"),
                        amount: Money(minorUnits: try rows[index].required("entry_amount", in: "payout_entries"), currency: currency)))
                }
                index += 1
            }
            let acknowledged: Int64? = try head.optional("acknowledged_at", in: table)
            payouts.append(ImportedPayout(
                payout: Payout(
                    id: id, amount: Money(minorUnits: try head.required("amount", in: table), currency: currency),
                    createdAt: Instant(millisecondsSinceEpoch: try head.required("created_at", in: table)),
                    recipient: try head.required("recipient", in: table), entries: entries),
                importedAt: Instant(millisecondsSinceEpoch: try head.required("imported_at", in: table)),
                acknowledgedAt: acknowledged.map(Instant.init(millisecondsSinceEpoch:))))
        }
        return payouts
    }

    /// Every capture and refund Till recorded on a card payment, in the order recorded: what
    /// reconciliation sorts against the payouts.
    public func cardMovements() throws -> [CardMovement] {
        try SQLRow.fetchAll(db, sql: """
            SELECT e.kind, e.amount, e.at, p.id AS payment_id, p.processor_ref, p.currency, op.order_id
            FROM payment_events e JOIN payments p ON p.id = e.payment_id
            LEFT JOIN order_payments op ON op.id = p.order_payment_id
            WHERE e.kind IN ('captured', 'refunded') ORDER BY e.seq
            """).map { row in
            let table = "payment_events"
            let kind: String = try row.required("kind", in: table)
            return CardMovement(
                kind: kind == "captured" ? .capture : .refund, reference: try row.required("processor_ref", in: "payments"),
                amount: Money(minorUnits: try row.required("amount", in: table), currency: try Self.currency(row.required("currency", in: "payments"))),
                paymentId: try row.required("payment_id", in: "payments"), orderId: try row.optional("order_id", in: "order_payments"),
                at: Instant(millisecondsSinceEpoch: try row.required("at", in: table)))
        }
    }
}
