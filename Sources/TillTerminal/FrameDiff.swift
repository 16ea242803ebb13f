public import TillUI

/// A cell on screen, column then row. Only `FrameDiff` makes them.
public struct CellPosition: Sendable, Hashable {
    public let x: Int
    public let y: Int
}

/// Which cells a frame must write given the frame on screen. Pure, so the terminal only moves
/// bytes and the tests check the choice.
public enum FrameDiff {
    /// True when nothing on screen can be trusted: the first frame or a new size.
    public static func needsFullRedraw(from previous: CellBuffer?, to next: CellBuffer) -> Bool {
        guard let previous else { return true }
        return previous.width != next.width || previous.height != next.height
    }

    /// The cells of `next` to write, row by row, left to right. Everything on a full redraw.
    /// A change touching either half of a wide character also rewrites the cell to its left,
    /// because curses draws (and erases) both halves from the left one.
    public static func changes(from previous: CellBuffer?, to next: CellBuffer) -> [CellPosition] {
        var positions: [CellPosition] = []
        guard let previous, !needsFullRedraw(from: previous, to: next) else {
            for y in 0..<next.height {
                for x in 0..<next.width { positions.append(CellPosition(x: x, y: y)) }
            }
            return positions
        }
        var changedInRow = Array(repeating: false, count: next.width)
        for y in 0..<next.height {
            for x in 0..<next.width { changedInRow[x] = false }
            var rowChanged = false
            for x in 0..<next.width {
                let old = previous[x, y]
                let new = next[x, y]
                guard old != new else { continue }
                changedInRow[x] = true
                rowChanged = true
                if x > 0, old.isContinuation || new.isContinuation { changedInRow[x - 1] = true }
            }
            guard rowChanged else { continue }
            for x in 0..<next.width where changedInRow[x] { positions.append(CellPosition(x: x, y: y)) }
        }
        return positions
    }
}
