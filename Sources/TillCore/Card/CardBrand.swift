/// The card network, told from the leading digits (the BIN / IIN ranges).
public enum CardBrand: String, CaseIterable, Sendable, Codable {
    case visa, mastercard, amex, discover, diners, jcb, unionpay, maestro, unknown

    /// Human name for screens and receipts.
    public var displayName: String {
        switch self {
        case .visa: "Visa"
        case .mastercard: "Mastercard"
        case .amex: "American Express"
        case .discover: "Discover"
        case .diners: "Diners Club"
        case .jcb: "JCB"
        case .unionpay: "UnionPay"
        case .maestro: "Maestro"
        case .unknown: "Card"
        }
    }

    /// Amex has a 4-digit security code; every other brand 3.
    public var cvvLength: Int { self == .amex ? 4 : 3 }

    /// How many digits the network issues: a 17-digit "Mastercard" is mistyped.
    public var lengths: [Int] {
        switch self {
        case .visa: [13, 16, 19]
        case .mastercard: [16]
        case .amex: [15]
        case .discover, .jcb, .unionpay: Array(16...19)
        case .diners: Array(14...19)
        case .maestro, .unknown: Array(CardNumber.lengths)
        }
    }

    /// "16", "13, 16 or 19", "16 to 19": the lengths as a message says them.
    public var lengthsText: String {
        let all = lengths
        guard let first = all.first, let last = all.last else { return "" }
        if all.count == 1 { return "\(first)" }
        if last - first + 1 == all.count { return "\(first) to \(last)" }
        return all.dropLast().map(String.init).joined(separator: ", ") + " or \(last)"
    }

    /// The brand for a card number's digits (or its first few, as they are typed). Checked in
    /// this order because ranges overlap: Discover's 622126-622925 sits inside UnionPay's 62.
    public static func detect(digits: some StringProtocol) -> CardBrand {
        func prefix(_ count: Int) -> Int? {
            guard digits.count >= count else { return nil }
            return Int(digits.prefix(count))
        }
        func within(_ count: Int, _ range: ClosedRange<Int>) -> Bool {
            prefix(count).map(range.contains) ?? false
        }
        if within(2, 34...34) || within(2, 37...37) { return .amex }
        if within(1, 4...4) { return .visa }
        if within(2, 51...55) || within(4, 2221...2720) { return .mastercard }
        if within(4, 6011...6011) || within(3, 644...649) || within(2, 65...65)
            || within(6, 622_126...622_925) { return .discover }
        if within(3, 300...305) || within(4, 3095...3095) || within(2, 36...36) || within(2, 38...39) {
            return .diners
        }
        if within(4, 3528...3589) { return .jcb }
        if within(2, 62...62) || within(2, 81...81) { return .unionpay }
        if within(2, 50...50) || within(2, 56...58) || within(2, 67...67) || within(4, 6304...6304) {
            return .maestro
        }
        return .unknown
    }
}
