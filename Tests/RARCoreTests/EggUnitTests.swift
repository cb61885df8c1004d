import Foundation
import Testing
@testable import RARCore

@Suite("Canonical JSON and the strict input profile")
struct EggJSONTests {
    func code(_ text: String) -> String? {
        do { _ = try CanonicalJSON.strictParse(Array(text.utf8)); return nil } catch { return error.code }
    }

    @Test("ECMAScript number formatting")
    func numbers() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1.5, "-1.5"), (0.1, "0.1"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
            (1e-7, "1e-7"), (0.000001, "0.000001"), (123.456, "123.456"), (1152921504606846976, "1152921504606847000"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (333333333.33333329, "333333333.3333333"),
        ]
        for (d, s) in cases { #expect(CanonicalJSON.ecmaNumber(d) == s, "\(d)") }
    }

    @Test("profile refusals use the reference codes")
    func profile() {
        #expect(code("{\"a\":9007199254740993}") == "number-not-roundtrip")
        #expect(code("{\"a\":1152921504606846976}") == "number-not-roundtrip")
        #expect(code("{\"a\":9007199254740992}") == nil)
        #expect(code("{\"a\":1e400}") == "number-not-finite")
        #expect(code("{\"a\":NaN}") == "number-not-finite")
        #expect(code("{\"a\":\"\\ud800\"}") == "lone-surrogate")
        #expect(code("{\"a\":\"\\ud83d\\ude00\"}") == nil)
        #expect(code("{\"a\":1,\"a\":2}") == "duplicate-key")
        #expect(code("\u{FEFF}{}") == "utf8-bom")
        #expect(code("{") == "invalid-json")
        #expect(code(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(code(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == "depth-exceeded")
        #expect(code("[\"" + String(repeating: "x", count: 1 << 20) + "\"]") == "canonical-size-exceeded")
        var bad = Array("{\"a\":\"".utf8); bad += [0xC3, 0x28]; bad += Array("\"}".utf8)
        #expect((try? CanonicalJSON.strictParse(bad)) == nil)
    }

    @Test("JCS: sorted by UTF-16 units, minimal escapes")
    func canonical() throws {
        let v = try JSONParser().parse("{\"b\":[1.0,\"\\u00e9\\n\\u001f\"],\"a\":true,\"\u{E000}\":1,\"\u{1F600}\":2}")
        let s = try CanonicalJSON.canonicalString(v)
        #expect(s == "{\"a\":true,\"b\":[1,\"é\\n\\u001f\"],\"\u{1F600}\":2,\"\u{E000}\":1}")
    }
}

