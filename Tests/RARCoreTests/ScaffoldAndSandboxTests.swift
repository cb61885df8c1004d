import Foundation
import Testing
@testable import RARCore

@Suite struct ScaffoldAndSandboxTests {
    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rar-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = tempDir().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func scaffoldValidatesStrictly() throws {
        var o = Scaffold.Options(name: "@my-team/weather_report")
        o.tags = ["weather"]
        let text = try Scaffold.render(o)
        let report = Validator(strict: true).validate(AgentFile(path: "weather_report_agent.py", bytes: Array(text.utf8)))
        #expect(report.isValid, "\(report.diagnostics.map { "\($0.rule) \($0.message)" })")
        #expect(report.manifest?.get("name")?.string == "@my-team/weather_report")
        #expect(Scaffold.fileName(slug: "weather_report") == "weather_report_agent.py")
    }

    @Test func scaffoldRejectsBadNames() {
        for bad in ["weather", "@team", "@team/Weather", "@te am/x", "@team/a-b", "@/x"] {
            #expect(throws: Scaffold.Invalid.self) { try Scaffold.render(Scaffold.Options(name: bad)) }
        }
    }

    @Test func scaffoldPassesContractTests() throws {
        guard ContractTester.findPython() != nil else { print("SKIP scaffoldPassesContractTests: python3 not found"); return }
        let path = try Self.write(try Scaffold.render(Scaffold.Options(name: "@demo/echo")), "echo_agent.py")
        let report = try ContractTester().run(path: path)
        #expect(report.results.count == 10)
        #expect(report.passed, "\(report.results.filter { !$0.passed }.map { "\($0.name): \($0.message)" })")
    }

    static func agent(perform body: String) throws -> String {
        let base = try Scaffold.render(Scaffold.Options(name: "@demo/probe"))
        let patched = base.replacingOccurrences(of: "        query = kwargs.get(\"query\") or \"hello\"\n        return f\"{self.name} received: {query}\"", with: body)
        #expect(patched != base)
        return try write(patched, "probe_agent.py")
    }

    @Test func sandboxRefusesNetwork() throws {
        guard ContractTester.findPython() != nil else { print("SKIP sandboxRefusesNetwork: python3 not found"); return }
        let path = try Self.agent(perform: """
                import socket
                try:
                    socket.create_connection(("127.0.0.1", 9), timeout=1)
                    return "CONNECTED"
                except Exception as e:
                    return "refused: " + type(e).__name__
        """)
        let r = try ContractTester().run(path: path)
        let perform = try #require(r.results.first { $0.name == "perform_returns_str" })
        #expect(perform.passed)
        #expect(perform.message.contains("refused"), "\(perform.message)")
        #expect(!perform.message.contains("CONNECTED"))
    }

    @Test func sandboxStopsRunawayCPU() throws {
        guard ContractTester.findPython() != nil else { print("SKIP sandboxStopsRunawayCPU: python3 not found"); return }
        let path = try Self.agent(perform: "        while True:\n            pass")
        var t = ContractTester()
        t.cpuSeconds = 2
        t.timeoutSeconds = 30
        let start = Date()
        let r = try t.run(path: path)
        #expect(Date().timeIntervalSince(start) < 25)
        let perform = try #require(r.results.first { $0.name == "perform_returns_str" })
        #expect(!perform.passed)
        #expect(perform.message.contains("CPU limit"), "\(perform.message)")
    }

    @Test func sandboxEnvironmentHasNoSecrets() throws {
        guard ContractTester.findPython() != nil else { print("SKIP sandboxEnvironmentHasNoSecrets: python3 not found"); return }
        setenv("RAR_TEST_SECRET_TOKEN", "s3cr3t", 1)
        defer { unsetenv("RAR_TEST_SECRET_TOKEN") }
        let path = try Self.agent(perform: "        import os\n        return os.environ.get('RAR_TEST_SECRET_TOKEN', 'absent')")
        let r = try ContractTester().run(path: path)
        let perform = try #require(r.results.first { $0.name == "perform_returns_str" })
        #expect(perform.message.contains("absent"), "\(perform.message)")
    }
}
