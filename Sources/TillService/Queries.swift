public import TillCore
import TillStore

/// The POS screens' reads: each is one read transaction over keyset pages, index lookups and
/// the ledger's aggregates, so it answers in milliseconds however long the history is.
extension TillService {
    /// The largest page any list answers at once.
    public static let maximumPage = 500

    // MARK: Change detection

    /// Cheap enough to poll: three index lookups.
    public func ledgerVersion() async -> Result<LedgerVersion, Rejection> {
        await read { ledger, _ in LedgerVersion(try ledger.marks()) }
    }

    // MARK: Dashboard

    /// Today's takings, refunds and orders, a chart of the last `days` days (today last), the
    /// most recent orders and who owes the most. Days are local to `utcOffsetSeconds` (a whole
    /// number of quarter hours, as every real time zone is); "now" is the service's clock.
    public func dashboard(
        utcOffsetSeconds: Int, days: Int = 14, recent: Int = 10, owing: Int = 10
    ) async -> Result<DashboardView, Rejection> {
        guard abs(utcOffsetSeconds) <= 18 * 3600, utcOffsetSeconds % 900 == 0 else {
            return .failure(Rejection(.invalidRequest, "The UTC offset must be a whole number of quarter hours within 18 hours."))
        }
        guard (1...366).contains(days), (0...100).contains(recent), (0...100).contains(owing) else {
            return .failure(Rejection(.invalidRequest, "A dashboard shows 1 to 366 days and 0 to 100 orders and customers."))
        }
        return await read { ledger, now in
            let today = now.civil(atOffsetSeconds: utcOffsetSeconds).date.daysSinceEpoch
            let todayStart = now.startOfDay(atOffsetSeconds: utcOffsetSeconds)
            let windowStart = todayStart.adding(.days(-Int64(days - 1)))
            let buckets = try ledger.takings(from: windowStart, bucket: .days(1), count: days)

            var takings: [TakingsLine] = []
            var refunds: [String: RefundTotal] = [:]
            var byCurrency: [String: (count: Int, amount: Int64)] = [:]
            for bucket in buckets {
                let code = bucket.amount.currency.code
                if bucket.bucket == days - 1 {
                    if bucket.payments > 0 {
                        takings.append(TakingsLine(
                            tender: bucket.tender, currency: code, amount: bucket.amount.minorUnits,
                            count: bucket.payments))
                    }
                    if bucket.refunds > 0 {
                        let sum = refunds[code] ?? RefundTotal(currency: code, amount: 0, count: 0)
                        refunds[code] = RefundTotal(
                            currency: code, amount: try plus(sum.amount, bucket.refunded.minorUnits),
                            count: sum.count + bucket.refunds)
                    }
                }
                let sum = byCurrency[code] ?? (0, 0)
                byCurrency[code] = (sum.count + bucket.payments, try plus(sum.amount, bucket.amount.minorUnits))
            }
            // Amounts of different currencies do not compare; the number of sales does.
            let primary = byCurrency.filter { $0.value.count > 0 }.min { lhs, rhs in
                (-lhs.value.count, lhs.key) < (-rhs.value.count, rhs.key)
            }?.key ?? Currency.usd.code

            var daily = (0..<days).map { index in
                DailySales(
                    day: Timestamp.day(daysSinceEpoch: today - Int64(days - 1 - index)), currency: primary, amount: 0,
                    refunded: 0, count: 0)
            }
            for bucket in buckets where bucket.amount.currency.code == primary && daily.indices.contains(bucket.bucket) {
                let sum = daily[bucket.bucket]
                daily[bucket.bucket] = DailySales(
                    day: sum.day, currency: primary, amount: try plus(sum.amount, bucket.amount.minorUnits),
                    refunded: try plus(sum.refunded, bucket.refunded.minorUnits), count: sum.count + bucket.payments)
            }

            // Net takings per currency, by the core's one rule: refunds credited to wallets
            // today are told apart from those paid out (by the installment's tender).
            var toCredit: [String: Money] = [:]
            for line in try ledger.refundsToStoreCredit(from: todayStart, to: todayStart.adding(.day)) {
                toCredit["\(line.amount.currency.code) \(line.tender.rawValue)"] = line.amount
            }
            var byCurrencyTakings: [String: Takings] = [:]
            for bucket in buckets where bucket.bucket == days - 1 {
                let currency = bucket.amount.currency
                var sums = byCurrencyTakings[currency.code] ?? Takings(currency: currency)
                let credited = toCredit["\(currency.code) \(bucket.tender.rawValue)"] ?? .zero(currency)
                try decided(sums.take(bucket.amount, by: bucket.tender))
                try decided(bucket.refunded.subtracting(credited).flatMap { sums.refund($0, of: bucket.tender, toStoreCredit: false) })
                try decided(sums.refund(credited, of: bucket.tender, toStoreCredit: true))
                byCurrencyTakings[currency.code] = sums
            }
            let net = try byCurrencyTakings.keys.sorted().compactMap { code -> NetTakings? in
                guard let sums = byCurrencyTakings[code] else { return nil }
                return NetTakings(
                    currency: code, net: try decided(sums.net).minorUnits,
                    storeCreditRedeemed: sums.storeCreditRedeemed.minorUnits,
                    refundedToStoreCredit: sums.refundedToStoreCredit.minorUnits)
            }

            let tenderOrder = Tender.Kind.allCases
            takings.sort {
                ($0.currency, tenderOrder.firstIndex(of: $0.tender) ?? 0) < ($1.currency, tenderOrder.firstIndex(of: $1.tender) ?? 0)
            }
            return DashboardView(
                day: Timestamp.day(daysSinceEpoch: today), currency: primary, takings: takings,
                refunds: refunds.values.sorted { $0.currency < $1.currency },
                ordersCreated: try ledger.ordersCreated(
                    from: todayStart, to: todayStart.adding(.day)),
                paymentsTaken: takings.reduce(0) { $0 + $1.count }, daily: daily,
                recentOrders: recent == 0 ? [] : try ledger.orderSummaries(limit: recent, after: nil).map(OrderSummaryView.init),
                owing: owing == 0 ? [] : try ledger.owingCustomers(limit: owing).map {
                    CustomerBalance(email: $0.email.address, currency: $0.currency.code, owing: $0.owing.minorUnits, openOrders: $0.openOrders)
                }, net: net)
        }
    }

