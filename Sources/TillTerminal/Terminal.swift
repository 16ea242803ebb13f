import CNCurses
public import TillUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The ncurses backend: draws a `CellBuffer`, reads keys and resizes, and gives the terminal
/// back on close or on a fatal signal. It decides nothing: the UI renders, this only flushes.
/// Not Sendable: curses is single-threaded, so open, draw and read from one dedicated thread.
public final class Terminal {
    public let usesColor: Bool
    private var screen: OpaquePointer?
    private let window: UnsafeMutablePointer<WINDOW>
    private let installedSignals: [Int32]
    private let hasDefaultColors: Bool
    private var colorPairs: ColorPairs
    /// What is on screen now, and at which screen size it was drawn.
    private var drawn: CellBuffer?
    private var drawnSize: (width: Int, height: Int) = (0, 0)
    private var lastKnownSize: (width: Int, height: Int) = (0, 0)

    private init(
        screen: OpaquePointer, window: UnsafeMutablePointer<WINDOW>, installedSignals: [Int32],
        usesColor: Bool, hasDefaultColors: Bool
    ) {
        self.screen = screen
        self.window = window
        self.installedSignals = installedSignals
        self.usesColor = usesColor
        self.hasDefaultColors = hasDefaultColors
        colorPairs = ColorPairs(capacity: usesColor ? Int(cn_color_pairs()) : 1)
    }

    deinit { close() }

    /// Takes over the terminal: raw keys (Ctrl-C arrives as a key), no echo, no cursor, the
    /// alternate screen. `environment` decides colour (NO_COLOR) and names TERM in errors.
    public static func open(color: ColorMode = .automatic, environment: [String: String]) throws(TerminalError) -> Terminal {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        guard cursesIsActive.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        else { throw .alreadyOpen }
        useUTF8Locale()
        // Before newterm: curses installs its own SIGINT/SIGTERM handlers (which exit with
        // status 1) only where the action is still the default.
        let installedSignals = TerminalSignals.install()
        guard let screen = cn_newterm_stdio(), let window = cn_stdscr() else {
            TerminalSignals.restore(installedSignals)
            cursesIsActive.store(false, ordering: .sequentiallyConsistent)
            throw .unknownTerminalType(environment["TERM", default: ""])
        }
        raw()
        noecho()
        keypad(window, true)
        leaveok(window, true)
        curs_set(0)
        // Esc is a key of its own here (back): wait 25 ms, not a second, for a sequence's rest.
        cn_set_escdelay(25)
        ExtraKeySequences.define()

        let usesColor = color.usesColor(environment: environment, terminalHasColors: has_colors())
        var hasDefaultColors = false
        if usesColor {
            start_color()
            hasDefaultColors = use_default_colors() == OK
        }
        return Terminal(
            screen: screen, window: window, installedSignals: installedSignals,
            usesColor: usesColor, hasDefaultColors: hasDefaultColors)
    }

    /// The screen in cells. After close, the last size seen.
    public var size: (width: Int, height: Int) {
        guard screen != nil else { return lastKnownSize }
        var height: Int32 = 0
        var width: Int32 = 0
        cn_getmaxyx(window, &height, &width)
        lastKnownSize = (Int(width), Int(height))
        return lastKnownSize
    }

    /// Writes the cells that changed since the last frame, then refreshes once. The first frame
    /// and any new size clear and write everything; a normal frame never clears (no flicker).
    /// A buffer larger than the screen is clipped.
    public func draw(_ buffer: CellBuffer) {
        guard screen != nil else { return }
        let screenSize = size
        var previous = drawn
        if screenSize != drawnSize { previous = nil }
        if FrameDiff.needsFullRedraw(from: previous, to: buffer) { wclear(window) }
        for position in FrameDiff.changes(from: previous, to: buffer)
        where position.x < screenSize.width && position.y < screenSize.height {
            put(buffer, at: position, screenWidth: screenSize.width)
        }
        wrefresh(window)
        drawn = buffer
        drawnSize = screenSize
    }

