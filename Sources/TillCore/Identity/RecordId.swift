/// Till's record ids: a prefix naming the kind ("ord", "opay", "pay") and 16 characters of a
/// lowercase base-32 alphabet without i, l, o and u, so an id read aloud or off a receipt
/// cannot be misread. The core only spells them; where the draws come from is the caller's.
public enum RecordId {
    public static let alphabet: [Character] = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// The alphabet's character for the low five bits of `value`.
    public static func character(_ value: UInt64) -> Character { alphabet[Int(value & 31)] }

    /// `count` characters, one per draw.
    public static func characters(count: Int, draw: () -> UInt64) -> String {
        String((0..<max(0, count)).map { _ in character(draw()) })
    }

    /// `value` in `count` base-32 digits, most significant first (the low digits if it needs more).
    public static func digits(of value: UInt64, count: Int) -> String {
        var remaining = value
        var reversed: [Character] = []
        for _ in 0..<max(0, count) {
            reversed.append(character(remaining))
            remaining >>= 5
        }
        return String(reversed.reversed())
    }

    /// "ord_" + 16 characters, one per draw (80 bits when the draws are random).
    public static func make(_ prefix: String, draw: () -> UInt64) -> String {
        prefix + "_" + characters(count: 16, draw: draw)
    }
}
