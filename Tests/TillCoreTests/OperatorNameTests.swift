import Testing
import TillCore

@Suite struct OperatorNameTests {
    @Test func namesAreTrimmedCanonicalAndBounded() throws {
        let ana = try OperatorName.parse("  Ana\u{0301}  ").get()
        #expect(ana.text == "An\u{00E1}")
        #expect(ana.key == (try OperatorName.parse("AN\u{00C1}").get()).key)
        for bad in ["", "   ", "a\u{7}b", String(repeating: "x", count: OperatorName.maximumLength + 1)] {
            #expect(throws: Rejection.self) { try OperatorName.parse(bad).get() }
        }
        #expect(OperatorName.restore(" ana") == nil)
        #expect(OperatorName.restore("till") == .till)
    }
}
