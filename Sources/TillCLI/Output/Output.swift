import Foundation
import TillCore

/// The JSON face: snake_case keys, sorted, pretty-printed, one document per command.
enum Output {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) -> String {
        guard let data = try? encoder.encode(value) else {
            return errorJSON(Rejection(.storageError, "The answer could not be encoded."))
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func errorJSON(_ rejection: Rejection) -> String {
        struct Body: Encodable {
            let code: String
            let message: String
            // A non-final answer says what to retry with.
            let key: String?
            let orderId: String?
            let paymentId: String?
        }
        struct Envelope: Encodable { let error: Body }
        let body = Body(
            code: rejection.code.rawValue, message: rejection.message, key: rejection.retry?.key,
            orderId: rejection.retry?.orderId, paymentId: rejection.retry?.paymentId)
        guard let data = try? encoder.encode(Envelope(error: body)) else {
            return "{\"error\": {\"code\": \"\(rejection.code.rawValue)\", \"message\": \"\"}}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
