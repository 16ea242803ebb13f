import SeededRandom
import Testing
import TillCore
import TillService
@testable import TillUI

/// Seeded random typing (with random answers and resizes) through the reducer and renderer:
/// nothing traps, the buffer always matches the terminal size, and no command is ever sent
/// while another is in flight.
@Suite struct RandomKeysTests {
    static let keys: [Key] = [
        .enter, .escape, .tab, .backTab, .backspace, .delete, .up, .down, .left, .right, .pageUp, .pageDown, .home, .end,
        .control("u"), .character("?"), .character("é"), .character("漢"), .character(" "), .character("@"), .character("."),
    ] + (1...12).map { .function($0) } + "0123456789abcdefghijklmnopqrstuvwxyz+-/".map { .character($0) }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomTypingNeverTrapsOrDoubleSubmits(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        // Modulo draws (not `random.below`), so the typing stays what these seeds always typed.
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var state = Fixture.state()
        _ = POSReducer.start(&state)
        var inFlight: ServiceRequest?
        for step in 0..<4000 {
            var effects: [POSEffect] = []
            switch below(100) {
            case 0..<90:
                let key = Self.keys[below(Self.keys.count)]
                if key == .function(10) || key == .control("c") || key == .character("q") { continue }
                effects = POSReducer.update(&state, .input(.key(key)))
            case 90..<93:
                effects = POSReducer.update(&state, .input(.resize(width: 60 + below(120), height: 15 + below(50))))
            case 93..<96:
                if let command = inFlight {
                    let answer: Result<CommandAnswer, Rejection> = below(2) == 0
                        ? .failure(Rejection(.processorDeclined)) : .success(.order(Fixture.order(), replayed: false))
                    effects = POSReducer.update(&state, .completed(command, answer))
                    inFlight = nil
                }
            default:
                effects = POSReducer.update(&state, .loaded(.order(id: "ord_1"), .success(.order(Fixture.order()))))
            }
            for effect in effects {
                if case .command(let command) = effect {
                    #expect(inFlight == nil, "step \(step): a second command while one is in flight")
                    inFlight = command
                }
            }
            _ = POSReducer.update(&state, .tick(Instant(millisecondsSinceEpoch: Fixture.now.millisecondsSinceEpoch + Int64(step) * 50)))
            let buffer = state.render()
            #expect(buffer.width == state.width && buffer.height == state.height)
        }
    }
}
