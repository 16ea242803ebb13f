import TillCore
import TillStore

extension TillService {
    /// `amount_too_large` unless the ledger's running sums can take this request on top of
    /// every processor request still open: a new order's total in its customer's orders, an
    /// installment or refund of `takings` in the quarter-hour takings of its tender. Called in
    /// the transaction that prepares a request, before any processor hears of it, so what the
    /// processor applies can always be recorded (see `RunningTotals`).
    ///
    /// Where an event lands is not known exactly in advance (its time is never before `now`,
    /// but may be later, see `Order.eventTime`), so the check is conservative: against the
    /// fullest row from `now`'s quarter hour on, with every open card request of the currency
    /// counted as if it landed in that same row.
    static func requireRoom(
        _ ledger: Ledger, newOrder: Order?, takings: (tender: Tender.Kind, amount: Money)?, at now: Instant
    ) throws {
        // Intents only: one damaged request row must not refuse every order and installment.
        let open = try ledger.openRequestIntents().compactMap { try? decode(Intent.self, $0) }
        if let order = newOrder {
            let pending = open.compactMap { intent -> Int64? in
                guard intent.kind == .orderCard, intent.currency == order.currency.code, let new = intent.newOrder
                else { return nil }
                // An email that does not parse any more is counted: the check stays on the safe side.
                if case .success(let email) = Email.parse(new.email), email.key != order.email.key { return nil }
                return new.total
            }
            try decided(RunningTotals.check(
                current: ledger.customerOrdered(emailKey: order.email.key, currency: order.currency), pending: pending,
                adding: order.total.minorUnits, limit: RunningTotals.customerOrderedLimit,
                what: "the customer's orders in \(order.currency.code)"))
        }
        if let takings {
            let (tender, amount) = takings
            // Only card installments and card refunds wait on the processor.
            let pending = tender != .card ? [] : open.compactMap { intent -> Int64? in
                guard intent.kind == .orderCard || intent.kind == .orderRefund, intent.currency == amount.currency.code
                else { return nil }
                return intent.amount
            }
            try decided(RunningTotals.check(
                current: ledger.largestTakings(currency: amount.currency, tender: tender, from: now), pending: pending,
                adding: amount.minorUnits, limit: RunningTotals.quarterHourLimit,
                what: "this quarter hour's \(tender.rawValue) takings in \(amount.currency.code)"))
        }
    }
}
