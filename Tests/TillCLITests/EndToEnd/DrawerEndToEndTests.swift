import Foundation
import Testing

/// The Drawer screen in the real binary: open with a float, a cash sale, count and close (only
/// `y` closes), the Z report on screen and saved beside the receipts.
@Suite struct DrawerEndToEndTests {
    @Test func openSellForCashCountAndClose() throws {
        let shop = try POSEndToEndTests.Shop()
        defer { shop.remove() }
        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Net takings")
        try pos.send("F7")
        try pos.waitFor("No drawer is open")
        try pos.send("o")
        try pos.waitFor("Open the drawer")
        try pos.type("100.00")
        try pos.send("Enter")
        try pos.waitFor("Drawer open with a float of $100.00")

        // A $40.00 order paid with $50.00 cash: $10.00 change.
        try pos.send("F3")
        try pos.waitFor("New order ─")
        try pos.type("ann@example.com")
        try pos.send("Tab")
        try pos.type("40.00")
        try pos.send("F8")
        try pos.waitFor("Create and pay ─")
        // The dialog opens in the card number; F9 moves to cash, in the cash given.
        try pos.send("F9")
        try pos.type("50")
        try pos.waitFor("Change due  $10.00")
        try pos.send("Enter")
        try pos.waitFor("CHANGE DUE")
        try pos.send("Enter")

        try pos.send("F7")
        try pos.waitFor("Cash sales (tendered)           $50.00")
        try pos.waitFor("Change given                   −$10.00")
        try pos.send("c")
        try pos.waitFor("Count and close")
        try pos.type("140.00")
        try pos.send("Enter")
        try pos.waitFor("Close the drawer with 140.00 USD counted?")
        // Enter is not a yes.
        try pos.send("Enter")
        try pos.waitFor("Press y to close the drawer")
        try pos.send("y")
        try pos.waitFor("Drawer closed: difference none")
        let screen = try pos.waitFor("Expected in the drawer            $140.00")
        #expect(screen.contains("Z report · saved to"), "\(screen)")

        let z = try shop.json(["report", "z"])
        #expect(z["expected"] as? Int == 14_000 && z["counted"] as? Int == 14_000 && z["difference"] as? Int == 0)
        let session = try #require(z["session"] as? String)
        #expect(FileManager.default.fileExists(atPath: shop.directory.appendingPathComponent("z-report-\(session).txt").path))
        try pos.send("Escape")
        try pos.waitFor("No drawer is open")
        try pos.send("q")
        #expect(try pos.waitForExit() == 0)
    }
}
