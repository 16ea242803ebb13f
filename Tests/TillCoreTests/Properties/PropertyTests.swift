import Testing
import TillCore

/// Seeded property tests: thousands of random cases per property from fixed seeds. A failure
/// names the property, seed and step; the generator is deterministic, so running the test
/// again replays exactly that case. Expected outcomes come from small models written here from
/// DESIGN.md §3 with wider (`Int128`) arithmetic, not from the code under test.
@Suite("Property tests")
struct PropertyTests {
    // The properties live in the files beside this one, one file per domain.
}
