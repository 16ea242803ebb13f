import Foundation
public import TillCore
public import TillProcessor
import TillStore

#if canImport(Glibc)
import Glibc
#endif

/// The application API: every operation an operator or a script can ask of the till. It reads
/// and parses the request, lets the core decide, records the outcome in one write transaction,
/// and talks to the processor with the pattern "record intent -> call with a stable key ->
/// record outcome". Safe to call from many tasks at once and from several processes sharing a
/// database: the ledger's write transactions serialize them.
public final class TillService: Sendable {
    /// The store: TillStore's, behind the service (nothing public mentions it).
    let database: TillDatabase
    /// The ledger's id, the first part of every processor key this till makes.
    /// The ledger's own random id: it names the ledger's secrets in a secrets directory.
    public var ledgerId: String { database.ledgerId }
    let processor: any PaymentProcessor
    let clock: @Sendable () -> Instant
    let ids: IdSource
    /// How long an authorization holds before it expires.
    public let holdWindow: TimeSpan
    /// This service instance, as the holder of leases on the requests it works on.
    public let owner: RequestOwner
    /// How long a lease on a request lasts (renewed before every processor call). Longer than
    /// any processor call can take, so no other till ever resolves a request while its owner's
    /// call may still land.
    public let leaseDuration: TimeSpan
    /// Where a simulation interleaves or crashes this instance (`till sim`); nil in production.
    let hooks: RequestHooks?
    /// The shop's time zone: card expiry is checked to the end of the month there.
    public let shopZone: ShopTimeZone
    /// Who is acting: recorded on every money event this service writes.
    public let operatorName: OperatorName

    /// A service on an opened ledger (`LedgerFile.open`). `TillService.open` also resolves what
    /// a previous run left open; this does not (the simulator decides when).
    public convenience init(
        ledger: LedgerFile, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow, owner: RequestOwner = .fresh(),
        leaseDuration: TimeSpan = TillService.defaultLeaseDuration, hooks: RequestHooks? = nil,
        shopZone: ShopTimeZone = .current, operatorName: OperatorName = .till
    ) {
        self.init(
            database: ledger.database, processor: processor, clock: clock, ids: ids, holdWindow: holdWindow, owner: owner,
            leaseDuration: leaseDuration, hooks: hooks, shopZone: shopZone, operatorName: operatorName)
    }

    init(
        database: TillDatabase, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow, owner: RequestOwner = .fresh(),
        leaseDuration: TimeSpan = TillService.defaultLeaseDuration, hooks: RequestHooks? = nil,
        shopZone: ShopTimeZone = .current, operatorName: OperatorName = .till
    ) {
        self.database = database
        self.processor = processor
        self.clock = clock
        self.ids = ids
        self.holdWindow = holdWindow
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.hooks = hooks
        self.shopZone = shopZone
        self.operatorName = operatorName
    }

    /// The same till (ledger, processor, leases), acting for another operator: the POS after a
    /// sign-in, a command with `--operator`.
    public func acting(as operatorName: OperatorName) -> TillService {
        guard operatorName != self.operatorName else { return self }
        return TillService(
            database: database, processor: processor, clock: clock, ids: ids, holdWindow: holdWindow, owner: owner,
            leaseDuration: leaseDuration, hooks: hooks, shopZone: shopZone, operatorName: operatorName)
    }

    /// Another service on the same ledger and processor, with its own clock and its own leases
    /// (a fresh owner): the demo's counters, working side by side.
    public func sharing(clock: @escaping @Sendable () -> Instant) -> TillService {
        TillService(
            database: database, processor: processor, clock: clock, ids: ids, holdWindow: holdWindow, owner: .fresh(),
            leaseDuration: leaseDuration, hooks: hooks, shopZone: shopZone, operatorName: operatorName)
    }

    public static let defaultLeaseDuration = TimeSpan(milliseconds: 2 * 60 * 1000)

    /// Opens the ledger at `path` (its card-fingerprint secret in `secretsDirectory`) and
    /// resolves, with the processor, every request a previous run left with an unknown outcome
    /// (or whose holder's lease ran out).
    public static func open(
        path: String, secretsDirectory: String, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant = SystemClock.now,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow, shopZone: ShopTimeZone = .current
    ) async throws -> TillService {
        await open(
            ledger: LedgerFile(database: try TillDatabase.open(path: path, secretsDirectory: secretsDirectory)), processor: processor,
            clock: clock, ids: ids, holdWindow: holdWindow, shopZone: shopZone)
    }

