import Testing
import TillCore

@Suite struct OperatorPINTests {
    @Test func aPINIsFourToTwelveASCIIDigitsAndNeverPrinted() throws {
        for good in ["0000", "4711", "123456789012"] {
            #expect(try OperatorPIN.parse(good).get().digits == good)
        }
        for bad in ["", "123", "1234567890123", "12 4", "12a4", "١٢٣٤", "１２３４", "-123"] {
            guard case .failure(let rejection) = OperatorPIN.parse(bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(rejection.code == .invalidPin)
            #expect(bad.isEmpty || !rejection.message.contains(bad))
        }
        let pin = try OperatorPIN.parse("4711").get()
        #expect("\(pin)" == "••••" && String(reflecting: pin) == "OperatorPIN(••••)")
    }
}
