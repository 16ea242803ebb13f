/// Card number checks: 12 to 19 ASCII digits (spaces and dashes allowed between them as
/// typed), not all zeros, passing the Luhn checksum, and a length the brand issues.
public enum CardNumber {
    public static let lengths = 12...19

    /// The digits of a typed card number with its spaces and dashes removed, or
    /// `invalid_card_number`. The text of the number is never put in the message.
    public static func digits(of text: String) -> Result<String, Rejection> {
        var digits = ""
        for character in text.trimmingBlanks() {
            if character == " " || character == "-" { continue }
            guard character.isASCIIDigit else {
                return .failure(Rejection(.invalidCardNumber, "The card number may only contain digits."))
            }
            digits.append(character)
            // Stop early on absurd input: nothing longer than 19 digits is a card.
            if digits.count > lengths.upperBound { break }
        }
        guard lengths.contains(digits.count) else {
            return .failure(Rejection(
                .invalidCardNumber, "A card number has \(lengths.lowerBound) to \(lengths.upperBound) digits."))
        }
        guard digits.contains(where: { $0 != "0" }) else {
            return .failure(Rejection(.invalidCardNumber, "A card number is not all zeros."))
        }
        guard passesLuhn(digits) else {
            return .failure(Rejection(.invalidCardNumber, "The card number is mistyped (check digit)."))
        }
        let brand = CardBrand.detect(digits: digits)
        guard brand.lengths.contains(digits.count) else {
            return .failure(Rejection(
                .invalidCardNumber, "A \(brand.displayName) number has \(brand.lengthsText) digits, not \(digits.count)."))
        }
        return .success(digits)
    }

    /// The Luhn (mod 10) checksum over ASCII digits; false for anything else.
    public static func passesLuhn(_ digits: some StringProtocol) -> Bool {
        guard !digits.isEmpty else { return false }
        var sum = 0
        for (position, character) in digits.reversed().enumerated() {
            guard character.isASCIIDigit, var value = character.wholeNumberValue else { return false }
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }
}
