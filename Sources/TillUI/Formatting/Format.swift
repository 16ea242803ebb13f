public import TillCore
import Foundation

/// Text for people: money per currency, local times, names cut to fit a column.
public enum Format {
    /// "$1,234.50"; an unknown currency code (which the ledger never holds) shows the raw units.
    public static func money(_ minorUnits: Int64, _ code: String) -> String {
        guard case .success(let currency) = Currency.named(code) else { return "\(minorUnits) \(code)" }
        return Money(minorUnits: minorUnits, currency: currency).formatted
    }

    /// "50.00": what a money field is prefilled with, the form `Money.parse` reads back.
    public static func plainAmount(_ minorUnits: Int64, _ code: String) -> String {
        guard case .success(let currency) = Currency.named(code) else { return "" }
        return Money(minorUnits: minorUnits, currency: currency).plainText
    }

    /// "1 order", "3 orders"
    public static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    /// "authorized", "partially paid": one of the core's states (or statuses, or tenders) for
    /// reading, the same words on every screen and in the CLI's human output.
    public static func state<State: RawRepresentable>(_ state: State) -> String where State.RawValue == String {
        state.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// "Visa •••• 4242"
    public static func card(brand: CardBrand, last4: String) -> String { "\(brand.displayName) ••••\(last4)" }

    /// "Amex •0005": the card where a column is narrow; the last four digits always show.
    public static func cardShort(brand: CardBrand, last4: String) -> String {
        let name = switch brand {
        case .visa: "Visa"
        case .mastercard: "MC"
        case .amex: "Amex"
        case .discover: "Disc"
        case .diners: "Diners"
        case .jcb: "JCB"
        case .unionpay: "UPay"
        case .maestro: "Maes"
        case .unknown: "Card"
        }
        return "\(name) •\(last4)"
    }

    /// Cuts `text` to `width` columns, ending in "…" when something was cut.
    public static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        if text.displayWidth <= width { return text }
        var out = ""
        var used = 0
        for character in text {
            let columns = character.displayWidth
            if used + columns > width - 1 { break }
            out.append(character)
            used += columns
        }
        return out + "…"
    }

    /// Keeps the end of `text` ("…/shop/till.sqlite"): for paths, whose tail matters.
    public static func fitTail(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        if text.displayWidth <= width { return text }
        var out: [Character] = []
        var used = 0
        for character in text.reversed() {
            let columns = character.displayWidth
            if used + columns > width - 1 { break }
            out.append(character)
            used += columns
        }
        return "…" + String(out.reversed())
    }

    /// `text` in at most `lines` lines of `width` columns, broken between words where it can
    /// be; the last line is cut (with "…") if it must.
    public static func wrap(_ text: String, width: Int, lines: Int) -> [String] {
        guard width > 0, lines > 0 else { return [] }
        var out: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if out.count == lines - 1 || rest.displayWidth <= width {
                out.append(fit(String(rest), width))
                break
            }
            // The longest head that fits, ending before a space when there is one.
            var used = 0
            var end = rest.startIndex
            var lastSpace: Substring.Index?
            while end < rest.endIndex, used + rest[end].displayWidth <= width {
                if rest[end] == " " { lastSpace = end }
                used += rest[end].displayWidth
                end = rest.index(after: end)
            }
            if end < rest.endIndex, rest[end] == " " { lastSpace = end }
            let cut = lastSpace.map { $0 > rest.startIndex ? $0 : end } ?? end
            guard cut > rest.startIndex else { break }
            out.append(String(rest[..<cut]))
            rest = rest[cut...].drop { $0 == " " }
        }
        return out
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let cut = fit(text, width)
        let gap = String(repeating: " ", count: max(0, width - cut.displayWidth))
        return right ? gap + cut : cut + gap
    }
}
