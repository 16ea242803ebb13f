import Synchronization

/// The commands of one stream (`till batch`), applied in their order while sharing commits.
///
/// A line may start before the one before it has finished. A request it decides whole inside
/// one write (`TillService.write(decidesAlone: true)`) joins the writer's queue only behind
/// the earlier line's: it runs after it, in the same group or a later one, and sees everything
/// it wrote. Any other touch of the ledger (a read, a write that is one step of several) first
/// waits until the earlier line has finished. So the answers are those of the lines run one
/// after another, and many of them share one commit.
public struct LineTurn: Sendable {
    /// The turn of the line this task runs; nil outside a stream (every command on its own).
    @TaskLocal public static var current: LineTurn?

    public let previous: LineProgress?
    public let own: LineProgress

    public init(previous: LineProgress?, own: LineProgress) {
        self.previous = previous
        self.own = own
    }

    /// Waits, in a stream, until the lines before this one are done: what this line reads or
    /// writes next comes after all they did.
    static func untilEarlierLinesFinished() async {
        await current?.previous?.untilFinished()
    }

    /// Waits, in a stream, until this line's write that decides alone may queue on `writer`:
    /// once the line before has queued its own on that same writer (the writer keeps their
    /// order), else once that line is done. The progress to report when the write is queued.
    static func untilEarlierLinesQueued(on writer: ObjectIdentifier) async -> LineProgress? {
        guard let turn = current else { return nil }
        await turn.previous?.untilQueued(on: writer)
        return turn.own
    }

    /// The line is done: once the lines before it are too, so that "done" always means this
    /// line and every one before it (a line answered at once must not let the next overtake
    /// a write still queued above it).
    public func finish() async {
        await previous?.untilFinished()
        own.markFinished()
    }
}

/// How far one line has got: its deciding write queued, or everything done.
public final class LineProgress: Sendable {
    private enum Stage: Int, Comparable {
        case running, queued, finished
        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    private struct State {
        var stage = Stage.running
        /// The writer the line's deciding write queued on.
        var writer: ObjectIdentifier?
        var waiting: [(stage: Stage, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Returns once the line's deciding write is in a writer's queue, or the line is done.
    public func untilQueued() async { await until(.queued) }

    /// Returns once the line's deciding write is in `writer`'s queue, or the line is done: a
    /// write queued on another writer (a line that opened the ledger on its own) keeps no
    /// order with this one's.
    func untilQueued(on writer: ObjectIdentifier) async {
        await until(.queued)
        guard state.withLock({ $0.stage == .queued && $0.writer != writer }) else { return }
        await until(.finished)
    }

    /// Returns once the line is done.
    public func untilFinished() async { await until(.finished) }

    /// The line's deciding write is in `writer`'s queue: a later line's may follow it there.
    func markQueued(on writer: ObjectIdentifier) {
        state.withLock { $0.writer = writer }
        advance(to: .queued)
    }

    /// The line and every line before it are done (`LineTurn.finish`); it touches the ledger
    /// no more.
    func markFinished() { advance(to: .finished) }

    private func until(_ stage: Stage) async {
        guard state.withLock({ $0.stage < stage }) else { return }
        await withCheckedContinuation { continuation in
            let reached = state.withLock { state in
                guard state.stage < stage else { return true }
                state.waiting.append((stage, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    private func advance(to stage: Stage) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.stage < stage else { return [] }
            state.stage = stage
            let ready = state.waiting.filter { $0.stage <= stage }.map(\.continuation)
            state.waiting.removeAll { $0.stage <= stage }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }
}
