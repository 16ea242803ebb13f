/// The ledger's triggers on PostgreSQL: history that refuses to be rewritten, and the read
/// models SQLite's triggers keep (customer totals, takings by quarter hour), as PL/pgSQL.
extension PostgresSchema {
    static let triggers: [String] = [
        // SQLite's quote(): integers bare, text in single quotes, NULL as NULL (`till check`
        // shows stored and recomputed cells this way on both backends).
        """
        CREATE FUNCTION quote(value anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN value IS NULL THEN 'NULL'
                WHEN pg_typeof(value) IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'numeric'::regtype)
                    THEN value::text
                ELSE quote_literal(value::text) END
        $$
        """,
        // History is append-only: the database itself refuses to rewrite it (v1-ledger, and
        // v5-operators-and-drawer for the drawer). TRUNCATE, which SQLite lacks and which
        // skips row triggers, is refused too.
        """
        CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('order_events is append-only')
        """,
        """
        CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('order_events is append-only')
        """,
        """
        CREATE TRIGGER order_events_no_truncate BEFORE TRUNCATE ON order_events
            FOR EACH STATEMENT EXECUTE FUNCTION till_refuse('order_events is append-only')
        """,
        """
        CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('payment_events is append-only')
        """,
        """
        CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('payment_events is append-only')
        """,
        """
        CREATE TRIGGER payment_events_no_truncate BEFORE TRUNCATE ON payment_events
            FOR EACH STATEMENT EXECUTE FUNCTION till_refuse('payment_events is append-only')
        """,
        """
        CREATE TRIGGER wallet_events_no_update BEFORE UPDATE ON wallet_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('wallet_events is append-only')
        """,
        """
        CREATE TRIGGER wallet_events_no_delete BEFORE DELETE ON wallet_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('wallet_events is append-only')
        """,
        """
        CREATE TRIGGER wallet_events_no_truncate BEFORE TRUNCATE ON wallet_events
            FOR EACH STATEMENT EXECUTE FUNCTION till_refuse('wallet_events is append-only')
        """,
        """
        CREATE TRIGGER drawer_events_no_update BEFORE UPDATE ON drawer_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('drawer_events is append-only')
        """,
        """
        CREATE TRIGGER drawer_events_no_delete BEFORE DELETE ON drawer_events
            FOR EACH ROW EXECUTE FUNCTION till_refuse('drawer_events is append-only')
        """,
        """
        CREATE TRIGGER drawer_events_no_truncate BEFORE TRUNCATE ON drawer_events
            FOR EACH STATEMENT EXECUTE FUNCTION till_refuse('drawer_events is append-only')
        """,

        // v2-pos: the aggregates assume an order keeps its customer, currency, total and time.
        """
        CREATE TRIGGER orders_identity_fixed BEFORE UPDATE OF email_key, currency, total, created_at ON orders
            FOR EACH ROW
            WHEN (NEW.email_key IS DISTINCT FROM OLD.email_key OR NEW.currency IS DISTINCT FROM OLD.currency
                OR NEW.total IS DISTINCT FROM OLD.total OR NEW.created_at IS DISTINCT FROM OLD.created_at)
            EXECUTE FUNCTION till_refuse('an order keeps its customer, currency, total and time')
        """,

        // v2-pos: `customer_totals` and `takings_by_quarter`, kept in the write's transaction.
        // An upsert that finds the row fires UPDATE triggers, not INSERT ones: each fires once.
        """
        CREATE FUNCTION orders_customer_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO customer_totals (email_key, currency, email, orders, open_orders, ordered, paid,
                refunded, owing, first_order_at, last_order_at)
            VALUES (NEW.email_key, NEW.currency, NEW.email, 1, (NEW.paid < NEW.total)::int, NEW.total, NEW.paid,
                NEW.refunded, NEW.total - NEW.paid, NEW.created_at, NEW.created_at)
            ON CONFLICT (email_key, currency) DO UPDATE SET
                email = CASE WHEN excluded.last_order_at >= customer_totals.last_order_at
                    THEN excluded.email ELSE customer_totals.email END,
                orders = customer_totals.orders + 1,
                open_orders = customer_totals.open_orders + excluded.open_orders,
                ordered = customer_totals.ordered + excluded.ordered,
                paid = customer_totals.paid + excluded.paid,
                refunded = customer_totals.refunded + excluded.refunded,
                owing = customer_totals.owing + excluded.owing,
                first_order_at = LEAST(customer_totals.first_order_at, excluded.first_order_at),
                last_order_at = GREATEST(customer_totals.last_order_at, excluded.last_order_at);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER orders_customer_totals_insert AFTER INSERT ON orders
            FOR EACH ROW EXECUTE FUNCTION orders_customer_totals_insert()
        """,
        """
        CREATE FUNCTION orders_customer_totals_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE customer_totals SET
                open_orders = open_orders + (NEW.paid < NEW.total)::int - (OLD.paid < OLD.total)::int,
                paid = paid + NEW.paid - OLD.paid,
                refunded = refunded + NEW.refunded - OLD.refunded,
                owing = owing - (NEW.paid - OLD.paid)
            WHERE email_key = NEW.email_key AND currency = NEW.currency;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER orders_customer_totals_update AFTER UPDATE OF paid, refunded ON orders
            FOR EACH ROW EXECUTE FUNCTION orders_customer_totals_update()
        """,
        """
        CREATE FUNCTION order_payments_takings() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO takings_by_quarter (quarter, currency, tender, amount, payments, refunded, refunds)
            VALUES (NEW.created_at / 900000, (SELECT currency FROM orders WHERE id = NEW.order_id), NEW.tender,
                NEW.amount, 1, 0, 0)
            ON CONFLICT (quarter, currency, tender) DO UPDATE SET
                amount = takings_by_quarter.amount + excluded.amount,
                payments = takings_by_quarter.payments + 1;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER order_payments_takings AFTER INSERT ON order_payments
            FOR EACH ROW EXECUTE FUNCTION order_payments_takings()
        """,
        """
        CREATE FUNCTION order_refunds_takings() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO takings_by_quarter (quarter, currency, tender, amount, payments, refunded, refunds)
            VALUES (NEW.created_at / 900000, (SELECT currency FROM orders WHERE id = NEW.order_id),
                (SELECT tender FROM order_payments WHERE id = NEW.order_payment_id), 0, 0, NEW.amount, 1)
            ON CONFLICT (quarter, currency, tender) DO UPDATE SET
                refunded = takings_by_quarter.refunded + excluded.refunded,
                refunds = takings_by_quarter.refunds + 1;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER order_refunds_takings AFTER INSERT ON order_refunds
            FOR EACH ROW EXECUTE FUNCTION order_refunds_takings()
        """,
    ]
}