@Suite("Paths, identities, env scrubbing")
struct EggRuleTests {
    @Test("path grammar")
    func paths() {
        for bad in ["", "/a", "a\\b", "a//b", "./a", "a/..", "e\u{301}.txt", "a\u{0}b"] {
            #expect(throws: EggError.self, "\(bad)") { try EggPath.validate(bad) }
        }
        for good in ["a", "a/b.c", "é.txt", "CON", "x/.hidden"] { #expect(throws: Never.self) { try EggPath.validate(good) } }
        #expect(EggPath.windowsProblem("state/data:alt") != nil && EggPath.windowsProblem("CON") != nil)
        #expect(EggPath.windowsProblem("trailing.") != nil && EggPath.windowsProblem("lpt1.txt") != nil && EggPath.windowsProblem("a/ok.txt") == nil)
        #expect(EggInspector.unsafePlanPath(["Agents/x.py", "agents/y.py"]) != nil)
        do { try EggPath.validateSet(["state", "state/x"]); Issue.record("prefix") } catch { #expect(error.code == "path-prefix-conflict") }
        do { try EggPath.validateSet(["b", "a"]); Issue.record("sort") } catch { #expect(error.code == "unsorted-contents") }
    }

    @Test("rappid and utc grammar")
    func identity() {
        let tail = String(repeating: "a", count: 64)
        #expect(Rappid("rappid:@kody-w/rapp:" + tail) != nil)
        for bad in ["rappid:@Kody/x:" + tail, "rappid:@a--b/x:" + tail, "rappid:@a/x:" + tail.dropLast(32), "rappid:v2:x:@a/b:" + tail,
                    "rappid:@a/x:" + tail + "\n", "rappid:@" + String(repeating: "a", count: 40) + "/x:" + tail] {
            #expect(Rappid(bad) == nil, "\(bad)")
        }
        #expect(EggUTC.isValid("2024-02-29T23:59:59.999Z"))
        for bad in ["2023-02-29T00:00:00.000Z", "2026-07-16T22:41:60.000Z", "2026-07-16T22:41:23Z", "0000-01-01T00:00:00.000Z", "2026-13-01T00:00:00.000Z"] {
            #expect(!EggUTC.isValid(bad), "\(bad)")
        }
        #expect(EggUTC.isValid(EggUTC.now()))
        let minted = Rappid.mintKeyless(owner: "me", slug: "twin")!
        #expect(minted.owner == "me" && minted.tail.count == 64)
    }

    @Test(".env scrubbing: export lines, URL passwords, tokens; harmless keys kept")
    func env() {
        let text = """
            # comment
            GITHUB_TOKEN=ghp_abc
            export OPENAI_API_KEY="sk-123456789012"
              export   X_SECRET = 'v'
            TOKEN=bare
            DATABASE_URL=postgres://app:hunter2@db.example:5432/app
            COMPASS=north
            BYPASS=yes
            MODEL=gpt-4o
            SOMETHING=ghp_0123456789abcdef
            EMPTY_TOKEN=
            """
        let (out, notes) = EnvScrubber.scrub(text)
        #expect(out.contains("GITHUB_TOKEN=\n") && !out.contains("ghp_abc"))
        #expect(out.contains("export OPENAI_API_KEY=\n") && !out.contains("sk-1234"))
        #expect(out.contains("  export   X_SECRET = \n"))
        #expect(out.contains("\nTOKEN=\n"))
        #expect(out.contains("DATABASE_URL=postgres://app@db.example:5432/app") && !out.contains("hunter2"))
        #expect(out.contains("COMPASS=north") && out.contains("BYPASS=yes") && out.contains("MODEL=gpt-4o"))
        #expect(!out.contains("ghp_0123456789abcdef"))
        #expect(out.contains("# comment") && out.contains("EMPTY_TOKEN="))
        #expect(notes.count == 6)
    }
}

@Suite("Packing and hatching behaviour")
struct EggBehaviourTests {
    func organismSource() throws -> TempDir {
        let d = TempDir()
        try d.write("src/soul.md", "I am.\n")
        try d.write("src/rappid.json", "{\"rappid\":\"rappid:@me/twin:\(String(repeating: "b", count: 64))\"}")
        try d.write("src/agents/hello_agent.py", "print('hi')\n")
        try d.write("src/agents/__pycache__/hello.cpython-311.pyc", "junk")
        try d.write("src/.git/config", "[core]")
        try d.write("src/node_modules/x/index.js", "x")
        try d.write("src/.DS_Store", "x")
        try d.write("src/.copilot_token", "secret")
        try d.write("src/private/diary.md", "secret")
        try d.write("src/keys/deploy.pem", "secret")
        try d.write("src/.env", "export GITHUB_TOKEN=ghp_x\nDATABASE_URL=mysql://u:pw@h/db\nMODEL=x\n")
        symlink("/etc/passwd", d.path + "/src/agents/link")
        return d
    }

    @Test("organism packing leaves out secrets and junk, scrubs .env, reports it all")
    func packOrganism() throws {
        let d = try organismSource()
        var o = EggPackOptions()
        o.createdUTC = "2026-07-16T22:41:23.842Z"
        let r = try EggPacker.pack(kind: .organism, source: d.path + "/src", options: o)
        #expect(r.files.map(\.path) == [".env", "agents/hello_agent.py", "rappid.json", "soul.md"])
        let left = Set(r.leftOut.map(\.path))
        for p in [".copilot_token", "private/", ".git/", "node_modules/", ".DS_Store", "agents/__pycache__/", "keys/deploy.pem", "agents/link"] {
            #expect(left.contains(p), "\(p) not reported")
        }
        #expect(r.scrubbed.count == 2)
        guard case .success(let egg) = RAPP1.inspect(r.bytes) else { Issue.record("packed egg invalid"); return }
        let env = zip(egg.manifest.contents, egg.fileMembers).first { $0.0.path == ".env" }!.1
        let text = String(decoding: egg.bytes[env.range], as: UTF8.self)
        #expect(text == "export GITHUB_TOKEN=\nDATABASE_URL=mysql://u@h/db\nMODEL=x\n")
        #expect(egg.manifest.rappid.hasPrefix("rappid:@me/twin:"))
        // Deterministic: the same inputs give the same bytes.
        #expect(try EggPacker.pack(kind: .organism, source: d.path + "/src", options: o).bytes == r.bytes)
    }

    @Test("hatch: conflicts listed, --force replaces, nothing left behind on refusal")
    func conflicts() throws {
        let egg = try EggFixtures.bytes("golden/golden-organism.egg")
        let d = TempDir()
        try d.write("out/soul.md", "mine")
        try d.write("out/keep.txt", "keep")
        do {
            _ = try EggHatcher.hatch(egg, options: EggHatchOptions(into: d.path + "/out"))
            Issue.record("should refuse")
        } catch {
            #expect(error.error.code == "destination-conflict" && error.conflicts == ["soul.md"])
        }
        #expect(d.tree() == ["out/keep.txt", "out/soul.md"])
        #expect(try String(contentsOfFile: d.path + "/out/soul.md", encoding: .utf8) == "mine")
        var o = EggHatchOptions(into: d.path + "/out")
        o.force = true
        let r = try EggHatcher.hatch(egg, options: o)
        #expect(r.replaced == ["soul.md"])
        #expect(d.tree() == ["out/agents/hello_agent.py", "out/keep.txt", "out/manifest.json", "out/memory/memory.json", "out/rappid.json", "out/soul.md"])
        // No staging directories remain.
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.path) == ["out"])
    }

    @Test("hatch never writes through a symlinked directory in the destination")
    func symlinkParent() throws {
        let egg = try EggFixtures.bytes("golden/golden-organism.egg")
        let d = TempDir()
        let outside = TempDir()
        try FileManager.default.createDirectory(atPath: d.path + "/out", withIntermediateDirectories: true)
        symlink(outside.path, d.path + "/out/agents")
        var o = EggHatchOptions(into: d.path + "/out")
        o.force = true
        #expect(throws: EggHatchFailure.self) { try EggHatcher.hatch(egg, options: o) }
        #expect(outside.tree().isEmpty)
        // A symlinked destination itself is refused too.
        symlink(outside.path, d.path + "/link")
        #expect(throws: EggHatchFailure.self) { try EggHatcher.hatch(egg, options: EggHatchOptions(into: d.path + "/link")) }
        #expect(outside.tree().isEmpty)
    }

    @Test("A05 Windows-unsafe names are refused at hatch, with nothing written")
    func windowsNames() throws {
        let d = TempDir()
        let bytes = try EggFixtures.bytes("adversarial/A05-windows-unsafe-names.egg")
        do {
            _ = try EggHatcher.hatch(bytes, options: EggHatchOptions(into: d.path + "/o"))
            Issue.record("should refuse")
        } catch { #expect(error.error.code == "unsafe-extraction-path") }
        #expect((try FileManager.default.contentsOfDirectory(atPath: d.path)).isEmpty)
    }

    @Test("--legacy eggs are read back by the legacy importer")
    func legacyRoundTrip() throws {
        let d = try organismSource()
        var o = EggPackOptions()
        o.legacy = true
        o.createdUTC = "2026-07-16T22:41:23.842Z"
        let r = try EggPacker.pack(kind: .organism, source: d.path + "/src", options: o)
        #expect(r.schema == "brainstem-egg/2.2-organism")
        let rep = EggInspector.inspect(r.bytes)
        #expect(rep.generation == "legacy" && rep.accepted, "\(rep.errorCode ?? "") \(rep.errorMessage ?? "")")
        #expect(rep.members.map(\.path) == [".env", "agents/hello_agent.py", "rappid.json", "soul.md"])

        try d.write("app/agents/weather_agent.py", "x")
        try d.write("app/soul.md", "s")
        let app = try EggPacker.pack(kind: .rapplication, source: d.path + "/app", options: o)
        #expect(EggInspector.inspect(app.bytes).accepted)
        try d.write("session.json", "{\"runtime\":\"<p>hi</p>\",\"transcript\":[]}")
        let ses = try EggPacker.pack(kind: .session, source: d.path + "/session.json", options: o)
        let sr = EggInspector.inspect(ses.bytes)
        #expect(sr.accepted && sr.details.contains { $0.0 == "mountable" && $0.1 == true })
    }

    @Test("legacy deflated members inflate; bombs are refused before inflating")
    func inflate() throws {
        let bomb = EggInspector.inspect(try EggFixtures.bytes("adversarial/L10-legacy-organism-compression-bomb.egg"))
        #expect(bomb.errorCode == "legacy-limit-exceeded")
        // With a generous ratio the same member inflates fully and checks its CRC.
        var limits = EggLimits()
        limits.maxRatio = 10_000
        let r = EggInspector.inspect(try EggFixtures.bytes("adversarial/L10-legacy-organism-compression-bomb.egg"), limits: limits)
        #expect(r.accepted && r.members.contains { $0.path == "data/zeros.bin" && $0.size == 64 << 20 })
        // Cubby sample: 45 deflated members, all CRCs good (it is refused only as an unknown kind).
        let bytes = try EggFixtures.bytes("samples/legacy-2.3-cubby--rapp-installer.egg")
        let entries = try LegacyZip.entries(bytes, limits: .default)
        #expect(entries.count == 45)
        for e in entries { _ = try LegacyZip.read(e, from: bytes) }
    }

    @Test("pack refuses invites without a key and JSON kinds with files")
    func packRefusals() throws {
        var o = EggPackOptions()
        o.rappid = "rappid:@a/b:" + String(repeating: "c", count: 64)
        o.payload = .object([("target_rappid", .string("rappid:@a/n:" + String(repeating: "d", count: 64))), ("target_url", "https://x.test/"), ("target_kind", "neighborhood")])
        do { _ = try EggPacker.pack(kind: .invite, source: nil, options: o); Issue.record("unsigned") } catch { #expect(error.code == "unsigned-invite") }
        do {
            _ = try EggPacker.pack(variant: .session, rappid: o.rappid!, createdUTC: "2026-07-16T22:41:23.842Z",
                                   payload: .object([("runtime", "x"), ("transcript", .array([]))]), files: [("a", [1])])
            Issue.record("files")
        } catch { #expect(error.code == "json-variant-has-files") }
        do {
            _ = try EggPacker.pack(variant: .organism, rappid: o.rappid!, createdUTC: "2026-07-16T22:41:23.842Z", payload: .object([]),
                                   files: [("manifest.json", [1]), ("soul.md", [1]), ("rappid.json", [1])])
            Issue.record("reserved")
        } catch { #expect(error.code == "reserved-egg-path") }
    }
}
