import Testing
import TillUI

@Suite struct CellBufferTests {
    @Test func wideCharactersTakeTwoCellsAndClipWhole() {
        var buffer = CellBuffer(width: 6, height: 1)
        let used = buffer.write("a漢b", x: 0, y: 0)
        #expect(used == 4)
        #expect(buffer[1, 0].text == "漢")
        #expect(buffer[2, 0].isContinuation)
        #expect(buffer.text == "a漢b")
        var narrow = CellBuffer(width: 2, height: 1)
        narrow.write("a漢", x: 0, y: 0)
        #expect(narrow.text == "a")
    }

    @Test func combiningMarksStayWithTheirLetterAndWritesOutsideAreClipped() {
        var buffer = CellBuffer(width: 5, height: 2)
        buffer.write("Zoë", x: 0, y: 0)
        buffer.write("cafe\u{301}", x: 3, y: 1)
        buffer.write("x", x: -1, y: 9)
        #expect(buffer.text == "Zoë\n   ca")
        #expect("cafe\u{301}".displayWidth == 4)
    }
}
