// swift-tools-version: 6.1
// Till: a point-of-sale terminal and payment gateway. One module per layer (see DESIGN.md §2);
// later layers (store, processor, service, UI, terminal) join as their issues land.
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Till",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "till", targets: ["till"]),
        .library(name: "TillCore", targets: ["TillCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The pure domain: no I/O, no clock, no randomness, no dependencies.
        .target(name: "TillCore", swiftSettings: strictSwift),
        .executableTarget(
            name: "till",
            dependencies: [
                "TillCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "TillCoreTests", dependencies: ["TillCore"], swiftSettings: strictSwift),
    ],
    swiftLanguageModes: [.v6]
)
