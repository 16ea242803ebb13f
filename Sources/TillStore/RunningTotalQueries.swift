public import TillCore

// What the running sums of migration "v2-pos" hold, for the check that a new request fits in
// them (`RunningTotals`), made in the transaction that prepares the request.

extension Ledger {
    /// What the customer has ordered in `currency` over all their orders (0 if nothing).
    public func customerOrdered(emailKey: String, currency: Currency) throws -> Int64 {
        guard let row = try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT ordered FROM customer_totals WHERE email_key = ? AND currency = ?"),
            arguments: [emailKey, currency.code])
        else { return 0 }
        return try row.required("ordered", in: "customer_totals")
    }

    /// The largest sum (installments or refunds) held by a quarter-hour takings row of
    /// `tender` in `currency` from the quarter hour of `from` on: where anything recorded at
    /// or after `from` lands (0 if there is none yet). Read through the table's primary key.
    public func largestTakings(currency: Currency, tender: Tender.Kind, from: Instant) throws -> Int64 {
        guard let row = try SQLRow.fetchOne(
            db.cachedStatement(sql: """
                SELECT MAX(CASE WHEN amount > refunded THEN amount ELSE refunded END) AS largest FROM takings_by_quarter
                WHERE quarter >= ? AND currency = ? AND tender = ?
                """),
            arguments: [from.millisecondsSinceEpoch / LedgerSchema.quarterHour, currency.code, tender.rawValue])
        else { return 0 }
        return try row.optional("largest", in: "takings_by_quarter (amount or refunded)") ?? 0
    }
}
