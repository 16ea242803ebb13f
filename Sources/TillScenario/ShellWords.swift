/// Splits a line into arguments the way a shell would (see the format in `ScenarioParser.swift`):
/// blanks separate, quotes group, backslashes escape, `$NAME` / `${NAME}` become variables.
enum ShellWords {
    struct SplitError: Error {
        let message: String
    }

    static func split(_ line: String) throws(SplitError) -> [ScenarioWord] {
        let characters = Array(line)
        var words: [ScenarioWord] = []
        var pieces: [ScenarioWord.Piece] = []
        var literal = ""
        var inWord = false
        var index = 0

        func flushLiteral() {
            if !literal.isEmpty {
                pieces.append(.literal(literal))
                literal = ""
            }
        }

        /// Reads `$NAME` or `${NAME}` at `index` (which holds `$`); a lone `$` is text.
        func readVariable() throws(SplitError) {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if next == "{" {
                guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                    throw SplitError(message: "`${` is not closed by `}`")
                }
                let name = String(characters[(index + 2)..<close])
                guard ScenarioParser.isName(Substring(name)) else {
                    throw SplitError(message: "`${\(name)}` is not a variable name (letters, digits and `_`, not starting with a digit)")
                }
                flushLiteral()
                pieces.append(.variable(name))
                index = close + 1
            } else if let next, next == "_" || (next.isASCII && next.isLetter) {
                var end = index + 1
                while end < characters.count, characters[end] == "_" || (characters[end].isASCII && (characters[end].isLetter || characters[end].isNumber)) {
                    end += 1
                }
                flushLiteral()
                pieces.append(.variable(String(characters[(index + 1)..<end])))
                index = end
            } else {
                literal.append("$")
                index += 1
            }
        }

        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" {
                if inWord {
                    flushLiteral()
                    words.append(ScenarioWord(pieces))
                    pieces = []
                    inWord = false
                }
                index += 1
                continue
            }
            inWord = true
            switch character {
            case "'":
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else {
                    throw SplitError(message: "a single quote (') is not closed")
                }
                literal += String(characters[(index + 1)..<close])
                index = close + 1
            case "\"":
                index += 1
                var closed = false
                while index < characters.count {
                    let inner = characters[index]
                    if inner == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    if inner == "\\", index + 1 < characters.count, "\"\\$`".contains(characters[index + 1]) {
                        literal.append(characters[index + 1])
                        index += 2
                    } else if inner == "$" {
                        try readVariable()
                    } else {
                        literal.append(inner)
                        index += 1
                    }
                }
                guard closed else { throw SplitError(message: "a double quote (\") is not closed") }
            case "\\":
                guard index + 1 < characters.count else {
                    throw SplitError(message: "a backslash at the end of the line escapes nothing")
                }
                literal.append(characters[index + 1])
                index += 2
            case "$":
                try readVariable()
            default:
                literal.append(character)
                index += 1
            }
        }
        if inWord {
            flushLiteral()
            words.append(ScenarioWord(pieces))
        }
        return words
    }

    /// An argument as a person would retype it in a shell: bare when safe, else single-quoted.
    /// The mask of a card option (`••••4242`, `CardMask`) is bare too.
    static func quote(_ argument: String) -> String {
        let safe = argument.allSatisfy { character in
            character == "•" || character.isASCII && (character.isLetter || character.isNumber || "@%+=:,./_-".contains(character))
        }
        if safe, !argument.isEmpty { return argument }
        return "'" + argument.replacingAll("'", with: "'\\''") + "'"
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
