public import TillCore
public import TillService

/// The card part of a payment form: number, expiry and security code, checked as they are
/// typed. The number is shown masked (first 6 and last 4 in clear, like a receipt) and the
/// code never at all; the digits live only in this value while the dialog is open.
public struct CardEntry: Sendable, Equatable {
    /// Spaces and dashes typed with the number, and the "/" of an expiry, are the grouping the
    /// fields show anyway.
    public var number = TextField(filter: .digits, maxLength: 19, separators: [" ", "-"])
    public var expiry = TextField(filter: .digits, maxLength: 4, separators: ["/"])
    public var cvv = TextField(filter: .digits, maxLength: 4)

    public init() {}

    public var brand: CardBrand? { number.isEmpty ? nil : CardBrand.detect(digits: number.text) }

    /// "4242 42•• •••• 4242": grouped in fours, the middle masked once it is typed.
    public var maskedNumber: String {
        let digits = Array(number.text)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, index % 4 == 0 { out.append(" ") }
            out.append(index >= 6 && index < digits.count - 4 ? "•" : digit)
        }
        return out
    }

    /// "12/30" from the typed digits.
    public var expiryText: String {
        let digits = expiry.text
        guard digits.count > 2 else { return digits }
        return String(digits.prefix(2)) + "/" + String(digits.dropFirst(2))
    }

    public var maskedCVV: String { String(repeating: "•", count: cvv.text.count) }

    /// What to say beside the number while typing: nil when there is nothing to say yet.
    public var numberHint: (text: String, isProblem: Bool)? {
        guard let brand else { return nil }
        let count = number.text.count
        let longest = brand.lengths.last ?? CardNumber.lengths.upperBound
        if count > longest { return ("! \(brand.displayName) has \(brand.lengthsText) digits", true) }
        guard brand.lengths.contains(count) else { return ("\(brand.displayName) · \(count) digits", false) }
        return CardNumber.passesLuhn(number.text) ? ("\(brand.displayName) ✓", false) : ("! check digit wrong", true)
    }

    /// A problem with the expiry as typed so far, or nil.
    public func expiryProblem(now: Instant, utcOffsetSeconds: Int) -> String? {
        guard expiry.text.count == 4 else { return nil }
        let offset = TimeSpan(milliseconds: Int64(utcOffsetSeconds) * 1000)
        if case .failure(let rejection) = CardExpiry.parse(expiryText, now: now, utcOffset: offset) {
            return rejection.message
        }
        return nil
    }

    /// The tender to send, or the first problem to show (and which field it is in).
    public func tender(now: Instant, utcOffsetSeconds: Int) -> Result<TenderInput, FieldProblem> {
        if case .failure(let rejection) = CardNumber.digits(of: number.text) {
            return .failure(FieldProblem(field: 0, message: rejection.message))
        }
        if expiry.text.count != 4 { return .failure(FieldProblem(field: 1, message: "Enter the expiry as MM/YY.")) }
        if let problem = expiryProblem(now: now, utcOffsetSeconds: utcOffsetSeconds) {
            return .failure(FieldProblem(field: 1, message: problem))
        }
        if case .failure(let rejection) = CardSecurityCode.parse(cvv.text, brand: brand ?? .unknown) {
            return .failure(FieldProblem(field: 2, message: rejection.message))
        }
        return .success(.card(number: number.text, expiry: expiryText, cvv: cvv.text))
    }
}

/// A form field that needs fixing: which one (the form's own numbering) and why.
public struct FieldProblem: Error, Sendable, Equatable {
    public let field: Int
    public let message: String
}
