// TEMPORARY STUB (replaced by the queries branch): the shapes the POS codes against.
import TillCore

public struct LedgerVersion: Sendable, Equatable, Codable {
    public let orders: Int64
    public let payments: Int64
    public let wallets: Int64
}

public struct OrderSummaryView: Codable, Sendable, Equatable {
    public let id: String
    public let email: String
    public let currency: String
    public let total: Int64
    public let paid: Int64
    public let refunded: Int64
    public let balanceDue: Int64
    public let status: String
    public let createdAt: String
    public let paymentCount: Int
}

public struct TakingsLine: Codable, Sendable, Equatable {
    public let tender: String
    public let currency: String
    public let amount: Int64
    public let count: Int
}

public struct RefundTotal: Codable, Sendable, Equatable {
    public let currency: String
    public let amount: Int64
    public let count: Int
}

public struct DailySales: Codable, Sendable, Equatable {
    public let day: String
    public let currency: String
    public let amount: Int64
    public let refunded: Int64
    public let count: Int
}

public struct CustomerBalance: Codable, Sendable, Equatable {
    public let email: String
    public let currency: String
    public let owing: Int64
    public let openOrders: Int
}

public struct DashboardView: Codable, Sendable, Equatable {
    public let day: String
    public let currency: String
    public let takings: [TakingsLine]
    public let refunds: [RefundTotal]
    public let ordersCreated: Int
    public let paymentsTaken: Int
    public let daily: [DailySales]
    public let recentOrders: [OrderSummaryView]
    public let owing: [CustomerBalance]
}

public struct CustomerTotal: Codable, Sendable, Equatable {
    public let currency: String
    public let lifetime: Int64
    public let ordered: Int64
    public let owing: Int64
}

public struct CustomerView: Codable, Sendable, Equatable {
    public let email: String
    public let orderCount: Int
    public let openOrders: Int
    public let firstOrderAt: String
    public let lastOrderAt: String
    public let totals: [CustomerTotal]
    public let storeCredit: [WalletView]
}

public struct OrderCursor: Sendable, Equatable, Codable {
    let createdAt: Int64
    let id: String
}

public struct OrderPage: Codable, Sendable, Equatable {
    public let orders: [OrderSummaryView]
    public let next: OrderCursor?
}

public struct PaymentCursor: Sendable, Equatable, Codable {
    let authorizedAt: Int64
    let id: String
}

public struct PaymentPage: Codable, Sendable, Equatable {
    public let payments: [PaymentView]
    public let next: PaymentCursor?
}
extension WalletView { public var customer: String? { nil } }  // STUB
