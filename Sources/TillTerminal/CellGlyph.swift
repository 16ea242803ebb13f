/// The code points `setcchar` takes for one cell: a spacing character, then the combining marks
/// that belong to it (curses keeps at most 5 in all), then a terminating zero.
enum CellGlyph {
    static let maximumCodePoints = 5

    /// Controls and empty text become a space: curses would draw a control as "^X", two columns
    /// wide, and shift the rest of the row.
    static func codePoints(of text: String) -> [UInt32] {
        guard let first = text.unicodeScalars.first, isPrintable(first) else { return [0x20, 0] }
        var points = text.unicodeScalars.prefix(maximumCodePoints).map(\.value)
        if let firstControl = points.dropFirst().firstIndex(where: { !isPrintable(Unicode.Scalar($0) ?? " ") }) {
            points.removeSubrange(firstControl...)
        }
        return points + [0]
    }

    /// Just the first code point: the fallback when curses refuses a cluster (an emoji joined
    /// with ZWJ, say, whose later parts are not zero-width).
    static func firstCodePoint(of text: String) -> [UInt32] {
        Array(codePoints(of: text).prefix(1)) + [0]
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value >= 0x20 && !(0x7F..<0xA0).contains(value)
    }
}
