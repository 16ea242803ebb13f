/// A JSON value as a scenario sees it: what a command printed, or a literal written in an
/// expectation (`balance_due = 5000`, `status = "open"`, `card = null`).
///
/// Numbers keep the text they were written with and compare by exact decimal value, never
/// through floating point: `5000`, `5000.0` and `5e3` are equal, `92233720368547758.07` stays
/// exact. Objects keep their key order for display and compare without regard to it.
public enum ScenarioJSON: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// The number's JSON text, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([ScenarioJSON])
    case object([Member])

    /// One key and its value, in the order the object was written.
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: ScenarioJSON
    }

    /// Reads one complete JSON document (surrounding blanks allowed), or nil if `text` is not
    /// exactly one valid JSON value.
    public init?(parsing text: String) {
        var reader = JSONReader(bytes: Array(text.utf8))
        guard let value = try? reader.readDocument() else { return nil }
        self = value
    }

    /// The value of `key` in an object (the last one if the key repeats), else nil.
    public subscript(key: String) -> ScenarioJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// "a string", "a number", ...: for messages that explain a type mismatch.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Compact JSON on one line.
    public var description: String {
        var out = ""
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented JSON, two spaces a level, keys in their original order.
    public var pretty: String {
        var out = ""
        write(into: &out, indent: "  ", level: 0)
        return out
    }

    /// What a `$NAME` stands for in a command: a string's own text (no quotes), anything else
    /// as compact JSON (`5000`, `true`, `null`).
    public var substitutionText: String {
        if case .string(let text) = self { return text }
        return description
    }

    public static func == (lhs: ScenarioJSON, rhs: ScenarioJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return DecimalValue(a) == DecimalValue(b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            let keys = Set(a.map(\.key))
            guard keys == Set(b.map(\.key)) else { return false }
            return keys.allSatisfy { lhs[$0] == rhs[$0] }
        default: return false
        }
    }

    private func write(into out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): out += Self.quoted(text)
        case .array(let items):
            writeContainer(into: &out, open: "[", close: "]", count: items.count, indent: indent, level: level) { out, index in
                items[index].write(into: &out, indent: indent, level: level + 1)
            }
        case .object(let members):
            writeContainer(into: &out, open: "{", close: "}", count: members.count, indent: indent, level: level) { out, index in
                out += Self.quoted(members[index].key) + (indent == nil ? ":" : ": ")
                members[index].value.write(into: &out, indent: indent, level: level + 1)
            }
        }
    }

    private func writeContainer(
        into out: inout String, open: String, close: String, count: Int, indent: String?, level: Int,
        element: (inout String, Int) -> Void
    ) {
        out += open
        guard count > 0 else { out += close; return }
        for index in 0..<count {
            if index > 0 { out += "," }
            if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
            element(&out, index)
        }
        if let indent { out += "\n" + String(repeating: indent, count: level) }
        out += close
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A JSON number reduced to sign, significant digits and a power of ten, so equal values
/// written differently compare equal without any floating point.
private struct DecimalValue: Equatable {
    let negative: Bool
    let digits: [UInt8]
    let exponent: Int

    init(_ text: String) {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var inFraction = false
        var exponent = 0
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Self.readExponent(bytes)
                break
            } else {
                digits.append(byte)
                if inFraction { fractionDigits += 1 }
            }
        }
        exponent = exponent.subtractingSaturated(fractionDigits)
        while digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent = exponent.addingSaturated(1)
        }
        self.negative = negative && !digits.isEmpty
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    /// The exponent's value, saturated far beyond any meaningful magnitude.
    private static func readExponent(_ bytes: ArraySlice<UInt8>) -> Int {
        var rest = bytes
        var negative = false
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") {
            negative = rest.first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        let limit = 1_000_000_000_000
        var value = 0
        for byte in rest where value < limit {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}

extension Int {
    fileprivate func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    fileprivate func subtractingSaturated(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }
}