    /// A service on a ledger opened already (the CLI opens it before the processor, so a
    /// refused ledger leaves no processor file behind), resolving what a previous run left open.
    public static func open(
        ledger: LedgerFile, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant = SystemClock.now,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow, shopZone: ShopTimeZone = .current
    ) async -> TillService {
        let service = TillService(
            ledger: ledger, processor: processor, clock: clock, ids: ids, holdWindow: holdWindow, shopZone: shopZone)
        _ = await service.resolveOpenRequests()
        return service
    }
}

/// Where ids come from: random by default, injectable for tests and demo data.
public struct IdSource: Sendable {
    public let make: @Sendable (_ prefix: String) -> String

    public init(make: @escaping @Sendable (_ prefix: String) -> String) { self.make = make }

    /// "ord_" + 16 random characters of the id alphabet (`RecordId`, 80 bits).
    public static let random = IdSource { prefix in
        var generator = SystemRandomNumberGenerator()
        return RecordId.make(prefix) { generator.next() }
    }
}

/// The real clock, in epoch milliseconds.
public enum SystemClock {
    @Sendable public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

/// A service instance as the holder of leases on requests. Its id is unique: the host, the
/// process and a random part, so two instances in one process (or a process that reuses a
/// dead one's pid) are never taken for each other.
public struct RequestOwner: Sendable, Hashable {
    public let id: String

    public init(id: String) { self.id = id }

    /// A new owner for a service in this process.
    public static func fresh() -> RequestOwner {
        var generator = SystemRandomNumberGenerator()
        return RequestOwner(id: "\(localHost)/\(getpid())/\(String(generator.next() as UInt64, radix: 36))")
    }

    /// This host and pid namespace ("name@pid:[inode]"): a pid means this process only where
    /// both match (a container sharing the host's name has its own pids).
    static let localHost: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        var link = [CChar](repeating: 0, count: 128)
        let length = readlink("/proc/self/ns/pid", &link, link.count - 1)
        let namespace = length > 0
            ? String(decoding: link.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown-pid-namespace"
        return "\(host)@\(namespace)".replacingOccurrences(of: "/", with: "_")
    }()

    /// Whether a lease's owner is a process on this host that is gone: it can no longer call
    /// anybody, so its lease may be taken at once (`RequestLifecycle.stage`).
    static func isDeadLocalProcess(_ owner: String) -> Bool {
        let parts = owner.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == localHost, !localHost.hasSuffix("@unknown-pid-namespace"),
              let pid = Int32(parts[1]), pid > 0
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// The named points between the steps of a processor request, where `till sim` takes over:
/// to stop the instance dead there, as a crash would, or to run other requests first (a
/// concurrent duplicate, another till's resolution, a clock that moves on).
public enum RequestStep: String, Sendable, CaseIterable {
    /// The intent is recorded (or the request claimed); the processor is about to be called.
    case beforeProcessorCall = "before_processor_call"
    /// The processor answered; the answer is not recorded yet.
    case afterProcessorAnswer = "after_processor_answer"
}

/// What an instance does at a step: go on, or stop dead (nothing after the step runs).
public enum StepAction: Sendable {
    case proceed
    case crash
}

/// The simulator's hold on a service instance; nil in production.
public struct RequestHooks: Sendable {
    public let step: @Sendable (RequestStep, _ key: String) async -> StepAction

    public init(step: @escaping @Sendable (RequestStep, _ key: String) async -> StepAction) { self.step = step }
}

// MARK: - Transactions and the one idempotency rule

extension TillService {
    static func encode<T: Encodable>(_ value: T) throws -> String { try StoredJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try StoredJSON.value(type, text) }

    /// Runs `work` in one write transaction, its events recorded as this service's operator's;
    /// a thrown `Rejection` (or any error) rolls it back.
    /// `decidesAlone`: the write reads all it decides on itself and is its request's last touch
    /// of the ledger, so in a stream of lines (`LineTurn`) it may queue right behind the line
    /// before's write instead of waiting for that line's answer.
    func write<T: Sendable>(
        decidesAlone: Bool = false, _ work: @escaping @Sendable (Ledger, Instant) throws -> T
    ) async -> Result<T, Rejection> {
        let clock = self.clock
        let queued: (@Sendable () -> Void)?
        // One writer per opening of the ledger: the database object names it.
        let writer = ObjectIdentifier(database)
        if decidesAlone, let line = await LineTurn.untilEarlierLinesQueued(on: writer) {
            queued = { line.markQueued(on: writer) }
        } else {
            await LineTurn.untilEarlierLinesFinished()
            queued = nil
        }
        do {
            return .success(try await database.write(as: operatorName, queued: queued) { ledger in try work(ledger, clock()) })
        } catch let rejection as Rejection {
            // A rejection thrown inside the transaction (ours, or the store's refusal of a
            // drawer line the core refuses) rolls everything it wrote back.
            return .failure(rejection)
        } catch {
            return .failure(Self.storageRejection(error))
        }
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Ledger, Instant) throws -> T) async -> Result<T, Rejection> {
        let clock = self.clock
        // In a stream of lines, a read sees what the lines before wrote.
        await LineTurn.untilEarlierLinesFinished()
        do {
            return .success(try await database.read { ledger in try work(ledger, clock()) })
        } catch let rejection as Rejection {
            return .failure(rejection)
        } catch {
            return .failure(Self.storageRejection(error))
        }
    }

    /// A ledger failure as a message may say it: SQLite's reason, never a statement.
    public static func storageDescription(_ error: any Error) -> String { StorageFailure.describe(error) }

    static func storageRejection(_ error: any Error) -> Rejection {
        // A commit whose answer was lost promises nothing: the same key, retried, tells.
        if StorageFailure.outcomeUnknown(error) {
            return Rejection(.storageError, """
                The ledger's answer was lost while the write committed (\(StorageFailure.describe(error))): it may or may not \
                have been written. Retry with the same key to find out; a new key could do it twice.
                """)
        }
        return Rejection(.storageError, "The ledger could not be read or written (\(StorageFailure.describe(error))); nothing was changed.")
    }

    /// A completed request whose stored answer no longer decodes: the ledger was edited.
    static func damagedResponse(key: String) -> Rejection {
        Rejection(.storageError, "The stored answer of request \(key) (idempotency.response) is damaged; nothing was changed.")
    }

    /// A keyed request that needs no processor: decide, apply and record the response in one
    /// transaction. Replays answer the stored response; a refusal stores nothing.
    func keyedLocally<R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String, fingerprint: RequestFingerprint,
        _ work: @escaping @Sendable (Ledger, Instant) throws -> R
    ) async -> Result<Keyed<R>, Rejection> {
        await keyedLocally(key: key, operation: operation, target: target, prepare: { _ in (fingerprint, ()) }) { ledger, now, _ in
            try work(ledger, now)
        }
    }

