/// A strict RFC 8259 reader over UTF-8 bytes, with a nesting limit so hostile output cannot
/// exhaust the stack.
struct JSONReader {
    struct SyntaxError: Error {}

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private static let maximumDepth = 256

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func readDocument() throws(SyntaxError) -> ScenarioJSON {
        skipBlanks()
        let value = try readValue()
        skipBlanks()
        guard index == bytes.count else { throw SyntaxError() }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipBlanks() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    private mutating func expect(_ word: String) throws(SyntaxError) {
        for byte in word.utf8 {
            guard current == byte else { throw SyntaxError() }
            index += 1
        }
    }

    private mutating func readValue() throws(SyntaxError) -> ScenarioJSON {
        guard let byte = current else { throw SyntaxError() }
        switch byte {
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "{"): return try readObject()
        default: return .number(try readNumber())
        }
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw SyntaxError() }
        index += 1
        skipBlanks()
    }

    private mutating func readArray() throws(SyntaxError) -> ScenarioJSON {
        var items: [ScenarioJSON] = []
        try readElements(closing: "]") { reader throws(SyntaxError) in items.append(try reader.readValue()) }
        return .array(items)
    }

    private mutating func readObject() throws(SyntaxError) -> ScenarioJSON {
        var members: [ScenarioJSON.Member] = []
        try readElements(closing: "}") { reader throws(SyntaxError) in
            guard reader.current == UInt8(ascii: "\"") else { throw SyntaxError() }
            let key = try reader.readString()
            reader.skipBlanks()
            try reader.expect(":")
            reader.skipBlanks()
            members.append(ScenarioJSON.Member(key: key, value: try reader.readValue()))
        }
        return .object(members)
    }

    /// An array's items or an object's members, from the opening bracket to `closing`:
    /// `element` reads one, and a comma comes between two.
    private mutating func readElements(
        closing: Unicode.Scalar, _ element: (inout JSONReader) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        try enter()
        let closing = UInt8(ascii: closing)
        if current == closing {
            index += 1
            depth -= 1
            return
        }
        while true {
            try element(&self)
            skipBlanks()
            guard let byte = current else { throw SyntaxError() }
            index += 1
            if byte == closing { break }
            guard byte == UInt8(ascii: ",") else { throw SyntaxError() }
            skipBlanks()
        }
        depth -= 1
    }

    private mutating func readDigits() -> Int {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func readNumber() throws(SyntaxError) -> String {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard readDigits() > 0 else { throw SyntaxError() }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard readDigits() > 0 else { throw SyntaxError() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard readDigits() > 0 else { throw SyntaxError() }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else { throw SyntaxError() }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func readString() throws(SyntaxError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw SyntaxError() }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw SyntaxError() }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: try readEscapedScalar())
                default: throw SyntaxError()
                }
            default:
                guard byte >= 0x20 else { throw SyntaxError() }
                out.append(byte)
            }
        }
    }

    /// The UTF-8 of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
    private mutating func readEscapedScalar() throws(SyntaxError) -> [UInt8] {
        var value = try readHex4()
        if (0xD800...0xDBFF).contains(value) {
            try expect("\\u")
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError() }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(value) {
            throw SyntaxError()
        }
        guard let scalar = Unicode.Scalar(value) else { throw SyntaxError() }
        return Array(String(Character(scalar)).utf8)
    }
}
