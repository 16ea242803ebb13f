/// Small charts: vertical bars for a series, and a horizontal paid-vs-due bar.
extension CellBuffer {
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Vertical bars for `values` filling `rect` (labels under each bar, if given, take the
    /// last row). The last bar is highlighted: it is today.
    public mutating func barChart(_ values: [Int64], labels: [String], in rect: Rect) {
        guard !values.isEmpty, rect.width >= values.count, rect.height >= 2 else { return }
        let hasLabels = !labels.isEmpty
        let rows = rect.height - (hasLabels ? 1 : 0)
        let slot = rect.width / values.count
        // A gap between bars whenever there is room for one.
        let barWidth = max(1, slot >= 2 ? slot - 1 : slot)
        // Labels need two columns and a gap: with narrow slots only every other day is named.
        let labelEvery = slot >= 3 ? 1 : 2
        let top = max(values.max() ?? 0, 1)
        for (index, value) in values.enumerated() {
            // Height in eighths of a row, rounded up so any sale shows at least a sliver.
            let clamped = max(0, value)
            // Integer arithmetic (Int128: no overflow even for Int64.max takings), rounded up.
            let scaled = (Int128(clamped) * Int128(rows * 8) + Int128(top) - 1) / Int128(top)
            let eighthsTall = Int(scaled)
            let style = index == values.count - 1 ? Theme.chartToday : Theme.chart
            let x = rect.x + index * slot
            for row in 0..<rows {
                let filled = min(8, max(0, eighthsTall - row * 8))
                guard filled > 0 else { break }
                for column in 0..<barWidth {
                    set(x + column, rect.maxY - 1 - (hasLabels ? 1 : 0) - row, Cell(String(Self.eighths[filled]), style: style))
                }
            }
            if hasLabels, index < labels.count, (values.count - 1 - index) % labelEvery == 0 {
                write(labels[index], x: x, y: rect.maxY - 1, style: Theme.dim, limit: slot * labelEvery)
            }
        }
    }

    /// "██████▒▒░░░░" showing `part` of `whole` in `width` columns, then `pending` (what
    /// requests still in flight would add) in the warning colour.
    public mutating func ratioBar(part: Int64, pending: Int64 = 0, whole: Int64, x: Int, y: Int, width: Int) {
        guard width > 0 else { return }
        let columns = { (value: Int64) in
            whole <= 0 ? 0 : Int(max(0, min(Int128(width), Int128(value) * Int128(width) / Int128(whole))))
        }
        let filled = columns(part)
        let (sum, overflow) = part.addingReportingOverflow(max(0, pending))
        let covered = max(filled, overflow ? width : columns(sum))
        write(String(repeating: "█", count: filled), x: x, y: y, style: Theme.success)
        write(String(repeating: "▒", count: covered - filled), x: x + filled, y: y, style: Theme.warning)
        write(String(repeating: "░", count: width - covered), x: x + covered, y: y, style: Theme.dim)
    }
}
