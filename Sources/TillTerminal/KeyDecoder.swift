import CNCurses
public import TillUI

/// Turns what `wget_wch` returned into a `Key`. Pure, so every mapping is unit-tested; the
/// terminal only adds what needs the screen (resize, combining marks that follow a letter).
public enum KeyDecoder {
    /// `code` is the `wint_t` from `wget_wch`; `isFunctionKey` is true when it returned
    /// `KEY_CODE_YES` (a curses key code) rather than `OK` (a character). Returns nil for codes
    /// the UI has no key for (mouse, F13 and up, stray controls).
    public static func decode(code: UInt32, isFunctionKey: Bool) -> Key? {
        isFunctionKey ? functionKey(Int32(bitPattern: code)) : character(code)
    }

    private static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        // tmux and xterm's VT220 mode send Home/End as the Find/Select keys; A1/C1 are the
        // keypad's corners with Num Lock off.
        case KEY_HOME, KEY_FIND, KEY_A1, KEY_BEG: return .home
        case KEY_END, KEY_SELECT, KEY_C1: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case cn_key_f(1)...cn_key_f(12): return .function(Int(code - cn_key_f(0)))
        default: return nil
        }
    }

    private static func character(_ code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        // Raw mode delivers Ctrl-letters as 1...26; the ones above (Tab, Enter, Ctrl-H) are
        // taken first because terminals cannot tell them apart.
        case 1...26: return Unicode.Scalar(code + 0x60).map { .control(Character($0)) }
        case 0..<0x20, 0x80..<0xA0: return nil
        default: return Unicode.Scalar(code).map { .character(Character($0)) }
        }
    }
}
