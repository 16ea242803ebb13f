import Foundation
import Synchronization
import TillCore

/// A property a fuzz target checks did not hold for one input. The libFuzzer wrappers in
/// Fuzz/ turn it into a crash (so the input is saved); TillFuzzTests reports it as a failure.
/// A trap inside Till is found without it: that ends the process on its own.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// The fuzz targets by the name used for their executable, corpus and regression folders.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case money, card, text, scenario, batch, ledger

    /// Runs one input through the target's body.
    public func run(_ input: [UInt8]) async throws {
        switch self {
        case .money: try MoneyTextFuzz.run(input)
        case .card: try CardFuzz.run(input)
        case .text: try CanonicalTextFuzz.run(input)
        case .scenario: try await ScenarioFuzz.run(input)
        case .batch: try await BatchLinesFuzz.run(input)
        case .ledger: try await LedgerRowsFuzz.run(input)
        }
    }

    /// `run` for libFuzzer's synchronous callback: waits on a semaphore for the async body,
    /// which runs on the global executor (the fuzzer's thread is not one of its threads).
    public func runBlocking(_ input: [UInt8]) throws {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await run(input)
            } catch {
                outcome.error.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error.withLock({ $0 }) { throw error }
    }

    private final class Outcome: Sendable {
        let error = Mutex<(any Error)?>(nil)
    }
}

/// Reads a fuzz input front to back: single bytes choose among options, the rest is text.
struct FuzzBytes {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isEmpty: Bool { offset >= bytes.count }

    /// The next byte, or 0 once the input is used up.
    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next `count` bytes as a little-endian integer (missing bytes are 0).
    mutating func uint64(_ count: Int = 8) -> UInt64 {
        var value: UInt64 = 0
        for shift in 0..<min(count, 8) { value |= UInt64(byte()) << (8 * UInt64(shift)) }
        return value
    }

    /// One of `options`, chosen by the next byte; nil when there are none.
    mutating func choose<T>(_ options: [T]) -> T? {
        options.isEmpty ? nil : options[Int(byte()) % options.count]
    }

    /// Everything left, as bytes.
    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return offset < bytes.count ? Array(bytes[offset...]) : []
    }

    /// Everything left as UTF-8 text (invalid sequences become U+FFFD, as `String(decoding:)` does).
    mutating func restText() -> String { String(decoding: rest(), as: UTF8.self) }
}

/// The input split into `count` texts at newlines (the last one keeps any further newlines).
func fields(_ text: String, _ count: Int) -> [String] {
    var parts = text.split(separator: "\n", maxSplits: count - 1, omittingEmptySubsequences: false).map(String.init)
    while parts.count < count { parts.append("") }
    return parts
}

/// Throws `FuzzFailure(message)` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw FuzzFailure(message()) }
}

/// What every rejection promises about its message (issue 10): input is echoed cut and with
/// control characters escaped, so a message can neither drive a terminal nor run to kilobytes.
func requireSafeMessage(_ rejection: Rejection, _ context: String) throws {
    try require(
        !rejection.message.unicodeScalars.contains { $0.properties.generalCategory == .control },
        "\(context): \(rejection.code) message has a raw control character: \(rejection.message.debugDescription)")
    try require(
        rejection.message.count <= 400,
        "\(context): \(rejection.code) message has \(rejection.message.count) characters")
}

/// The rejection's message checked, then the value, or nil on a rejection.
func accepted<T>(_ result: Result<T, Rejection>, _ context: String) throws -> T? {
    switch result {
    case .success(let value): return value
    case .failure(let rejection):
        try requireSafeMessage(rejection, context)
        return nil
    }
}
