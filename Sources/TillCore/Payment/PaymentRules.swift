/// Where a card payment stands. Amount-derived except `voided` and `expired`.
public enum PaymentStatus: String, CaseIterable, Sendable {
    case authorized
    case partiallyCaptured = "partially_captured"
    case captured
    case partiallyRefunded = "partially_refunded"
    case refunded
    case voided
    /// The hold window passed before anything was captured: the authorization is dead.
    case expired
}

/// What can be asked of an authorized card payment.
public enum PaymentOperation: String, CaseIterable, Sendable {
    case capture, refund, void
}

/// What the table says about an operation in a status: allowed (then the amount limits are
/// checked), or refused with a code whatever the amount.
public enum PaymentRule: Hashable, Sendable {
    case allowed
    case refused(Rejection.Code)
}

/// The whole rule set of the card gateway (DESIGN.md §3) in one table, one row a status:
///
///     status              capture               refund              void
///     authorized          allowed               exceeds_captured    allowed
///     partially_captured  allowed               allowed             void_after_capture
///     captured            exceeds_authorized    allowed             void_after_capture
///     partially_refunded  capture_after_refund  allowed             void_after_capture
///     refunded            capture_after_refund  exceeds_captured    void_after_capture
///     voided              already_voided        already_voided      already_voided
///     expired             authorization_expired authorization_expired authorization_expired
///
/// Beyond the table: a capture once the hold window has passed is `authorization_expired` even
/// when part was captured before; and "allowed" still means the amount must fit
/// (captured + amount <= authorized, refunded + amount <= captured).
public enum PaymentRules {
    public static func rule(_ operation: PaymentOperation, in status: PaymentStatus) -> PaymentRule {
        switch (status, operation) {
        case (.authorized, .capture): .allowed
        case (.authorized, .refund): .refused(.exceedsCaptured)
        case (.authorized, .void): .allowed

        case (.partiallyCaptured, .capture): .allowed
        case (.partiallyCaptured, .refund): .allowed
        case (.partiallyCaptured, .void): .refused(.voidAfterCapture)

        case (.captured, .capture): .refused(.exceedsAuthorized)
        case (.captured, .refund): .allowed
        case (.captured, .void): .refused(.voidAfterCapture)

        case (.partiallyRefunded, .capture): .refused(.captureAfterRefund)
        case (.partiallyRefunded, .refund): .allowed
        case (.partiallyRefunded, .void): .refused(.voidAfterCapture)

        case (.refunded, .capture): .refused(.captureAfterRefund)
        case (.refunded, .refund): .refused(.exceedsCaptured)
        case (.refunded, .void): .refused(.voidAfterCapture)

        case (.voided, _): .refused(.alreadyVoided)
        case (.expired, _): .refused(.authorizationExpired)
        }
    }
}
