/// The ledger's queries are written once, in SQLite's dialect; this turns one into
/// PostgreSQL's: `?`, `?3` and `:name` arguments become `$n`, and the few functions whose names
/// differ are renamed. Quoted text and identifiers are copied as they are.
struct PostgresDialect {
    /// The query in PostgreSQL's words, and for named arguments the name behind each `$n`.
    struct Translated: Sendable {
        let sql: String
        let names: [String]
    }

    /// SQLite's function names that PostgreSQL spells otherwise.
    /// (SQLite's `quote` is a function of the PostgreSQL schema: `PostgresSchema.triggers`.)
    private static let renamed: [String: String] = ["instr": "strpos", "ifnull": "coalesce"]

    static func translate(_ sql: String) -> Translated {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var names: [String] = []
        var next = 1
        let characters = Array(sql.unicodeScalars)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "'", "\"":
                // Copied to the closing quote (a doubled quote stays inside).
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        if end + 1 < characters.count, characters[end + 1] == character { end += 2; continue }
                        break
                    }
                    end += 1
                }
                out.unicodeScalars.append(contentsOf: characters[index...min(end, characters.count - 1)])
                index = end + 1
            case "?":
                var end = index + 1
                while end < characters.count, characters[end].properties.numericType != nil, characters[end].isASCII { end += 1 }
                if end > index + 1 {
                    out += "$" + String(String.UnicodeScalarView(characters[(index + 1)..<end]))
                } else {
                    out += "$\(next)"
                    next += 1
                }
                index = end
            case ":" where index + 1 < characters.count && isWordStart(characters[index + 1])
                && (index == 0 || characters[index - 1] != ":"):
                var end = index + 1
                while end < characters.count, isWordPart(characters[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(characters[(index + 1)..<end]))
                if let position = names.firstIndex(of: name) {
                    out += "$\(position + 1)"
                } else {
                    names.append(name)
                    out += "$\(names.count)"
                }
                index = end
            default:
                if isWordStart(character), index == 0 || !isWordPart(characters[index - 1]) {
                    var end = index + 1
                    while end < characters.count, isWordPart(characters[end]) { end += 1 }
                    let word = String(String.UnicodeScalarView(characters[index..<end]))
                    if end < characters.count, characters[end] == "(", let other = renamed[word.lowercased()] {
                        out += other
                    } else {
                        out += word
                    }
                    index = end
                } else {
                    out.unicodeScalars.append(character)
                    index += 1
                }
            }
        }
        return Translated(sql: out, names: names)
    }

    private static func isWordStart(_ character: Unicode.Scalar) -> Bool {
        character == "_" || (character.isASCII && character.properties.isAlphabetic)
    }

    private static func isWordPart(_ character: Unicode.Scalar) -> Bool {
        isWordStart(character) || ("0"..."9").contains(character)
    }
}
