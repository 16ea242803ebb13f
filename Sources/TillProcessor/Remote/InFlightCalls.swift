import Synchronization

/// GoblinPay's rule for calls that arrive over a network, shared by the service and the
/// simulator's model of it: a call is admitted only before its deadline (the moment its caller
/// stops waiting), and from admission until it is answered its key is "in flight", which a
/// lookup must answer as unknown. So a lookup made after the caller's deadline that finds the
/// key neither applied nor in flight is final: the call can no longer land.
public final class InFlightCalls: Sendable {
    private let keys = Mutex<[String: Int]>([:])

    public init() {}

    /// Registers a call under `key` unless its deadline (milliseconds since 1970) has come;
    /// `finish(key:)` must follow an admission.
    public func admit(key: String, deadline: Int64?, now: Int64) -> Bool {
        keys.withLock { keys in
            if let deadline, now >= deadline { return false }
            keys[key, default: 0] += 1
            return true
        }
    }

    public func finish(key: String) {
        keys.withLock { keys in
            let left = (keys[key] ?? 1) - 1
            keys[key] = left > 0 ? left : nil
        }
    }

    public func isInFlight(_ key: String) -> Bool { keys.withLock { $0[key] != nil } }
}
