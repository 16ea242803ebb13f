/// A key as the UI understands it, decoded by the backend from whatever the terminal sent.
public enum Key: Sendable, Hashable {
    /// Printable text, one grapheme (UTF-8 decoded by the backend).
    case character(Character)
    /// Ctrl plus a letter, lowercased: Ctrl-C is `.control("c")`.
    case control(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// F1 to F12.
    case function(Int)
}

/// What reaches the UI from outside: keys, a new terminal size, the clock ticking.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    case resize(width: Int, height: Int)
}
