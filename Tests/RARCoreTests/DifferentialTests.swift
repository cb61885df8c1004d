import Foundation
import Testing
@testable import RARCore

/// Random and mutated agent files, compared with CPython's own `ast` (Tests/differential/pydiff.py).
@Suite struct DifferentialTests {
    static var rarBinary: URL {
        // The test bundle sits beside the built `rar` executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        return dir.appendingPathComponent("rar")
    }

    /// python3 as the PATH finds it (so a pyenv or venv with jsonschema wins).
    static func python() -> String? { ContractTester.findPython() }

    @Test(arguments: [101, 202, 303])
    func agreesWithCPython(seed: Int) throws {
        guard let py = Self.python() else {
            print("SKIP differential: python3 not found")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: Self.rarBinary.path) else {
            print("SKIP differential: rar binary not found at \(Self.rarBinary.path) (run swift build first)")
            return
        }
        let script = TestPaths.root.appendingPathComponent("Tests/differential/pydiff.py").path
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: py)
        var args = [script, Self.rarBinary.path, "--count", "300", "--seed", String(seed)]
        if let corpus = ProcessInfo.processInfo.environment["RAR_CORPUS"] { args += ["--corpus", corpus] }
        proc.arguments = args
        let pipe = Pipe()
        proc.standardOutput = pipe
        proc.standardError = pipe
        try proc.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        proc.waitUntilExit()
        #expect(proc.terminationStatus == 0, "\(out.suffix(4000))")
    }
}
