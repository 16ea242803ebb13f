import SeededRandom
import TillCore

/// A deterministic random number generator (the shared SplitMix64): the same seed gives the
/// same sequence on every machine and every run, so a failing property case is reproduced by
/// its seed and step alone. Its draws go through the standard library's `random(in:using:)`,
/// as they always have, so the recorded seeds still name the same cases.
struct SeededGenerator: RandomNumberGenerator {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }
}

// MARK: - Choices

extension SeededGenerator {
    /// A number in `0..<count`.
    mutating func below(_ count: Int) -> Int { Int.random(in: 0..<count, using: &self) }

    /// True about once in `count` calls.
    mutating func oneIn(_ count: Int) -> Bool { below(count) == 0 }

    mutating func element<T>(of items: [T]) -> T { items[below(items.count)] }

    mutating func int64(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
}

// MARK: - Amounts

extension SeededGenerator {
    /// Minor-unit counts where arithmetic and text tend to break: zero, one, powers of ten and
    /// their neighbours, the 2^53 boundary of `Double`, and the top of `Int64`.
    static let edgeMinorUnits: [Int64] = [
        0, 1, 2, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 99_999, 100_000,
        4_294_967_295, 4_294_967_296, 9_007_199_254_740_992, 9_007_199_254_740_993,
        999_999_999_999_999_999, 1_000_000_000_000_000_000,
        Int64.max / 2, Int64.max / 2 + 1, Int64.max - 1, Int64.max,
    ]

    /// A minor-unit count in `0...upperBound`, often an edge value (including `upperBound`
    /// itself and its neighbour), otherwise small, medium or anywhere in the range.
    mutating func minorUnits(upTo upperBound: Int64 = .max) -> Int64 {
        precondition(upperBound >= 0)
        switch below(8) {
        case 0:
            let edges = Self.edgeMinorUnits.filter { $0 <= upperBound }
            return element(of: edges)
        case 1: return element(of: [upperBound, max(0, upperBound - 1), upperBound / 2])
        case 2, 3: return int64(in: 0...min(upperBound, 1000))
        case 4, 5: return int64(in: 0...min(upperBound, 100_000_000))
        default: return int64(in: 0...upperBound)
        }
    }

    /// A minor-unit count in `1...upperBound`.
    mutating func positiveMinorUnits(upTo upperBound: Int64 = .max) -> Int64 {
        precondition(upperBound >= 1)
        return max(1, minorUnits(upTo: upperBound))
    }

    /// Any `Int64`, negatives included, with `Int64.min`, `-1` and the positive edges often.
    mutating func signedMinorUnits() -> Int64 {
        switch below(6) {
        case 0: return element(of: [Int64.min, Int64.min + 1, -Int64.max, -1_000_000_000_000_000_000, -100, -1])
        case 1: return -minorUnits()
        case 2: return int64(in: Int64.min...Int64.max)
        default: return minorUnits()
        }
    }

    mutating func currency() -> Currency { element(of: Currency.known) }

    /// A known currency other than `currency`, preferring one with the same exponent (the
    /// mismatch a sloppy check on the exponent alone would miss).
    mutating func currency(otherThan currency: Currency) -> Currency {
        let sameExponent = Currency.known.filter { $0 != currency && $0.exponent == currency.exponent }
        if !sameExponent.isEmpty, !oneIn(3) { return element(of: sameExponent) }
        return element(of: Currency.known.filter { $0 != currency })
    }

