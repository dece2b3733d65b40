// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// mediaform: a plan/apply reconciler for Alibaba Cloud IMS media libraries.
///
/// Layers, one direction of dependency:
/// `mediaform` (commands) → `MediaformKit` (I/O: state, client, apply) → `MediaformCore` (pure: YAML, manifest,
/// validation, fingerprints, planning). YAML and crypto come from the system's libyaml and OpenSSL (docs/design.md §9).
let package = Package(
    name: "mediaform",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mediaform", targets: ["mediaform"]),
        .library(name: "MediaformCore", targets: ["MediaformCore"]),
        .library(name: "MediaformKit", targets: ["MediaformKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        // gzip for `.gz` state files; the toolchain's Foundation links libz already.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // `mallopt`: how the allocator grows its heaps (AllocatorTuning); part of libc, nothing to link.
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "MediaformCore",
            dependencies: ["CYAML", "COpenSSL"]
        ),
        .target(
            name: "MediaformKit",
            dependencies: [
                "MediaformCore",
                "COpenSSL",
                "CZlib",
                "CMalloc",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MediaformEmulator",
            dependencies: [
                "MediaformCore",
                "MediaformKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mediaform",
            dependencies: [
                "MediaformCore",
                "MediaformKit",
                "MediaformEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "MediaformTestSupport",
            dependencies: ["MediaformCore", "MediaformKit", "MediaformEmulator"]
        ),
        .executableTarget(
            name: "mediaform-bench",
            dependencies: ["MediaformCore", "MediaformKit", "CYAML"],
            path: "Benchmarks/mediaform-bench"
        ),
        .testTarget(
            name: "MediaformCoreTests",
            dependencies: ["MediaformCore", "MediaformTestSupport"]
        ),
        .testTarget(
            name: "MediaformKitTests",
            dependencies: ["MediaformKit", "MediaformEmulator", "MediaformTestSupport"]
        ),
        .testTarget(
            name: "mediaformTests",
            dependencies: ["MediaformTestSupport", "mediaform"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target exists only for Scripts/fuzz.sh (MEDIAFORM_FUZZ=1, -sanitize=fuzzer,address, its own
// scratch path): without the fuzzer runtime it cannot link, and it must never break the normal build.
if ProcessInfo.processInfo.environment["MEDIAFORM_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "mediaform-fuzz",
            dependencies: ["MediaformCore"],
            path: "Fuzz/MediaformFuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}
