import Foundation
import Testing
@testable import RARCore

/// `rar build` patching the tree the last build left: when only a few agent files changed in
/// place, the patched tree is byte for byte what a full build writes; anything else is left
/// to the full build, with the tree untouched.
@Suite struct PatchBuildTests {
    static var files: [String: String] {
        var f: [String: String] = [:]
        for i in 0..<9 { f["agents/@acme/a\(i)_agent.py"] = BuildFixture.agent("a\(i)", display: "Agent \(i)") }
        for i in 0..<4 { f["agents/@beta/b\(i)_agent.py"] = BuildFixture.agent("b\(i)", display: "Beta \(i)", publisher: "@beta") }
        f["agents/@acme/deck_agent.py.card"] = BuildFixture.agent("deck", display: "Deck", extra: "__card__ = {\"name\": \"Deck\", \"rarity\": \"rare\"}")
        f["agents/@acme/vault_agent.py.stub"] = """
            \"\"\"Gated agent.\"\"\"
            __manifest__ = {"schema": "rapp-agent/1.0", "name": "@acme/vault", "version": "1.0.0", "display_name": "Vault",
                "description": "Private.", "author": "Acme", "tags": ["private"], "category": "core"}
            __source__ = {"schema": "rapp-source/1.0", "type": "github_private", "repo": "acme/private", "path": "agents/vault_agent.py"}

            """
        f["agents/@acme/templates/template_agent.py"] = "# not an agent\n"
        return f
    }

    static func api(catalog: Bool = true) -> StaticAPI.Options {
        var api = StaticAPI.Options()
        if catalog {
            var c = CatalogOptions()
            c.pageSize = 3  // listings over several pages
            api.catalog = c
        } else {
            api.catalog = nil
        }
        return api
    }

    static func options(_ root: String, out: String?, at t: Double) -> BuildOptions {
        var o = BuildFixture.options(root, keepGoing: false, previous: out)
        o.generatedAt = Date(timeIntervalSince1970: t)
        return o
    }

    static func full(_ root: String, out: String, at t: Double, catalog: Bool = true, incremental: Bool = true) throws {
        var api = api(catalog: catalog)
        api.incremental = incremental
        let previous = FileManager.default.fileExists(atPath: out) ? out : nil
        try StaticAPI.write(RegistryBuilder.build(options(root, out: previous, at: t)), root: root, out: out, options: api)
    }

    static func patch(_ root: String, out: String, at t: Double, catalog: Bool = true) -> PatchOutcome? {
        PatchBuild.run(options(root, out: out, at: t), api: api(catalog: catalog), out: out)
    }

    /// The published files (the build's own bookkeeping, `.rar-*`, aside).
    static func published(_ dir: String) -> [String: Data] {
        BuildFixture.snapshot(dir).filter { !$0.key.hasPrefix(".rar-") }
    }

    static func expectSameAsFresh(_ root: String, _ out: String, at t: Double, catalog: Bool = true, _ note: String) throws {
        let fresh = out + "-fresh"
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try full(root, out: fresh, at: t, catalog: catalog, incremental: false)
        let a = published(out), b = published(fresh)
        #expect(Set(a.keys) == Set(b.keys), "\(note): same files")
        for (k, v) in b where a[k] != v { Issue.record("\(note): \(k) differs from a full build") }
    }