    // MARK: Customers

    /// Customers whose email starts with `prefix` (without regard to case; empty for all), by
    /// email, each with their totals and store credit: the search-as-you-type list.
    public func customers(prefix: String, limit: Int = 8) async -> Result<[CustomerView], Rejection> {
        guard (1...100).contains(limit) else { return .failure(Rejection(.invalidRequest, "The limit must be 1 to 100.")) }
        let key = Email.key(for: prefix)
        return await read { ledger, _ in
            try ledger.customers(prefix: key, limit: limit).map { try Self.customerView($0, ledger: ledger) }
        }
    }

    /// Customers found by any part of their email (without regard to case, on the folded key),
    /// or by any part of the name of store credit opened for them: Till keeps no other names.
    /// Emails that start with the text come first, then by email. Empty text: every customer,
    /// by email.
    public func findCustomers(_ text: String, limit: Int = 8) async -> Result<[CustomerView], Rejection> {
        guard (1...100).contains(limit) else { return .failure(Rejection(.invalidRequest, "The limit must be 1 to 100.")) }
        let term = Email.key(for: text)
        guard !term.isEmpty else { return await customers(prefix: "", limit: limit) }
        let walletTerm = Wallet.key(for: text)
        return await read { ledger, _ in
            try ledger.customers(containing: term, walletTerm: walletTerm, limit: limit).map { try Self.customerView($0, ledger: ledger) }
        }
    }

    /// Orders whose id starts with `prefix` (an id from a receipt, or its start), by id. Blanks
    /// around it are ignored, and ids are lowercase.
    public func findOrders(idPrefix: String, limit: Int = 2) async -> Result<[OrderSummaryView], Rejection> {
        if case .failure(let rejection) = Self.page(limit) { return .failure(rejection) }
        let prefix = idPrefix.trimmingBlanks().lowercased()
        guard !prefix.isEmpty else { return .success([]) }
        return await read { ledger, _ in try ledger.orderSummaries(idPrefix: prefix, limit: limit).map(OrderSummaryView.init) }
    }

