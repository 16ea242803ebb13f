/// The limits of the ledger's running sums (a customer's orders per currency, the takings of
/// a quarter hour per currency and tender) and the one check against them. A sum that would
/// pass its limit is refused with `amount_too_large` before anything is charged, so a request
/// the processor applied can always be recorded, and every read that adds rows together fits
/// in `Int64`.
public enum RunningTotals {
    /// What a customer may have ordered in one currency, over all their orders.
    public static let customerOrderedLimit = Int64.max

    /// The most quarter-hour takings rows any read adds together: a window of 366 days of 96
    /// quarter hours, over every tender (the dashboard's longest window, summed per currency).
    public static let quartersPerRead: Int64 = 366 * 96 * Int64(Tender.Kind.allCases.count)

    /// What one quarter hour's row may hold (its installments, and apart its refunds), so that
    /// `quartersPerRead` rows add up without overflow: about 87.5 trillion minor units.
    public static let quarterHourLimit = Int64.max / quartersPerRead

    /// `current` + every amount still `pending` (requests in flight that will land in the same
    /// sum) + `amount`, every step checked: `amount_too_large` if it passes `limit`.
    public static func check(
        current: Int64, pending: [Int64], adding amount: Int64, limit: Int64, what: String
    ) -> Result<Void, Rejection> {
        var total = current
        for value in pending + [amount] {
            let (next, overflow) = total.addingReportingOverflow(value)
            guard !overflow, next <= limit else {
                return .failure(Rejection(
                    .amountTooLarge, "The amount is too large: \(what) would pass what the till can add up."))
            }
            total = next
        }
        return .success(())
    }
}
