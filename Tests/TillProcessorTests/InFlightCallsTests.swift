import Testing
import TillProcessor

/// The service's rule for calls over a network: admitted only before the deadline; in flight
/// from admission until finished, as many times as admitted.
@Suite struct InFlightCallsTests {
    @Test func admittedOnlyBeforeTheDeadline() {
        let calls = InFlightCalls()
        #expect(calls.admit(key: "a", deadline: 1_000, now: 999))
        #expect(!calls.admit(key: "b", deadline: 1_000, now: 1_000), "at the deadline the caller has stopped waiting")
        #expect(!calls.admit(key: "c", deadline: 1_000, now: 5_000))
        #expect(calls.admit(key: "d", deadline: nil, now: 5_000), "no deadline: always admitted")
        #expect(calls.isInFlight("a") && calls.isInFlight("d"))
        #expect(!calls.isInFlight("b") && !calls.isInFlight("c"))
    }

    @Test func inFlightUntilEveryAdmissionFinishes() {
        let calls = InFlightCalls()
        #expect(calls.admit(key: "k", deadline: nil, now: 0))
        #expect(calls.admit(key: "k", deadline: nil, now: 0))
        calls.finish(key: "k")
        #expect(calls.isInFlight("k"), "a second call under the key is still out")
        calls.finish(key: "k")
        #expect(!calls.isInFlight("k"))
        calls.finish(key: "k")
        #expect(!calls.isInFlight("k"), "an extra finish changes nothing")
    }
}
