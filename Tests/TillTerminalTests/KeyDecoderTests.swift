import CNCurses
import Testing
import TillTerminal
import TillUI

@Suite struct KeyDecoderTests {
    private func function(_ code: Int32) -> Key? { KeyDecoder.decode(code: UInt32(code), isFunctionKey: true) }
    private func character(_ code: UInt32) -> Key? { KeyDecoder.decode(code: code, isFunctionKey: false) }

    @Test func cursorAndPageKeys() {
        #expect(function(KEY_UP) == .up)
        #expect(function(KEY_DOWN) == .down)
        #expect(function(KEY_LEFT) == .left)
        #expect(function(KEY_RIGHT) == .right)
        #expect(function(KEY_PPAGE) == .pageUp)
        #expect(function(KEY_NPAGE) == .pageDown)
    }

    @Test func homeAndEndInEveryFormTerminalsSend() {
        for code in [KEY_HOME, KEY_FIND, KEY_A1, KEY_BEG] { #expect(function(code) == .home) }
        for code in [KEY_END, KEY_SELECT, KEY_C1] { #expect(function(code) == .end) }
    }

    @Test func functionKeysOneToTwelveOnly() {
        for number in 1...12 { #expect(function(cn_key_f(Int32(number))) == .function(number)) }
        #expect(function(cn_key_f(0)) == nil)
        #expect(function(cn_key_f(13)) == nil)
        #expect(function(KEY_MOUSE) == nil)
    }

    @Test func editingKeysFromKeyCodesAndBytes() {
        #expect(function(KEY_ENTER) == .enter)
        #expect(character(13) == .enter)
        #expect(character(10) == .enter)
        #expect(function(KEY_BACKSPACE) == .backspace)
        #expect(character(127) == .backspace)
        #expect(character(8) == .backspace)
        #expect(function(KEY_DC) == .delete)
        #expect(character(9) == .tab)
        #expect(function(KEY_BTAB) == .backTab)
        #expect(character(27) == .escape)
    }

    @Test func controlLettersArriveLowercasedExceptTheOnesTerminalsShare() {
        #expect(character(3) == .control("c"))
        #expect(character(1) == .control("a"))
        #expect(character(26) == .control("z"))
        #expect(character(19) == .control("s"))
        #expect(character(0) == nil)
        #expect(character(28) == nil)
        #expect(character(0x85) == nil)
    }

    @Test func textIsDecodedFromCodePoints() {
        #expect(character(0x61) == .character("a"))
        #expect(character(0x20) == .character(" "))
        #expect(character(0xEB) == .character("ë"))
        #expect(character(0x6F22) == .character("漢"))
        #expect(character(0x1F600) == .character("😀"))
        #expect(character(0xD800) == nil)
        #expect(character(0x110000) == nil)
    }
}
