import GRDB

/// The ledger's tables. Money is INTEGER minor units beside a currency code; times are INTEGER
/// epoch milliseconds. `*_events` tables are the append-only history (triggers refuse UPDATE
/// and DELETE); `orders`, `order_payments`, `order_refunds`, `payments` and `wallets` are read
/// models kept in step with them in the same transaction; `idempotency` holds every keyed
/// request: in progress, outcome unknown, or completed with its stored response.
///
/// Migrations are append-only too: a shipped migration is never edited, the next one adds to it.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE orders (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    total INTEGER NOT NULL CHECK (total > 0),
                    paid INTEGER NOT NULL CHECK (paid >= 0 AND paid <= total),
                    refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= paid),
                    status TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX orders_by_customer ON orders (email_key, created_at DESC, id DESC);
                CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);

                CREATE TABLE order_payments (
                    id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    position INTEGER NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    change INTEGER NOT NULL CHECK (change >= 0),
                    tendered INTEGER,
                    tender TEXT NOT NULL,
                    card_brand TEXT, card_first6 TEXT, card_last4 TEXT, card_expiry TEXT, card_fingerprint TEXT,
                    wallet TEXT,
                    payment_id TEXT,
                    refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= amount),
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    UNIQUE (order_id, position)
                );
                CREATE TABLE order_refunds (
                    id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    order_payment_id TEXT NOT NULL REFERENCES order_payments (id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    to_wallet TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX order_refunds_by_order ON order_refunds (order_id, created_at);
                CREATE TABLE order_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    order_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    reference TEXT,
                    amount INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX order_events_by_order ON order_events (order_id, seq);

                CREATE TABLE payments (
                    id TEXT PRIMARY KEY NOT NULL,
                    processor_ref TEXT NOT NULL,
                    order_payment_id TEXT,
                    currency TEXT NOT NULL,
                    authorized INTEGER NOT NULL CHECK (authorized > 0),
                    captured INTEGER NOT NULL CHECK (captured >= 0 AND captured <= authorized),
                    refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= captured),
                    voided INTEGER NOT NULL,
                    card_brand TEXT NOT NULL, card_first6 TEXT NOT NULL, card_last4 TEXT NOT NULL,
                    card_expiry TEXT NOT NULL, card_fingerprint TEXT NOT NULL,
                    authorized_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX payments_by_time ON payments (authorized_at DESC);
                CREATE TABLE payment_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    payment_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX payment_events_by_payment ON payment_events (payment_id, seq);

                CREATE TABLE wallets (
                    key TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    balance INTEGER NOT NULL CHECK (balance >= -overdraft_limit),
                    overdraft_limit INTEGER NOT NULL CHECK (overdraft_limit >= 0),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE wallet_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    wallet_key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    balance_after INTEGER NOT NULL,
                    reference TEXT,
                    at INTEGER NOT NULL
                );
                CREATE INDEX wallet_events_by_wallet ON wallet_events (wallet_key, seq);

                CREATE TABLE idempotency (
                    key TEXT PRIMARY KEY NOT NULL,
                    operation TEXT NOT NULL,
                    target TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('in_progress', 'outcome_unknown', 'completed')),
                    response TEXT,
                    intent TEXT,
                    owner_pid INTEGER NOT NULL,
                    owner_started_at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX idempotency_open_by_target ON idempotency (target) WHERE state != 'completed';
                """)
            // History is append-only: the database itself refuses to rewrite it.
            for table in ["order_events", "payment_events", "wallet_events"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    """)
            }
        }
        migrator.registerMigration("v2-pos", migrate: migrateToPOS)
        migrator.registerMigration("v3-leases", migrate: migrateToLeases)
        migrator.registerMigration("v3-store-hardening") { db in
            // That the ledger has a card-fingerprint secret, and which: HMAC-SHA256 of a fixed
            // label under it (never the secret). See `CardFingerprinter.open`.
            try db.execute(sql: """
                CREATE TABLE card_secret (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    check_value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4-canonical-keys") { try migrateToCanonicalKeys(SQLiteConnection($0)) }
        // `till demo` records each run's end, to refuse a ledger it did not fill (DemoRuns.swift).
        migrator.registerMigration("v4-demo-runs") { db in
            try db.execute(sql: """
                CREATE TABLE demo_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    finished_at INTEGER NOT NULL,
                    contents TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4-ledger-id") { db in
            // A random id per ledger that names its card-fingerprint secret outside the ledger's
            // folder (`<secrets directory>/card-secret-<id>.key`): moved or copied, the ledger
            // keeps finding its own secret, and many ledgers share one secrets directory.
            try db.execute(sql: """
                CREATE TABLE ledger_identity (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    ledger_id TEXT NOT NULL
                );
                INSERT INTO ledger_identity (id, ledger_id) VALUES (1, lower(hex(randomblob(16))));
                """)
        }
        migrator.registerMigration("v4-payments-from-events") { db in
            // Issue 10, finding 7: card installments were stored with `captured` 0 although their
            // events captured them. The events are the truth: the columns are rebuilt from them,
            // wherever the rebuilt figures fit the table's rules (a row that does not is left for
            // `till check` to report).
            try db.execute(sql: """
                WITH e AS (
                    SELECT payment_id AS id, SUM(CASE kind WHEN 'captured' THEN amount ELSE 0 END) AS captured,
                        SUM(CASE kind WHEN 'refunded' THEN amount ELSE 0 END) AS refunded, MAX(kind = 'voided') AS voided
                    FROM payment_events GROUP BY payment_id)
                UPDATE payments SET
                    captured = (SELECT captured FROM e WHERE e.id = payments.id),
                    refunded = (SELECT refunded FROM e WHERE e.id = payments.id),
                    voided = (SELECT voided FROM e WHERE e.id = payments.id)
                WHERE id IN (SELECT id FROM e WHERE typeof(captured) = 'integer' AND typeof(refunded) = 'integer'
                    AND refunded BETWEEN 0 AND captured AND captured <= payments.authorized
                    AND (captured, refunded, voided) IS NOT (payments.captured, payments.refunded, payments.voided))
                """)
        }
        // Issue 11: operators who sign in at the POS, their PINs only as salted slow hashes.
        migrator.registerMigration("v5-operators") { try OperatorSchema.migrate(SQLiteConnection($0)) }
        migrator.registerMigration("v5-operators-and-drawer", migrate: migrateToDrawer)
        migrator.registerMigration("v5-find", migrate: migrateToFind)
        migrator.registerMigration("v6-drawer-figures") { try DrawerFiguresModel.migrate(SQLiteConnection($0)) }
        // Issue 15: payouts imported from GoblinPay, exactly once each (the id is unique).
        migrator.registerMigration("v7-payouts") { try Ledger.migrateToPayouts(SQLiteConnection($0)) }
        migrator.registerMigration("v7-payout-claims") { try Ledger.migrateToPayoutClaims(SQLiteConnection($0)) }
        return migrator
    }

    /// Issue 11: every money event names its operator (rows from before say `till`, the
    /// default), and the cash drawer. `drawer_events` is the till's journal: one line per
    /// money movement at the counter (every installment and refund, by tender; card voids;
    /// pay-ins and pay-outs; a session's opening float and closing count), written in the
    /// transaction of the movement and tagged with the drawer session open in its currency
    /// then (NULL when none was). `drawer_sessions` is its read model; at most one session is
    /// open per currency, so a USD and a JPY drawer can be open side by side.
    static func migrateToDrawer(_ db: Database) throws {
        for table in ["order_events", "payment_events", "wallet_events"] {
            try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN operator TEXT NOT NULL DEFAULT 'till'")
        }
        try db.execute(sql: """
            CREATE TABLE drawer_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT,
                currency TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('opened', 'sale', 'refund', 'void', 'paid_in', 'paid_out', 'closed')),
                tender TEXT CHECK ((tender IS NULL) = (kind NOT IN ('sale', 'refund'))),
                amount INTEGER NOT NULL CHECK (amount >= 0),
                change INTEGER NOT NULL CHECK (change >= 0),
                reference TEXT,
                reason TEXT,
                operator TEXT NOT NULL,
                at INTEGER NOT NULL,
                CHECK ((session_id IS NULL) <= (kind NOT IN ('opened', 'closed', 'paid_in', 'paid_out')))
            );
            CREATE INDEX drawer_events_by_session ON drawer_events (session_id, seq);
            CREATE INDEX drawer_events_by_currency ON drawer_events (currency, kind, seq);
            CREATE TRIGGER drawer_events_no_update BEFORE UPDATE ON drawer_events
            BEGIN SELECT RAISE(ABORT, 'drawer_events is append-only'); END;
            CREATE TRIGGER drawer_events_no_delete BEFORE DELETE ON drawer_events
            BEGIN SELECT RAISE(ABORT, 'drawer_events is append-only'); END;

            CREATE TABLE drawer_sessions (
                id TEXT PRIMARY KEY NOT NULL,
                currency TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
                opening_float INTEGER NOT NULL CHECK (opening_float >= 0),
                expected INTEGER NOT NULL,
                counted INTEGER CHECK ((counted IS NULL) = (state = 'open')),
                opened_at INTEGER NOT NULL,
                opened_by TEXT NOT NULL,
                closed_at INTEGER,
                closed_by TEXT
            );
            CREATE UNIQUE INDEX drawer_sessions_one_open ON drawer_sessions (currency) WHERE state = 'open';
            """)
    }

    /// Requests to the processor are held by leases, not by process ids: who may call the
    /// processor for an open request is written on the request itself (`lease_owner`, until
    /// `lease_expires_at`, by the ledger's clock). A request whose answer could not be
    /// recorded waits in `needs_attention` with its reason. `processor_attempts` counts the
    /// attempts a key has used, so an attempt's processor keys are derived from the client key
    /// and never reused by a later attempt.
    static func migrateToLeases(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE idempotency_v3 (
                key TEXT PRIMARY KEY NOT NULL,
                operation TEXT NOT NULL,
                target TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                state TEXT NOT NULL
                    CHECK (state IN ('in_progress', 'outcome_unknown', 'needs_attention', 'completed')),
                response TEXT,
                intent TEXT,
                lease_owner TEXT,
                lease_expires_at INTEGER,
                attention TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                CHECK ((state = 'in_progress') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
            );
            INSERT INTO idempotency_v3 (key, operation, target, fingerprint, state, response, intent, lease_owner,
                lease_expires_at, attention, created_at, updated_at)
            SELECT key, operation, target, fingerprint, state, response, intent,
                CASE WHEN state = 'in_progress' THEN 'pid/' || owner_pid END,
                CASE WHEN state = 'in_progress' THEN updated_at + 120000 END,
                NULL, created_at, updated_at
            FROM idempotency;
            DROP TABLE idempotency;
            ALTER TABLE idempotency_v3 RENAME TO idempotency;
            CREATE INDEX idempotency_open_by_target ON idempotency (target) WHERE state != 'completed';
            CREATE INDEX idempotency_open ON idempotency (created_at) WHERE state != 'completed';

            CREATE TABLE processor_attempts (
                key TEXT PRIMARY KEY NOT NULL,
                used INTEGER NOT NULL CHECK (used > 0)
            );
            """)
    }
}
