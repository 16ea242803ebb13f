import TillFuzzTargets

/// libFuzzer's entry point: one input through the `scenario` target; a broken property crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do { try FuzzTarget.scenario.runBlocking(Array(UnsafeBufferPointer(start: data, count: size))) } catch { fatalError("\(error)") }
    return 0
}
