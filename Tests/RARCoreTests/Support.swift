import Foundation
@testable import RARCore

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
