/// Why Till refused to do something: a stable snake_case code a script can match on, and a
/// message a person can read. A rejection never changes state and never stores anything.
///
/// The order in which checks run is part of the contract, the same for every operation:
/// 1. reading the request: the idempotency key and every parameter are parsed into canonical
///    form (`invalid_idempotency_key`, `invalid_amount`, `amount_too_large`, `unknown_currency`,
///    `invalid_card_number`, `invalid_expiry`, `invalid_cvv`, `invalid_email`, `invalid_name`).
///    These depend on the text alone, so a request refused here was never completed before;
/// 2. idempotency: a completed request with the same key and fingerprint is replayed from its
///    record before anything that can change with time is looked at, so a replay never fails
///    because the world moved on (`idempotency_key_reused`, `request_in_progress`);
/// 3. checks against the clock on the input itself (`card_expired`);
/// 4. existence of the target (`not_found`, `wallet_exists`);
/// 5. the input against the target: its currency (`currency_mismatch`);
/// 6. the target's state, as its transition table says (`already_voided`,
///    `authorization_expired`, `capture_after_refund`, `void_after_capture`,
///    `order_already_paid`);
/// 7. amount limits (`exceeds_authorized`, `exceeds_captured`, `exceeds_balance_due`,
///    `exceeds_paid`, `insufficient_cash`, `insufficient_funds`); a sum that would overflow
///    `Int64` is refused by the limit it exceeds, or `amount_too_large` where there is no limit
///    (a wallet credit, adding money);
/// 8. the remote processor's answer (`processor_declined`, `processor_error`, `payment_pending`).
public struct Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    public let message: String
    /// What to retry with, on an answer that is not final (`payment_pending`,
    /// `request_in_progress`): the key, and the order or payment it acts on.
    public private(set) var retry: RetryHint?

    public init(_ code: Code, _ message: String? = nil) {
        self.code = code
        self.message = Self.safe(message ?? code.defaultMessage)
    }

    /// The longest message a rejection carries; input is echoed cut much shorter (`echoed`).
    public static let maximumMessageLength = 1_000

    /// Every message, whatever put it together, reaches a terminal or a log: control
    /// characters are escaped and its length is capped here, once, for all of them.
    static func safe(_ message: String) -> String {
        let escaped = message.escapingControls()
        return escaped.count > maximumMessageLength ? String(escaped.prefix(maximumMessageLength)) + "…" : escaped
    }

    /// The same rejection, telling the caller what to retry with.
    public func retrying(_ hint: RetryHint) -> Rejection {
        var copy = self
        copy.retry = hint
        return copy
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The key a request was (or is being) made under, and what it acts on.
    public struct RetryHint: Hashable, Sendable, Encodable {
        public let key: String
        public let orderId: String?
        public let paymentId: String?

        public init(key: String, orderId: String? = nil, paymentId: String? = nil) {
            self.key = key
            self.orderId = orderId
            self.paymentId = paymentId
        }
    }

    /// The stable codes. Raw values are the wire format (CLI `--json`, scenario files): never
    /// rename one, only add.
    public enum Code: String, CaseIterable, Sendable {
        // Input validation.
        case invalidAmount = "invalid_amount"
        case amountTooLarge = "amount_too_large"
        case unknownCurrency = "unknown_currency"
        case currencyMismatch = "currency_mismatch"
        case invalidCardNumber = "invalid_card_number"
        case invalidExpiry = "invalid_expiry"
        case cardExpired = "card_expired"
        case invalidCvv = "invalid_cvv"
        case invalidEmail = "invalid_email"
        case invalidName = "invalid_name"
        case invalidIdempotencyKey = "invalid_idempotency_key"
        case notFound = "not_found"
        // Orders.
        case exceedsBalanceDue = "exceeds_balance_due"
        case orderAlreadyPaid = "order_already_paid"
        case insufficientCash = "insufficient_cash"
        case exceedsPaid = "exceeds_paid"
        /// A refund to store credit names a wallet that is not the order's customer's.
        case walletNotCustomers = "wallet_not_customers"
        // Gateway payments.
        case exceedsAuthorized = "exceeds_authorized"
        case exceedsCaptured = "exceeds_captured"
        case captureAfterRefund = "capture_after_refund"
        case voidAfterCapture = "void_after_capture"
        case alreadyVoided = "already_voided"
        case authorizationExpired = "authorization_expired"
        case releaseBeforeCapture = "release_before_capture"
        case nothingToRelease = "nothing_to_release"
        // Wallets.
        case insufficientFunds = "insufficient_funds"
        case walletExists = "wallet_exists"
        case invalidOverdraft = "invalid_overdraft"
        // The cash drawer.
        case drawerNotOpen = "drawer_not_open"
        case drawerAlreadyOpen = "drawer_already_open"
        case invalidReason = "invalid_reason"
        // Configuration and stored history.
        case invalidHoldWindow = "invalid_hold_window"
        case invalidEvent = "invalid_event"
        // Idempotency.
        case idempotencyKeyReused = "idempotency_key_reused"
        case requestInProgress = "request_in_progress"
        // The remote processor.
        case processorDeclined = "processor_declined"
        case processorError = "processor_error"
        case paymentPending = "payment_pending"
        // The edges: requests that do not make sense as a whole, and the ledger itself.
        case invalidRequest = "invalid_request"
        case paymentBelongsToOrder = "payment_belongs_to_order"
        /// HTTP: a request body over the server's limit (413), a method the path does not take (405).
        case bodyTooLarge = "body_too_large"
        case methodNotAllowed = "method_not_allowed"
        case storageError = "storage_error"
        /// No ledger where one was expected: a missing folder, or a missing or empty file
        /// (beside the traces of one); `till init` makes one on purpose.
        case ledgerNotFound = "ledger_not_found"
        /// The ledger failed a check: its header or `quick_check` at open, or `till check`.
        case ledgerDamaged = "ledger_damaged"
        // Operators (sign-in).
        /// A PIN that breaks the rule (4 to 12 digits); the message never repeats it.
        case invalidPin = "invalid_pin"
        /// A sign-in refused: it never says whether the name or the PIN was wrong.
        case unauthorized = "unauthorized"
        case operatorExists = "operator_exists"

        public var defaultMessage: String {
            switch self {
            case .invalidAmount: "The amount is not a valid positive amount for its currency."
            case .amountTooLarge: "The amount is too large."
            case .unknownCurrency: "The currency is not a known ISO 4217 code."
            case .currencyMismatch: "The currency does not match."
            case .invalidCardNumber: "The card number is not valid."
            case .invalidExpiry: "The expiry date is not a valid MM/YY date."
            case .cardExpired: "The card has expired."
            case .invalidCvv: "The security code is not valid for this card."
            case .invalidEmail: "The email address is not valid."
            case .invalidName: "The name is not valid."
            case .invalidIdempotencyKey: "The idempotency key is not valid."
            case .notFound: "Nothing was found with that id."
            case .exceedsBalanceDue: "The amount exceeds the balance due."
            case .orderAlreadyPaid: "The order is already paid in full."
            case .insufficientCash: "The cash tendered is less than the amount to pay."
            case .exceedsPaid: "The refund exceeds what is left of the payment."
            case .walletNotCustomers: "A refund to store credit goes only to a wallet of the order's customer."
            case .exceedsAuthorized: "The capture exceeds the authorized amount."
            case .exceedsCaptured: "The refund exceeds the captured amount."
            case .captureAfterRefund: "A payment cannot be captured once a refund happened."
            case .voidAfterCapture: "A payment cannot be voided once it was captured."
            case .alreadyVoided: "The payment was voided; nothing more is possible."
            case .authorizationExpired: "The authorization has expired."
            case .releaseBeforeCapture: "Nothing was captured yet: void the authorization instead of releasing its rest."
            case .nothingToRelease: "Nothing is left to release: all of the authorization was captured or released."
            case .insufficientFunds: "The wallet has insufficient funds."
            case .walletExists: "A wallet with that name already exists."
            case .invalidOverdraft: "The overdraft limit must be zero or more."
            case .drawerNotOpen: "No cash drawer is open; open one with a float first."
            case .drawerAlreadyOpen: "A cash drawer is already open in this currency; close it first."
            case .invalidReason: "A reason is required: 1 to 200 characters."
            case .invalidHoldWindow: "The authorization hold window must be longer than zero."
            case .invalidEvent: "The event does not fit the history it is applied to."
            case .idempotencyKeyReused: "The idempotency key was already used for a different request."
            case .requestInProgress: "A request with this idempotency key is still in progress."
            case .processorDeclined: "The payment processor declined the payment."
            case .processorError: "The payment processor failed; nothing was charged."
            case .paymentPending: "The payment outcome is not known yet; it will be resolved with the processor."
            case .invalidRequest: "The request is incomplete or contradicts itself."
            case .paymentBelongsToOrder: "This card payment belongs to an order; refund it through the order."
            case .bodyTooLarge: "The request body is larger than the server takes."
            case .methodNotAllowed: "This path does not take that method."
            case .storageError: "The ledger could not be read or written; nothing was changed."
            case .ledgerNotFound: "There is no ledger there; `till init` creates one."
            case .ledgerDamaged: "The ledger is damaged; restore it from a backup."
            case .invalidPin: "A PIN is 4 to 12 digits."
            case .unauthorized: "That name and PIN do not sign in."
            case .operatorExists: "An operator with that name already exists."
            }
        }
    }
}
