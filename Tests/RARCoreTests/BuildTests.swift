import Foundation
import Testing
@testable import RARCore

/// A small registry tree written into a temp dir: valid agents, a card, a stub, a swarm,
/// a syntax error, a dashed file name and a template (skipped).
enum BuildFixture {
    static func agent(_ slug: String, display: String, publisher: String = "@acme", extra: String = "", version: String = "1.0.0") -> String {
        let cls = slug.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return """
        \"\"\"\(display): a fixture agent.\"\"\"
        from agents.basic_agent import BasicAgent

        __manifest__ = {
            "schema": "rapp-agent/1.0",
            "name": "\(publisher)/\(slug)",
            "version": "\(version)",
            "display_name": "\(display)",
            "description": "Says hello — politely.",
            "author": "Acme",
            "tags": ["demo", "greeting"],
            "category": "productivity",
            "quality_tier": "community",
            "requires_env": [],
            "dependencies": [],
        }
        \(extra)

        class \(cls)(BasicAgent):
            def __init__(self):
                self.name = "\(cls)"
                self.metadata = {"name": self.name, "description": "d", "parameters": {"type": "object", "properties": {}}}
                super().__init__(name=self.name, metadata=self.metadata)

            def perform(self, **kwargs):
                return "hello"

        """
    }

    static func write(_ files: [String: String], crlf: Set<String> = []) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rar-build-\(UUID().uuidString)").path
        for (rel, text) in files {
            let path = dir + "/" + rel
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let body = crlf.contains(rel) ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
            try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        }
        return dir
    }

    static var files: [String: String] {
        [
            "agents/@acme/hello_agent.py": agent("hello", display: "Hello"),
            "agents/@acme/world_agent.py": agent("world", display: "World"),
            "agents/@acme/deck_agent.py.card": agent("deck", display: "Deck", extra: "__card__ = {\"name\": \"Deck\", \"rarity\": \"rare\"}"),
            "agents/@acme/vault_agent.py.stub": """
                \"\"\"Gated agent.\"\"\"
                __manifest__ = {"schema": "rapp-agent/1.0", "name": "@acme/vault", "version": "1.0.0", "display_name": "Vault",
                    "description": "Private.", "author": "Acme", "tags": ["private"], "category": "core"}
                __source__ = {"schema": "rapp-source/1.0", "type": "github_private", "repo": "acme/private", "path": "agents/vault_agent.py"}

                """,
            "agents/@acme/broken_agent.py": "__manifest__ = {\"name\": \"@acme/broken\"\n\ndef oops(:\n    pass\n",
            "agents/@acme/bad-name_agent.py": agent("bad_name", display: "Bad Name"),
            "agents/@acme/templates/template_agent.py": "# not an agent\n",
            "swarms/@acme/team.py": agent("team", display: "Team", extra: """
                __swarm__ = {"schema": "rapp-swarm/1.0", "id": "team", "display_name": "Team", "summary": "s",
                    "category": "productivity", "publisher": "@acme", "produced_by": {"method": "manual"}}
                """),
        ]
    }

    static func options(_ root: String, keepGoing: Bool = true, previous: String? = nil) -> BuildOptions {
        var o = BuildOptions(root: root)
        o.keepGoing = keepGoing
        o.generatedAt = Date(timeIntervalSince1970: 1_700_000_000)
        o.previousOutput = previous
        return o
    }

    /// Every file under `dir` → bytes (for byte-identical comparisons).
    static func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = FileManager.default.contents(atPath: dir + "/" + rel)
            }
        }
        return out
    }
}

