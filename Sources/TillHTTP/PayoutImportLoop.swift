public import Logging
public import ServiceLifecycle
import Synchronization
import TillCore
public import TillProcessor
public import TillService

/// `till serve`'s payout importer (DESIGN §4, §6): one cycle at start, one every `poll` (a lost
/// notification is found by then), and one soon after a notification. Notifications only wake
/// it: any number that arrive during a cycle coalesce into one more cycle, and cycles never
/// overlap in one process.
public final class PayoutImportLoop: Service, Sendable {
    let service: TillService
    let source: any PayoutSource
    let poll: Duration
    let logger: Logger
    private let wakes: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation
    private let finished = Atomic<Int>(0)

    public init(service: TillService, source: any PayoutSource, poll: Duration = .seconds(10), logger: Logger) {
        self.service = service
        self.source = source
        self.poll = poll
        self.logger = logger
        // Holding at most one wake is the coalescing: a wake while one waits adds nothing.
        (wakes, waker) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    static let minimumGap = Duration.milliseconds(100)

    /// Asks for a cycle soon; never waits.
    public func wake() { waker.yield() }

    /// Cycles completed so far (for tests and `/metrics`).
    public var cyclesFinished: Int { finished.load(ordering: .relaxed) }

    public func run() async {
        wake()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.poll)
                        self.wake()
                    }
                }
                group.addTask {
                    for await _ in self.wakes {
                        guard !Task.isCancelled else { return }
                        await self.cycle()
                        // However fast notifications come (anyone may send one), cycles start at
                        // most this often: a burst becomes one bigger cycle, not a list call each.
                        try? await Task.sleep(for: Self.minimumGap)
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func cycle() async {
        switch await service.importPayouts(from: source) {
        case .success(let report):
            if report.recorded > 0 || report.unacknowledged > 0 || !report.refused.isEmpty {
                logger.info("payouts imported", metadata: [
                    "recorded": "\(report.recorded)", "acknowledged": "\(report.acknowledged)",
                    "unacknowledged": "\(report.unacknowledged)", "refused": "\(report.refused.count)",
                ])
            }
        case .failure(let rejection):
            logger.warning("payout import failed", metadata: ["code": "\(rejection.code.rawValue)"])
        }
        finished.add(1, ordering: .relaxed)
    }
}
