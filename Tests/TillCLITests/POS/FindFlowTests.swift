import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillProcessor
import TillService
import TillUI

/// Finding anything at the counter (issue 11), keys typed into the POS against a real ledger:
/// customers by any part of their email or store credit's name, orders by id, the Cards
/// screen's order, customer, open holds and release, the dashboard's Owing list, its net
/// takings and its height.
@Suite struct FindFlowTests {
    static let visa = "4242424242424242"

    @discardableResult
    static func order(_ pos: POSHarness, _ email: String, _ amount: String) async throws -> String {
        try await pos.service.createOrder(email: email, amount: amount, currency: "USD").get().response.id
    }

    @Test func customerSearchMatchesAnyPartOfTheEmailAndTheStoreCreditsName() async throws {
        let pos = try await POSHarness()
        try await Self.order(pos, "priya.shah@example.com", "20.00")
        try await Self.order(pos, "bob@example.org", "30.00")
        _ = try await pos.service.openWallet(name: "Gardening Club", currency: "USD", balance: "0.00", overdraft: "0.00",
                                             customer: "bob@example.org").get()
        await pos.start()
        await pos.press(.function(4))
        await pos.type("SHAH")
        #expect(pos.state.customers.customer?.email == "priya.shah@example.com")
        #expect(pos.screen.contains("priya.shah@example.com"))
        await pos.press(.control("u"))
        await pos.type("garden")
        #expect(pos.state.customers.results.map(\.email) == ["bob@example.org"])
    }

    @Test func typingAnOrderIdInTheCustomersSearchOpensThatOrder() async throws {
        let pos = try await POSHarness()
        let id = try await Self.order(pos, "ann@example.com", "50.00")
        try await Self.order(pos, "bea@example.com", "10.00")
        await pos.start()
        await pos.press(.function(4))
        await pos.type(id.uppercased())
        #expect(pos.screen.contains("Order \(id)"))
        #expect(pos.screen.contains("Enter opens it · $50.00"))
        await pos.press(.enter)
        #expect(pos.state.screen == .orderDetail)
        #expect(pos.state.detail.order?.id == id)
    }

    @Test func cardRowsShowTheirCustomerAndEnterOpensTheOrder() async throws {
        let pos = try await POSHarness(width: 120, height: 30)
        let id = try await Self.order(pos, "cara@example.com", "25.00")
        _ = try await pos.service.pay(
            orderId: id, amount: "25.00", tender: .card(number: Self.visa, expiry: "12/30", cvv: "123"), key: "pay-1").get()
        await pos.start()
        await pos.press(.function(5))
        #expect(pos.screen.contains("cara@example.com"))
        await pos.press(.enter)
        #expect(pos.state.screen == .orderDetail)
        #expect(pos.state.detail.order?.id == id)
    }

    @Test func openHoldsFilterThenReleaseTheRestAfterAPartialCapture() async throws {
        let pos = try await POSHarness()
        let id = try await Self.order(pos, "dan@example.com", "25.00")
        _ = try await pos.service.pay(
            orderId: id, amount: "25.00", tender: .card(number: Self.visa, expiry: "12/30", cvv: "123"), key: "pay-1").get()
        let hold = try await pos.service.authorize(
            number: Self.visa, expiry: "12/30", cvv: "123", amount: "10.00", currency: "USD", key: "auth-1").get().response.id
        _ = try await pos.service.capture(paymentId: hold, amount: "6.00", key: "cap-1").get()
        let untouched = try await pos.service.authorize(
            number: Self.visa, expiry: "12/30", cvv: "123", amount: "3.00", currency: "USD", key: "auth-2").get().response.id
        await pos.start()
        await pos.press(.function(5), .character("f"))
        #expect(pos.state.cards.payments.map(\.id) == [untouched, hold])
        #expect(pos.screen.contains("open holds"))
        await pos.press(.down, .character("l"))
        #expect(pos.screen.contains("Release the uncaptured $4.00"))
        await pos.press(.character("y"))
        let released = try await pos.service.payment(id: hold).get()
        #expect(released.events.last.map { "\($0.kind) \($0.amount)" } == "released 400")
        #expect(released.capturable == 0)
        #expect(pos.state.message?.text.contains("Released the rest") == true)
        // Once released it is no longer an open hold.
        await pos.send(.ledgerChanged)
        #expect(pos.state.cards.payments.map(\.id) == [untouched])
    }

    @Test func theOwingListIsSelectableAndOpensTheCustomer() async throws {
        let pos = try await POSHarness()
        try await Self.order(pos, "eve@example.com", "90.00")
        try await Self.order(pos, "fay@example.com", "40.00")
        await pos.start()
        #expect(pos.state.dashboard.data?.owing.map(\.email) == ["eve@example.com", "fay@example.com"])
        await pos.press(.tab, .down, .enter)
        #expect(pos.state.screen == .customers)
        #expect(pos.state.customers.customer?.email == "fay@example.com")
        #expect(pos.state.customers.orders.count == 1)
    }

    @Test func netTakingsLeaveStoreCreditOut() async throws {
        let pos = try await POSHarness(width: 100, height: 30)
        _ = try await pos.service.openWallet(name: "gus-credit", currency: "USD", balance: "50.00", overdraft: "0.00",
                                             customer: "gus@example.com").get()
        let cash = try await Self.order(pos, "gus@example.com", "30.00")
        _ = try await pos.service.pay(orderId: cash, amount: "30.00", tender: .cash(tendered: "30.00"), key: "c1").get()
        let credit = try await Self.order(pos, "gus@example.com", "20.00")
        _ = try await pos.service.pay(orderId: credit, amount: "20.00", tender: .wallet(name: "gus-credit"), key: "w1").get()
        await pos.start()
        let net = try #require(pos.screen.split(separator: "\n").first { $0.contains("Net takings") })
        #expect(net.contains("$30.00"), "\(net)")
        #expect(pos.screen.contains("store credit used $20.00"))
    }

    @Test func aTallDashboardFillsItsRecentOrders() async throws {
        let pos = try await POSHarness(width: 200, height: 60)
        for index in 0..<70 { try await Self.order(pos, "c\(index)@example.com", "1\(index % 10).00") }
        await pos.start()
        let lines = pos.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heading = try #require(lines.firstIndex { $0.contains("Recent orders") })
        // The table's rows run from under its header to the hints line; none is left blank.
        let rows = lines[(heading + 2)..<(pos.state.height - 2)]
        let blank = rows.filter { !$0.contains("@example.com") }
        #expect(blank.isEmpty, "\(blank.count) blank rows of \(rows.count)")
    }
}
