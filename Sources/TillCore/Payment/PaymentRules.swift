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

/// What can be asked of an authorized card payment. `release` gives up the uncaptured rest of
/// a partly captured authorization (Stripe's final capture): afterwards nothing can be
/// captured, refunds still can.
public enum PaymentOperation: String, CaseIterable, Sendable {
    case capture, refund, void, release
}

/// What the table says about an operation in a status: allowed (then the amount limits are
/// checked), or refused with a code whatever the amount.
public enum PaymentRule: Hashable, Sendable {
    case allowed
    case refused(Rejection.Code)
}

/// The whole rule set of the card gateway (DESIGN.md §3) in one table, one row a status:
///
///     status              capture               refund              void                  release
///     authorized          allowed               exceeds_captured    allowed               release_before_capture
///     partially_captured  allowed               allowed             void_after_capture    allowed
///     captured            exceeds_authorized    allowed             void_after_capture    nothing_to_release
///     partially_refunded  capture_after_refund  allowed             void_after_capture    allowed
///     refunded            capture_after_refund  exceeds_captured    void_after_capture    allowed
///     voided              already_voided        already_voided      already_voided        already_voided
///     expired             authorization_expired authorization_expired authorization_expired authorization_expired
///
/// A released payment is `captured` (or refunded in part or whole): what it holds is what was
/// captured, so the table refuses a further capture or release with no extra row.
/// Beyond the table: a capture or release once the hold window has passed is
/// `authorization_expired` even when part was captured before; and "allowed" still means the
/// amount must fit (captured + amount <= held, refunded + amount <= captured; a release needs
/// an uncaptured rest, else `nothing_to_release`: a refund may follow a full capture).
public enum PaymentRules {
    public static func rule(_ operation: PaymentOperation, in status: PaymentStatus) -> PaymentRule {
        switch (status, operation) {
        case (.authorized, .capture): .allowed
        case (.authorized, .refund): .refused(.exceedsCaptured)
        case (.authorized, .void): .allowed
        case (.authorized, .release): .refused(.releaseBeforeCapture)

        case (.partiallyCaptured, .capture): .allowed
        case (.partiallyCaptured, .refund): .allowed
        case (.partiallyCaptured, .void): .refused(.voidAfterCapture)
        case (.partiallyCaptured, .release): .allowed

        case (.captured, .capture): .refused(.exceedsAuthorized)
        case (.captured, .refund): .allowed
        case (.captured, .void): .refused(.voidAfterCapture)
        case (.captured, .release): .refused(.nothingToRelease)

        case (.partiallyRefunded, .capture): .refused(.captureAfterRefund)
        case (.partiallyRefunded, .refund): .allowed
        case (.partiallyRefunded, .void): .refused(.voidAfterCapture)
        case (.partiallyRefunded, .release): .allowed

        case (.refunded, .capture): .refused(.captureAfterRefund)
        case (.refunded, .refund): .refused(.exceedsCaptured)
        case (.refunded, .void): .refused(.voidAfterCapture)
        case (.refunded, .release): .allowed

        case (.voided, _): .refused(.alreadyVoided)
        case (.expired, _): .refused(.authorizationExpired)
        }
    }
}
