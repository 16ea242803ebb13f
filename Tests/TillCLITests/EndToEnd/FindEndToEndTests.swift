import Foundation
import Testing

/// Finding anything (issue 11) in the real `till` under tmux: a customer by the middle of
/// their email, an order by its id, the Cards screen's open holds and release of the rest,
/// and the dashboard's Owing list. Every wait is for text on a settled screen.
@Suite struct FindEndToEndTests {
    typealias Shop = POSEndToEndTests.Shop

    @Test func findByAnyPartOfTheEmailAndByOrderIdThenReleaseAHoldsRest() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let order = try shop.json(["order", "create", "--email", "priya.shah@example.com", "--amount", "40.00"])
        let orderId = try #require(order["id"] as? String)
        _ = try shop.json(["order", "create", "--email", "ann@example.com", "--amount", "15.00"])
        let hold = try shop.json([
            "payment", "authorize", "--card", POSEndToEndTests.visa, "--expiry", "12/30", "--cvv", "123",
            "--amount", "10.00", "--key", "hold-1",
        ])
        let holdId = try #require(hold["id"] as? String)
        _ = try shop.json(["payment", "capture", holdId, "--amount", "6.00", "--key", "cap-1"])

        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        // 4 characters from the middle of the email.
        try pos.send("F4")
        try pos.type("shah")
        try pos.waitFor("priya.shah@example.com")
        // An order id, as printed on a receipt: Enter opens it.
        try pos.send("C-u")
        try pos.type(orderId)
        try pos.waitFor("Enter opens")
        try pos.send("Enter")
        try pos.waitFor("Order \(orderId)")

        // The open holds on the Cards screen; l releases the rest after a y.
        try pos.send("F5")
        try pos.waitFor("Card payments")
        try pos.send("f")
        try pos.waitFor("Card payments · open holds")
        try pos.send("l")
        try pos.waitFor("Release the uncaptured $4.00")
        try pos.send("y")
        try pos.waitFor("Released the rest")
        let released = try shop.json(["payment", "get", holdId])
        #expect(released["released"] as? Int == 400)
        #expect(released["capturable"] as? Int == 0)

        // The dashboard's Owing list: Tab, then Enter opens the customer.
        try pos.send("F2")
        try pos.waitFor("Owing")
        try pos.send("Tab", "Enter")
        try pos.waitFor("order 1 of 1")
        try pos.send("q")
        #expect(try pos.waitForExit() == 0)
    }
}