    /// A non-negative amount of `currency`, edges included.
    mutating func money(_ currency: Currency, upTo upperBound: Int64 = .max) -> Money {
        Money(minorUnits: minorUnits(upTo: upperBound), currency: currency)
    }
}

// MARK: - Text

extension SeededGenerator {
    /// Text that breaks parsers: blanks, signs, exponents, NaN, non-ASCII digits, separators,
    /// control characters, combining marks, 20-digit numbers, overlong text.
    static let edgeStrings: [String] = [
        "", " ", "   ", "\t", "\n", "\r", "\r\n", "\u{0}", "\u{7F}", "\u{85}", "\u{A0}", "\u{2028}",
        "0", "00", "-0", "-1", "+1", "+0", "1e3", "1E3", "1e-3", "NaN", "nan", "inf", "Infinity", "0x1F",
        "１２", "٣", "१२", "¹", "½", "Ⅻ", "1\u{301}", "e\u{301}", "😀", "1,000", "1 000", "1_000", "1'000",
        ".", "..", "1.", ".5", ".05", ".005", "1..2", "1.2.3", "0.0", "0.00", "0.000", "0.0000", "0.00000",
        "10.00", "10.5", "1.234", "1.2345", " 10.00 ", "\t7\n", "10.00\r\n",
        "9223372036854775807", "9223372036854775808", "92233720368547758.07", "92233720368547758.08",
        "922337203685477.5807", "922337203685477.5808", "-9223372036854775808",
        "12345678901234567890", "99999999999999999999", "00000000000000000000001",
        String(repeating: "9", count: 20), String(repeating: "9", count: 40), String(repeating: "1", count: 300),
        "4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "4111111111111111",
        "378282246310005", "4242424242424241", "42424242424242424242", "000000000000", "0000000000000000000",
        "12/30", "1/30", "01/2030", "12 / 30", "13/30", "00/30", "12/3", "12/303", "12/", "/30", "12/30/1", "１２/３０",
        "a@b.co", "Ann@Example.com ", "@", "a@", "@b.co", "a@b", "a@.b", "a@b..c", "a@b.c.", "a b@c.d", "a@@b.c",
        "usd", "USD", " usd ", "US D", "uſd", "XXX", "US", "USDD", "ＵＳＤ",
        "|", "&", "=", "%", "%7C", "%26", "%3D", "%25", "a=b&c=d", "a|b", "%%", "=&|",
        String(repeating: "a", count: 64), String(repeating: "a", count: 65),
        String(repeating: "k", count: 255), String(repeating: "k", count: 256),
    ]

    /// The alphabet random text is built from: digits and the characters parsers split on,
    /// plus look-alikes and characters that are not what they seem.
    static let junkAlphabet: [String] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "4", "9",
        ".", ".", "-", "+", "e", "E", " ", " ", "\t", "\n", "\r", "/", "/", "@", "@",
        "|", "&", "=", "%", "a", "Z", "x", ",", "_", "１", "٣", "\u{301}", "\u{0}", "\u{7F}", "\u{85}",
        "é", "😀", "ſ",
    ]

    /// Random junk: a known troublemaker, a random string over `junkAlphabet`, or a string of
    /// digits with a few separators thrown in.
    mutating func junkString() -> String {
        switch below(3) {
        case 0:
            return element(of: Self.edgeStrings)
        case 1:
            var text = ""
            for _ in 0..<below(25) { text += element(of: Self.junkAlphabet) }
            return text
        default:
            var text = ""
            for _ in 0..<below(24) {
                text += oneIn(6) ? element(of: [" ", "-", ".", "/", "x"]) : String(below(10))
            }
            return text
        }
    }

    /// `count` random ASCII digits.
    mutating func digits(count: Int) -> String {
        var text = ""
        for _ in 0..<count { text += String(below(10)) }
        return text
    }

    /// A card number of `length` digits whose last digit makes the Luhn sum a multiple of 10,
    /// computed here from the definition, not with the code under test.
    mutating func luhnValidNumber(length: Int) -> String {
        precondition(length >= 2)
        var body = (0..<(length - 1)).map { _ in below(10) }
        if below(2) == 0 { body[0] = element(of: [3, 4, 5, 6]) }
        // Double every second digit counting from the right, the check digit being position 0.
        var sum = 0
        for (offset, digit) in body.reversed().enumerated() {
            if offset % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        let check = (10 - sum % 10) % 10
        return (body + [check]).map(String.init).joined()
    }

    /// `digits` as a person might type it: groups split by spaces or dashes.
    mutating func typed(_ digits: String) -> String {
        guard !oneIn(3) else { return digits }
        let separator = element(of: [" ", "-", "  ", " - "])
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, offset % 4 == 0 { out += separator }
            out.append(digit)
        }
        return out
    }
}
