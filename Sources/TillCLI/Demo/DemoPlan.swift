import TillCore

/// What `till demo` will do, made up front from the seed and `now` (`PlanMaker`): the people,
/// their wallets, orders and cards, and the steps in time order. Amounts are minor units of
/// the two-decimal currencies the demo uses; times are epoch milliseconds.

struct DemoCard: Sendable, Hashable {
    var number: String
    var expiry: String
    var cvv: String
}

enum DemoTender: Sendable, Hashable {
    case card(DemoCard)
    case cash(tendered: Int64)
    case wallet(Int)
}

struct DemoCustomer: Sendable {
    var name: String
    var email: String
    var currency: Currency
    var card: DemoCard
    var wallet: Int?
}

struct DemoWallet: Sendable {
    var name: String
    var owner: Int
    var currency: Currency
    var overdraft: Int64
}

struct DemoInstallment: Sendable {
    var time: Int64
    var amount: Int64
    var tender: DemoTender
    /// The customer's first card is declined; they pay with theirs.
    var declinedFirst: Bool
}

struct DemoOrder: Sendable {
    var customer: Int
    var currency: Currency
    var total: Int64
    var created: Int64
    var createAndPay: Bool
    var installments: [DemoInstallment]
}

struct DemoGateway: Sendable {
    var card: DemoCard
    var currency: Currency
    var amount: Int64
    var declined: Bool
}

enum DemoAction: Sendable {
    case openWallet(Int)
    case credit(wallet: Int, amount: Int64)
    case debit(wallet: Int, amount: Int64)
    case createOrder(Int)
    case createAndPay(order: Int)
    case pay(order: Int, installment: Int)
    case refund(order: Int, installment: Int, amount: Int64, toWallet: Int?)
    case authorize(Int)
    case capture(gateway: Int, amount: Int64)
    case void(gateway: Int)
    case refundPayment(gateway: Int, amount: Int64)

    var order: Int? {
        switch self {
        case .createOrder(let order), .createAndPay(let order), .pay(let order, _), .refund(let order, _, _, _): order
        default: nil
        }
    }
}

struct DemoStep: Sendable {
    /// Epoch milliseconds: the clock while the step runs.
    var time: Int64
    /// Steps of one owner (a customer with their wallet, or one card payment) run in order.
    var owner: Int
    /// Unique within the plan: the idempotency key's suffix and the tie-break of equal times.
    var sequence: Int
    var action: DemoAction
}

struct DemoPlan: Sendable {
    var customers: [DemoCustomer] = []
    var wallets: [DemoWallet] = []
    var orders: [DemoOrder] = []
    var gateways: [DemoGateway] = []
    /// In time order.
    var steps: [DemoStep] = []
    var stepsPerOrder: [Int] = []

    static let day = TimeSpan.day.milliseconds
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000

    static func make(orders orderCount: Int, seed: UInt64, now: Instant) -> DemoPlan {
        var maker = PlanMaker(seed: seed, now: now.millisecondsSinceEpoch)
        return maker.make(orderCount: max(0, orderCount))
    }
}

/// The demo's days are UTC days, read by the core's calendar.
extension DemoPlan {
    /// Midnight UTC of the day holding `time` (epoch milliseconds).
    static func midnight(_ time: Int64) -> Int64 {
        Instant(millisecondsSinceEpoch: time).startOfDay(atOffsetSeconds: 0).millisecondsSinceEpoch
    }

    /// 0 = Sunday ... 6 = Saturday, of the UTC day holding `time`.
    static func weekday(_ time: Int64) -> Int { Instant(millisecondsSinceEpoch: time).civil(atOffsetSeconds: 0).date.weekday }

    /// How busy each weekday is, Sunday first: Fridays and Saturdays most, Sundays least.
    static let weekdayWeights: [Int64] = [60, 80, 85, 90, 95, 115, 130]
}
