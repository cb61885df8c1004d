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
