import Foundation

/// The JSON form of what the ledger keeps for a request (its answer, its intent): snake_case
/// keys, sorted, compact. A replay answers these very bytes, so whoever compares answers as
/// text (a client, the simulator) compares them in this one form.
public enum StoredJSON {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func text<T: Encodable>(_ value: T) throws -> String {
        // The same bytes, several times faster; what it leaves alone, Foundation writes.
        if let text = try? StoredJSONEncoder.encode(value) { return text }
        return try foundationText(value)
    }

    /// `JSONEncoder`'s text of `value`: the reference `StoredJSONEncoder` is held to.
    static func foundationText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func value<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }
}
