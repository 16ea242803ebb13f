/// Card options in a command line that a report prints: a scenario's failure must not show a
/// full card number or a security code (PCI DSS 3.3, 3.4). `--card` keeps its last four
/// digits, as a receipt does (`--card ••••4242`); `--cvv` keeps nothing (`--cvv •••`).
/// `--expiry` is shown: alone it identifies no card, and a `card_expired` report needs it.
enum CardMask {
    /// The arguments with every card number and security code masked, in both spellings
    /// (`--card PAN` and `--card=PAN`), and any other run of 12 or more digits (`scrubbed`).
    static func masked(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var maskNext: String?
        for argument in arguments {
            if let option = maskNext {
                out.append(mask(argument, for: option))
                maskNext = nil
            } else if masks.contains(argument) {
                out.append(argument)
                maskNext = argument
            } else if let equals = argument.firstIndex(of: "="), masks.contains(String(argument[..<equals])) {
                let option = String(argument[..<equals])
                out.append(option + "=" + mask(String(argument[argument.index(after: equals)...]), for: option))
            } else {
                // A card number after a mistyped option (`--crad 4242…`) is masked too.
                out.append(scrubbed(argument))
            }
        }
        return out
    }

    /// `till ARGUMENTS...` masked and quoted as a person would retype it.
    static func shown(_ arguments: [String]) -> String {
        (["till"] + masked(arguments)).map(ShellWords.quote).joined(separator: " ")
    }

    /// Free text (a line a parse error quotes) with every run of 12 or more digits, spaces and
    /// dashes between them allowed, masked as `--card` is: whatever option it follows, or none,
    /// a card number in a malformed line is not shown either.
    static func scrubbed(_ text: String) -> String {
        var out = "", run = ""
        func flush() {
            let digits = run.filter(\.isASCIIDigit)
            out += digits.count >= 12 ? "••••" + String(digits.suffix(4)) + String(run.reversed().prefix { !$0.isASCIIDigit }.reversed()) : run
            run = ""
        }
        for character in text {
            if character.isASCIIDigit || (!run.isEmpty && (character == " " || character == "-")) {
                run.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }

    private static let masks: Set<String> = ["--card", "--cvv"]

    private static func mask(_ value: String, for option: String) -> String {
        guard option == "--card" else { return "•••" }
        return "••••" + String(value.filter(\.isASCIIDigit).suffix(4))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