    /// `keyedLocally` for a request whose fingerprint depends on what it names (an amount read
    /// in its order's or wallet's currency): `prepare` reads that in the same transaction, and
    /// may refuse, before the key is looked at, as a read beforehand would; `work` gets what
    /// it read. One transaction, one hop to the writer.
    func keyedLocally<Prepared, R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String,
        prepare: @escaping @Sendable (Ledger) throws -> (RequestFingerprint, Prepared),
        _ work: @escaping @Sendable (Ledger, Instant, Prepared) throws -> R
    ) async -> Result<Keyed<R>, Rejection> {
        // Everything is read and decided inside this one write, and nothing follows it.
        await write(decidesAlone: true) { ledger, now in
            let (fingerprint, prepared) = try prepare(ledger)
            let stored = try ledger.request(key: key.value)
            switch Self.transition(of: stored, for: fingerprint, at: now).action {
            case .replay:
                guard let decoded = try? Self.decode(R.self, stored?.response ?? "") else { throw Self.damagedResponse(key: key.value) }
                return Keyed(response: decoded, key: key.value, replayed: true)
            case .reject(.idempotencyKeyReused):
                throw Rejection(.idempotencyKeyReused)
            case .lookUp, .reject, .record, .free, .giveUp, .park, .keep:
                // Only processor requests can be in flight or have an unknown outcome; this key is one of them.
                throw Rejection(.requestInProgress)
            case .call:
                let response = try work(ledger, now, prepared)
                try ledger.insert(RequestRecord(
                    key: key.value, operation: operation, target: target, fingerprint: fingerprint.canonical,
                    state: .completed, response: try Self.encode(response)), at: now)
                return Keyed(response: response, key: key.value, replayed: false)
            }
        }
    }
}

/// `Result.get()` for a core decision inside a transaction: a rejection rolls it back.
func decided<T>(_ result: Result<T, Rejection>) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let rejection): throw rejection
    }
}

/// Parses an optional key, or makes one for a request the caller did not key (it still gets a
/// record, so its outcome can be resolved, but nobody can replay it by accident).
func parseKey(_ text: String?, ids: IdSource) -> Result<IdempotencyKey, Rejection> {
    guard let text else { return IdempotencyKey.parse(ids.make("auto")) }
    return IdempotencyKey.parse(text)
}

func parseCurrency(_ text: String?, default fallback: Currency) -> Result<Currency, Rejection> {
    guard let text else { return .success(fallback) }
    return Currency.named(text)
}
