import Foundation
import Synchronization
import Testing
@testable import TillCLI
import TillCore
import TillProcessor
import TillService
import TillUI

/// The POS without a terminal: the real reducer and renderer, and the real effects against a
/// real ledger in a temporary directory, with GoblinPay as the only fake. Effects run to
/// completion after every key, so a test reads the screen as the operator would see it once
/// everything has answered.
final class POSHarness {
    /// 2026-11-22T10:05:00Z, and a clock the test moves.
    static let start = Instant(millisecondsSinceEpoch: 1_795_341_900_000)

    let directory: URL
    let service: TillService
    let goblin: GoblinPay
    let effects: POSEffects
    private let time = MovableClock(POSHarness.start)
    var state: POSState

    /// `shopZone` is the shop's time zone: the service's expiry check and the POS's screens
    /// both take it from the service, as `till pos` does.
    init(width: Int = 80, height: Int = 24, shopZone: ShopTimeZone = .fixed(seconds: 0)) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("till-pos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        goblin = GoblinPay(configuration: GoblinPayConfiguration(seed: 7, captureFailureRate: .never))
        let time = self.time
        let counter = MovableClock(Instant(millisecondsSinceEpoch: 0))
        // The ledger in a folder of its own, its card-fingerprint secret beside that folder.
        let ledgerFolder = directory.appendingPathComponent("ledger")
        try FileManager.default.createDirectory(at: ledgerFolder, withIntermediateDirectories: true)
        service = try await TillService.open(
            path: ledgerFolder.appendingPathComponent("till.sqlite").path,
            secretsDirectory: directory.appendingPathComponent("secrets").path, processor: goblin,
            clock: { time.now },
            ids: IdSource { prefix in "\(prefix)_\(counter.advance(by: 1).millisecondsSinceEpoch)" },
            shopZone: shopZone)
        let offset = service.shopZone.utcOffsetSeconds(at: Self.start)
        effects = POSEffects(service: service, utcOffsetSeconds: offset, receiptDirectory: directory.path)
        state = POSState(width: width, height: height, now: Self.start, utcOffsetSeconds: offset,
                         databasePath: "/shop/till.sqlite", keyPrefix: "pos")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var now: Instant { time.now }

    func advance(minutes: Int64) {
        _ = POSReducer.update(&state, .tick(time.advance(by: minutes * 60_000)))
    }

    /// Moves the clock to `instant` (the reducer hears of it as a tick).
    func move(to instant: Instant) {
        _ = POSReducer.update(&state, .tick(time.advance(by: instant.millisecondsSinceEpoch - time.now.millisecondsSinceEpoch)))
    }

    /// One beat of the loop's monotonic pulse (once a second in `till pos`).
    func pulse() async { await send(.pulse) }

    func start() async { await run(POSReducer.start(&state)) }

    func send(_ event: POSEvent) async { await run(POSReducer.update(&state, event)) }

    func press(_ keys: Key...) async {
        for key in keys { await send(.input(.key(key))) }
    }

    func type(_ text: String) async {
        for character in text { await send(.input(.key(.character(character)))) }
    }

    /// Performs effects breadth-first until none are left.
    func run(_ first: [POSEffect]) async {
        var queue = first
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            guard let event = await effects.perform(effect) else { continue }
            queue += POSReducer.update(&state, event)
        }
    }

    var screen: String { state.render().text }

    /// The ledger's view of an order, straight from the service.
    func order(_ id: String) async throws -> OrderView { try await service.order(id: id).get() }
}

/// A clock a test moves (also used as a counter for deterministic ids).
final class MovableClock: Sendable {
    private let value: Mutex<Instant>

    init(_ start: Instant) { value = Mutex(start) }

    var now: Instant { value.withLock { $0 } }

    /// Moves the clock by `milliseconds` and returns the new time.
    @discardableResult
    func advance(by milliseconds: Int64) -> Instant {
        value.withLock {
            $0 = Instant(millisecondsSinceEpoch: $0.millisecondsSinceEpoch + milliseconds)
            return $0
        }
    }
}
