import CNCurses

/// Home, End and Shift-Tab as xterm, rxvt and the Linux console send them. terminfo entries
/// often list only one of each terminal's forms (xterm's keypad mode, say), and an unknown
/// sequence would reach the UI as Esc followed by letters.
enum ExtraKeySequences {
    static let sequences: [(String, Int32)] = [
        ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME), ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME),
        ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END), ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END),
        ("\u{1B}[Z", KEY_BTAB),
    ]

    /// Only sequences terminfo left unbound: the terminal's own binding (Find for ESC [1~ in
    /// tmux, say) wins, and KeyDecoder maps it.
    static func define() {
        for (sequence, key) in sequences where key_defined(sequence) == 0 {
            define_key(sequence, key)
        }
    }
}
