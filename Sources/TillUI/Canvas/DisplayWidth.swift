/// How many terminal columns a character takes: 0 for combining marks and controls, 2 for East
/// Asian wide and emoji presentation characters, 1 otherwise. A pure approximation of wcwidth,
/// so layout never asks the C library (whose answer depends on the locale).
extension Character {
    public var displayWidth: Int {
        guard let first = unicodeScalars.first else { return 0 }
        let value = first.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if unicodeScalars.count > 1, unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if first.properties.isEmojiPresentation { return 2 }
        return Self.isWide(value) ? 2 : 1
    }

    /// East Asian Wide and Fullwidth blocks (Unicode 15, the ranges terminals agree on).
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension StringProtocol {
    /// Columns the text takes on a terminal.
    public var displayWidth: Int { reduce(0) { $0 + $1.displayWidth } }
}
