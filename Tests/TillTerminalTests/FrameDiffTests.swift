import Testing
// @testable: the expected positions are made here, which only FrameDiff does otherwise.
@testable import TillTerminal
import TillUI

@Suite struct FrameDiffTests {
    private func buffer(_ rows: [String], width: Int = 6) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: rows.count)
        for (y, row) in rows.enumerated() { buffer.write(row, x: 0, y: y) }
        return buffer
    }

    @Test func theFirstFrameAndANewSizeRedrawEverything() {
        let frame = buffer(["ab", "cd"], width: 3)
        #expect(FrameDiff.needsFullRedraw(from: nil, to: frame))
        #expect(FrameDiff.changes(from: nil, to: frame).count == 6)
        let wider = buffer(["ab", "cd"], width: 4)
        #expect(FrameDiff.needsFullRedraw(from: frame, to: wider))
        #expect(FrameDiff.changes(from: frame, to: wider).count == 8)
        #expect(!FrameDiff.needsFullRedraw(from: frame, to: frame))
    }

    @Test func anUnchangedFrameWritesNothing() {
        let frame = buffer(["Zoë 漢", "total"])
        #expect(FrameDiff.changes(from: frame, to: frame).isEmpty)
    }

    @Test func onlyChangedCellsInReadingOrder() {
        let old = buffer(["abc", "def"])
        let new = buffer(["abX", "Yef"])
        #expect(FrameDiff.changes(from: old, to: new) == [CellPosition(x: 2, y: 0), CellPosition(x: 0, y: 1)])
    }

    @Test func aStyleChangeAloneIsAChange() {
        let old = buffer(["abc"])
        var new = old
        new.paint(Rect(x: 1, y: 0, width: 1, height: 1), style: Style(reverse: true))
        #expect(FrameDiff.changes(from: old, to: new) == [CellPosition(x: 1, y: 0)])
    }

    @Test func touchingEitherHalfOfAWideCharacterRewritesItsLeftHalf() {
        let narrow = buffer(["abcd"])
        let wide = buffer(["a漢d"])
        // b, c become the two halves of 漢: write from its left half.
        #expect(FrameDiff.changes(from: narrow, to: wide) == [CellPosition(x: 1, y: 0), CellPosition(x: 2, y: 0)])
        // Only the right half's cell changes (a broken wide character): still rewrite the left.
        var broken = wide
        broken.set(2, 0, Cell("x"))
        #expect(FrameDiff.changes(from: wide, to: broken) == [CellPosition(x: 1, y: 0), CellPosition(x: 2, y: 0)])
    }
}
