import Foundation
import Synchronization

/// `StoredJSON`'s form (snake_case keys, sorted, compact, slashes unescaped), written without
/// Foundation's boxing: every keyed write stores a request's answer in this form, inside the
/// writer's transaction, where Foundation's `JSONEncoder` was a quarter of a wallet credit.
///
/// It writes the very bytes `JSONEncoder` writes (`StoredJSONTests` compares the two on every
/// stored view and on every character that needs escaping). A value it does not write the same
/// way (floating point, dates, data, URLs, a super-encoder) makes it give up: the caller then
/// asks `JSONEncoder`.
struct StoredJSONEncoder {
    /// Thrown for a value this encoder leaves to Foundation.
    struct Unsupported: Error {}

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let root = Slot(), context = Context()
        try Writer(slot: root, context: context, codingPath: []).encodeValue(value)
        guard !context.gaveUp else { throw Unsupported() }
        var text = ""
        text.reserveCapacity(256)
        root.node.write(to: &text)
        return text
    }

    /// A JSON value under construction; containers are shared so nested containers can fill in later.
    fileprivate indirect enum Node {
        case object(ObjectBox)
        case array(ArrayBox)
        case string(String)
        /// A number, `true`, `false` or `null`, as written.
        case literal(String)

        func write(to text: inout String) {
            switch self {
            case .object(let box):
                text.append("{")
                for (index, key) in box.values.keys.sorted().enumerated() {
                    if index > 0 { text.append(",") }
                    Node.writeString(key, to: &text)
                    text.append(":")
                    box.values[key]?.node.write(to: &text)
                }
                text.append("}")
            case .array(let box):
                text.append("[")
                for (index, slot) in box.items.enumerated() {
                    if index > 0 { text.append(",") }
                    slot.node.write(to: &text)
                }
                text.append("]")
            case .string(let string): Node.writeString(string, to: &text)
            case .literal(let literal): text.append(literal)
            }
        }

        /// Escaped as Foundation escapes: quote, backslash and control characters; nothing else.
        static func writeString(_ string: String, to text: inout String) {
            text.append("\"")
            var plain = true
            for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                plain = false
                break
            }
            if plain {
                text.append(string)
            } else {
                for scalar in string.unicodeScalars {
                    switch scalar {
                    case "\"": text.append("\\\"")
                    case "\\": text.append("\\\\")
                    case "\n": text.append("\\n")
                    case "\r": text.append("\\r")
                    case "\t": text.append("\\t")
                    case "\u{08}": text.append("\\b")
                    case "\u{0C}": text.append("\\f")
                    case _ where scalar.value < 0x20:
                        let hex = String(scalar.value, radix: 16)
                        text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    default: text.unicodeScalars.append(scalar)
                    }
                }
            }
            text.append("\"")
        }
    }

    fileprivate final class Slot {
        /// What nothing encoded into leaves behind: Foundation writes an empty object.
        var node: Node = .object(ObjectBox())
        var filled = false
    }

    /// Set when some part of the value could not be written as Foundation writes it.
    fileprivate final class Context {
        var gaveUp = false
    }

    fileprivate final class ObjectBox {
        var values: [String: Slot] = [:]
    }

    fileprivate final class ArrayBox {
        var items: [Slot] = []
    }

    /// The snake_case form of each key, asked of Foundation once per key and kept.
    private static let snakeKeys = Mutex<[String: String]>([:])

    fileprivate static func snakeCase(_ key: String) throws -> String {
        if let known = snakeKeys.withLock({ $0[key] }) { return known }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let probe = try JSONSerialization.jsonObject(with: try encoder.encode([KeyProbe(key: key)]))
        guard let objects = probe as? [[String: Any]], let converted = objects.first?.keys.first else { throw Unsupported() }
        snakeKeys.withLock { $0[key] = converted }
        return converted
    }

    private struct KeyProbe: Encodable {
        let key: String
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(0, forKey: AnyKey(stringValue: key))
        }
    }

    fileprivate struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The `Encoder` writing into one slot.
    fileprivate struct Writer: Encoder {
        let slot: Slot
        let context: Context
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            // Asked twice, the same object: what the first container wrote stays.
            if slot.filled, case .object(let box) = slot.node {
                return KeyedEncodingContainer(KeyedWriter(box: box, context: context, codingPath: codingPath))
            }
            let box = ObjectBox()
            slot.node = .object(box)
            slot.filled = true
            return KeyedEncodingContainer(KeyedWriter(box: box, context: context, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if slot.filled, case .array(let box) = slot.node { return UnkeyedWriter(box: box, context: context, codingPath: codingPath) }
            let box = ArrayBox()
            slot.node = .array(box)
            slot.filled = true
            return UnkeyedWriter(box: box, context: context, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(writer: self) }

        /// Writes `value` into this slot: a primitive directly, anything else through its `encode(to:)`.
        func encodeValue<T: Encodable>(_ value: T) throws {
            if let literal = try Self.literal(value) {
                slot.node = literal
                slot.filled = true
                return
            }
            if let dictionary = value as? any StringKeyedDictionary {
                // Foundation writes a dictionary's keys as they are, not in snake_case.
                let box = ObjectBox()
                slot.node = .object(box)
                slot.filled = true
                try dictionary.encodeEntries { key, encode in
                    let entry = Slot()
                    box.values[key] = entry
                    try encode(Writer(slot: entry, context: context, codingPath: codingPath))
                }
                return
            }
            try value.encode(to: self)
        }

        /// The node of a primitive, nil for a value that encodes itself; refuses what Foundation
        /// writes its own way.
        static func literal<T: Encodable>(_ value: T) throws -> Node? {
            switch value {
            case let string as String: return .string(string)
            case let bool as Bool: return .literal(bool ? "true" : "false")
            case let int as Int64: return .literal(String(int))
            case let int as Int: return .literal(String(int))
            case let int as Int32: return .literal(String(int))
            case let int as Int16: return .literal(String(int))
            case let int as Int8: return .literal(String(int))
            case let int as UInt64: return .literal(String(int))
            case let int as UInt: return .literal(String(int))
            case let int as UInt32: return .literal(String(int))
            case let int as UInt16: return .literal(String(int))
            case let int as UInt8: return .literal(String(int))
            case is Double, is Float, is Date, is Data, is URL, is Decimal: throw Unsupported()
            default: return nil
            }
        }
    }

    fileprivate struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: ObjectBox
        let context: Context
        let codingPath: [any CodingKey]

        private func slot(_ key: Key) -> Slot {
            let slot = Slot()
            guard let name = try? StoredJSONEncoder.snakeCase(key.stringValue) else {
                context.gaveUp = true
                return slot
            }
            box.values[name] = slot
            return slot
        }

        mutating func encodeNil(forKey key: Key) throws {
            let slot = slot(key)
            slot.node = .literal("null")
            slot.filled = true
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try Writer(slot: slot(key), context: context, codingPath: codingPath + [key]).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            Writer(slot: slot(key), context: context, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Writer(slot: slot(key), context: context, codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { refused() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { refused() }

        private func refused() -> any Encoder {
            context.gaveUp = true
            return Writer(slot: Slot(), context: context, codingPath: codingPath)
        }
    }

    fileprivate struct UnkeyedWriter: UnkeyedEncodingContainer {
        let box: ArrayBox
        let context: Context
        let codingPath: [any CodingKey]
        var count: Int { box.items.count }

        private func next() -> Slot {
            let slot = Slot()
            box.items.append(slot)
            return slot
        }

        mutating func encodeNil() throws {
            let slot = next()
            slot.node = .literal("null")
            slot.filled = true
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try Writer(slot: next(), context: context, codingPath: codingPath).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            Writer(slot: next(), context: context, codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            Writer(slot: next(), context: context, codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            context.gaveUp = true
            return Writer(slot: Slot(), context: context, codingPath: codingPath)
        }
    }

    fileprivate struct SingleWriter: SingleValueEncodingContainer {
        let writer: Writer
        var codingPath: [any CodingKey] { writer.codingPath }

        mutating func encodeNil() throws {
            writer.slot.node = .literal("null")
            writer.slot.filled = true
        }

        mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeValue(value) }
    }
}

/// A dictionary with text keys: Foundation writes its keys untouched.
private protocol StringKeyedDictionary {
    func encodeEntries(_ entry: (String, (StoredJSONEncoder.Writer) throws -> Void) throws -> Void) throws
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    fileprivate func encodeEntries(_ entry: (String, (StoredJSONEncoder.Writer) throws -> Void) throws -> Void) throws {
        for (key, value) in self { try entry(key) { writer in try writer.encodeValue(value) } }
    }
}
