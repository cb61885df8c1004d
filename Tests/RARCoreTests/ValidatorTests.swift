import Foundation
import Testing
@testable import RARCore

@Suite struct ValidatorTests {
    static let ruleFor: [String: [String]] = [
        "syntax_error": ["F4", "F2"], "decode_error": ["F1"], "null_bytes": ["F3"], "parser_limit": ["F8"],
        "not_found": ["M1", "M2"], "not_literal": ["M5"], "unhashable": ["M6"], "none_value": ["M7"],
    ]

    /// The line Python names in its error text ("line N"), if any.
    static func pythonLine(_ error: String?) -> Int? {
        guard let e = error, let r = e.range(of: #"line (\d+)"#, options: .regularExpression) else { return nil }
        return Int(e[r].dropFirst(5))
    }

    /// Every adversarial input that Python rejects gets the matching rule, at Python's line.
    @Test(arguments: ManifestConformanceTests.adversarialRows().filter { $0.fixture["error_code"]?.stringValue != nil })
    func pointsWherePythonDoes(_ row: ManifestConformanceTests.Row) {
        let code = row.fixture["error_code"]!.stringValue!
        let file = AgentFile(path: row.id + "_agent.py", bytes: ManifestConformanceTests.sourceBytes(row.fixture), sizeLimit: 64 << 20)
        let report = Validator().validate(file)
        let rules = Self.ruleFor[code] ?? []
        let hits = report.diagnostics.filter { rules.contains($0.rule) && $0.severity == .error }
        #expect(!hits.isEmpty, "\(row.id): expected \(rules) in \(report.diagnostics.map { "\($0.rule) \($0.message)" })")
        if let line = Self.pythonLine(row.fixture["error"]?.stringValue), code != "parser_limit" {
            #expect(hits.contains { $0.line == line }, "\(row.id): Python says line \(line); ours \(hits.map { "\($0.location) \($0.message)" })")
        }
        #expect(!report.isValid)
    }

    /// The contract rows: our C3/C4/C5 errors carry the reference's messages.
    @Test(arguments: ManifestConformanceTests.adversarialRows().filter { $0.fixture["kind"]?.stringValue == "contract" })
    func contractMessages(_ row: ManifestConformanceTests.Row) {
        let want = row.fixture["build_registry.validate_runtime_contract"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let file = AgentFile(path: "sample_agent.py", bytes: ManifestConformanceTests.sourceBytes(row.fixture))
        let ours = Validator().validate(file).diagnostics.filter { ["C3", "C4", "C5"].contains($0.rule) }
        #expect(ours.map(\.message).sorted() == want.sorted(), "\(row.id)")
        for d in ours { #expect(d.line > 0, "\(row.id): \(d.message) has no position") }
    }

    @Test func baselineAgentIsValid() throws {
        let row = try #require(ManifestConformanceTests.adversarialRows().first { $0.id == "baseline_valid_agent" })
        let file = AgentFile(path: "sample_agent.py", bytes: ManifestConformanceTests.sourceBytes(row.fixture))
        let report = Validator().validate(file)
        #expect(report.isValid, "\(report.diagnostics.map(\.message))")
        #expect(report.diagnostics.filter { $0.severity != .note }.isEmpty, "\(report.diagnostics.map(\.message))")
    }

    @Test func locatesFieldErrorsAtTheirValues() {
        let src = """
        \"\"\"Doc.\"\"\"
        __manifest__ = {
            "schema": "rapp-agent/1.0",
            "name": "demo",
            "version": "1.0",
            "display_name": "D",
            "description": "d",
            "author": "a",
            "tags": [],
            "category": "general",
        }
        """
        let report = Validator().validate(AgentFile(path: "demo_agent.py", bytes: Array(src.utf8)))
        let v2 = report.diagnostics.first { $0.rule == "V2" }
        let v3 = report.diagnostics.first { $0.rule == "V3" }
        #expect(v2?.line == 4 && v2?.column == 13)
        #expect(v3?.line == 5 && v3?.column == 16)
        #expect(v2?.message == "Invalid name format 'demo' — must be @publisher/slug")
    }

    @Test func strictTurnsWarningsIntoErrors() {
        let src = "__manifest__ = {\"schema\": \"rapp-agent/1.0\", \"name\": \"@a/b\", \"version\": \"1.0.0\", \"display_name\": \"B\", \"description\": \"d\", \"author\": \"a\", \"tags\": [], \"category\": \"general\"}\n"
        let lenient = Validator().validate(AgentFile(path: "b_agent.py", bytes: Array(src.utf8)))
        let strict = Validator(strict: true).validate(AgentFile(path: "b_agent.py", bytes: Array(src.utf8)))
        #expect(lenient.diagnostics.contains { $0.rule == "D1" && $0.severity == .warning })
        #expect(strict.diagnostics.contains { $0.rule == "D1" && $0.severity == .error })
    }

    /// D1 fires for a missing docstring and for one of only whitespace (Unicode spaces too).
    @Test func blankDocstringsWarn() {
        let cases: [(String, Bool)] = [
            (String(repeating: "\"", count: 6), true), (#"""" \n\t """"#, true), (#""\u00a0\u2003\x85""#, true), ("x = 0", true),
            (#"""" x """"#, false), (#""\u00a0.""#, false), ("'Agent.'", false),
        ]
        for (doc, blank) in cases {
            let report = Validator().validate(AgentFile(path: "d_agent.py", bytes: Array((doc + "\nx = 1\n").utf8)))
            #expect(report.diagnostics.contains { $0.rule == "D1" } == blank, "\(doc)")
        }
    }

    @Test func sarifIsWellFormed() throws {
        let d = Diagnostic(rule: "V1", severity: .error, file: "x_agent.py", line: 2, column: 3, message: "Missing required field: name", hint: "add it")
        let sarif = DiagnosticRenderer.sarif([d])
        #expect(sarif["version"]?.stringValue == "2.1.0")
        let result = sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue?.first
        #expect(result?["ruleId"]?.stringValue == "V1")
        #expect(result?["level"]?.stringValue == "error")
    }
}
