import Foundation
import Testing
@testable import RARCore

@Suite("Golden eggs: hatch, repack byte for byte, signatures")
struct EggGoldenTests {
    /// Hatch the golden egg, then pack the result again with its own rappid, created_utc and payload.
    func repack(_ name: String) throws -> (original: [UInt8], repacked: [UInt8]) {
        let original = try EggFixtures.bytes("golden/" + name)
        guard case .success(let egg) = RAPP1.inspect(original) else { throw EggError("test", "golden egg invalid") }
        let dir = TempDir()
        var o = EggPackOptions()
        o.rappid = egg.manifest.rappid
        o.createdUTC = egg.manifest.createdUTC
        o.payload = egg.manifest.payload
        if egg.manifest.sig != nil {
            o.signingKey = try EggFixtures.testSigningKey()
        }
        var hatchOptions = EggHatchOptions(into: dir.path + "/hatched")
        hatchOptions.keyring = try EggFixtures.testKeyring()
        let hatched = try EggHatcher.hatch(original, options: hatchOptions)
        let kind = EggPackKind(rawValue: egg.manifest.variant.rawValue)!
        let source: String? = kind.variant.isJSON ? nil : hatched.destination
        if !kind.variant.isJSON {
            #expect(hatched.written == ["manifest.json"] + egg.manifest.contents.map(\.path))
            #expect(dir.tree("hatched") == (["manifest.json"] + egg.manifest.contents.map(\.path)).sorted())
        } else {
            #expect(hatched.written.isEmpty && dir.tree().isEmpty)
        }
        let r = try EggPacker.pack(kind: kind, source: source, options: o)
        return (original, r.bytes)
    }

    @Test("every golden egg is reproduced byte for byte", arguments: [
        "golden-organism.egg", "golden-organism-signed-ed25519.egg", "golden-rapplication.egg", "golden-session.egg",
        "golden-invite-signed-ed25519.egg", "golden-neighborhood.egg", "golden-estate.egg",
    ])
    func reproduce(_ name: String) throws {
        let (original, repacked) = try repack(name)
        #expect(repacked == original, "\(name): \(repacked.count) vs \(original.count) bytes")
    }

    @Test("golden signed eggs verify with the fixtures' test key")
    func verifySigned() throws {
        let ring = try EggFixtures.testKeyring()
        for name in ["golden-organism-signed-ed25519.egg", "golden-invite-signed-ed25519.egg"] {
            let r = EggInspector.inspect(try EggFixtures.bytes("golden/" + name), keyring: ring)
            #expect(r.signatureStatus == "verified" && r.trustStatus == "VERIFIED" && r.accepted, "\(name)")
        }
        // The signer kid is the keyed rappid of the test key.
        let key = try EggFixtures.testSigningKey()
        #expect(key.kid == ring.keys.keys.first)
    }

    @Test("a tampered signed egg fails verification")
    func tampered() throws {
        let ring = try EggFixtures.testKeyring()
        let invite = try EggFixtures.bytes("golden/golden-invite-signed-ed25519.egg")
        // Change the target URL but keep the signature: still canonical, still structurally valid.
        let text = String(decoding: invite, as: UTF8.self).replacingOccurrences(of: "https://example.test/demo-commons/", with: "https://evil.test/demo-commons/")
        let r = EggInspector.inspect(Array(text.utf8), keyring: ring)
        #expect(r.structurallyValid)
        #expect(!r.accepted && r.signatureStatus == "invalid" && r.errorCode == "signature-verification-failed")
        // A flipped signature byte (still canonical base64url).
        guard case .success(let egg) = RAPP1.inspect(try EggFixtures.bytes("golden/golden-organism-signed-ed25519.egg")) else { Issue.record("invalid"); return }
        var sig = egg.manifest.sig!.signature
        sig[10] ^= 0x01
        let bad = egg.manifest.sig!.protectedSegment + ".." + Base64URL.encode(sig)
        let m = egg.manifest
        let files = zip(m.contents, egg.fileMembers).map { (path: $0.path, data: Array(egg.bytes[$1.range])) }
        let forged = try EggPacker.pack(variant: m.variant, rappid: m.rappid, createdUTC: m.createdUTC, payload: m.payload, files: files, sig: bad)
        let r2 = EggInspector.inspect(forged, keyring: ring)
        #expect(r2.structurallyValid && r2.signatureStatus == "invalid" && !r2.accepted)
        // Hatching refuses and writes nothing.
        let dir = TempDir()
        var o = EggHatchOptions(into: dir.path + "/x")
        o.keyring = ring
        #expect(throws: EggHatchFailure.self) { try EggHatcher.hatch(forged, options: o) }
        #expect(dir.tree().isEmpty && (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty == true)
    }

    @Test("signed eggs are refused without a keyring; sign() keeps the egg address")
    func signing() throws {
        let signed = try EggFixtures.bytes("golden/golden-organism-signed-ed25519.egg")
        let dir = TempDir()
        do {
            _ = try EggHatcher.hatch(signed, options: EggHatchOptions(into: dir.path + "/x"))
            Issue.record("should refuse")
        } catch {
            #expect(error.error.code == "signed-egg-unverified")
        }
        let unsigned = try EggFixtures.bytes("golden/golden-organism.egg")
        let resigned = try EggPacker.sign(unsigned, key: try EggFixtures.testSigningKey())
        #expect(EggInspector.inspect(resigned).eggHash == EggInspector.inspect(unsigned).eggHash)
        #if os(Linux)
        // BoringSSL's Ed25519 is deterministic, so this is the golden signed egg exactly.
        #expect(resigned == signed)
        #endif
        let ring = try EggFixtures.testKeyring()
        #expect(EggInspector.inspect(resigned, keyring: ring).signatureStatus == "verified")
        // A key whose kid does not belong to its SPKI is refused when loading a keyring.
        let other = try EggSigningKey.generate(owner: "example", slug: "estate-owner")
        #expect(throws: EggError.self) { try EggPublicKey(kid: try EggFixtures.testSigningKey().kid, spkiDER: other.spkiDER) }
        // Keyring file round trip.
        var r2 = EggKeyring()
        r2.add(other.publicKey)
        let parsed = try EggKeyring.parse(Array(r2.serialized().utf8))
        #expect(parsed.keys[other.kid]?.spkiDER == other.spkiDER)
        let keyFile = try EggSigningKey.parse(Array(other.serialized().utf8))
        #expect(keyFile.kid == other.kid)
    }
}
