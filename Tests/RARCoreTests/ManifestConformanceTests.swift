import Crypto
import Foundation
import Testing
@testable import RARCore

/// `rar manifest` against what Python computed (../shared/conformance/manifests.json).
@Suite struct ManifestConformanceTests {
    struct Row: CustomStringConvertible {
        let id: String
        let fixture: JSONValue
        var description: String { id }
    }

    static let fixture: JSONValue? = try? TestPaths.loadJSON("manifests.json")

    static func adversarialRows() -> [Row] {
        guard let rows = fixture?["adversarial"]?.arrayValue else { return [] }
        return rows.map { Row(id: $0["id"]!.stringValue!, fixture: $0) }
    }

    static func sourceBytes(_ row: JSONValue) -> [UInt8] {
        if let s = row["source"]?.stringValue { return Array(s.utf8) }
        if let b = row["source_b64"]?.stringValue { return [UInt8](Data(base64Encoded: b)!) }
        var out = ""
        for part in row["source_parts"]?.arrayValue ?? [] {
            if let t = part["text"]?.stringValue { out += t }
            if let r = part["repeat"]?.stringValue, let n = part["count"]?.intValue { out += String(repeating: r, count: n) }
        }
        return Array(out.utf8)
    }

    /// Compare our JSON with the fixture's, honouring its `$long_str` / `$long_list` abbreviations.
    static func matches(_ ours: JSONValue, _ expected: JSONValue) -> Bool {
        if case .object(let e) = expected, e.count == 1 {
            if e[0].0 == "$long_str", let s = ours.stringValue {
                let spec = e[0].1
                let hex = SHA256.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
                return spec["length"]?.intValue == s.unicodeScalars.count && spec["sha256_utf8"]?.stringValue == hex
            }
            if e[0].0 == "$long_list", case .array(let items) = ours {
                let spec = e[0].1
                guard spec["length"]?.intValue == items.count, let first = items.first else { return false }
                guard matches(first, spec["first"]!) else { return false }
                let allEq = items.allSatisfy { $0 == first }
                return spec["all_equal_to_first"]?.boolValue == allEq
            }
        }
        switch (ours, expected) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0.0 == $1.0 && matches($0.1, $1.1) }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
        default:
            return ours == expected
        }
    }

    static func check(_ file: AgentFile, against row: JSONValue) -> [String] {
        let rec = file.manifestRecord()
        var problems: [String] = []
        for key in ["manifest", "manifest_type", "error_code", "manifest_stmt_line", "manifest_span"] {
            let ours = rec[key] ?? .null
            let want = row[key] ?? .null
            if !matches(ours, want) {
                problems.append("\(key): ours \(ours.serialized().prefix(300)) want \(want.serialized().prefix(300))")
            }
        }
        let oursExtras = rec["extras"] ?? .null
        let wantExtras = row["extras"] ?? .null
        if case .object(let want) = wantExtras {
            for (k, v) in want {
                let o = oursExtras[k]
                if o == nil || !matches(o!["value"] ?? .null, v["value"] ?? .null) || (o!["error_code"] ?? .null) != (v["error_code"] ?? .null) {
                    problems.append("extras.\(k): ours \(o?.serialized() ?? "nil") want \(v.serialized().prefix(300))")
                }
            }
        } else if !oursExtras.isNull && row["extras"] != nil {
            problems.append("extras: ours \(oursExtras.serialized()) want none")
        }
        return problems
    }

    @Test(arguments: adversarialRows())
    func adversarial(_ row: Row) {
        // The fixture includes 10 MB inputs; lift our own size limit to compare with Python.
        let file = AgentFile(path: row.id, bytes: Self.sourceBytes(row.fixture), sizeLimit: 64 << 20)
        let problems = Self.check(file, against: row.fixture)
        #expect(problems.isEmpty, "\(row.id): \(problems.joined(separator: "; "))")
    }

    @Test func adversarialFixtureIsPresent() {
        #expect(Self.adversarialRows().count == 210)
    }

    /// The 385 real files, when RAR_CORPUS points at a directory holding `rar/` (kody-w/RAR)
    /// and `rapp/` (kody-w/RAPP) checkouts.
    @Test func realCorpus() throws {
        guard let corpus = ProcessInfo.processInfo.environment["RAR_CORPUS"] else {
            print("SKIP realCorpus: set RAR_CORPUS to a directory with rar/ and rapp/ checkouts to run the 385 real-file rows")
            return
        }
        let rows = Self.fixture?["files"]?.arrayValue ?? []
        var checked = 0, missing: [String] = []
        for row in rows {
            let path = row["path"]!.stringValue!
            let parts = path.split(separator: ":", maxSplits: 1)
            let url = URL(fileURLWithPath: corpus).appendingPathComponent(String(parts[0])).appendingPathComponent(String(parts[1]))
            guard let data = try? Data(contentsOf: url) else { missing.append(path); continue }
            let hex = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            guard hex == row["sha256"]?.stringValue else { missing.append(path + " (different bytes)"); continue }
            let file = AgentFile(path: path, bytes: [UInt8](data))
            let problems = Self.check(file, against: row)
            #expect(problems.isEmpty, "\(path): \(problems.joined(separator: "; "))")
            checked += 1
        }
        print("realCorpus: checked \(checked) of \(rows.count) rows; \(missing.count) not found or different")
        #expect(checked > 0)
    }
}
