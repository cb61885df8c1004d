// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "RAR",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RARCore", targets: ["RARCore"]),
        .executable(name: "rar", targets: ["rar"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The HTML catalog: templates and Markdown docstrings.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "RARCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .executableTarget(
            name: "rar",
            dependencies: [
                "RARCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Developer benchmark for the identity module (bench/identity.sh).
        .executableTarget(
            name: "rar-identity-bench",
            dependencies: ["RARCore"],
            path: "bench/rar-identity-bench"
        ),
        .testTarget(
            name: "RARCoreTests",
            dependencies: ["RARCore"]
        ),
    ]
)
