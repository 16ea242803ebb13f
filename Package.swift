// swift-tools-version: 6.1
// Till: a point-of-sale terminal and payment gateway. One module per layer (see DESIGN.md §2):
// TillCore (pure domain) <- TillStore (SQLite ledger) and TillProcessor (GoblinPay) <-
// TillService (the application API) <- TillCLI (commands, scenarios, demo) <- till. TillUI draws
// the POS into a cell buffer; TillTerminal flushes it through ncurses (CNCurses).
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // A member is visible only where its module is imported: what a file uses, it names.
    .enableUpcomingFeature("MemberImportVisibility"),
]

let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")

let package = Package(
    name: "Till",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "till", targets: ["till"]),
        .executable(name: "till-bench", targets: ["TillBench"]),
        .library(name: "TillCore", targets: ["TillCore"]),
        .library(name: "TillService", targets: ["TillService"]),
        // What each fuzz target does with one input; the Fuzz/ package wraps it for libFuzzer.
        .library(name: "TillFuzzTargets", targets: ["TillFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // `till serve`: Hummingbird's core (no TLS, no configuration package: traits off).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The ledger on PostgreSQL (DESIGN §7), for shops with several machines.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The pure domain: no I/O, no clock, no randomness, no dependencies.
        .target(name: "TillCore", swiftSettings: strictSwift),
        // The one seeded generator (SplitMix64) of the demo, the simulator, GoblinPay's seeded
        // hash and the tests: a seed replays a run on any machine.
        .target(name: "SeededRandom", swiftSettings: strictSwift),
        // The remote side: the PaymentProcessor protocol and the GoblinPay simulator, which
        // keeps its own ledger (in memory, or in its own SQLite file beside the till's).
        // As a service, it is reached through GoblinPayClient (plain NIO HTTP/1.1: no TLS
        // library to build).
        .target(
            name: "TillProcessor",
            dependencies: [
                "TillCore", "SeededRandom", grdb, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSwift),
        // The durable ledger: migrations, append-only events, read models, idempotency records.
        .target(
            name: "TillStore",
            // CryptoExtras: scrypt for operators' PINs.
            dependencies: [
                // GRDBSQLite: the C API, for the benchmark's raw baselines (Bench/RawSQLite.swift).
                "TillCore", grdb, .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // The application API: orchestrates core decisions, the store and the processor.
        .target(name: "TillService", dependencies: ["TillCore", "TillStore", "TillProcessor"], swiftSettings: strictSwift),
        // The HTTP face (`till serve`, DESIGN §6): thin handlers over TillService on Hummingbird 2.
        .target(
            name: "TillHTTP",
            dependencies: [
                "TillCore", "TillService", "TillProcessor", "SeededRandom", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSwift),
        // Scripted scenarios: the plain-text format, its parser and the runner (no Till types:
        // it drives any command through a closure, so the CLI and the tests share it).
        .target(name: "TillScenario", dependencies: ["TillCore"], swiftSettings: strictSwift),
        // `till sim`: the deterministic simulator (VOPR style) over the real service, a real
        // SQLite ledger and GoblinPay, with seeded workloads, faults, crashes and a jumping clock.
        .target(
            name: "TillSim", dependencies: ["TillCore", "TillStore", "TillService", "TillProcessor", "SeededRandom"],
            swiftSettings: strictSwift),
        // The command line and demo data, as a library the tests drive in-process.
        .target(
            name: "TillCLI",
            dependencies: [
                "TillCore", "TillService", "TillProcessor", "TillScenario", "TillUI", "TillTerminal", "TillSim", "TillHTTP",
                "SeededRandom", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // The pure terminal UI: screen state, the reducer, widgets and layout drawing into an
        // in-memory cell buffer. No curses: tests read the buffer as text.
        .target(name: "TillUI", dependencies: ["TillCore", "TillService"], swiftSettings: strictSwift),
        // ncursesw from the system: a module map and a shim for the globals and macros Swift
        // cannot see.
        .systemLibrary(
            name: "CNCurses",
            providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]
        ),
        // The ncurses backend: flushes the cell buffer, reads keys and resizes, restores the
        // terminal on exit and on fatal signals. It decides nothing.
        .target(name: "TillTerminal", dependencies: ["CNCurses", "TillUI"], swiftSettings: strictSwift),
        // The bodies of the fuzz targets (Fuzz/README.md): one input in, the properties checked,
        // a `FuzzFailure` thrown when one breaks. Shared by the libFuzzer executables in Fuzz/
        // and by TillFuzzTests, which replays the committed corpus and regressions.
        .target(
            name: "TillFuzzTargets",
            dependencies: ["TillCore", "TillScenario", "TillStore", "TillCLI"],
            swiftSettings: strictSwift),
        .executableTarget(name: "till", dependencies: ["TillCLI"], swiftSettings: strictSwift),
        // `till-bench`: speed against baselines measured in the same run (README "Speed").
        .executableTarget(
            name: "TillBench", dependencies: ["TillCore", "TillStore", "TillService", "TillProcessor", "TillSim", "TillCLI"],
            swiftSettings: strictSwift),
        .testTarget(name: "TillCoreTests", dependencies: ["TillCore", "SeededRandom"], swiftSettings: strictSwift),
        .testTarget(
            name: "TillUITests", dependencies: ["TillUI", "TillService", "TillCore", "TillSnapshots", "SeededRandom"], exclude: ["Snapshots"],
            swiftSettings: strictSwift),
        // Text snapshots of rendered screens, shared by the UI and POS flow tests.
        .target(name: "TillSnapshots", dependencies: ["TillUI"], path: "Tests/TillSnapshots", swiftSettings: strictSwift),
        // Which backend the tests' ledgers are on (TILL_TEST_BACKEND), shared by the ledger's suites.
        .target(name: "TillTestSupport", dependencies: ["TillStore"], path: "Tests/TillTestSupport", swiftSettings: strictSwift),
        .testTarget(name: "TillTerminalTests", dependencies: ["TillTerminal", "TillUI", "CNCurses"], swiftSettings: strictSwift),
        .testTarget(name: "TillProcessorTests", dependencies: ["TillProcessor", "TillCore", "SeededRandom"], swiftSettings: strictSwift),
        .testTarget(
            name: "TillServiceTests",
            // Crypto: the PAN-recovery test computes fingerprints as an attacker would.
            dependencies: [
                "TillService", "TillStore", "TillProcessor", "TillCore", "SeededRandom", "TillTestSupport", grdb,
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "TillFuzzTests", dependencies: ["TillFuzzTargets"],
            // The inputs live with the harness, in Fuzz/, and are read from there at run time.
            swiftSettings: strictSwift),
        .testTarget(
            name: "TillHTTPTests",
            dependencies: [
                "TillHTTP", "TillService", "TillProcessor", "TillCore", "TillScenario", "TillTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),
        .testTarget(name: "TillSimTests", dependencies: ["TillSim", "TillTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "TillCLITests",
            dependencies: [
                "TillCLI", "TillScenario", "TillService", "TillStore", "TillCore", "TillProcessor", "SeededRandom", grdb, "TillTestSupport",
            ],
            exclude: ["POS/Snapshots"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
