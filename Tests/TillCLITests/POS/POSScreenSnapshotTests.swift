import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillService
import TillSnapshots
import TillUI

/// Every screen with real ledger data behind it, at 80x24 and at 120x40. The shop is made
/// through the POS and the service with a fixed clock and counting ids, so the screens are
/// the same on every run.
@Suite struct POSScreenSnapshotTests {
    /// A morning's trade: three customers (one with a UTF-8 name in the email), card and
    /// cash payments, a refund, a wallet and a standalone authorization.
    static func shop(width: Int, height: Int) async throws -> POSHarness {
        let pos = try await POSHarness(width: width, height: height)
        let service = pos.service
        // Yesterday's sales, for the chart.
        pos.advance(minutes: -24 * 60)
        let old = try await service.createOrder(email: "zoë@example.com", amount: "80.00").get().response
        _ = try await service.pay(orderId: old.id, amount: "80.00", tender: .cash(tendered: "100.00"), key: "s1").get()
        pos.advance(minutes: 24 * 60)
        let ann = try await service.createOrder(email: "ann@example.com", amount: "50.00").get().response
        _ = try await service.pay(orderId: ann.id, amount: "10.00", tender: .card(number: POSFlowTests.visa, expiry: "12/30", cvv: "123"), key: "s2").get()
        _ = try await service.pay(orderId: ann.id, amount: "40.00", tender: .cash(tendered: "50.00"), key: "s3").get()
        pos.advance(minutes: 5)
        let bob = try await service.createOrder(email: "bob@example.com", amount: "120.00").get().response
        _ = try await service.pay(orderId: bob.id, amount: "20.00", tender: .cash(tendered: "20.00"), key: "s4").get()
        let cash = try await pos.order(ann.id).payments[1]
        _ = try await service.refund(orderId: ann.id, paymentId: cash.id, amount: "5.00", key: "s5").get()
        _ = try await service.openWallet(name: "Bob store credit", currency: "USD", balance: "30.00", overdraft: "0", customer: "bob@example.com").get()
        _ = try await service.authorize(number: POSFlowTests.visa, expiry: "12/30", cvv: "123", amount: "15.00", currency: "USD", key: "s6").get()
        pos.advance(minutes: 3)
        await pos.start()
        return pos
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func everyScreen(width: Int, height: Int) async throws {
        let pos = try await Self.shop(width: width, height: height)
        let size = "\(width)x\(height)"
        Snapshot.assert(pos.state.render(), named: "dashboard-\(size)")
        await pos.press(.enter)
        Snapshot.assert(pos.state.render(), named: "order-detail-\(size)")
        await pos.press(.character("p"))
        Snapshot.assert(pos.state.render(), named: "take-payment-card-\(size)")
        await pos.press(.function(9), .function(9))
        Snapshot.assert(pos.state.render(), named: "take-payment-store-credit-\(size)")
        await pos.press(.escape, .function(3))
        await pos.type("b")
        Snapshot.assert(pos.state.render(), named: "new-order-suggestions-\(size)")
        await pos.press(.function(4))
        await pos.type("ann")
        await pos.press(.tab)
        Snapshot.assert(pos.state.render(), named: "customers-\(size)")
        await pos.press(.function(5))
        Snapshot.assert(pos.state.render(), named: "card-payments-\(size)")
        await pos.press(.function(6))
        Snapshot.assert(pos.state.render(), named: "wallets-\(size)")
    }

    @Test func aResizeRedrawsTheSameScreenAtTheNewSize() async throws {
        let pos = try await Self.shop(width: 80, height: 24)
        await pos.send(.input(.resize(width: 100, height: 30)))
        Snapshot.assert(pos.state.render(), named: "dashboard-resized-100x30")
    }
}