    /// The next key or resize, waiting up to `timeoutMilliseconds` (negative: forever). Nil on
    /// timeout or for input the UI has no key for.
    public func nextInput(timeoutMilliseconds: Int) -> TerminalInput? {
        guard screen != nil else { return nil }
        wtimeout(window, Int32(clamping: timeoutMilliseconds))
        var code: wint_t = 0
        switch wget_wch(window, &code) {
        case cn_key_code_yes():
            if Int32(bitPattern: code) == KEY_RESIZE {
                // curses has already resized stdscr and LINES/COLS; the next draw redraws all.
                lastKnownSize = (Int(cn_cols()), Int(cn_lines()))
                return .resize(width: lastKnownSize.width, height: lastKnownSize.height)
            }
            return KeyDecoder.decode(code: code, isFunctionKey: true).map { .key($0) }
        case OK:
            guard let key = KeyDecoder.decode(code: code, isFunctionKey: false) else { return nil }
            if case .character(let character) = key { return .key(.character(withCombiningMarks(character))) }
            return .key(key)
        default:
            return nil
        }
    }

    /// Gives the terminal back: the shell's modes, the cursor, the normal screen, the signal
    /// actions from before. Safe to call twice.
    public func close() {
        guard let screen else { return }
        _ = size
        TerminalSignals.restore(installedSignals)
        if cursesIsActive.exchange(false, ordering: .sequentiallyConsistent) { endwin() }
        delscreen(screen)
        self.screen = nil
        drawn = nil
    }

    // MARK: Drawing

    private func put(_ buffer: CellBuffer, at position: CellPosition, screenWidth: Int) {
        let cell = buffer[position.x, position.y]
        if cell.isContinuation { return }
        // A wide character cut by the screen's right edge would wrap: draw a space instead.
        let isCutWide = buffer[position.x + 1, position.y].isContinuation && position.x + 1 >= screenWidth
        let text = isCutWide ? " " : cell.text
        let attributes = CellAttributes(cell.style).curses
        let pair = usesColor ? colorPair(for: ColorPairKey(cell.style)) : 0
        var character = cchar_t()
        let made =
            setCharacter(&character, CellGlyph.codePoints(of: text), attributes, pair)
            || setCharacter(&character, CellGlyph.firstCodePoint(of: text), attributes, pair)
            || setCharacter(&character, [0x20, 0], attributes, pair)
        guard made else { return }
        // ERR at the bottom-right corner is expected: the cell is written, the cursor cannot
        // advance past it.
        _ = mvwadd_wch(window, Int32(position.y), Int32(position.x), &character)
    }

    private func setCharacter(_ character: inout cchar_t, _ codePoints: [UInt32], _ attributes: attr_t, _ pair: Int16) -> Bool {
        let wide = codePoints.map { wchar_t(bitPattern: $0) }
        return setcchar(&character, wide, attributes, pair, nil) == OK
    }

    private func colorPair(for key: ColorPairKey) -> Int16 {
        let (pair, isNew) = colorPairs.number(for: key)
        if isNew { init_pair(pair, cursesColor(key.foreground, default: COLOR_WHITE), cursesColor(key.background, default: COLOR_BLACK)) }
        return pair
    }

    /// Color's raw values follow curses' COLOR_BLACK...COLOR_WHITE. `nil` is the terminal's
    /// own colour (-1) when it supports default colours, else the classic white on black.
    private func cursesColor(_ color: Color?, default fallback: Int32) -> Int16 {
        if let color { return Int16(color.rawValue) }
        return hasDefaultColors ? -1 : Int16(fallback)
    }

    // MARK: Input

    /// Typed text can arrive decomposed (e then U+0301): gather the marks that join the
    /// character, and push back whatever does not.
    private func withCombiningMarks(_ character: Character) -> Character {
        var text = String(character)
        wtimeout(window, 0)
        while true {
            var code: wint_t = 0
            let status = wget_wch(window, &code)
            if status == OK, let scalar = Unicode.Scalar(code), scalar.value >= 0x20 {
                var joined = text
                joined.unicodeScalars.append(scalar)
                if joined.count == 1 {
                    text = joined
                    continue
                }
                unget_wch(wchar_t(bitPattern: code))
            } else if status == OK {
                unget_wch(wchar_t(bitPattern: code))
            } else if status == cn_key_code_yes() {
                ungetch(Int32(bitPattern: code))
            }
            break
        }
        return text.first ?? character
    }

    /// Ensures UTF-8: with the C locale (no LANG in a service or a bare tmux) ncursesw prints
    /// every non-ASCII character as an escape.
    private static func useUTF8Locale() {
        setlocale(LC_ALL, "")
        if cn_locale_is_utf8() == 0 { setlocale(LC_CTYPE, "C.UTF-8") }
    }
}
