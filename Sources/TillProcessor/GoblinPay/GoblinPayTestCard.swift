extension GoblinPay {
    /// Card numbers with fixed outcomes. They ignore the random capture failure rate; any other
    /// valid card is an ordinary card whose captures fail at `captureFailureRate`.
    ///
    /// | card                | constant             | outcome                                              |
    /// |---------------------|----------------------|------------------------------------------------------|
    /// | 4242 4242 4242 4242 | `approved`           | always approved                                      |
    /// | 4000 0000 0000 0002 | `declined`           | authorize declined: "card declined"                  |
    /// | 4000 0000 0000 9995 | `insufficientFunds`  | authorize declined: "insufficient funds"             |
    /// | 4000 0000 0000 0119 | `authorizationFails` | authorize fails (`.failed`), nothing applied         |
    /// | 4000 0000 0000 0259 | `captureFails`       | authorize approved; every capture fails (`.failed`)  |
    /// | 4000 0000 0000 3238 | `refundFails`        | authorize, capture approved; every refund fails      |
    /// | 4000 0000 0000 4046 | `lostResponse`       | authorize applied but the first answer per key is    |
    /// |                     |                      | lost (`.unknown`); lookup says applied, and a repeat |
    /// |                     |                      | with the same key is `.approved`, same reference     |
    ///
    /// Any expiry and security code are accepted for every card.
    public enum TestCard {
        /// 4242 4242 4242 4242: every operation is approved (the rules still apply).
        public static let approved = "4242424242424242"
        /// 4000 0000 0000 0002: authorize is declined with the reason "card declined".
        public static let declined = "4000000000000002"
        /// 4000 0000 0000 9995: authorize is declined with the reason "insufficient funds".
        public static let insufficientFunds = "4000000000009995"
        /// 4000 0000 0000 0119: authorize fails (`.failed`); nothing is applied.
        public static let authorizationFails = "4000000000000119"
        /// 4000 0000 0000 0259: authorize is approved; every capture fails (`.failed`).
        public static let captureFails = "4000000000000259"
        /// 4000 0000 0000 3238: authorize and capture are approved; every refund fails (`.failed`).
        public static let refundFails = "4000000000003238"
        /// 4000 0000 0000 4046 ("404": the answer is not found): authorize is applied, but the
        /// first answer for each key is lost (`.unknown`). `lookup(key:)` says applied, and asking
        /// again with the same key answers `.approved` with the reference. Captures and refunds
        /// of it behave as for `approved`.
        public static let lostResponse = "4000000000004046"

        /// Every test card, in the order of the table.
        public static let all = [
            approved, declined, insufficientFunds, authorizationFails, captureFails, refundFails, lostResponse,
        ]
    }
}

/// What a card does at GoblinPay, decided once from its number at authorization and kept with
/// the authorization (the ledger keeps this name, never the number).
enum CardProfile: String, Sendable, CaseIterable {
    case ordinary
    case approved
    case declined
    case insufficientFunds = "insufficient_funds"
    case authorizationFails = "authorization_fails"
    case captureFails = "capture_fails"
    case refundFails = "refund_fails"
    case lostResponse = "lost_response"

    init(digits: String) {
        switch digits {
        case GoblinPay.TestCard.approved: self = .approved
        case GoblinPay.TestCard.declined: self = .declined
        case GoblinPay.TestCard.insufficientFunds: self = .insufficientFunds
        case GoblinPay.TestCard.authorizationFails: self = .authorizationFails
        case GoblinPay.TestCard.captureFails: self = .captureFails
        case GoblinPay.TestCard.refundFails: self = .refundFails
        case GoblinPay.TestCard.lostResponse: self = .lostResponse
        default: self = .ordinary
        }
    }

    /// Whether captures of this card roll against the failure rate (test cards never do).
    var rollsForCaptureFailure: Bool { self == .ordinary }
}
