// swift-tools-version: 6.1
// libFuzzer executables for Till, one per fuzz target (README.md). A package of its own so the
// main build and CI never compile with the fuzzer; the bodies live in the main package's
// TillFuzzTargets library, which `swift test` also uses to replay the committed inputs.
//
//     swift build --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address
import PackageDescription

let targets = ["FuzzMoney", "FuzzCard", "FuzzText", "FuzzScenario", "FuzzBatch", "FuzzLedger"]

let package = Package(
    name: "TillFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Till", path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "TillFuzzTargets", package: "Till")],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")])
    },
    swiftLanguageModes: [.v6]
)