@Suite struct BuildTests {
    @Test func helpersMatchPython() {
        #expect(BuildSupport.installFilename("@aibast-agents-library/account_intelligence") == "rar_aibast_agents_library_account_intelligence_agent.py")
        #expect(BuildSupport.installFilename("@Kody-W/Foo__bar_agent") == "rar_kody_w_foo__bar_agent.py")
        #expect(BuildSupport.pythonLineCount(Array("a\nb\n".utf8)) == 3)
        #expect(BuildSupport.pythonLineCount(Array("a\r\nb\rc".utf8)) == 3)
        #expect(BuildSupport.sizeKB(24 * 1024) == 24.0)
        #expect(BuildSupport.sizeKB(1075) == 1.0)  // 1.0498… rounds down
        #expect(BuildSupport.lfHash(Array("x\r\ny\r".utf8)).hex == BuildSupport.sha256Hex(Array("x\ny\r".utf8)))
        // Line counts and LF hashes agree with byte-at-a-time versions on CR/LF-heavy inputs.
        var mix = SplitMix64(state: 0x0D0A)
        for _ in 0..<2000 {
            let text = (0..<Int(mix.next() % 70)).map { _ in [0x0A, 0x0D, 0x61, 0x8A, 0x0B][Int(mix.next() % 5)] as UInt8 }
            var lines = 1, k = 0
            while k < text.count {
                if text[k] == 0x0A { lines += 1 } else if text[k] == 0x0D { lines += 1; if k + 1 < text.count && text[k + 1] == 0x0A { k += 1 } }
                k += 1
            }
            #expect(BuildSupport.pythonLineCount(text) == lines, "\(text)")
            var lf: [UInt8] = []
            for (j, b) in text.enumerated() where !(b == 0x0D && j + 1 < text.count && text[j + 1] == 0x0A) { lf.append(b) }
            let got = BuildSupport.lfHash(text)
            #expect(got.hex == BuildSupport.sha256Hex(lf) && got.lfCount == lf.count, "\(text)")
        }
        #expect(BuildSupport.pythonISO(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00+00:00")
        #expect(BuildSupport.pathLess("agents/a/b.py", "agents/a.py"))  // component order, not string order
        // The keyed sort orders exactly as the comparison does.
        var rng = SystemRandomNumberGenerator()
        let parts = ["a", "a.py", "a-b", "b", "é", "z", "A", "a/b", "ä", "😀", "a b"]
        let paths = (0..<400).map { _ in (0..<Int.random(in: 1...4, using: &rng)).map { _ in parts.randomElement(using: &rng)! }.joined(separator: "/") }
        #expect(BuildSupport.sortedPaths(paths) == paths.sorted(by: BuildSupport.pathLess))
    }

