import GRDB
import TillCore

extension SQLiteLedgerStorage {
    /// Payouts: each capture and refund remembers the payout it was paid out in (`payout_id`,
    /// NULL until settled); a payout's entries sum to its amount; `update_count` counts every
    /// successful acknowledgement.
    static func migrateToPayouts(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE operation ADD COLUMN payout_id TEXT;
            CREATE INDEX operation_unsettled ON operation (sequence)
                WHERE payout_id IS NULL AND kind IN ('capture', 'refund');
            CREATE TABLE payout (
                sequence INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                amount_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                recipient TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('notifying', 'processing')),
                update_count INTEGER NOT NULL CHECK (update_count >= 0)
            );
            CREATE INDEX payout_by_state ON payout (state, sequence);
            CREATE TABLE payout_entry (
                payout_sequence INTEGER NOT NULL REFERENCES payout (sequence),
                position INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('capture', 'refund', 'fee', 'adjustment')),
                reference TEXT NOT NULL,
                amount_minor INTEGER NOT NULL,
                PRIMARY KEY (payout_sequence, position)
            );
            """)
    }
}

extension SQLiteLedgerStorage {
    /// A random id per ledger file, made once: mixed into payout ids, so two GoblinPay ledgers
    /// with the same seed never name two payouts alike.
    static func migrateToLedgerIdentity(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE ledger_identity (
                id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                ledger_id TEXT NOT NULL
            );
            """)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16) + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try db.execute(sql: "INSERT INTO ledger_identity (id, ledger_id) VALUES (1, ?)", arguments: [random])
    }
}

extension SQLiteTransaction {
    func ledgerIdentity() throws -> String {
        guard let id = try String.fetchOne(db, sql: "SELECT ledger_id FROM ledger_identity WHERE id = 1") else {
            throw GoblinPayLedgerError("the ledger has no identity")
        }
        return id
    }

    func unsettled() throws -> [GoblinPayLedgerEntry] {
        try Row.fetchAll(
            db, sql: """
                SELECT sequence, processor_key, kind, reference, amount_minor, currency, card_brand, card_last4, card_profile
                FROM operation WHERE payout_id IS NULL AND kind IN ('capture', 'refund') ORDER BY sequence
                """
        ).map(Self.entry(from:))
    }

    func payouts(state: GoblinPayPayout.State?) throws -> [GoblinPayPayout] {
        let filter = state == nil ? "" : "WHERE p.state = ?"
        let rows = try Row.fetchAll(
            db, sql: """
                SELECT p.sequence, p.id, p.amount_minor, p.currency, p.created_at, p.recipient, p.state, p.update_count,
                       e.kind, e.reference, e.amount_minor AS entry_minor
                FROM payout p LEFT JOIN payout_entry e ON e.payout_sequence = p.sequence
                \(filter) ORDER BY p.sequence DESC, e.position
                """,
            arguments: StatementArguments(state.map { [$0.rawValue] } ?? []))
        var payouts: [GoblinPayPayout] = []
        var current: (head: Row, entries: [PayoutEntry])?
        func finish() throws {
            if let (head, entries) = current { payouts.append(try Self.payout(head, entries: entries)) }
        }
        for row in rows {
            let sequence = try row.decode(Int64.self, forColumn: "sequence")
            if try current.map({ try $0.head.decode(Int64.self, forColumn: "sequence") }) != sequence {
                try finish()
                current = (row, [])
            }
            if let kindText = try row.decode(String?.self, forColumn: "kind") {
                guard let kind = PayoutEntry.Kind(rawValue: kindText),
                      case .success(let currency) = Currency.named(try row.decode(String.self, forColumn: "currency"))
                else { throw GoblinPayLedgerError("payout \(sequence) has an unreadable entry") }
                current?.entries.append(PayoutEntry(
                    kind: kind, reference: try row.decode(String.self, forColumn: "reference"),
                    amount: Money(minorUnits: try row.decode(Int64.self, forColumn: "entry_minor"), currency: currency)))
            }
        }
        try finish()
        return payouts
    }