    /// One customer's totals and store credit; `not_found` if they never ordered.
    public func customer(email: String) async -> Result<CustomerView, Rejection> {
        switch Email.parse(email) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let email):
            return await read { ledger, _ in
                let totals = try ledger.customerTotals(emailKey: email.key)
                guard !totals.isEmpty else { throw Rejection(.notFound, "\(email) has no orders.") }
                return try Self.customerView(totals, ledger: ledger)
            }
        }
    }

    /// A customer's orders, newest first, a page at a time (an unknown customer has none).
    public func customerOrders(email emailText: String, limit: Int, after: OrderCursor?) async -> Result<OrderPage, Rejection> {
        let email: Email
        do throws(Rejection) {
            email = try Email.parse(emailText).get()
            try Self.page(limit).get()
        } catch { return .failure(error) }
        return await read { ledger, _ in
            Self.orderPage(try ledger.orderSummaries(emailKey: email.key, limit: limit + 1, after: after?.position), limit: limit)
        }
    }

    /// Every customer's orders, newest first, a page at a time.
    public func recentOrders(limit: Int, after: OrderCursor?) async -> Result<OrderPage, Rejection> {
        if case .failure(let rejection) = Self.page(limit) { return .failure(rejection) }
        return await read { ledger, _ in
            Self.orderPage(try ledger.orderSummaries(limit: limit + 1, after: after?.position), limit: limit)
        }
    }

    // MARK: Card payments and wallets

    /// Gateway payments newest first (order installments' included, with their order and
    /// customer), a page at a time.
    public func cardPayments(limit: Int, after: PaymentCursor?) async -> Result<PaymentPage, Rejection> {
        if case .failure(let rejection) = Self.page(limit) { return .failure(rejection) }
        return await read { ledger, now in
            try Self.paymentPage(ledger.payments(limit: limit + 1, after: after?.position), limit: limit, ledger: ledger, at: now)
        }
    }

    /// The open holds (`Payment.isOpenHold`: authorized or partly captured, not voided,
    /// released or expired), newest first, a page at a time: what may still be captured or
    /// released.
    public func openHolds(limit: Int, after: PaymentCursor?) async -> Result<PaymentPage, Rejection> {
        if case .failure(let rejection) = Self.page(limit) { return .failure(rejection) }
        return await read { ledger, now in
            let stored = try ledger.openHolds(at: now, limit: limit + 1, after: after?.position)
            // The index narrows; the core decides (a page may come out shorter, never wrong).
            let page = try Self.paymentPage(stored, limit: limit, ledger: ledger, at: now)
            let open = Set(stored.filter { $0.payment.isOpenHold(at: now) }.map(\.payment.id))
            return PaymentPage(payments: page.payments.filter { open.contains($0.id) }, next: page.next)
        }
    }

    /// Wallets by name (without regard to case).
    public func wallets(limit: Int = 200) async -> Result<[WalletView], Rejection> {
        guard (1...1000).contains(limit) else { return .failure(Rejection(.invalidRequest, "The limit must be 1 to 1000.")) }
        return await read { ledger, _ in try ledger.wallets(limit: limit).map(WalletView.init) }
    }

    /// The wallets opened for a customer, by name.
    public func wallets(customer email: String) async -> Result<[WalletView], Rejection> {
        switch Email.parse(email) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let email):
            return await read { ledger, _ in try ledger.wallets(customerKey: email.key).map(WalletView.init) }
        }
    }

    // MARK: Helpers

    static func customerView(_ totals: [CustomerTotals], ledger: Ledger) throws -> CustomerView {
        guard let latest = totals.max(by: { $0.lastOrderAt < $1.lastOrderAt }),
              let first = totals.map(\.firstOrderAt).min()
        else { throw Rejection(.notFound, "The customer has no orders.") }
        return CustomerView(
            email: latest.email.address, orderCount: totals.reduce(0) { $0 + $1.orders },
            openOrders: totals.reduce(0) { $0 + $1.openOrders }, firstOrderAt: Timestamp.iso8601(first),
            lastOrderAt: Timestamp.iso8601(latest.lastOrderAt), totals: totals.map(CustomerTotal.init),
            storeCredit: try ledger.wallets(customerKey: latest.email.key).map(WalletView.init))
    }

    /// A page of gateway payments (one row more than `limit` says another follows), each
    /// installment with its order and customer.
    static func paymentPage(_ stored: [StoredPayment], limit: Int, ledger: Ledger, at now: Instant) throws -> PaymentPage {
        let shown = stored.prefix(limit)
        let orders = try ledger.installmentOrders(shown.compactMap(\.orderPaymentId))
        return PaymentPage(
            payments: shown.map { stored in
                var view = PaymentView(stored.payment, orderPaymentId: stored.orderPaymentId, at: now)
                if let found = stored.orderPaymentId.flatMap({ orders[$0] }) {
                    view.orderId = found.orderId
                    view.customer = found.email
                }
                return view
            },
            next: stored.count > limit
                ? shown.last.map { PaymentCursor(PagePosition(at: $0.payment.authorizedAt, id: $0.payment.id)) }
                : nil)
    }

    /// One row more than the page is asked for says whether another page follows.
    static func orderPage(_ rows: [OrderSummary], limit: Int) -> OrderPage {
        let shown = rows.prefix(limit)
        return OrderPage(
            orders: shown.map(OrderSummaryView.init),
            next: rows.count > limit ? shown.last.map { OrderCursor($0.position) } : nil)
    }

    static func page(_ limit: Int) -> Result<Void, Rejection> {
        (1...maximumPage).contains(limit)
            ? .success(())
            : .failure(Rejection(.invalidRequest, "A page holds 1 to \(maximumPage) rows."))
    }
}

/// `a + b` for sums of money, or `amount_too_large` (rolling back nothing: reads only).
private func plus(_ a: Int64, _ b: Int64) throws -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    if overflow { throw Rejection(.amountTooLarge, "The takings are too large to add up.") }
    return sum
}
