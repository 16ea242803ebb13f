import Foundation
public import TillCore
public import TillProcessor
public import TillStore

#if canImport(Glibc)
import Glibc
#endif

/// The application API: every operation an operator or a script can ask of the till. It reads
/// and parses the request, lets the core decide, records the outcome in one write transaction,
/// and talks to the processor with the pattern "record intent -> call with a stable key ->
/// record outcome". Safe to call from many tasks at once and from several processes sharing a
/// database: the ledger's write transactions serialize them.
public final class TillService: Sendable {
    public let database: TillDatabase
    let processor: any PaymentProcessor
    let clock: @Sendable () -> Instant
    let ids: IdSource
    /// How long an authorization holds before it expires.
    public let holdWindow: TimeSpan
    /// This process, as the owner of the requests it opens (see `StoredRequest.ownerPid`).
    let owner: RequestOwner

    public init(
        database: TillDatabase, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow
    ) {
        self.database = database
        self.processor = processor
        self.clock = clock
        self.ids = ids
        self.holdWindow = holdWindow
        self.owner = .current
    }

    /// Opens the ledger at `path` and resolves, with the processor, every request a previous
    /// run left with an unknown outcome (or left open when it was killed).
    public static func open(
        path: String, processor: any PaymentProcessor, clock: @escaping @Sendable () -> Instant = SystemClock.now,
        ids: IdSource = .random, holdWindow: TimeSpan = Payment.defaultHoldWindow
    ) async throws -> TillService {
        let service = TillService(
            database: try TillDatabase.open(path: path), processor: processor, clock: clock, ids: ids,
            holdWindow: holdWindow)
        _ = await service.resolveOpenRequests()
        return service
    }
}

/// Where ids come from: random by default, injectable for tests and demo data.
public struct IdSource: Sendable {
    public let make: @Sendable (_ prefix: String) -> String

    public init(make: @escaping @Sendable (_ prefix: String) -> String) { self.make = make }

    /// "ord_" + 16 random characters of a lowercase base-32 alphabet (80 bits).
    public static let random = IdSource { prefix in
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        return prefix + "_" + String((0..<16).map { _ in alphabet[Int(generator.next() % 32)] })
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

/// A process as the owner of open requests. A request left `in_progress` by a process that
/// is gone (or that has held it for longer than any processor call can take) may be resolved
/// by another.
struct RequestOwner: Sendable {
    let pid: Int32
    let startedAt: Int64

    /// This process: its pid and when it first opened a service. Every service in the process
    /// shares it, and a later process that happens to get the same pid (as in a container,
    /// where each run may be pid 1) is still told apart by the time.
    static let current = RequestOwner(pid: getpid(), startedAt: SystemClock.now().millisecondsSinceEpoch)

    /// No processor call outlives this: GoblinPay's worst latency is far below it.
    static let abandonedAfter: Int64 = 10 * 60 * 1000

    func mayResolve(_ request: StoredRequest) -> Bool {
        switch request.state {
        case .completed: return false
        case .outcomeUnknown: return true
        case .inProgress:
            if SystemClock.now().millisecondsSinceEpoch - request.ownerStartedAt > Self.abandonedAfter { return true }
            if request.ownerPid == pid { return request.ownerStartedAt != startedAt }
            return kill(request.ownerPid, 0) != 0 && errno == ESRCH
        }
    }
}

// MARK: - Transactions and the one idempotency rule

/// A rejection thrown inside a write transaction so that everything it wrote rolls back.
struct Refusal: Error {
    let rejection: Rejection
}

extension TillService {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// Runs `work` in one write transaction; a thrown `Refusal` (or any error) rolls it back.
    func write<T: Sendable>(_ work: @escaping @Sendable (Ledger, Instant) throws -> T) async -> Result<T, Rejection> {
        let clock = self.clock
        do {
            return .success(try await database.write { ledger in try work(ledger, clock()) })
        } catch let refusal as Refusal {
            return .failure(refusal.rejection)
        } catch {
            return .failure(Self.storageRejection(error))
        }
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Ledger, Instant) throws -> T) async -> Result<T, Rejection> {
        let clock = self.clock
        do {
            return .success(try await database.read { ledger in try work(ledger, clock()) })
        } catch let refusal as Refusal {
            return .failure(refusal.rejection)
        } catch {
            return .failure(Self.storageRejection(error))
        }
    }

    static func storageRejection(_ error: any Error) -> Rejection {
        Rejection(.storageError, "The ledger could not be read or written (\(error)); nothing was changed.")
    }

    /// A keyed request that needs no processor: decide, apply and record the response in one
    /// transaction. Replays answer the stored response; a refusal stores nothing.
    func keyedLocally<R: Codable & Sendable & Equatable>(
        key: IdempotencyKey, operation: String, target: String, fingerprint: RequestFingerprint,
        _ work: @escaping @Sendable (Ledger, Instant) throws -> R
    ) async -> Result<Keyed<R>, Rejection> {
        let owner = self.owner
        return await write { ledger, now in
            let stored = try ledger.request(key: key.value)
            switch Idempotency.decide(record: stored?.record, request: fingerprint) {
            case .replay(let response):
                return Keyed(response: try Self.decode(R.self, response), key: key.value, replayed: true)
            case .reject(let rejection):
                throw Refusal(rejection: rejection)
            case .resolve:
                // Only processor requests can have an unknown outcome; this key is one of them.
                throw Refusal(rejection: Rejection(.requestInProgress))
            case .execute:
                let response = try work(ledger, now)
                try ledger.insert(StoredRequest(
                    key: key.value, operation: operation, target: target, fingerprint: fingerprint.canonical,
                    state: .completed, response: try Self.encode(response), ownerPid: owner.pid,
                    ownerStartedAt: owner.startedAt), at: now)
                return Keyed(response: response, key: key.value, replayed: false)
            }
        }
    }
}

/// `Result.get()` for a core decision inside a transaction: a rejection rolls it back.
func decided<T>(_ result: Result<T, Rejection>) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let rejection): throw Refusal(rejection: rejection)
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
