import Foundation
import Testing
@testable import RARCore

/// schemas/rapp-agent-1.0.schema.json agrees with the validator: manifests that validate
/// clean satisfy the schema, and manifests the validator rejects on a field rule fail it.
@Suite struct ManifestSchemaTests {
    static let schemaPath = TestPaths.root.appendingPathComponent("schemas/rapp-agent-1.0.schema.json").path

    /// Run python3's jsonschema over manifests; nil when it is not available.
    static func schemaVerdicts(_ manifests: [JSONValue]) -> [Bool]? {
        guard let py = DifferentialTests.python() else { return nil }
        let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            sys.exit(3)
        schema = json.load(open(sys.argv[1]))
        v = jsonschema.Draft202012Validator(schema)
        for line in sys.stdin:
            print("1" if v.is_valid(json.loads(line)) else "0")
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = ["-c", script, schemaPath]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        do { try p.run() } catch { return nil }
        input.fileHandleForWriting.write(Data(manifests.map { $0.serialized(.compact) + "\n" }.joined().utf8))
        input.fileHandleForWriting.closeFile()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return out.split(separator: "\n").map { $0 == "1" }
    }

    static func manifest(_ fields: [(String, JSONValue)]) -> JSONValue {
        var base: [(String, JSONValue)] = [
            ("schema", "rapp-agent/1.0"), ("name", "@demo/sample"), ("version", "1.0.0"), ("display_name", "Sample"),
            ("description", "A sample."), ("author", "Demo"), ("tags", ["demo"]), ("category", "general"),
            ("quality_tier", "community"), ("requires_env", []), ("dependencies", ["@rapp/basic_agent"]),
        ]
        for (k, v) in fields {
            if let i = base.firstIndex(where: { $0.0 == k }) {
                if v == .null { base.remove(at: i) } else { base[i].1 = v }
            } else { base.append((k, v)) }
        }
        return .object(base)
    }

    @Test func schemaAgreesWithValidator() throws {
        let cases: [(JSONValue, Bool)] = [
            (Self.manifest([]), true),
            (Self.manifest([("name", "demo")]), false),
            (Self.manifest([("version", "1.0")]), false),
            (Self.manifest([("version", "1.0.0-beta")]), false),
            (Self.manifest([("tags", "x")]), false),
            (Self.manifest([("category", "generl")]), false),
            (Self.manifest([("quality_tier", "gold")]), false),
            (Self.manifest([("author", .null)]), false),
            (Self.manifest([("requires_env", [1])]), false),
            (Self.manifest([("platforms", ["linux"])]), true),
        ]
        guard let verdicts = Self.schemaVerdicts(cases.map(\.0)) else {
            print("SKIP schemaAgreesWithValidator: python3 with jsonschema not available")
            return
        }
        for ((m, expected), schemaOK) in zip(cases, verdicts) {
            #expect(schemaOK == expected, "schema verdict for \(m.serialized())")
            // Our validator on the same manifest, written as an agent file.
            let src = "\"\"\"Doc.\"\"\"\n__manifest__ = \(m.serialized(.python).replacingOccurrences(of: "null", with: "None"))\n"
            let report = Validator().validate(AgentFile(path: "sample_agent.py", bytes: Array(src.utf8)))
            let fieldErrors = report.diagnostics.filter { $0.severity == .error && $0.rule.hasPrefix("V") }
            #expect(fieldErrors.isEmpty == expected, "validator on \(m.serialized()): \(fieldErrors.map(\.message))")
        }
    }

    @Test func sampleRegistryManifestsSatisfySchema() throws {
        let files = AgentTree.walk(TestPaths.root.appendingPathComponent("registry/agents").path)
        #expect(files.count >= 4)
        let manifests = try files.map { path -> JSONValue in
            let m = try AgentFile(path: path).manifest
            return try #require(m.value?.json, "\(path): \(m.error ?? "")")
        }
        guard let verdicts = Self.schemaVerdicts(manifests) else {
            print("SKIP sampleRegistryManifestsSatisfySchema: python3 with jsonschema not available")
            return
        }
        #expect(verdicts.allSatisfy { $0 }, "\(zip(files, verdicts).filter { !$0.1 }.map(\.0))")
        for f in files { #expect(Validator(strict: true).validate(path: f).isValid, "\(f)") }
    }
}
