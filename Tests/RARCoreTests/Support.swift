import Foundation
@testable import RARCore

/// SplitMix64: small, seedable, reproducible (the fuzz tests' generator).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Paths shared by the tests.
enum TestPaths {
    /// The project root (this file is <root>/Tests/RARCoreTests/Support.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The shared conformance fixtures, beside the project.
    static let conformance = root.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    static func loadJSON(_ name: String) throws -> JSONValue {
        try JSONParser().parse(Data(contentsOf: conformance.appendingPathComponent(name)))
    }
}
