import CNCurses
import Testing
@testable import TillTerminal
import TillUI

@Suite struct StyleMappingTests {
    @Test func attributesCarryEverythingButColour() {
        #expect(CellAttributes(.plain).isEmpty)
        let style = Style(foreground: .red, background: .blue, bold: true, dim: true, reverse: true, underline: true)
        #expect(CellAttributes(style) == [.bold, .dim, .reverse, .underline])
        #expect(CellAttributes(Style(reverse: true)) == .reverse)
    }

    @Test func attributesBecomeTheCursesBits() {
        #expect(CellAttributes().curses == cn_a_normal())
        #expect(CellAttributes.bold.curses == cn_a_bold())
        #expect(CellAttributes.dim.curses == cn_a_dim())
        #expect(CellAttributes.reverse.curses == cn_a_reverse())
        #expect(CellAttributes.underline.curses == cn_a_underline())
        #expect(CellAttributes([.bold, .underline]).curses == cn_a_bold() | cn_a_underline())
        // Colour never leaks into the attribute bits: it travels as the pair number.
        #expect(CellAttributes([.bold, .dim, .reverse, .underline]).curses & cn_color_pair(255) == 0)
    }

    @Test func colourPairsAreHandedOutLazilyAndReused() {
        var pairs = ColorPairs(capacity: 64)
        #expect(pairs.number(for: ColorPairKey(.plain)) == (0, false))
        let error = ColorPairKey(foreground: .red, background: nil)
        let selected = ColorPairKey(foreground: .black, background: .cyan)
        #expect(pairs.number(for: error) == (1, true))
        #expect(pairs.number(for: selected) == (2, true))
        #expect(pairs.number(for: error) == (1, false))
    }

    @Test func runningOutOfPairsFallsBackToTheDefaults() {
        var pairs = ColorPairs(capacity: 2)
        #expect(pairs.number(for: ColorPairKey(foreground: .red, background: nil)) == (1, true))
        #expect(pairs.number(for: ColorPairKey(foreground: .green, background: nil)) == (0, false))
    }

    @Test func colourOnlyWhenAskedTheTerminalHasItAndNoColorIsUnsetOrEmpty() {
        #expect(ColorMode.automatic.usesColor(environment: [:], terminalHasColors: true))
        #expect(ColorMode.automatic.usesColor(environment: ["NO_COLOR": ""], terminalHasColors: true))
        #expect(!ColorMode.automatic.usesColor(environment: ["NO_COLOR": "1"], terminalHasColors: true))
        #expect(!ColorMode.automatic.usesColor(environment: [:], terminalHasColors: false))
        #expect(!ColorMode.monochrome.usesColor(environment: [:], terminalHasColors: true))
    }

    @Test func glyphsKeepCombiningMarksAndNeverDrawControls() {
        #expect(CellGlyph.codePoints(of: "ë") == [0xEB, 0])
        #expect(CellGlyph.codePoints(of: "e\u{301}") == [0x65, 0x301, 0])
        #expect(CellGlyph.codePoints(of: "漢") == [0x6F22, 0])
        #expect(CellGlyph.codePoints(of: "") == [0x20, 0])
        #expect(CellGlyph.codePoints(of: "\t") == [0x20, 0])
        #expect(CellGlyph.codePoints(of: "a\u{301}\u{302}\u{303}\u{304}\u{305}").count == CellGlyph.maximumCodePoints + 1)
        #expect(CellGlyph.firstCodePoint(of: "e\u{301}") == [0x65, 0])
    }
}
