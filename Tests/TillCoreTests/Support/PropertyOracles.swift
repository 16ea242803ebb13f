import TillCore

// Independent oracles: what the code under test should answer, written again from DESIGN.md
// with wider arithmetic, so a property compares two implementations rather than one with itself.

/// The card gateway of DESIGN.md §3 as a table over plain integers.
struct GatewayModel {
    let authorized: Int64
    let currency: Currency
    let expiresAt: Int64
    var captured: Int64 = 0
    var refunded: Int64 = 0
    var voided = false
    /// The uncaptured rest given up by a release.
    var released: Int64 = 0

    /// What the hold amounts to once a release gave up the rest.
    var held: Int64 { authorized - released }

    init(authorized: Int64, currency: Currency, expiresAt: Int64) {
        self.authorized = authorized
        self.currency = currency
        self.expiresAt = expiresAt
    }

    func status(at now: Int64) -> PaymentStatus {
        if voided { return .voided }
        if refunded > 0 { return refunded == captured ? .refunded : .partiallyRefunded }
        if captured > 0 { return captured == held ? .captured : .partiallyCaptured }
        return now > expiresAt ? .expired : .authorized
    }

    /// nil when the command succeeds, else the code, checked in the documented order:
    /// amount, currency, state (table), hold window, amount limits.
    func outcome(_ command: PaymentCommand, at now: Int64) -> Rejection.Code? {
        switch command {
        case .capture(let amount), .refund(let amount):
            if amount.minorUnits <= 0 { return .invalidAmount }
            if amount.currency != currency { return .currencyMismatch }
        case .void, .release: break
        }
        let expired = now > expiresAt
        if voided { return .alreadyVoided }
        switch command {
        case .capture(let amount):
            if refunded > 0 { return .captureAfterRefund }
            if captured == held { return .exceedsAuthorized }
            if expired { return .authorizationExpired }
            return Int128(captured) + Int128(amount.minorUnits) > Int128(held) ? .exceedsAuthorized : nil
        case .refund(let amount):
            if captured == 0 { return expired ? .authorizationExpired : .exceedsCaptured }
            return Int128(refunded) + Int128(amount.minorUnits) > Int128(captured) ? .exceedsCaptured : nil
        case .void:
            if captured > 0 { return .voidAfterCapture }
            return expired ? .authorizationExpired : nil
        case .release:
            // Before any capture: void instead (or nothing, once expired). With all captured and
            // no refund the status is `captured`, refused before the hold window is looked at.
            if captured == 0 { return expired ? .authorizationExpired : .releaseBeforeCapture }
            if refunded == 0 && captured == held { return .nothingToRelease }
            if expired { return .authorizationExpired }
            return captured == held ? .nothingToRelease : nil
        }
    }

    mutating func apply(_ command: PaymentCommand) {
        switch command {
        case .capture(let amount): captured += amount.minorUnits
        case .refund(let amount): refunded += amount.minorUnits
        case .void: voided = true
        case .release: released = held - captured
        }
    }
}

/// "12.34" for 1234 at exponent 2: by division on the magnitude, not by string slicing.
func expectedPlainText(_ value: Int64, exponent: Int) -> String {
    let scale = (0..<exponent).reduce(UInt64(1)) { product, _ in product * 10 }
    let magnitude = value.magnitude
    let whole = String(magnitude / scale)
    var fraction = String(magnitude % scale)
    fraction = String(repeating: "0", count: max(0, exponent - fraction.count)) + fraction
    return (value < 0 ? "-" : "") + whole + (exponent == 0 ? "" : "." + fraction)
}

/// "-$1,234.50" / "KWD 1.234": the plain text with the whole part grouped in threes.
func expectedFormatted(_ value: Int64, _ currency: Currency) -> String {
    var plain = expectedPlainText(value, exponent: currency.exponent)
    let sign = plain.hasPrefix("-") ? "-" : ""
    if !sign.isEmpty { plain.removeFirst() }
    let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
    var whole = Substring(parts[0])
    var groups: [Substring] = []
    while whole.count > 3 {
        groups.insert(whole.suffix(3), at: 0)
        whole = whole.dropLast(3)
    }
    groups.insert(whole, at: 0)
    let number = groups.joined(separator: ",") + (parts.count == 2 ? "." + parts[1] : "")
    return sign + (currency.symbol ?? currency.code + " ") + number
}

/// The value of a string of ASCII digits (at most 38 of them).
func decimalValue(_ digits: String) -> Int128 {
    digits.unicodeScalars.reduce(Int128(0)) { $0 * 10 + Int128($1.value - 48) }
}

/// 12 to 19 ASCII digits, not all zeros, passing Luhn.
func isCardNumber(_ digits: String) -> Bool {
    isASCIIDigits(digits) && (12...19).contains(digits.count) && digits.contains { $0 != "0" } && luhn(digits)
        && issuedLengths[CardBrand.detect(digits: digits), default: Set(12...19)].contains(digits.count)
}