    @Test func fastReadAndCodePoints() throws {
        let dir = NSTemporaryDirectory() + "rar-fastread-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for size in [0, 1, 4095, 70_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/f\(size)"))
            #expect(FastFile.read(dir + "/f\(size)") == bytes)
        }
        #expect(FastFile.read(dir + "/missing") == nil)
        #expect(FastFile.read(dir) == nil)  // a directory is not a file
        // Code points and back, with every UTF-8 length and a lone surrogate (shown as U+FFFD).
        let text = "a\u{E9}\u{20AC}\u{1F600}z"
        #expect(PyStr.codePoints(text) == [0x61, 0xE9, 0x20AC, 0x1F600, 0x7A])
        #expect(PyStr.string(PyStr.codePoints(text)) == text)
        #expect(PyStr.string([0x61, 0xD800, 0x62, 0x110000]) == "a\u{FFFD}b\u{FFFD}")
    }

    @Test func buildsTheFixtureTree() throws {
        let root = try BuildFixture.write(BuildFixture.files, crlf: ["agents/@acme/world_agent.py"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let b = try RegistryBuilder.build(BuildFixture.options(root))
        let names = b.agents.compactMap { $0["name"]?.stringValue }
        #expect(names == ["@acme/deck", "@acme/hello", "@acme/world", "@acme/vault"])
        #expect(Set(b.rejected.map(\.path)) == ["agents/@acme/bad-name_agent.py", "agents/@acme/broken_agent.py"])
        let broken = try #require(b.rejected.first { $0.path.hasSuffix("broken_agent.py") })
        #expect(broken.diagnostics[0].rule == "F4" && broken.diagnostics[0].line > 0 && broken.diagnostics[0].column > 0)
        let dashed = try #require(b.rejected.first { $0.path.contains("bad-name") })
        #expect(dashed.diagnostics.contains { $0.rule == "F5" && $0.message.contains("rename to snake_case (e.g., bad_name_agent.py)") })
        #expect(b.skipped.contains { $0.path.hasSuffix("templates/template_agent.py") })

        let hello = try #require(b.agents.first { $0["name"]?.stringValue == "@acme/hello" })
        let keys = hello.objectValue!.map(\.0)
        #expect(Array(keys.prefix(12)) == ["schema", "name", "version", "display_name", "description", "author", "tags", "category", "quality_tier", "requires_env", "dependencies", "_file"])
        #expect(Array(keys.suffix(9)) == ["_install_filename", "_sha256", "_seed", "_size_kb", "_lines", "_has_card", "_added_at", "_first_commit_sha", "_latest_commit_sha"])
        #expect(hello["_install_filename"]?.stringValue == "rar_acme_hello_agent.py")
        let seed = CardIdentity.forgeSeed(name: "@acme/hello", category: "productivity", tier: "community", tags: ["demo", "greeting"], dependencies: [])
        #expect(hello["_seed"].flatMap(BuildSupport.seedValue) == seed)

        // CRLF file: sha256-lf-v1 equals the LF twin's hash.
        let world = try #require(b.agents.first { $0["name"]?.stringValue == "@acme/world" })
        let lf = BuildSupport.sha256Hex(Array(BuildFixture.agent("world", display: "World").utf8))
        #expect(world["_sha256"]?.stringValue == lf)

        let deck = try #require(b.agents.first { $0["name"]?.stringValue == "@acme/deck" })
        #expect(deck["_has_card"] == .bool(true) && deck["_card"]?["rarity"]?.stringValue == "rare" && deck["_card_sha256"] != nil)
        let vault = try #require(b.agents.first { $0["name"]?.stringValue == "@acme/vault" })
        #expect(vault["type"]?.stringValue == "stub" && vault["quality_tier"]?.stringValue == "private" && vault["_stub_sha256"] != nil && vault["_sha256"] == nil)
        let swarms = b.registry["swarms"]?.arrayValue ?? []
        #expect(swarms.count == 1 && swarms[0]["type"]?.stringValue == "converged" && swarms[0]["_swarm"]?["id"]?.stringValue == "team")
        #expect(b.registry["stats"]?["publisher_list"] == .array(["@acme"]))
        #expect(b.registry["stats"]?["total_stubs"] == .int(1))
    }

    @Test func rejectedFilesFailUnlessKeepGoing() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let strict = try RegistryBuilder.build(BuildFixture.options(root, keepGoing: false))
        #expect(strict.failed(keepGoing: false))
        #expect(strict.registry["rejected"] == nil)
        let kept = try RegistryBuilder.build(BuildFixture.options(root, keepGoing: true))
        #expect(!kept.failed(keepGoing: true))
        let rejected = try #require(kept.registry["rejected"]?.arrayValue)
        #expect(rejected.map { $0["path"]?.stringValue ?? "" } == ["agents/@acme/bad-name_agent.py", "agents/@acme/broken_agent.py"])
        #expect(rejected.allSatisfy { $0["rule"] != nil && $0["line"] != nil && $0["column"] != nil && $0["message"] != nil })
    }

    @Test func reproducibleBuildsAreByteIdentical() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let outA = root + "-outA", outB = root + "-outB"
        defer { for d in [root, outA, outB] { try? FileManager.default.removeItem(atPath: d) } }
        try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root)), root: root, out: outA)
        try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root)), root: root, out: outB)
        let a = BuildFixture.snapshot(outA), b = BuildFixture.snapshot(outB)
        #expect(a.count > 10)
        #expect(a == b)
        // registry.json: Python formatting (ASCII escapes, no trailing newline).
        let reg = String(decoding: a["registry.json"]!, as: UTF8.self)
        #expect(reg.contains("\\u2014") && !reg.hasSuffix("\n"))
        #expect(reg.contains("\"generated_at\": \"2023-11-14T22:13:20+00:00\""))
        // Only the stamp differs when only the build time does, and status hashes stay put.
        var later = BuildFixture.options(root)
        later.generatedAt = Date(timeIntervalSince1970: 1_800_000_000)
        try StaticAPI.write(try RegistryBuilder.build(later), root: root, out: outB)
        let status = { (d: String) in try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: d + "/api/v1/status.json"))) }
        #expect(try status(outA)["endpoints"] == status(outB)["endpoints"])
        #expect(try status(outA)["generated"] != status(outB)["generated"])
    }

    @Test func staticAPIResolvesSeedsAndIncantations() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        let b = try RegistryBuilder.build(BuildFixture.options(root))
        try StaticAPI.write(b, root: root, out: out)
        func load(_ rel: String) throws -> JSONValue { try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: out + "/" + rel))) }
        let manifest = try load("manifest.json")
        #expect(manifest["endpoints"]?["catalog"]?["url"]?.stringValue == "api/v1/catalog.json")
        #expect(try load("api/v1/catalog.json")["count"] == .int(4))
        #expect(try load("api/v1/taxonomy.json")["publishers"] == .array([.object([("name", "@acme"), ("count", 4)])]))
        for a in b.agents {
            let name = a["name"]!.stringValue!
            let seed = try #require(a["_seed"].flatMap(BuildSupport.seedValue))
            let byseed = try load("api/v1/seeds/\(seed).json")
            #expect(byseed["name"]?.stringValue == name && byseed["current"] == .bool(true))
            let words = try #require(byseed["incantation"]?.stringValue)
            #expect(try Incantation.decodeStrict(words) == seed)
            #expect(try load("api/v1/incantations/\(words).json")["name"]?.stringValue == name)
            let doc = try load(try #require(StaticAPI.agentDocPath(name)))
            #expect(doc["sha256"] == (a["_sha256"] ?? a["_stub_sha256"]))
            #expect(doc["install"]?["url"] == a["_file"])
            #expect(FileManager.default.fileExists(atPath: out + "/" + a["_file"]!.stringValue!))
            #expect(FileManager.default.fileExists(atPath: out + "/cards/\(seed).svg"))
        }
        #expect(FileManager.default.fileExists(atPath: out + "/swarms/@acme/team.py"))
    }

    /// Several threads writing into a few shared directories: every file lands with its own
    /// bytes, a later write of a path wins over a held earlier one, links share the bytes, and
    /// a file that cannot be written is reported when the writer settles.
    @Test func stagingWriterKeepsEveryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rar-staging-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let subdirs = ["a", "b", "c"]
        for d in subdirs { try FileManager.default.createDirectory(atPath: dir + "/" + d, withIntermediateDirectories: true) }
        let w = StagingWriter(maxHeld: 64 << 10)
        @Sendable func bytes(_ k: Int, _ round: Int) -> [UInt8] { Array("file \(k) round \(round) ".utf8) + [UInt8](repeating: UInt8(k % 251), count: 2000 + k % 700) }
        let n = 600
        for round in 0..<2 {
            DispatchQueue.concurrentPerform(iterations: n) { k in
                let path = dir + "/" + subdirs[k % 3] + "/f\(k)"
                let ok = bytes(k, round).withUnsafeBytes { w.write(path, $0) }
                #expect(ok)
                if round == 1, k % 10 == 0, !w.link(path, path + ".link") {
                    _ = bytes(k, round).withUnsafeBytes { w.write(path + ".link", $0) }
                }
            }
        }
        // A write that fails now says so; one that was held fails when the writer settles.
        let now = bytes(1, 0).withUnsafeBytes { w.write(dir + "/missing/x", $0) }
        let failed = w.settle()
        #expect(now ? failed == [dir + "/missing/x"] : failed.isEmpty)
        for k in 0..<n {
            let path = dir + "/" + subdirs[k % 3] + "/f\(k)"
            #expect(FastFile.read(path) == bytes(k, 1), "f\(k)")
            if k % 10 == 0 { #expect(FastFile.read(path + ".link") == bytes(k, 1)) }
        }
    }

    @Test func seedAliasesCarryOverAndResolve() throws {
        var files = BuildFixture.files
        let root = try BuildFixture.write(files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root)), root: root, out: out)
        let oldSeed = CardIdentity.forgeSeed(name: "@acme/hello", category: "productivity", tier: "community", tags: ["demo", "greeting"], dependencies: [])
        // A tier change changes the seed; the old one becomes an alias and still resolves.
        files["agents/@acme/hello_agent.py"] = BuildFixture.agent("hello", display: "Hello", version: "1.1.0").replacingOccurrences(of: "\"community\"", with: "\"verified\"")
        try Data(files["agents/@acme/hello_agent.py"]!.utf8).write(to: URL(fileURLWithPath: root + "/agents/@acme/hello_agent.py"))
        let b = try RegistryBuilder.build(BuildFixture.options(root, previous: out))
        #expect(b.filesParsed == 1)  // only the changed file is parsed again
        let hello = try #require(b.agents.first { $0["name"]?.stringValue == "@acme/hello" })
        #expect(hello.objectValue?.last?.0 == "_seed_aliases")
        #expect(hello["_seed_aliases"] == .array([BuildSupport.seedJSON(oldSeed)]))
        try StaticAPI.write(b, root: root, out: out)
        let alias = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: out + "/api/v1/seeds/\(oldSeed).json")))
        #expect(alias["name"]?.stringValue == "@acme/hello" && alias["current"] == .bool(false))
    }

    @Test func versionImmutability() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root)), root: root, out: out)
        // Same version, different bytes → rejected.
        try Data((BuildFixture.agent("hello", display: "Hello") + "# edit\n").utf8).write(to: URL(fileURLWithPath: root + "/agents/@acme/hello_agent.py"))
        let b = try RegistryBuilder.build(BuildFixture.options(root, previous: out))
        #expect(b.rejected.contains { $0.path == "agents/@acme/hello_agent.py" && $0.diagnostics[0].rule == "B1" })
    }

    @Test func outputMatchesTheJSONSchema() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root)), root: root, out: out)
        let schema = TestPaths.root.appendingPathComponent("schemas/rapp-registry-1.1.schema.json").path
        let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            print("SKIP: python3 jsonschema not installed"); sys.exit(3)
        s = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
        errs = list(jsonschema.Draft202012Validator(s).iter_errors(json.load(open(sys.argv[2]))))
        for e in errs[:5]: print(list(e.absolute_path), e.message)
        sys.exit(1 if errs else 0)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, schema, out + "/registry.json"]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { print("SKIP schema check: python3 unavailable"); return }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 3 { print(text); return }
        #expect(p.terminationStatus == 0, "\(text)")
    }
}

