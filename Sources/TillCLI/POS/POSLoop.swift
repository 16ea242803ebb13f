import Foundation
import Synchronization
import TillCore
import TillService
import TillTerminal
import TillUI

/// The POS's event loop on its own thread: keys and answers go through the reducer, effects
/// go to one worker task in order, and the terminal redraws what changed. Another process's
/// writes are noticed by polling the ledger's version twice a second; a pulse once a second
/// paces background work (resolving an open order's pending payments).
final class POSLoop: Sendable {
    private let effects: POSEffects
    private let clock: @Sendable () -> Instant
    private let databasePath: String
    private let environment: [String: String]
    private let session: POSSessionSettings
    /// Answers from effect tasks, drained by the loop thread.
    private let inbox = Mutex<[POSEvent]>([])
    private let pending = Atomic<Int>(0)
    /// Effects run one after another, in the order the reducer asked for them, so answers
    /// arrive in that order too: a read that started before a payment can never land after
    /// the payment's answer and show the old balance.
    private let lane: AsyncStream<POSEffect>.Continuation
    private let laneStream: AsyncStream<POSEffect>

    init(
        effects: POSEffects, clock: @escaping @Sendable () -> Instant, databasePath: String, environment: [String: String],
        session: POSSessionSettings
    ) {
        self.effects = effects
        self.session = session
        self.clock = clock
        self.databasePath = databasePath
        self.environment = environment
        (laneStream, lane) = AsyncStream.makeStream(of: POSEffect.self)
    }

    /// Runs until the operator quits. Returns the exit status.
    func run() async -> Int32 {
        let worker = Task {
            for await effect in laneStream {
                if let event = await effects.perform(effect) { inbox.withLock { $0.append(event) } }
            }
        }
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread { continuation.resume(returning: self.loop()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
        lane.finish()
        worker.cancel()
        return status
    }

    private func loop() -> Int32 {
        let terminal: Terminal
        do {
            terminal = try Terminal.open(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("till: cannot open the terminal: \(error)\n".utf8))
            return 1
        }
        defer { terminal.close() }
        let size = terminal.size
        var state = POSState(
            width: size.width, height: size.height, now: clock(), utcOffsetSeconds: effects.utcOffsetSeconds,
            databasePath: databasePath, keyPrefix: Self.keyPrefix())
        state.startSession(as: session.operatorName, signInRequired: session.signInRequired, lockAfter: session.lockAfter)
        terminal.draw(state.render())
        perform(POSReducer.start(&state))
        // Ticks and polls are paced by the monotonic clock: the shop's clock may be fixed
        // (TILL_NOW) or jump, and the ledger must still be watched.
        let pace = ContinuousClock()
        var lastTick = pace.now
        var lastPoll = lastTick
        var lastPulse = lastTick
        var drawn = state
        while true {
            var events: [POSEvent] = []
            if let input = terminal.nextInput(timeoutMilliseconds: 50) { events.append(.input(input)) }
            events += inbox.withLock { queued in
                defer { queued.removeAll() }
                return queued
            }
            let now = pace.now
            if now - lastTick >= .milliseconds(100) {
                events.append(.tick(clock()))
                lastTick = now
            }
            if now - lastPoll >= .milliseconds(500) {
                lastPoll = now
                pollVersion()
            }
            if now - lastPulse >= .seconds(1) {
                events.append(.pulse)
                lastPulse = now
            }
            for event in events {
                let next = POSReducer.update(&state, event)
                if next.contains(.quit) { return 0 }
                perform(next)
            }
            if state != drawn {
                terminal.draw(state.render())
                drawn = state
            }
        }
    }

    private func perform(_ list: [POSEffect]) {
        for effect in list { lane.yield(effect) }
    }

    /// Asks the ledger for its version off the loop thread (the loop never waits on the
    /// database); a change since the last answer becomes `.ledgerChanged`.
    private func pollVersion() {
        guard pending.compareExchange(expected: 0, desired: 1, ordering: .relaxed).exchanged else { return }
        let service = effects.service
        Task {
            defer { pending.store(0, ordering: .relaxed) }
            guard case .success(let current) = await service.ledgerVersion() else { return }
            // The first answer counts as a change too: a write that landed between the first
            // screen's read and this baseline would otherwise never be noticed.
            let changed = lastVersion.withLock { stored -> Bool in
                defer { stored = current }
                return stored != current
            }
            if changed { inbox.withLock { $0.append(.ledgerChanged) } }
        }
    }

    private let lastVersion = Mutex<LedgerVersion?>(nil)

    /// Unique per run: the process id and 40 random bits (short enough to read in a dialog's
    /// foot). Never the shop's clock: with TILL_NOW fixed and a pid reused (containers start
    /// every till as pid 1), two runs would make the same keys, and the second run's payment
    /// would replay the first one's answer instead of charging.
    static func keyPrefix() -> String {
        var random = SystemRandomNumberGenerator()
        let bits: UInt64 = random.next() >> 24
        return "pos-\(getpid())-\(String(bits, radix: 36))"
    }
}
