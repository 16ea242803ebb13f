import SeededRandom

/// GoblinPay's only source of chance: a hash of the seed and the request, so an outcome is
/// the same in every process and in any order of calls. FNV-1a mixes the bytes in, SplitMix64's
/// finalizer spreads them over all 64 bits; neither depends on the platform or the Swift
/// version, unlike `Hasher`, which is seeded per process.
struct SeededHash {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Starts a hash for one purpose ("capture-failure", "reference"), so the same seed and key
    /// give unrelated values for unrelated questions.
    init(seed: UInt64, purpose: String) {
        mix(seed)
        mix(purpose)
    }

    mutating func mix(_ value: UInt64) {
        var remaining = value
        for _ in 0..<8 {
            mixByte(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
    }

    /// Mixes the text's length before its bytes, so ("ab", "c") and ("a", "bc") differ.
    mutating func mix(_ text: String) {
        let bytes = Array(text.utf8)
        mix(UInt64(bytes.count))
        for byte in bytes { mixByte(byte) }
    }

    private mutating func mixByte(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01b3
    }

    /// What was mixed in, spread: the first draw of a SplitMix64 seeded with it (one step of
    /// its counter, then its finalizer).
    var value: UInt64 {
        var generator = SplitMix64(seed: state)
        return generator.next()
    }
}

extension GoblinPayFailureRate {
    /// Whether the attempt numbered `attempt` (0 for the first, counting earlier failures of this
    /// key) fails: the hash, reduced to 0..<1 000 000, against the rate in parts per million. Rate
    /// 0 never fails, rate 1 always does; the comparison is in integers only.
    func fails(seed: UInt64, purpose: String = "capture-failure", key: String, attempt: Int) -> Bool {
        var hash = SeededHash(seed: seed, purpose: purpose)
        hash.mix(key)
        hash.mix(UInt64(clamping: attempt))
        return hash.value % UInt64(Self.partsPerMillionScale) < UInt64(partsPerMillion)
    }
}

/// The authorization reference for a processor key: "gp_auth_" and 32 hex digits hashed from
/// the seed and the key. Keys are applied at most once per ledger, so references are unique in
/// one ledger (the ledger also refuses a duplicate), and a replayed run names them the same.
func authorizationReference(seed: UInt64, key: String) -> String {
    var high = SeededHash(seed: seed, purpose: "reference-high")
    high.mix(key)
    var low = SeededHash(seed: seed, purpose: "reference-low")
    low.mix(key)
    return "gp_auth_" + hex(high.value) + hex(low.value)
}

/// 16 hex digits, zero-padded.
func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
