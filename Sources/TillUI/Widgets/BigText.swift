/// Large three-row digits, for the one number an operator must not misread: change due.
enum BigText {
    private static let glyphs: [Character: [String]] = [
        "0": ["┏━┓", "┃ ┃", "┗━┛"], "1": [" ┓ ", " ┃ ", " ┻ "], "2": ["┏━┓", "┏━┛", "┗━━"],
        "3": ["┏━┓", " ━┫", "┗━┛"], "4": ["╻ ╻", "┗━┫", "  ╹"], "5": ["┏━━", "┗━┓", "┗━┛"],
        "6": ["┏━┓", "┣━┓", "┗━┛"], "7": ["━━┓", "  ┃", "  ╹"], "8": ["┏━┓", "┣━┫", "┗━┛"],
        "9": ["┏━┓", "┗━┫", "┗━┛"], ".": ["  ", "  ", "▪ "], ",": ["  ", "  ", "▖ "], "-": ["   ", "━━━", "   "],
    ]

    /// The three rows for `text`; characters without a glyph (currency symbols, letters) are
    /// drawn small on the bottom row.
    static func rows(_ text: String) -> [String] {
        var rows = ["", "", ""]
        for character in text {
            if let glyph = glyphs[character] {
                let gap = character == "." || character == "," ? "" : " "
                for index in 0..<3 { rows[index] += glyph[index] + gap }
            } else {
                let pad = String(repeating: " ", count: character.displayWidth)
                rows[0] += pad
                rows[1] += String(character)
                rows[2] += pad
            }
        }
        return rows
    }

    static func width(_ text: String) -> Int { rows(text)[1].displayWidth }
}