    func payoutCount() throws -> GoblinPayPayoutCount {
        guard let row = try Row.fetchOne(
            db, sql: """
                SELECT COUNT(*) AS total, COALESCE(SUM(state = 'processing'), 0) AS processing,
                       COALESCE(MAX(update_count), 0) AS max_update FROM payout
                """)
        else { return GoblinPayPayoutCount(total: 0, processing: 0, maxUpdateCount: 0) }
        return GoblinPayPayoutCount(
            total: try row.decode(Int.self, forColumn: "total"), processing: try row.decode(Int.self, forColumn: "processing"),
            maxUpdateCount: try row.decode(Int.self, forColumn: "max_update"))
    }

    func insert(_ payout: GoblinPayPayout, settling: [Int64]) throws {
        try db.execute(
            sql: """
                INSERT INTO payout (sequence, id, amount_minor, currency, created_at, recipient, state, update_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                payout.sequence, payout.id, payout.amount.minorUnits, payout.amount.currency.code,
                payout.createdAt.millisecondsSinceEpoch, payout.recipient, payout.state.rawValue, payout.updateCount,
            ])
        for (position, entry) in payout.entries.enumerated() {
            try db.execute(
                sql: "INSERT INTO payout_entry (payout_sequence, position, kind, reference, amount_minor) VALUES (?, ?, ?, ?, ?)",
                arguments: [payout.sequence, position, entry.kind.rawValue, entry.reference, entry.amount.minorUnits])
        }
        for sequence in settling {
            try db.execute(sql: "UPDATE operation SET payout_id = ? WHERE sequence = ?", arguments: [payout.id, sequence])
        }
    }

    func markProcessing(id: String) throws -> GoblinPayPayout? {
        try db.execute(
            sql: "UPDATE payout SET state = 'processing', update_count = update_count + 1 WHERE id = ?", arguments: [id])
        guard db.changesCount > 0 else { return nil }
        return try payouts(id: id)
    }

    private func payouts(id: String) throws -> GoblinPayPayout? {
        guard let head = try Row.fetchOne(db, sql: "SELECT * FROM payout WHERE id = ?", arguments: [id]) else { return nil }
        let sequence = try head.decode(Int64.self, forColumn: "sequence")
        guard case .success(let currency) = Currency.named(try head.decode(String.self, forColumn: "currency")) else {
            throw GoblinPayLedgerError("payout \(sequence) has an unknown currency")
        }
        let entries = try Row.fetchAll(
            db, sql: "SELECT kind, reference, amount_minor FROM payout_entry WHERE payout_sequence = ? ORDER BY position",
            arguments: [sequence]
        ).map { row in
            guard let kind = PayoutEntry.Kind(rawValue: try row.decode(String.self, forColumn: "kind")) else {
                throw GoblinPayLedgerError("payout \(sequence) has an unreadable entry")
            }
            return PayoutEntry(
                kind: kind, reference: try row.decode(String.self, forColumn: "reference"),
                amount: Money(minorUnits: try row.decode(Int64.self, forColumn: "amount_minor"), currency: currency))
        }
        return try Self.payout(head, entries: entries)
    }

    private static func payout(_ row: Row, entries: [PayoutEntry]) throws -> GoblinPayPayout {
        let sequence = try row.decode(Int64.self, forColumn: "sequence")
        guard case .success(let currency) = Currency.named(try row.decode(String.self, forColumn: "currency")),
              let state = GoblinPayPayout.State(rawValue: try row.decode(String.self, forColumn: "state"))
        else { throw GoblinPayLedgerError("payout \(sequence) is not readable") }
        return GoblinPayPayout(
            id: try row.decode(String.self, forColumn: "id"), sequence: sequence,
            amount: Money(minorUnits: try row.decode(Int64.self, forColumn: "amount_minor"), currency: currency),
            createdAt: Instant(millisecondsSinceEpoch: try row.decode(Int64.self, forColumn: "created_at")),
            recipient: try row.decode(String.self, forColumn: "recipient"), state: state,
            updateCount: try row.decode(Int.self, forColumn: "update_count"), entries: entries)
    }
}
