import Testing
@testable import TillCore

@Suite("Rejection codes")
struct RejectionTests {
    /// The codes DESIGN.md §3 requires, spelled as the contract spells them.
    static let required = [
        "invalid_amount", "amount_too_large", "unknown_currency", "currency_mismatch", "invalid_card_number",
        "invalid_expiry", "card_expired", "invalid_cvv", "invalid_email", "not_found", "exceeds_balance_due",
        "order_already_paid", "exceeds_authorized", "exceeds_captured", "capture_after_refund",
        "void_after_capture", "already_voided", "authorization_expired", "insufficient_funds", "wallet_exists",
        "idempotency_key_reused", "request_in_progress", "processor_declined", "processor_error",
        "payment_pending",
    ]

    @Test("every code DESIGN.md requires exists")
    func required() {
        let codes = Set(Rejection.Code.allCases.map(\.rawValue))
        for code in Self.required { #expect(codes.contains(code), "\(code)") }
    }

    @Test("codes are unique snake_case with a human message ending in a full stop")
    func shape() {
        let all = Rejection.Code.allCases
        #expect(Set(all.map(\.rawValue)).count == all.count)
        for code in all {
            let raw = code.rawValue
            #expect(!raw.isEmpty && raw.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }, "\(raw)")
            #expect(!raw.hasPrefix("_") && !raw.hasSuffix("_") && !raw.contains("__"), "\(raw)")
            #expect(code.defaultMessage.first?.isUppercase == true && code.defaultMessage.hasSuffix("."), "\(raw)")
        }
    }

    @Test("a rejection carries its code and a message, the default one unless told")
    func messages() {
        #expect(Rejection(.notFound).message == Rejection.Code.notFound.defaultMessage)
        #expect(Rejection(.notFound, "No order ord_9.").message == "No order ord_9.")
        #expect(Rejection(.notFound, "No order ord_9.").description == "not_found: No order ord_9.")
    }
}
