public import TillCore
import TillStore

// What the POS screens read (see Queries.swift): plain Codable values like Views.swift. They
// are made here only; tests make them by hand through `@testable import TillService`.

/// The newest history line of each kind. Any write by any process changes at least one.
public struct LedgerVersion: Sendable, Equatable, Codable {
    public let orders: Int64
    public let payments: Int64
    public let wallets: Int64
}

extension LedgerVersion {
    init(_ marks: LedgerMarks) { self.init(orders: marks.orders, payments: marks.payments, wallets: marks.wallets) }
}

/// An order as a list row: its totals, without its installments.
public struct OrderSummaryView: Codable, Sendable, Equatable {
    public let id: String
    public let email: String
    public let currency: String
    public let total: Int64
    public let paid: Int64
    public let refunded: Int64
    public let balanceDue: Int64
    public let status: OrderStatus
    public let createdAt: String
    public let paymentCount: Int
}

extension OrderSummaryView {
    init(_ order: OrderSummary) {
        self.init(
            id: order.id, email: order.email.address, currency: order.currency.code, total: order.total.minorUnits,
            paid: order.paid.minorUnits, refunded: order.refunded.minorUnits, balanceDue: order.balanceDue.minorUnits,
            status: order.status, createdAt: Timestamp.iso8601(order.createdAt), paymentCount: order.paymentCount)
    }
}

/// Installments taken by one tender in one currency.
public struct TakingsLine: Codable, Sendable, Equatable {
    public let tender: Tender.Kind
    public let currency: String
    public let amount: Int64
    public let count: Int
}

/// Order refunds given in one currency.
public struct RefundTotal: Codable, Sendable, Equatable {
    public let currency: String
    public let amount: Int64
    public let count: Int
}

/// One currency's net takings (`TillCore.Takings`): card + cash less refunds paid out; store
/// credit spent, and refunds credited to wallets, are apart (not new money).
public struct NetTakings: Codable, Sendable, Equatable {
    public let currency: String
    public let net: Int64
    public let storeCreditRedeemed: Int64
    public let refundedToStoreCredit: Int64
}

/// One local day of the dashboard's chart.
public struct DailySales: Codable, Sendable, Equatable {
    /// "2026-11-22": the day in the dashboard's UTC offset.
    public let day: String
    public let currency: String
    /// Installments taken that day (every tender).
    public let amount: Int64
    /// Refunds given that day (of installments taken any day).
    public let refunded: Int64
    /// How many installments.
    public let count: Int
}

/// What a customer still owes in one currency.
public struct CustomerBalance: Codable, Sendable, Equatable {
    public let email: String
    public let currency: String
    public let owing: Int64
    public let openOrders: Int
}

public struct DashboardView: Codable, Sendable, Equatable {
    /// Today, in the requested UTC offset ("2026-11-22").
    public let day: String
    /// The currency with the most installments in the chart's window (USD if none): the one
    /// `daily` is in.
    public let currency: String
    /// Today's installments by currency, then tender.
    public let takings: [TakingsLine]
    /// Today's refunds by currency.
    public let refunds: [RefundTotal]
    public let ordersCreated: Int
    public let paymentsTaken: Int
    /// Exactly `days` days, oldest first, ending today; days without sales are zero.
    public let daily: [DailySales]
    public let recentOrders: [OrderSummaryView]
    /// Largest first.
    public let owing: [CustomerBalance]
    /// Today's net takings per currency (`Takings.net`), with the store credit kept apart.
    public internal(set) var net: [NetTakings] = []
}

/// A customer's orders in one currency.
public struct CustomerTotal: Codable, Sendable, Equatable {
    public let currency: String
    public let orders: Int
    /// Paid minus refunded, over all their orders.
    public let lifetime: Int64
    /// The sum of their orders' totals.
    public let ordered: Int64
    public let paid: Int64
    public let refunded: Int64
    /// The sum of their balances due.
    public let owing: Int64
}

extension CustomerTotal {
    init(_ totals: CustomerTotals) {
        // refunded <= paid on every order, so the difference cannot overflow or go below zero.
        self.init(
            currency: totals.currency.code, orders: totals.orders,
            lifetime: totals.paid.minorUnits - totals.refunded.minorUnits, ordered: totals.ordered.minorUnits,
            paid: totals.paid.minorUnits, refunded: totals.refunded.minorUnits, owing: totals.owing.minorUnits)
    }
}

public struct CustomerView: Codable, Sendable, Equatable {
    /// As typed on their latest order.
    public let email: String
    public let orderCount: Int
    /// Orders with a balance due.
    public let openOrders: Int
    public let firstOrderAt: String
    public let lastOrderAt: String
    /// One per currency they ordered in, by currency code.
    public let totals: [CustomerTotal]
    /// Wallets opened for this customer, by name.
    public let storeCredit: [WalletView]
}

/// Where a page ended; pass it back as `after` for the next page. The row type only keeps a page
/// of orders from being continued with a payment's cursor.
public struct PageCursor<Row>: Sendable, Equatable, Codable {
    let at: Int64
    let id: String

    init(_ position: PagePosition) {
        at = position.at.millisecondsSinceEpoch
        id = position.id
    }

    var position: PagePosition { PagePosition(at: Instant(millisecondsSinceEpoch: at), id: id) }

    /// The cursor as one opaque token (HTTP's `?before=`): the time, `_`, the id.
    public var text: String { "\(at)_\(id)" }

    public init?(text: String) {
        guard let split = text.firstIndex(of: "_"), let at = Int64(text[..<split]) else { return nil }
        let id = String(text[text.index(after: split)...])
        guard !id.isEmpty else { return nil }
        self.at = at
        self.id = id
    }
}

public typealias OrderCursor = PageCursor<OrderSummaryView>
public typealias PaymentCursor = PageCursor<PaymentView>

public struct OrderPage: Codable, Sendable, Equatable {
    public let orders: [OrderSummaryView]
    /// nil on the last page.
    public let next: OrderCursor?
}

public struct PaymentPage: Codable, Sendable, Equatable {
    public let payments: [PaymentView]
    /// nil on the last page.
    public let next: PaymentCursor?
}
