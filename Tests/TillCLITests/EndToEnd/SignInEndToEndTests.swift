import Foundation
import Testing

/// Issue 11 in the real program: with an operator in the ledger the POS starts on the sign-in
/// screen; left idle (TILL_LOCK_AFTER=3) it locks with the half-typed order hidden but kept;
/// the same operator signs in again and finds it, and Enter creates it.
@Suite struct SignInEndToEndTests {
    @Test func signInIdleLockAndBackToTheSameForm() throws {
        var shop = try POSEndToEndTests.Shop()
        defer { shop.remove() }
        shop.extra = ["TILL_LOCK_AFTER": "3"]
        let add = try ChildProcess(ChildProcess.tillPath, arguments: ["operator", "add", "Ann"], environment: shop.environment)
        add.writeLine("4711")
        add.closeInput()
        _ = add.readToEnd()
        #expect(add.wait() == 0)

        let pos = try shop.pos()
        defer { pos.kill() }
        try pos.waitFor("Who is at the counter?")
        try pos.type("ann")
        try pos.send("Tab")
        try pos.type("4712")
        try pos.send("Enter")
        try pos.waitFor("That name and PIN do not sign in.")
        try pos.type("4711")
        try pos.send("Enter")
        try pos.waitFor("Net takings")
        try pos.waitFor("Ann ·")

        try pos.send("F3")
        try pos.waitFor("New order ─")
        try pos.type("bea@example.com")
        try pos.send("Tab")
        try pos.type("12.34")
        try pos.waitFor("12.34")
        // No key for 3 seconds: locked, and nothing of the form shows.
        let locked = try pos.waitFor("Locked. Ann's work is kept for Ann.")
        #expect(!locked.contains("bea@example.com") && !locked.contains("12.34"))
        try pos.type("Ann")
        try pos.send("Tab")
        try pos.type("4711")
        try pos.send("Enter")
        let back = try pos.waitFor("Welcome back, Ann.")
        #expect(back.contains("bea@example.com") && back.contains("12.34"))
        try pos.send("Enter")
        try pos.waitFor("created for")
        let order = try #require(try shop.orders("bea@example.com").first)
        #expect(order["total"] as? Int == 1234)
        try pos.send("C-c")
        #expect(try pos.waitForExit() == 0)
    }
}
