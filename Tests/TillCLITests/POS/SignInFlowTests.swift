import Foundation
import Testing
@testable import TillCLI
import TillCore
import TillService
import TillUI

/// Issue 11: the sign-in on a real ledger. The runner checks the PIN with the service and,
/// once it matches, runs every later command as that operator.
@Suite struct SignInFlowTests {
    @Test func aSignInMakesTheRunnerActAsTheOperator() async throws {
        let pos = try await POSHarness()
        _ = try await pos.service.addOperator(name: "Ann", pin: "4711").get()
        pos.state.startSession(as: .till, signInRequired: try await pos.service.signInRequired().get(), lockAfter: 300)
        await pos.start()
        #expect(pos.screen.contains("Who is at the counter?"))
        await pos.type("ann")
        await pos.press(.tab)
        await pos.type("4712")
        await pos.press(.enter)
        #expect(pos.screen.contains("That name and PIN do not sign in."))
        #expect(pos.effects.actingService.operatorName == .till)
        await pos.type("4711")
        await pos.press(.enter)
        #expect(pos.state.session.signIn == nil)
        #expect(pos.screen.contains("Net takings"))
        #expect(pos.effects.actingService.operatorName.text == "Ann")
        #expect(pos.state.message?.text == "Signed in as Ann.")
    }
}
