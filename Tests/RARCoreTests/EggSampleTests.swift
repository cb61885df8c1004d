import Foundation
import Testing
@testable import RARCore

@Suite("Real sample eggs")
struct EggSampleTests {
    /// Throws (failing the one test) when the fixtures are missing.
    func hatch(_ name: String) throws -> (Result<EggHatchResult, EggHatchFailure>, TempDir) {
        let dir = TempDir()
        let bytes = try EggFixtures.bytes("samples/" + name)
        do { return (.success(try EggHatcher.hatch(bytes, options: EggHatchOptions(into: dir.path + "/out"))), dir) } catch {
            return (.failure(error), dir)
        }
    }

    @Test("legacy 2.2 organisms hatch to rappid.json and soul.md", arguments: ["journal", "playtime", "workday"])
    func organisms(_ n: String) throws {
        let (res, dir) = try hatch("legacy-2.2-organism--\(n).egg")
        let r = try res.get()
        #expect(r.written == ["rappid.json", "soul.md"])
        #expect(dir.tree("out") == ["rappid.json", "soul.md"])
        #expect(r.report.generation == "legacy" && r.report.kind == "brainstem-egg/2.2-organism (organism)")
        #expect(r.report.rappid?.hasPrefix("rappid:v2:starter:@rapp/\(n):") == true)
        #expect(r.report.strictCode == "invalid-zip-metadata")
    }

    @Test("legacy sessions write nothing and report mount info")
    func sessions() throws {
        let (res, dir) = try hatch("legacy-2.3-session--tutorial.egg")
        let r = try res.get()
        #expect(r.written.isEmpty && dir.tree().isEmpty)
        let d = Dictionary(uniqueKeysWithValues: r.pointer)
        #expect(d["title"] == "Tutorial session cartridge" && d["transcript_events"] == 1 && d["participants"] == 0 && d["mountable"] == false)
        #expect(r.report.strictCode == "noncanonical-manifest")

        let (res2, dir2) = try hatch("legacy-rappterbox-cart-0.1--hello.cart.json")
        let c = try res2.get()
        let d2 = Dictionary(uniqueKeysWithValues: c.pointer)
        #expect(c.written.isEmpty && dir2.tree().isEmpty)
        #expect(d2["mountable"] == true && d2["participants"] == 2 && d2["transcript_events"] == 1)
        #expect(d2["participant_names"] == ["you", "Twin"])
        #expect(d2["runtime_sha256"] == "c7fa93aa725e5237f7cce892780c7b20ac888ed0a830e867a2144c6af12abcce")
    }

    @Test("legacy neighborhood invites are pointers that cannot be accepted unsigned",
          arguments: ["batcave", "commons-eternity32", "commons-v2rappid"])
    func invites(_ n: String) throws {
        let (res, dir) = try hatch("legacy-2.3-neighborhood-invite--\(n).egg")
        guard case .failure(let f) = res else { Issue.record("must refuse"); return }
        #expect(f.error.code == "legacy-unsigned-invite")
        #expect(f.report.details.contains { $0.0 == "target_rappid" })
        #expect(f.report.strictCode == "noncanonical-manifest")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty == true)
    }

    @Test("unknown kinds are refused with the known list; nothing written",
          arguments: ["legacy-2.3-cubby--rapp-installer.egg", "legacy-rapp-egg-1.0-twinstack--bookfactory-demo.egg"])
    func unknown(_ name: String) throws {
        let (res, dir) = try hatch(name)
        guard case .failure(let f) = res else { Issue.record("must refuse"); return }
        #expect(f.error.code == "unknown-egg-kind")
        #expect(f.error.message.contains("brainstem-egg/2.2-organism"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty == true)
        #expect(f.report.strictCode == "invalid-zip-metadata")
    }

    @Test("RAPP/1 samples: the session is valid, the placeholder invite and lenient rapplication are refused")
    func rapp1Samples() throws {
        let (res, dir) = try hatch("rapp1-session--sample-session.egg")
        let s = try res.get()
        #expect(s.written.isEmpty && dir.tree().isEmpty)
        #expect(s.report.eggHash == "1ab461cdf5c409585274921f5822253fc4d56f618f2cf232bb9044927170f34c")
        #expect(s.report.details.first { $0.0 == "transcript_turns" }?.1 == 1)

        let (r2, _) = try hatch("rapp1-invite--commons-placeholder-sig.egg")
        guard case .failure(let f2) = r2 else { Issue.record("must refuse"); return }
        #expect(f2.error.code == "invalid-jws" && f2.report.generation == "rapp/1")

        let (r3, _) = try hatch("rapp1-rapplication--cubby-rapp-installer-lenient.egg")
        guard case .failure(let f3) = r3 else { Issue.record("must refuse"); return }
        #expect(f3.error.code == "invalid-zip-metadata" && f3.report.generation == "rapp/1")
    }

    @Test("sample sizes and hashes match the README")
    func catalogue() throws {
        let want: [String: (Int, String)] = [
            "legacy-2.2-organism--journal.egg": (1391, "18764381f4623334"),
            "legacy-2.3-cubby--rapp-installer.egg": (192707, "eae07bfd67b5e5f1"),
            "rapp1-session--sample-session.egg": (481, "16f933063d7192eb"),
        ]
        for (n, (size, prefix)) in want {
            let r = EggInspector.inspect(try EggFixtures.bytes("samples/" + n))
            #expect(r.byteCount == size && r.sha256.hasPrefix(prefix), "\(n)")
        }
    }
}

@Suite("Compact rapp-egg/1.0 seed strings")
struct EggCompactTests {
    @Test("all valid vectors encode and decode")
    func vectors() throws {
        let v = try EggFixtures.json("golden/compact-rapp-egg-1.0-vectors.json")
        let valid = v["valid"]!.arrayValue!
        #expect(valid.count == 5)
        for item in valid {
            let seeds = item["seeds"]!.arrayValue!.map { UInt128($0.stringValue!)! }
            let compact = item["compact"]!.stringValue!
            #expect(try CompactSeeds.encodeCompact(seeds: seeds) == compact)
            #expect(try CompactSeeds.decodeCompact(compact) == seeds)
            let hex = item["seeds_hex"]!.arrayValue!.map { CompactSeeds.parseSeed($0.stringValue!)! }
            #expect(hex == seeds)
        }
    }

    @Test("the lenient quirks and wrong lengths are refused")
    func refusals() throws {
        let v = try EggFixtures.json("golden/compact-rapp-egg-1.0-vectors.json")
        let bad = v["rar_lenient_quirks_a_strict_decoder_should_refuse"]!.arrayValue! + v["invalid_in_rar_too"]!.arrayValue!
        #expect(bad.count == 8)
        for item in bad {
            #expect(throws: EggError.self, "\(item["label"]!.stringValue!)") { try CompactSeeds.decodeCompact(item["compact"]!.stringValue!) }
        }
        // Non-canonical width and over-wide seeds.
        #expect(throws: EggError.self) { try CompactSeeds.decodeCompact("v2.AAAAAAAAAAAB") }
        #expect(throws: EggError.self) { try CompactSeeds.encodeCompact(seeds: [UInt128(1) << 66]) }
        #expect(throws: EggError.self) { try CompactSeeds.encodeCompact(seeds: []) }
        let max66 = (UInt128(1) << 66) - 1
        #expect(try CompactSeeds.decodeCompact(try CompactSeeds.encodeCompact(seeds: [max66, 0])) == [max66, 0])
    }
}
