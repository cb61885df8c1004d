import Foundation
import Testing
@testable import RARCore

/// Our reproduction of the reference validators gives their exact messages.
@Suite struct ReferenceChecksTests {
    static func strings(_ v: JSONValue?) -> [String]? { v?.arrayValue?.compactMap(\.stringValue) }

    static func compare(_ file: AgentFile, sdk: JSONValue?, registry: JSONValue?, contract: JSONValue?,
                        security: JSONValue?, capabilities: JSONValue?, substrings: JSONValue?) -> [String] {
        var problems: [String] = []
        let m = file.manifest.value
        if let want = strings(sdk), let m {
            let ours = ReferenceChecks.validateManifest(m, sdk: true)
            if ours != want { problems.append("sdk.validate_manifest: ours \(ours ?? ["CRASH"]) want \(want)") }
        }
        if let want = strings(registry), let m {
            let ours = ReferenceChecks.validateManifest(m, sdk: false)
            if ours != want { problems.append("build_registry.validate_manifest: ours \(ours ?? ["CRASH"]) want \(want)") }
        }
        if case .string(let s)? = sdk, s.hasPrefix("RAISES"), let m, ReferenceChecks.validateManifest(m, sdk: true) != nil {
            problems.append("sdk.validate_manifest: reference crashes, ours does not report the crash case")
        }
        if let want = strings(contract), let module = file.module {
            let ours = ReferenceChecks.runtimeContract(module, manifest: m).map(\.message)
            if ours != want { problems.append("runtime_contract: ours \(ours) want \(want)") }
        }
        let text = file.source.map { PyStr.string($0.scalars) } ?? ""
        if let want = strings(security) {
            let ours = ReferenceChecks.scanSecurity(text).map(\.message)
            if ours != want { problems.append("scan_security: ours \(ours) want \(want)") }
        }
        if let want = strings(capabilities) {
            let ours = ReferenceChecks.scanCapabilities(text)
            if ours != want.sorted() { problems.append("capabilities: ours \(ours) want \(want)") }
        }
        if let want = strings(substrings) {
            let ours = ReferenceChecks.secretSubstringHits(text)
            if ours != want { problems.append("sdk substrings: ours \(ours) want \(want)") }
        }
        return problems
    }

    @Test(arguments: ManifestConformanceTests.adversarialRows())
    func adversarial(_ row: ManifestConformanceTests.Row) {
        let r = row.fixture
        let file = AgentFile(path: row.id, bytes: ManifestConformanceTests.sourceBytes(r), sizeLimit: 64 << 20)
        let problems = Self.compare(file, sdk: r["sdk.validate_manifest"], registry: r["build_registry.validate_manifest"],
                                    contract: r["build_registry.validate_runtime_contract"], security: r["build_registry.scan_security"],
                                    capabilities: r["build_registry.scan_capabilities"], substrings: r["sdk_secret_substrings"])
        #expect(problems.isEmpty, "\(row.id): \(problems.joined(separator: "; "))")
    }

