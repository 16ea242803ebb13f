import Synchronization
import TillCore

/// The simulated clock, shared with every service instance of a run. Only the simulator moves
/// it (forward only).
final class SimClock: Sendable {
    private let millis: Mutex<Int64>

    init(start: Int64) { millis = Mutex(start) }

    var now: Instant { Instant(millisecondsSinceEpoch: millis.withLock { $0 }) }
    var milliseconds: Int64 { millis.withLock { $0 } }

    func advance(by milliseconds: Int64) { millis.withLock { $0 += max(0, milliseconds) } }
}

/// Counter ids: "ord_17". Deterministic because the run is sequential.
final class SimIds: Sendable {
    private let counter = Mutex(0)

    func make(_ prefix: String) -> String {
        let number = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return "\(prefix)_\(number)"
    }
}
