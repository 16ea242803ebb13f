import GRDB

/// Migration "v2-pos": what the POS screens read, so that each of their queries touches a
/// handful of index entries however many orders the ledger holds.
///
/// Two aggregates are kept by triggers, in the transaction of the write that changes them, so
/// no writer (the service, the demo's bulk history, a future import) can forget them:
/// - `customer_totals`: per customer and currency, their orders, what was ordered, paid,
///   refunded and is still owed; the customer screens and the "who owes" list read it.
/// - `takings_by_quarter`: installments and refunds per UTC quarter hour, currency and
///   tender; the dashboard sums whole local days from it (every real UTC offset is a whole
///   number of quarter hours) instead of scanning a fortnight of payments.
/// Every sum they hold is checked to stay an integer: SQLite turns an overflowing `+` into a
/// floating-point number, and money is never one, so an overflow aborts the write instead.
extension LedgerSchema {
    /// The resolution of `takings_by_quarter`, in milliseconds.
    static let quarterHour: Int64 = 900_000

    /// `takings_by_quarter` from the orders' installments and refunds: what this migration
    /// filled the table with, and what `till check` recomputes it from (`ReadModelAudit`).
    static let takingsFromOrders = """
        SELECT quarter, currency, tender, SUM(amount) AS amount, SUM(payments) AS payments,
            SUM(refunded) AS refunded, SUM(refunds) AS refunds FROM (
            SELECT p.created_at / 900000 AS quarter, o.currency, p.tender, p.amount, 1 AS payments,
                0 AS refunded, 0 AS refunds
            FROM order_payments p JOIN orders o ON o.id = p.order_id
            UNION ALL
            SELECT r.created_at / 900000, o.currency, p.tender, 0, 0, r.amount, 1
            FROM order_refunds r JOIN orders o ON o.id = r.order_id JOIN order_payments p ON p.id = r.order_payment_id
        ) AS movements GROUP BY quarter, currency, tender
        """

