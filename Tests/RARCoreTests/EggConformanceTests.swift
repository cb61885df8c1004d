import Foundation
import Testing
@testable import RARCore

/// Locates the shared conformance fixtures (env RAR_EGG_FIXTURES, else ../shared next to the repo).
enum EggFixtures {
    static let root: String? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["RAR_EGG_FIXTURES"] { candidates.append(env) }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("shared/conformance/eggs").path)
            candidates.append(dir.appendingPathComponent("../shared/conformance/eggs").standardized.path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/golden/golden-index.json") }
    }()

    static func bytes(_ rel: String) throws -> [UInt8] {
        guard let root else { throw EggError("io-missing-fixtures", "fixtures not found") }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel)))
    }

    static func json(_ rel: String) throws -> JSONValue { try JSONParser().parse(bytes: try bytes(rel)) }

    static func files(_ dir: String) -> [String] {
        guard let root else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? []).sorted()
    }

    static func testKeyring() throws -> EggKeyring {
        let idx = try json("golden/golden-index.json")
        var ring = EggKeyring()
        ring.add(try EggPublicKey(kid: idx["signer_kid"]!.stringValue!, spkiDER: Base64URL.decodeStandard(idx["test_only_spki_der_b64"]!.stringValue!)!))
        return ring
    }

    static func testSigningKey() throws -> EggSigningKey {
        let idx = try json("golden/golden-index.json")
        let seed = Bytes.fromHex(idx["test_only_ed25519_seed_hex"]!.stringValue!)!
        let kid = Rappid(idx["signer_kid"]!.stringValue!)!
        return try EggSigningKey(seed: seed, owner: kid.owner, slug: kid.slug)
    }
}

/// A fresh temp directory removed when the value goes away.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "rar-egg-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ rel: String, _ text: String) throws {
        let p = path + "/" + rel
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
    }

    /// Every regular file under the directory, relative, sorted.
    func tree(_ sub: String? = nil) -> [String] {
        let base = sub.map { path + "/" + $0 } ?? path
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let f = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + f, isDirectory: &isDir), !isDir.boolValue { out.append(f) }
        }
        return out.sorted()
    }
}


@Suite("Egg conformance fixtures")
struct EggConformanceTests {
    @Test("golden eggs inspect to golden-index.json")
    func goldenInspect() throws {
        let idx = try EggFixtures.json("golden/golden-index.json")
        let files = idx["files"]!.objectValue!
        #expect(files.count == 7)
        for (name, want) in files {
            let r = EggInspector.inspect(try EggFixtures.bytes("golden/" + name))
            #expect(r.generation == "rapp/1", "\(name)")
            #expect(r.structurallyValid == want["structurally_valid"]!.boolValue!, "\(name)")
            #expect(r.eggHash == want["egg_hash"]!.stringValue!, "\(name)")
            #expect(r.sha256 == want["sha256"]!.stringValue!, "\(name)")
            #expect(r.byteCount == want["bytes"]!.intValue!, "\(name)")
            #expect(r.variants == want["variants"]!.arrayValue!.map { $0.stringValue! }, "\(name)")
            #expect(r.signatureKids == want["signature_kids"]!.arrayValue!.map { $0.stringValue! }, "\(name)")
            // Without a keyring, signed eggs are structurally valid but cannot be accepted.
            #expect(r.accepted == r.signatureKids.isEmpty, "\(name)")
            #expect(r.signatureStatus == (r.signatureKids.isEmpty ? "unsigned" : "unverified"), "\(name)")
        }
    }

    @Test("all 38 adversarial eggs get their expected verdict and code")
    func adversarial() throws {
        let idx = try EggFixtures.json("adversarial/adversarial-index.json").objectValue!
        #expect(idx.count == 38)
        var matched = 0
        for (name, want) in idx {
            let bytes = try EggFixtures.bytes("adversarial/" + name)
            #expect(EggHash.sha256(bytes) == want["sha256"]!.stringValue!, "\(name)")
            let r = EggInspector.inspect(bytes)
            let strict = want["rapp1_core"]!
            let code = strict["error_code"]!.stringValue
            // The strict core's verdict, reproduced exactly.
            #expect(r.strictValid == strict["structurally_valid"]!.boolValue!, "\(name)")
            #expect(r.strictCode == code, "\(name): got \(r.strictCode ?? "nil")")
            // And every one is refused.
            #expect(!r.accepted, "\(name) must be refused")
            if name.hasPrefix("A") {
                if name.hasPrefix("A05") {
                    #expect(r.structurallyValid && r.errorCode == want["windows_extraction"]!.stringValue!, "A05")
                } else {
                    #expect(r.errorCode == code, "\(name): top-level \(r.errorCode ?? "nil")")
                }
            } else {
                #expect(r.generation == "legacy", "\(name)")
                #expect(r.errorCode != nil, "\(name)")
            }
            if r.strictCode == code && !r.accepted { matched += 1 }
        }
        #expect(matched == 38)
    }

    @Test("legacy adversarial eggs get the legacy importer's specific refusal")
    func legacyCodes() throws {
        let want: [String: String] = [
            "L01-legacy-unknown-schema.egg": "unknown-egg-kind",
            "L02-legacy-organism-zip-slip.egg": "legacy-unsafe-path",
            "L03-legacy-organism-absolute-member.egg": "legacy-unsafe-path",
            "L04-legacy-organism-symlink.egg": "legacy-unsafe-entry",
            "L05-legacy-organism-secrets.egg": "legacy-secret-material",
            "L06-legacy-session-runtime-sha-mismatch.egg": "legacy-runtime-hash-mismatch",
            "L07-rapp-egg-2.0-member-hash-traversal.egg": "legacy-unsafe-manifest-name",
            "L08-legacy-schema-type-conflict.egg": "legacy-schema-type-conflict",
            "L09-legacy-rapplication-manifest-path-injection.egg": "legacy-unsafe-manifest-name",
            "L10-legacy-organism-compression-bomb.egg": "legacy-limit-exceeded",
        ]
        for (name, code) in want {
            let r = EggInspector.inspect(try EggFixtures.bytes("adversarial/" + name))
            #expect(r.errorCode == code, "\(name): \(r.errorCode ?? "nil") \(r.errorMessage ?? "")")
        }
    }
}
