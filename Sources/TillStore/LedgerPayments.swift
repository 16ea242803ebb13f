public import TillCore

// Gateway payments: the core value folded from its append-only events, and the events appended.

/// A gateway payment with what the ledger keeps beside the core value.
public struct StoredPayment: Sendable {
    public let payment: Payment
    /// The processor's reference for the authorization.
    public let processorReference: String
    /// The order installment this payment settled, when it was taken through an order.
    public let orderPaymentId: String?
}

extension Ledger {
    public func payment(id: String) throws -> StoredPayment? {
        try row("payments", id: id).flatMap { try rebuildPayments([$0]).first }
    }

    /// Folds each payment's events through the core, all events in one batched query.
    func rebuildPayments(_ rows: [SQLRow]) throws -> [StoredPayment] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.required("id", in: "payments") }
        let eventRows = try SQLRow.fetchAll(
            batched("""
                SELECT * FROM payment_events WHERE payment_id IN (\(Self.questionMarks(count: ids.count)))
                ORDER BY payment_id, seq
                """, count: ids.count),
            arguments: SQLArguments(ids))
        let eventsByPayment = try Self.grouped(eventRows, by: "payment_id", in: "payment_events")
        return try zip(ids, rows).map { id, row in
            try rebuildPayment(row, id: id, events: eventsByPayment[id] ?? [])
        }
    }

    private func rebuildPayment(_ row: SQLRow, id: String, events eventRows: [SQLRow]) throws -> StoredPayment {
        let table = "payments"
        let shownId = LedgerCorruption.shown(id)
        let currency = try Self.currency(row.required("currency", in: table))
        guard let card = CardSummary(
            brand: CardBrand(rawValue: try row.required("card_brand", in: table)) ?? .unknown,
            first6: try row.required("card_first6", in: table), last4: try row.required("card_last4", in: table),
            expiry: try Self.expiry(row.required("card_expiry", in: table), in: table))
        else { throw LedgerCorruption("payment \(shownId): \(Self.cardColumns(table))") }
        let authorizedAt = Instant(millisecondsSinceEpoch: try row.required("authorized_at", in: table))
        let expiresAt: Int64 = try row.required("expires_at", in: table)
        let (holdWindow, overflow) = expiresAt.subtractingReportingOverflow(authorizedAt.millisecondsSinceEpoch)
        guard !overflow else { throw LedgerCorruption("payment \(shownId): payments.expires_at is out of range") }
        var payment = try Self.unwrap(Payment.authorize(
            id: id, card: card, amount: Money(minorUnits: row.required("authorized", in: table), currency: currency),
            at: authorizedAt, holdWindow: TimeSpan(milliseconds: holdWindow)), "payment \(shownId)")
        for event in eventRows.dropFirst() {
            let events = "payment_events"
            guard let kind = PaymentEvent.Kind(rawValue: try event.required("kind", in: events)) else {
                throw LedgerCorruption("payment \(shownId): payment_events.kind is not an event kind")
            }
            payment = try Self.unwrap(payment.applying(PaymentEvent(
                kind: kind, amount: Money(minorUnits: event.required("amount", in: events), currency: currency),
                at: Instant(millisecondsSinceEpoch: event.required("at", in: events)))), "payment \(shownId) event")
        }
        return StoredPayment(
            payment: payment, processorReference: try row.required("processor_ref", in: table),
            orderPaymentId: try row.optional("order_payment_id", in: table))
    }

    /// Records a new authorization: the read model and its first event.
    public func insert(
        _ payment: Payment, processorReference: String, orderPaymentId: String?, cardFingerprint: String
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO payments (id, processor_ref, order_payment_id, currency, authorized, captured, refunded,
                voided, card_brand, card_first6, card_last4, card_expiry, card_fingerprint, authorized_at,
                expires_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                // The columns as the events leave them (a card installment arrives captured).
                payment.id, processorReference, orderPaymentId, payment.currency.code, payment.authorized.minorUnits,
                payment.captured.minorUnits, payment.refunded.minorUnits, payment.isVoided,
                payment.card.brand.rawValue, payment.card.first6, payment.card.last4, Self.expiryText(payment.card.expiry),
                cardFingerprint, payment.authorizedAt.millisecondsSinceEpoch, payment.expiresAt.millisecondsSinceEpoch,
                payment.authorizedAt.millisecondsSinceEpoch,
            ])
        for event in payment.events { try insertEventRow(payment, event) }
    }

    /// Appends an event the core accepted and brings the read model up to date with `payment`.
    public func append(_ event: PaymentEvent, to payment: Payment) throws {
        try insertEventRow(payment, event)
        try db.cachedStatement(sql: """
            UPDATE payments SET captured = ?, refunded = ?, voided = ?, updated_at = ? WHERE id = ?
            """).execute(arguments: [payment.captured.minorUnits, payment.refunded.minorUnits, payment.isVoided,
                             event.at.millisecondsSinceEpoch, payment.id])
    }

    /// A payment's event, by this ledger's operator. In the drawer's journal too: a void (with
    /// the hold it released), and the captures and refunds of a gateway payment of its own (the
    /// Cards screen, the API) as card sales and refunds; an order's card installment is
    /// journalled through its order, once.
    private func insertEventRow(_ payment: Payment, _ event: PaymentEvent) throws {
        try db.cachedStatement(sql: "INSERT INTO payment_events (payment_id, kind, amount, at, operator) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [payment.id, event.kind.rawValue, event.amount.minorUnits, event.at.millisecondsSinceEpoch, operatorName.text])
        switch event.kind {
        case .voided:
            try journal(DrawerEvent(kind: .void, amount: payment.authorized, operatorName: operatorName, at: event.at), reference: payment.id)
        case .captured, .refunded:
            let standalone = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT order_payment_id IS NULL FROM payments WHERE id = ?"), arguments: [payment.id]) ?? false
            guard standalone else { return }
            try journal(DrawerEvent(
                kind: event.kind == .captured ? .sale : .refund, tender: .card, amount: event.amount, operatorName: operatorName,
                at: event.at), reference: payment.id)
        case .authorized, .captureFailed, .refundFailed, .released:
            // No money moved: a hold taken, a failed call, or the uncaptured rest given back
            // after a partial capture (what was captured is the sale, journalled above).
            break
        }
    }

    /// The most recent gateway payments, newest first.
    public func recentPaymentIds(limit: Int) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM payments ORDER BY authorized_at DESC, id DESC LIMIT ?"), arguments: [limit])
    }
}
