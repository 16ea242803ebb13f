public import TillCore
public import TillProcessor
import TillStore

extension TillService {
    /// Opens the ledger at `path` for `till demo`, which fills it with sample orders and card
    /// payments: refused (`invalid_request`) when it holds data no demo made (`DemoRuns` in
    /// TillStore), unless `intoExisting`. The check comes first: on a ledger that is refused,
    /// nothing is written, no processor is made and no open request is resolved. The demo's
    /// other services share its ledger and processor (`sharing(clock:)`).
    public static func openForDemo(
        path: String, secretsDirectory: String, intoExisting: Bool, clock: @escaping @Sendable () -> Instant,
        makeProcessor: () throws -> any PaymentProcessor
    ) async throws -> TillService {
        let database = try TillDatabase.open(path: path, secretsDirectory: secretsDirectory)
        if case .other(let found) = try await database.read({ try $0.demoContents() }), !intoExisting {
            let shown = String(reflecting: path.count > 80 ? "…" + path.suffix(80) : path)
            throw Rejection(.invalidRequest, """
                The ledger at \(shown) holds data the demo did not make (\(found)); the demo would mix \
                sample orders and card payments into it. Run it on a new ledger (--db), or add \
                --into-existing to do it anyway.
                """)
        }
        let processor = try makeProcessor()
        let service = TillService(database: database, processor: processor, clock: clock, ids: .random)
        _ = await service.resolveOpenRequests()
        return service
    }

    /// Records that a demo run ended: the ledger as it is now counts as the demo's.
    public func recordDemoRun() async -> Result<Void, Rejection> {
        await write { ledger, now in try ledger.recordDemoRun(finishedAt: now.millisecondsSinceEpoch) }
    }
}