    static func migrateToPOS(_ db: Database) throws {
        try db.execute(sql: """
            -- Card payments page newest first by (authorized_at, id): the old index lacked the id.
            DROP INDEX payments_by_time;
            CREATE INDEX payments_by_time ON payments (authorized_at DESC, id DESC);

            -- Store credit may belong to a customer (an Email.key).
            ALTER TABLE wallets ADD COLUMN customer_key TEXT;
            CREATE INDEX wallets_by_customer ON wallets (customer_key, key) WHERE customer_key IS NOT NULL;

            CREATE TABLE customer_totals (
                email_key TEXT NOT NULL,
                currency TEXT NOT NULL,
                -- As typed on the customer's latest order.
                email TEXT NOT NULL,
                orders INTEGER NOT NULL CHECK (orders > 0),
                open_orders INTEGER NOT NULL CHECK (open_orders >= 0 AND open_orders <= orders),
                ordered INTEGER NOT NULL CHECK (typeof(ordered) = 'integer'),
                paid INTEGER NOT NULL CHECK (typeof(paid) = 'integer' AND paid >= 0),
                refunded INTEGER NOT NULL CHECK (typeof(refunded) = 'integer' AND refunded >= 0),
                owing INTEGER NOT NULL CHECK (typeof(owing) = 'integer' AND owing >= 0),
                first_order_at INTEGER NOT NULL,
                last_order_at INTEGER NOT NULL,
                PRIMARY KEY (email_key, currency)
            ) WITHOUT ROWID;
            CREATE INDEX customer_totals_owing ON customer_totals (owing DESC, email_key, currency) WHERE owing > 0;
            INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid, refunded,
                owing, first_order_at, last_order_at)
            SELECT email_key, currency, email, COUNT(*), SUM(paid < total), SUM(total), SUM(paid), SUM(refunded),
                SUM(total - paid), MIN(created_at), MAX(created_at)
            FROM orders GROUP BY email_key, currency;

            CREATE TABLE takings_by_quarter (
                -- created_at / 900000: the UTC quarter hour.
                quarter INTEGER NOT NULL,
                currency TEXT NOT NULL,
                -- The installment's tender (a refund counts under the tender it gives back).
                tender TEXT NOT NULL,
                amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer' AND amount >= 0),
                payments INTEGER NOT NULL,
                refunded INTEGER NOT NULL CHECK (typeof(refunded) = 'integer' AND refunded >= 0),
                refunds INTEGER NOT NULL,
                PRIMARY KEY (quarter, currency, tender)
            ) WITHOUT ROWID;
            INSERT INTO takings_by_quarter (quarter, currency, tender, amount, payments, refunded, refunds)
            \(takingsFromOrders);

            -- The aggregates assume an order keeps its customer, currency, total and time.
            CREATE TRIGGER orders_identity_fixed BEFORE UPDATE OF email_key, currency, total, created_at ON orders
            WHEN NEW.email_key IS NOT OLD.email_key OR NEW.currency IS NOT OLD.currency
                OR NEW.total IS NOT OLD.total OR NEW.created_at IS NOT OLD.created_at
            BEGIN SELECT RAISE(ABORT, 'an order keeps its customer, currency, total and time'); END;

            -- An upsert that finds the row fires UPDATE triggers, not INSERT ones: each fires once.
            CREATE TRIGGER orders_customer_totals_insert AFTER INSERT ON orders BEGIN
                INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid,
                    refunded, owing, first_order_at, last_order_at)
                VALUES (NEW.email_key, NEW.currency, NEW.email, 1, NEW.paid < NEW.total, NEW.total, NEW.paid,
                    NEW.refunded, NEW.total - NEW.paid, NEW.created_at, NEW.created_at)
                ON CONFLICT (email_key, currency) DO UPDATE SET
                    email = CASE WHEN excluded.last_order_at >= last_order_at THEN excluded.email ELSE email END,
                    orders = orders + 1,
                    open_orders = open_orders + excluded.open_orders,
                    ordered = ordered + excluded.ordered,
                    paid = paid + excluded.paid,
                    refunded = refunded + excluded.refunded,
                    owing = owing + excluded.owing,
                    first_order_at = min(first_order_at, excluded.first_order_at),
                    last_order_at = max(last_order_at, excluded.last_order_at);
            END;
            CREATE TRIGGER orders_customer_totals_update AFTER UPDATE OF paid, refunded ON orders BEGIN
                UPDATE customer_totals SET
                    open_orders = open_orders + (NEW.paid < NEW.total) - (OLD.paid < OLD.total),
                    paid = paid + NEW.paid - OLD.paid,
                    refunded = refunded + NEW.refunded - OLD.refunded,
                    owing = owing - (NEW.paid - OLD.paid)
                WHERE email_key = NEW.email_key AND currency = NEW.currency;
            END;

            CREATE TRIGGER order_payments_takings AFTER INSERT ON order_payments BEGIN
                INSERT INTO takings_by_quarter (quarter, currency, tender, amount, payments, refunded, refunds)
                VALUES (NEW.created_at / 900000, (SELECT currency FROM orders WHERE id = NEW.order_id), NEW.tender,
                    NEW.amount, 1, 0, 0)
                ON CONFLICT (quarter, currency, tender) DO UPDATE SET
                    amount = amount + excluded.amount, payments = payments + 1;
            END;
            CREATE TRIGGER order_refunds_takings AFTER INSERT ON order_refunds BEGIN
                INSERT INTO takings_by_quarter (quarter, currency, tender, amount, payments, refunded, refunds)
                VALUES (NEW.created_at / 900000, (SELECT currency FROM orders WHERE id = NEW.order_id),
                    (SELECT tender FROM order_payments WHERE id = NEW.order_payment_id), 0, 0, NEW.amount, 1)
                ON CONFLICT (quarter, currency, tender) DO UPDATE SET
                    refunded = refunded + excluded.refunded, refunds = refunds + 1;
            END;
            """)
    }

    /// Migration "v5-find" (issue 11): two small partial indexes for the POS's finding.
    /// - `payments_open_holds`: the Cards screen's "open holds" filter pages through the few
    ///   authorizations that may still hold money (nothing voided or refunded, not all captured)
    ///   instead of every card installment ever taken; a released one drops out by its event.
    /// - `order_refunds_to_wallet`: the dashboard tells refunds to store credit (not money
    ///   paid out) from the others, over a day, through the few that went to a wallet.
    static func migrateToFind(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX payments_open_holds ON payments (authorized_at DESC, id DESC)
                WHERE voided = 0 AND captured < authorized;
            CREATE INDEX order_refunds_to_wallet ON order_refunds (created_at) WHERE to_wallet IS NOT NULL;
            CREATE INDEX payment_events_released ON payment_events (payment_id) WHERE kind = 'released';
            """)
    }
}
