/// An ISO 4217 currency: its alphabetic code and how many decimal places its minor unit has.
/// Only codes in `Currency.known` exist; anything else is `unknown_currency`.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    /// Digits after the decimal point: 0 for JPY (1 yen is the minor unit), 2 for USD, 3 for KWD.
    public let exponent: Int
    /// What is written before an amount, e.g. "$"; nil means the code is written instead.
    public let symbol: String?

    private init(_ code: String, _ exponent: Int, _ symbol: String? = nil) {
        self.code = code
        self.exponent = exponent
        self.symbol = symbol
    }

    public var description: String { code }

    /// Looks a code up, case-insensitively and ignoring surrounding blanks ("usd" is USD).
    public static func named(_ text: String) -> Result<Currency, Rejection> {
        let trimmed = text.trimmingBlanks()
        // ASCII letters only, so no Unicode case mapping can turn "uſd" into "USD".
        guard trimmed.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) }),
              let currency = byCode[trimmed.uppercased()]
        else {
            return .failure(Rejection(.unknownCurrency, "Unknown currency \"\(text.prefix(16))\"."))
        }
        return .success(currency)
    }

    public static let usd = Currency("USD", 2, "$")
    public static let eur = Currency("EUR", 2, "€")
    public static let gbp = Currency("GBP", 2, "£")
    public static let jpy = Currency("JPY", 0, "¥")
    public static let kwd = Currency("KWD", 3)

    /// Every currency with exponent 0 or 3 in ISO 4217, the exponent-4 units, and the
    /// exponent-2 currencies in circulation. Symbols only where they are unambiguous.
    public static let known: [Currency] = exponentZero + exponentThree + exponentFour + exponentTwo

    private static let exponentZero: [Currency] = [
        Currency("BIF", 0), Currency("CLP", 0), Currency("DJF", 0), Currency("GNF", 0),
        Currency("ISK", 0), jpy, Currency("KMF", 0), Currency("KRW", 0, "₩"),
        Currency("PYG", 0), Currency("RWF", 0), Currency("UGX", 0), Currency("UYI", 0),
        Currency("VND", 0, "₫"), Currency("VUV", 0), Currency("XAF", 0), Currency("XOF", 0),
        Currency("XPF", 0),
    ]
    private static let exponentThree: [Currency] = [
        Currency("BHD", 3), Currency("IQD", 3), Currency("JOD", 3), kwd,
        Currency("LYD", 3), Currency("OMR", 3), Currency("TND", 3),
    ]
    private static let exponentFour: [Currency] = [Currency("CLF", 4), Currency("UYW", 4)]
    private static let exponentTwo: [Currency] = [
        usd, eur, gbp, Currency("AED", 2), Currency("ARS", 2), Currency("AUD", 2),
        Currency("BDT", 2), Currency("BGN", 2), Currency("BRL", 2), Currency("CAD", 2),
        Currency("CHF", 2), Currency("CNY", 2), Currency("COP", 2), Currency("CZK", 2),
        Currency("DKK", 2), Currency("EGP", 2), Currency("GHS", 2), Currency("HKD", 2),
        Currency("HUF", 2), Currency("IDR", 2), Currency("ILS", 2, "₪"), Currency("INR", 2, "₹"),
        Currency("KES", 2), Currency("KZT", 2), Currency("LKR", 2), Currency("MAD", 2),
        Currency("MXN", 2), Currency("MYR", 2), Currency("NGN", 2, "₦"), Currency("NOK", 2),
        Currency("NZD", 2), Currency("PEN", 2), Currency("PHP", 2, "₱"), Currency("PKR", 2),
        Currency("PLN", 2), Currency("QAR", 2), Currency("RON", 2), Currency("RSD", 2),
        Currency("SAR", 2), Currency("SEK", 2), Currency("SGD", 2), Currency("THB", 2, "฿"),
        Currency("TRY", 2, "₺"), Currency("TWD", 2), Currency("UAH", 2, "₴"), Currency("UYU", 2),
        Currency("ZAR", 2),
    ] + plain(exponent: 2, """
        ALL AMD AOA AWG AZN BAM BBD BMD BND BOB BSD BTN BWP BYN BZD CDF CRC CUP
        DOP DZD ERN ETB FJD GEL GIP GMD GTQ GYD HNL HTG IRR JMD KGS KHR KYD LAK
        LBP LRD LSL MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MZN NAD NIO NPR PAB
        PGK RUB SBD SCR SDG SHP SLE SOS SRD SSP STN SYP SZL TJS TMT TOP TTD TZS
        UZS VES WST XCD YER ZMW
        """)

    /// Codes written in one list, a blank between two: currencies with no symbol of their own.
    private static func plain(exponent: Int, _ codes: String) -> [Currency] {
        codes.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Currency(String($0), exponent) }
    }

    private static let byCode: [String: Currency] = Dictionary(
        known.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
}