    /// The one-pass scan against each pattern searched on its own, the plain way, over random
    /// texts built from pieces that start, break and complete the patterns.
    @Test func onePassScanMatchesPatternByPattern() {
        typealias T = [UInt32]
        func at(_ t: T, _ i: Int, _ n: String) -> Bool { let n = PyStr.codePoints(n); return i + n.count <= t.count && Array(t[i..<(i + n.count)]) == n }
        func space(_ t: T, _ i: Int) -> Int { var j = i; while j < t.count && PyPattern.isSpace(t[j]) { j += 1 }; return j }
        func call(_ t: T, _ i: Int, _ n: String) -> Int? {
            guard at(t, i, n), i == 0 || !PyPattern.isWord(t[i - 1]) else { return nil }
            let j = space(t, i + PyStr.codePoints(n).count)
            return j < t.count && t[j] == 0x28 ? j + 1 : nil
        }
        func restOfLine(_ t: T, _ j: Int) -> String { PyStr.string(t[j...].prefix { $0 != 0x0A }) }
        func first(_ t: T, _ p: (Int) -> Bool) -> Int? { (0..<t.count).first(where: p) }
        func secret(_ t: T, _ i: Int) -> Bool {
            ["api_key", "api-key", "apikey", "secret", "password", "token"].contains { w in
                guard at(t, i, w) else { return false }
                var j = space(t, i + PyStr.codePoints(w).count)
                guard j < t.count, t[j] == 0x3D else { return false }
                j = space(t, j + 1)
                guard j < t.count, t[j] == 0x22 || t[j] == 0x27 else { return false }
                return t[(j + 1)...].prefix { $0 != 0x22 && $0 != 0x27 }.count >= 8
            }
        }
        let pieces = ["os.system", "os.system (", "open(", "open (", "xopen(", "/etc", "passwd", ".env", "\n", " ", "\t", "\u{85}", "\u{A0}",
                      "exec(", "eval (", "__import__(", "compile(", "'exec'", "\"exec'", "é", "_", "x", "(", "=", " = ", "'", "\"",
                      "token", "token = '", "password=\"", "api-key", "apikey", "secret", "12345678", "API_KEY = \"sk-", "api_key = '", "secret = \""]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2500 {
            let t = PyStr.codePoints((0..<Int.random(in: 0...30, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
            let s = PyPattern.scan(t, substrings: ReferenceChecks.secretSubstringPoints)
            let text = PyStr.string(t).debugDescription
            #expect(s.osSystem == first(t) { call(t, $0, "os.system") != nil }, "\(text)")
            #expect(s.suspiciousOpen == first(t) { i in call(t, i, "open").map { j in ["/etc", "/proc", ".env", ".ssh", "passwd"].contains { restOfLine(t, j).contains($0) } } ?? false }, "\(text)")
            #expect(s.compileExec == first(t) { i in call(t, i, "compile").map { j in ["\"exec\"", "\"exec'", "'exec\"", "'exec'"].contains { restOfLine(t, j).contains($0) } } ?? false }, "\(text)")
            #expect(s.exec == first(t) { call(t, $0, "exec") != nil } && s.eval == first(t) { call(t, $0, "eval") != nil }, "\(text)")
            #expect(s.dynamicImport == first(t) { call(t, $0, "__import__") != nil }, "\(text)")
            #expect(s.hardcodedSecret == first(t) { secret(t, $0) }, "\(text)")
            #expect(s.substrings == ReferenceChecks.secretSubstrings.map { n in first(t) { at(t, $0, n) } }, "\(text)")
        }
    }

    @Test func realCorpus() throws {
        guard let corpus = ProcessInfo.processInfo.environment["RAR_CORPUS"] else {
            print("SKIP ReferenceChecks.realCorpus: set RAR_CORPUS to run")
            return
        }
        var checked = 0
        for row in ManifestConformanceTests.fixture?["files"]?.arrayValue ?? [] {
            let path = row["path"]!.stringValue!
            let parts = path.split(separator: ":", maxSplits: 1)
            let url = URL(fileURLWithPath: corpus).appendingPathComponent(String(parts[0])).appendingPathComponent(String(parts[1]))
            guard let data = try? Data(contentsOf: url) else { continue }
            let file = AgentFile(path: path, bytes: [UInt8](data))
            let rc = row["reference_checks"]
            let problems = Self.compare(file, sdk: rc?["sdk_validate_manifest"], registry: rc?["registry_validate_manifest"],
                                        contract: rc?["runtime_contract"], security: rc?["security"],
                                        capabilities: rc?["capabilities"], substrings: nil)
            #expect(problems.isEmpty, "\(path): \(problems.joined(separator: "; "))")
            checked += 1
        }
        #expect(checked > 300)
    }
}
