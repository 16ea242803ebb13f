import Synchronization

/// `/metrics` in Prometheus' text format: requests and their time by method, route (the
/// pattern, never an id) and status. Kept by hand: a handful of counters need no library.
public final class APIMetrics: Sendable {
    private struct Series: Hashable {
        let method: String
        let route: String
        let status: Int

        var labels: String { "method=\"\(method)\",route=\"\(route)\",status=\"\(status)\"" }
    }

    private struct Totals {
        var count = 0
        var microseconds: Int64 = 0
    }

    private let series = Mutex<[Series: Totals]>([:])

    public init() {}

    func record(method: String, route: String, status: Int, elapsed: Duration) {
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        series.withLock { all in
            all[Series(method: method, route: route, status: status), default: Totals()].count += 1
            all[Series(method: method, route: route, status: status), default: Totals()].microseconds += micros
        }
    }

    /// The exposition text, series sorted so two scrapes compare line by line.
    func text() -> String {
        let snapshot = series.withLock { $0 }.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        var out = "# HELP till_http_requests_total HTTP requests answered.\n# TYPE till_http_requests_total counter\n"
        for (key, totals) in snapshot {
            out += "till_http_requests_total{\(key.labels)} \(totals.count)\n"
        }
        out += "# HELP till_http_request_seconds_sum Time spent answering, in seconds.\n# TYPE till_http_request_seconds_sum counter\n"
        for (key, totals) in snapshot {
            let whole = totals.microseconds / 1_000_000, fraction = totals.microseconds % 1_000_000
            out += "till_http_request_seconds_sum{\(key.labels)} \(whole).\(String(repeating: "0", count: 6 - String(fraction).count))\(fraction)\n"
        }
        return out
    }
}