/// Agreement with the reference's committed registry.json (RAR_CORPUS=<dir containing rar/>).
@Suite struct BuildCorpusTests {
    @Test func agreesWithTheReferenceRegistry() throws {
        guard let corpus = ProcessInfo.processInfo.environment["RAR_CORPUS"] else {
            print("SKIP BuildCorpusTests: set RAR_CORPUS to a directory containing rar/ (a kody-w/RAR checkout)")
            return
        }
        let root = corpus + "/rar"
        let ref = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: root + "/registry.json")))
        var opt = BuildOptions(root: root)
        opt.keepGoing = true
        let b = try RegistryBuilder.build(opt)
        var ours: [String: JSONValue] = [:]
        for a in b.agents { if let n = a["name"]?.stringValue { ours[n] = a } }
        let fields = ["name", "version", "_file", "_install_filename", "_sha256", "_seed"]
        var agree = 0, total = 0
        var bad: [String] = []
        for a in ref["agents"]?.arrayValue ?? [] {
            total += 1
            let n = a["name"]?.stringValue ?? ""
            if let o = ours[n], fields.allSatisfy({ a[$0] == o[$0] }) { agree += 1 } else if bad.count < 10 { bad.append(n) }
        }
        print("BuildCorpusTests: \(agree)/\(total) reference agents agree on \(fields.joined(separator: ", ")); ours \(b.agents.count), rejected \(b.rejected.count)")
        #expect(total > 0)
        #expect(agree == total, "disagree: \(bad)")
    }
}