/// The lengths each network issues (ISO/IEC 7812 as the networks publish them), written out
/// apart from the core's table.
let issuedLengths: [CardBrand: Set<Int>] = [
    .visa: [13, 16, 19], .mastercard: [16], .amex: [15], .discover: Set(16...19), .jcb: Set(16...19),
    .unionpay: Set(16...19), .diners: Set(14...19),
]

func isASCIIDigits(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } && text.count == text.unicodeScalars.count
}

/// The Luhn checksum from its definition.
func luhn(_ digits: String) -> Bool {
    let values = digits.unicodeScalars.map { Int($0.value) - 48 }
    var sum = 0
    for (offset, value) in values.reversed().enumerated() {
        sum += offset % 2 == 1 ? (value * 2 > 9 ? value * 2 - 9 : value * 2) : value
    }
    return !values.isEmpty && sum % 10 == 0
}

/// The UTC year and month of an instant, by walking whole years and months from 1970
/// (a different method from the core's civil-from-days arithmetic).
func civilYearMonth(_ millis: Int64) -> (year: Int, month: Int) {
    let day: Int64 = 86_400_000
    var days = Int((millis - ((millis % day) + day) % day) / day)
    func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
    var year = 1970
    while days < 0 {
        year -= 1
        days += isLeap(year) ? 366 : 365
    }
    while days >= (isLeap(year) ? 366 : 365) {
        days -= isLeap(year) ? 366 : 365
        year += 1
    }
    let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    var month = 0
    while days >= lengths[month] {
        days -= lengths[month]
        month += 1
    }
    return (year, month + 1)
}

/// White space of any kind trimmed from both ends, a Character at a time: spaces, tabs,
/// newlines, CRLF, no-break spaces.
func trimmed(_ text: String) -> String {
    var characters = Substring(text)
    while let first = characters.first, first.isWhitespace { characters.removeFirst() }
    while let last = characters.last, last.isWhitespace { characters.removeLast() }
    return String(characters)
}

/// No control characters (C0, DEL, C1) and no zero-width format characters.
func isPrintable(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy {
        $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
    }
}

/// A shop's offset from UTC: zero, the extremes of real time zones, or anything between.
func randomUTCOffset(_ random: inout SeededGenerator) -> Int64 {
    let hour: Int64 = 3_600_000
    return switch random.below(4) {
    case 0: 0
    case 1: random.element(of: [-12 * hour, 14 * hour, 5 * hour + hour / 2, -hour])
    default: random.int64(in: (-14 * hour)...(14 * hour))
    }
}

func shifted(_ instant: Instant, by offset: Int64) -> Int64 {
    Int64(clamping: Int128(instant.millisecondsSinceEpoch) + Int128(offset))
}

/// Short text over a small alphabet rich in the fingerprint's separators and escapes.
func fingerprintText(_ random: inout SeededGenerator) -> String {
    let alphabet = ["a", "b", "&", "=", "|", "%", "2", "5", "6", "7", "C", "D", "3", "é", " "]
    var text = ""
    for _ in 0..<random.below(6) { text += random.element(of: alphabet) }
    return text
}

/// The request written out without escaping ("op|target|k=v&k=v"), then cut again at randomly
/// chosen "|", "&" and "=": a different request an unescaped encoding could not tell apart.
/// nil when the chosen cuts do not make a request.
func recut(
    _ operation: String, _ target: String, _ parameters: [String: String], _ random: inout SeededGenerator
) -> (String, String, [String: String])? {
    let fields = parameters.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }
    let raw = Array(operation + "|" + target + "|" + fields.joined(separator: "&"))
    let pipes = raw.indices.filter { raw[$0] == "|" }
    guard pipes.count >= 2 else { return nil }
    let first = random.below(pipes.count - 1)
    let second = first + 1 + random.below(pipes.count - first - 1)
    let (i, j) = (pipes[first], pipes[second])
    let rest = Array(raw[(j + 1)...])
    var cut: [String: String] = [:]
    if !rest.isEmpty {
        var pieces: [[Character]] = [[]]
        for character in rest {
            if character == "&", random.oneIn(2) { pieces.append([]) } else { pieces[pieces.count - 1].append(character) }
        }
        for piece in pieces {
            let equals = piece.indices.filter { piece[$0] == "=" }
            guard !equals.isEmpty else { return nil }
            let at = random.element(of: equals)
            let key = String(piece[..<at])
            guard cut[key] == nil else { return nil }
            cut[key] = String(piece[(at + 1)...])
        }
    }
    return (String(raw[..<i]), String(raw[(i + 1)..<j]), cut)
}

/// `text` changed the way an unescaped encoding would confuse with the original.
func mutated(_ text: String, _ random: inout SeededGenerator) -> String {
    switch random.below(9) {
    case 0: return text + "&"
    case 1: return "=" + text
    case 2: return text + "|"
    case 3: return "%" + text
    case 4: return text.replacing("&", with: "%26")
    case 5: return text.replacing("%", with: "%25")
    case 6: return text.isEmpty ? "a" : String(text.dropLast())
    case 7: return text + "&a=b"
    default: return random.element(of: ["", "%26", "%3D", "%7C", "%25", "&", "=", "|"])
    }
}
