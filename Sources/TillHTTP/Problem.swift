import Foundation
import Hummingbird
import TillCore

/// An error answer: RFC 9457 `application/problem+json` carrying the stable code (DESIGN §3)
/// beside the standard members, and the retry hint of an answer that is not final.
struct Problem: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let code: String
    let key: String?
    let orderId: String?
    let paymentId: String?

    init(_ rejection: Rejection, status: HTTPResponse.Status) {
        type = "https://till.invalid/problems/" + rejection.code.rawValue
        // The code in words ("currency_mismatch": "Currency mismatch"): the same for every
        // occurrence of the problem type, as RFC 9457 asks of a title.
        let words = rejection.code.rawValue.replacingOccurrences(of: "_", with: " ")
        title = words.prefix(1).uppercased() + words.dropFirst()
        self.status = status.code
        detail = rejection.message
        code = rejection.code.rawValue
        key = rejection.retry?.key
        orderId = rejection.retry?.orderId
        paymentId = rejection.retry?.paymentId
    }
}

/// Which HTTP status answers which rejection (DESIGN §6). One switch, no default: a new code
/// must be given its status here.
enum StatusOf {
    static func rejection(_ code: Rejection.Code) -> HTTPResponse.Status {
        switch code {
        // The request itself cannot be read.
        case .invalidAmount, .amountTooLarge, .unknownCurrency, .invalidCardNumber, .invalidExpiry, .invalidCvv,
             .invalidEmail, .invalidName, .invalidIdempotencyKey, .invalidRequest, .invalidOverdraft, .invalidReason,
             .invalidPin, .invalidHoldWindow, .invalidEvent:
            .badRequest
        case .bodyTooLarge: .contentTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .requestInProgress, .walletExists, .drawerAlreadyOpen, .operatorExists: .conflict
        case .processorDeclined: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
        case .processorError: .badGateway
        case .paymentPending: .serviceUnavailable
        // Well-formed, refused by a business rule (or a reused key).
        case .idempotencyKeyReused, .cardExpired, .currencyMismatch, .exceedsBalanceDue, .orderAlreadyPaid,
             .insufficientCash, .exceedsPaid, .walletNotCustomers, .exceedsAuthorized, .exceedsCaptured,
             .captureAfterRefund, .voidAfterCapture, .alreadyVoided, .authorizationExpired, .releaseBeforeCapture,
             .nothingToRelease, .insufficientFunds, .drawerNotOpen, .paymentBelongsToOrder:
            .unprocessableContent
        case .storageError, .ledgerNotFound, .ledgerDamaged: .internalServerError
        }
    }
}

/// The JSON bodies: snake_case keys, sorted, compact. An answer to a keyed request is the view
/// the service stored, encoded again the same way, so a replay answers the same bytes.
enum Wire {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Request bodies spell their snake_case keys out (`CodingKeys`): no key strategy to run.
    static let decoder = JSONDecoder()

    static let json = "application/json"
    static let problemJSON = "application/problem+json"

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        guard let data = try? encoder.encode(value) else {
            return problem(Rejection(.storageError, "The answer could not be encoded."))
        }
        var headers = extra
        headers[.contentType] = json
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ rejection: Rejection, status: HTTPResponse.Status? = nil) -> Response {
        let status = status ?? StatusOf.rejection(rejection.code)
        var headers: HTTPFields = [.contentType: problemJSON]
        // A pending payment is worth asking about again shortly.
        if rejection.code == .paymentPending || rejection.code == .requestInProgress { headers[.retryAfter] = "1" }
        let data = (try? encoder.encode(Problem(rejection, status: status))) ?? Data("{\"code\":\"\(rejection.code.rawValue)\"}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
