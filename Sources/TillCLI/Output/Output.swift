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
        struct Envelope: Encodable { let error: ErrorBody }
        guard let data = try? encoder.encode(Envelope(error: ErrorBody(rejection: rejection))) else {
            return "{\"error\": {\"code\": \"\(rejection.code.rawValue)\", \"message\": \"\"}}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A rejection as JSON: its code and message, and on an answer that is not final what to
/// retry with (`key`, `order_id`, `payment_id`) beside them.
private struct ErrorBody: Encodable {
    let rejection: Rejection

    enum CodingKeys: String, CodingKey { case code, message }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rejection.code.rawValue, forKey: .code)
        try container.encode(rejection.message, forKey: .message)
        try rejection.retry?.encode(to: encoder)
    }
}