    static func edit(_ root: String, _ rel: String, _ change: (String) -> String) throws {
        let path = root + "/" + rel
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try Data(change(text).utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [true, false]) func patchesMatchAFullBuild(catalog: Bool) throws {
        let root = try BuildFixture.write(Self.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.full(root, out: out, at: 1_700_000_000, catalog: catalog)
        #expect(FileManager.default.fileExists(atPath: out + "/" + PatchIndex.fileName))

        // Nothing changed, same build time: nothing is written.
        #expect(Self.patch(root, out: out, at: 1_700_000_000, catalog: catalog)?.filesWritten == 0)
        // Nothing changed: only the build time moves (with microseconds: a longer stamp).
        let same = try #require(Self.patch(root, out: out, at: 1_700_000_050.25, catalog: catalog))
        #expect(same.filesParsed == 0 && same.agents == 15)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_050.25, catalog: catalog, "no change")

        // A version bump with a new description and body (new seed: the old one becomes an alias),
        // and a CRLF rewrite of another agent; then a second patch on top of the first.
        try Self.edit(root, "agents/@acme/a4_agent.py") {
            $0.replacingOccurrences(of: "\"1.0.0\"", with: "\"1.2.0\"").replacingOccurrences(of: "Says hello", with: "Says <b>hi</b> & more") + "# more\n"
        }
        try Self.edit(root, "agents/@beta/b2_agent.py") { $0.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "1.0.0", with: "1.0.1") }
        let two = try #require(Self.patch(root, out: out, at: 1_700_000_100, catalog: catalog))
        #expect(two.filesParsed == 2)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_100, catalog: catalog, "two agents")
        try Self.edit(root, "agents/@acme/a4_agent.py") { $0.replacingOccurrences(of: "\"1.2.0\"", with: "\"1.3.0\"") }
        try Self.edit(root, "agents/@acme/deck_agent.py.card") { $0.replacingOccurrences(of: "\"1.0.0\"", with: "\"2.0.0\"") }
        #expect(Self.patch(root, out: out, at: 1_700_000_200, catalog: catalog)?.filesParsed == 2)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_200, catalog: catalog, "patch on a patch")

        // A full build over a patched tree (journal applied) is right too, and clears the journal.
        try Self.full(root, out: out, at: 1_700_000_300, catalog: catalog)
        #expect(!FileManager.default.fileExists(atPath: out + "/" + OutputState.journalName))
        try Self.expectSameAsFresh(root, out, at: 1_700_000_300, catalog: catalog, "full build after patches")
    }

    @Test func changesBeyondOneRecordAreLeftToTheFullBuild() throws {
        let root = try BuildFixture.write(Self.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.full(root, out: out, at: 1_700_000_000)
        let before = Self.published(out)
        let cases: [(String, () throws -> Void, () throws -> Void)] = [
            ("category", { try Self.edit(root, "agents/@acme/a1_agent.py") { $0.replacingOccurrences(of: "\"productivity\"", with: "\"devtools\"") } },
             { try Self.edit(root, "agents/@acme/a1_agent.py") { $0.replacingOccurrences(of: "\"devtools\"", with: "\"productivity\"") } }),
            ("display name", { try Self.edit(root, "agents/@acme/a1_agent.py") { $0.replacingOccurrences(of: "Agent 1", with: "Zeta") } },
             { try Self.edit(root, "agents/@acme/a1_agent.py") { $0.replacingOccurrences(of: "Zeta", with: "Agent 1") } }),
            ("new file", { try IncrementalBuildTests.put(root, "agents/@acme/new_agent.py", BuildFixture.agent("new", display: "New")) },
             { try FileManager.default.removeItem(atPath: root + "/agents/@acme/new_agent.py") }),
            ("broken file", { try Self.edit(root, "agents/@acme/a2_agent.py") { $0 + "\ndef oops(:\n" } },
             { try Self.edit(root, "agents/@acme/a2_agent.py") { String($0.dropLast("\ndef oops(:\n".count)) } }),
            ("same version, other bytes", { try Self.edit(root, "agents/@acme/a3_agent.py") { $0 + "# edit\n" } },
             { try Self.edit(root, "agents/@acme/a3_agent.py") { String($0.dropLast("# edit\n".count)) } }),
            ("stub", { try Self.edit(root, "agents/@acme/vault_agent.py.stub") { $0.replacingOccurrences(of: "Private.", with: "Secret.") } },
             { try Self.edit(root, "agents/@acme/vault_agent.py.stub") { $0.replacingOccurrences(of: "Secret.", with: "Private.") } }),
            ("other input", { try IncrementalBuildTests.put(root, "rar.config.json", "{\"role\": \"main\"}") },
             { try FileManager.default.removeItem(atPath: root + "/rar.config.json") }),
        ]
        for (what, change, undo) in cases {
            try change()
            #expect(Self.patch(root, out: out, at: 1_700_000_100) == nil, "\(what): not patched")
            #expect(Self.published(out) == before, "\(what): tree untouched")
            try undo()
        }
        // Other options: not patched either.
        #expect(Self.patch(root, out: out, at: 1_700_000_100, catalog: false) == nil)
        // A damaged index is ignored.
        try Data("rar-patch-index/1\ngarbage".utf8).write(to: URL(fileURLWithPath: out + "/" + PatchIndex.fileName))
        #expect(Self.patch(root, out: out, at: 1_700_000_100) == nil)
        // A published file edited by hand since: not trusted.
        try Self.full(root, out: out, at: 1_700_000_000)
        try Self.edit(out, "registry.json") { $0 + " " }
        #expect(Self.patch(root, out: out, at: 1_700_000_100) == nil)
    }

    static func git(_ root: String, _ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw BuildError.io("git \(args.joined(separator: " ")) failed") }
    }

    @Test func aGitWorkTreePatchesUntilTheHeadMoves() throws {
        let root = try BuildFixture.write(Self.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        guard (try? Self.git(root, "init", "-q")) != nil else { print("git not available: skipped"); return }
        try Self.git(root, "add", "-A")
        try Self.git(root, "commit", "-q", "-m", "first")
        try Self.full(root, out: out, at: 1_700_000_000)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/registry.json")), as: UTF8.self).contains("_first_commit_sha\": \""))
        // An uncommitted edit: history is the same, so the patch keeps the git fields.
        try Self.edit(root, "agents/@acme/a4_agent.py") { $0.replacingOccurrences(of: "\"1.0.0\"", with: "\"1.1.0\"") }
        #expect(Self.patch(root, out: out, at: 1_700_000_100)?.filesParsed == 1)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_100, "uncommitted edit")
        // A commit moves the head: the full build reads history again.
        try Self.git(root, "commit", "-q", "-am", "bump")
        #expect(Self.patch(root, out: out, at: 1_700_000_200) == nil)
        try Self.full(root, out: out, at: 1_700_000_200)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_200, "after a commit")
    }

    @Test func aFullBuildRedoesWhatTheJournalMarksStale() throws {
        let root = try BuildFixture.write(Self.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.full(root, out: out, at: 1_700_000_000)
        // A patch that stopped after its journal and a few writes: the marked files are wrong.
        let page = Catalog.agentPagePath("@acme/a1")
        #expect(OutputState.appendJournal(dir: out, units: [("page:" + page, .init(key: "", paths: [page]))], loose: ["api/v1/catalog.json"]))
        for rel in [page, "api/v1/catalog.json"] { try Data("half".utf8).write(to: URL(fileURLWithPath: out + "/" + rel)) }
        try FileManager.default.removeItem(atPath: out + "/" + PatchIndex.fileName)
        #expect(Self.patch(root, out: out, at: 1_700_000_000) == nil)
        try Self.full(root, out: out, at: 1_700_000_000)
        try Self.expectSameAsFresh(root, out, at: 1_700_000_000, "after an interrupted patch")
    }

    @Test func indexAndJournalRoundTrip() throws {
        var x = PatchIndex()
        x.config = "k"; x.gitHead = "\nabc\n"
        x.inputStamps = ["rar.config.json": [], "cards/holo_cards.json": [1, 2, 3, 4, 5, 6]]
        x.sources = [.init(path: "agents/@a/b_agent.py", stamp: [1, 2, 3, 4, 5, 6], rawSHA256: "ff")]
        x.skipped = [("agents/@a/templates/t.py", "under templates/")]
        x.agents = [.init(source: 0, patchable: true, hasDoc: true, registry: 10..<20, lean: 5..<9, data: 0..<0, page: "", listingPages: [1, 2, 3])]
        x.front = [1, 2, 3]
        let bytes = x.encoded()
        let back = try #require(PatchIndex.decode(bytes))
        #expect(back.agents.first?.listingPages == [1, 2, 3] && back.agents.first?.registry == 10..<20 && back.front == [1, 2, 3])
        #expect(back.sources.first?.stamp == [1, 2, 3, 4, 5, 6] && back.agents.first?.hasDoc == true)
        #expect(back.inputStamps == x.inputStamps && back.skipped.first?.reason == "under templates/")
        #expect(PatchIndex.decode(Array(bytes.dropLast())) == nil)
        // An index naming paths outside the trees is not trusted (a patch writes pages it names).
        var evil = x
        evil.agents[0].page = "../../outside.html"
        #expect(PatchIndex.decode(evil.encoded()) == nil)
        evil = x
        evil.sources[0].path = "/etc/passwd"
        #expect(PatchIndex.decode(evil.encoded()) == nil)
        #expect(PatchIndex.decode(bytes + [0]) == nil)

        // Journal records land on the state they follow; a damaged journal voids the state.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rar-journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var s = OutputState(key: "k")
        s.units["api:@a/b"] = .init(key: "x", paths: ["a.json"])
        s.loose["registry.json"] = [7]
        try StaticAPI.writeState(s, dir: dir)
        #expect(OutputState.appendJournal(dir: dir, units: [("api:@a/b", .init(key: "", paths: ["a.json", "b.json"]))], loose: ["registry.json"]))
        let loaded = try #require(OutputState.load(dir))
        #expect(loaded.units["api:@a/b"]?.key == "" && loaded.units["api:@a/b"]?.paths == ["a.json", "b.json"] && loaded.loose["registry.json"] == [])
        try Data([0x55, 1, 2]).write(to: URL(fileURLWithPath: dir + "/" + OutputState.journalName))
        #expect(OutputState.load(dir) == nil)
    }
}
