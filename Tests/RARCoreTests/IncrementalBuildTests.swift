import Foundation
import Testing
@testable import RARCore

/// `rar build` into a tree an earlier build wrote: only what changed is rewritten, and the
/// result is byte for byte what a fresh build writes.
@Suite struct IncrementalBuildTests {
    static func build(_ root: String, out: String, incremental: Bool = true, cards: Bool = true) throws -> StaticAPI.Stats {
        var api = StaticAPI.Options()
        api.incremental = incremental
        api.cardSVGs = cards
        let previous = FileManager.default.fileExists(atPath: out) ? out : nil
        return try StaticAPI.write(try RegistryBuilder.build(BuildFixture.options(root, previous: previous)), root: root, out: out, options: api)
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    static func put(_ root: String, _ rel: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (root + "/" + rel as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + rel))
    }

    @Test func updatesInPlaceAndMatchesAFreshBuild() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out", fresh = root + "-fresh"
        defer { for d in [root, out, fresh] { try? FileManager.default.removeItem(atPath: d) } }
        let first = try Self.build(root, out: out)
        #expect(first.written == first.files)
        #expect(FileManager.default.fileExists(atPath: out + "/" + OutputState.fileName))

        // Nothing changed: nothing is rewritten.
        // An unchanged agent's files: its page, API document and raw copy.
        let world = [Catalog.agentPagePath("@acme/world"), StaticAPI.agentDocPath("@acme/world")!, "agents/@acme/world_agent.py"].map { out + "/" + $0 }
        let worldInodes = world.map(Self.inode)
        #expect(worldInodes.allSatisfy { $0 != nil })
        let again = try Self.build(root, out: out)
        #expect(again.files == first.files)
        #expect(again.written == 0)

        // One agent changes (CRLF too), one is removed, one is added.
        try Self.put(root, "agents/@acme/hello_agent.py", BuildFixture.agent("hello", display: "Hello", version: "1.1.0").replacingOccurrences(of: "\n", with: "\r\n"))
        try FileManager.default.removeItem(atPath: root + "/agents/@acme/deck_agent.py.card")
        try Self.put(root, "agents/@newco/fresh_agent.py", BuildFixture.agent("fresh", display: "Fresh", publisher: "@newco"))
        let update = try Self.build(root, out: out)
        #expect(update.written > 0 && update.written < update.files)
        #expect(world.map(Self.inode) == worldInodes, "an unchanged agent's files are left alone")

        _ = try Self.build(root, out: fresh, incremental: false)
        var a = BuildFixture.snapshot(out), b = BuildFixture.snapshot(fresh)
        a[OutputState.fileName] = nil; b[OutputState.fileName] = nil
        #expect(Set(a.keys) == Set(b.keys), "stale files are removed, new ones written")
        for (k, v) in b where a[k] != v { Issue.record("\(k) differs from a fresh build") }
        #expect(a[Catalog.agentPagePath("@acme/deck")] == nil)
        #expect(!FileManager.default.fileExists(atPath: out + "/" + Catalog.agentPagePath("@acme/deck")))
        #expect(String(decoding: a["registry.json"]!, as: UTF8.self).contains("1.1.0"))
        // The raw copy is the file as committed, CRLF and all.
        #expect(a["agents/@acme/hello_agent.py"] == FileManager.default.contents(atPath: root + "/agents/@acme/hello_agent.py"))
    }

    @Test func anInterruptedOrForeignTreeIsRebuiltWhole() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out"
        defer { for d in [root, out] { try? FileManager.default.removeItem(atPath: d) } }
        let first = try Self.build(root, out: out)
        // An update that stopped half way leaves no state: the next build writes every file.
        try FileManager.default.removeItem(atPath: out + "/" + OutputState.fileName)
        #expect(try Self.build(root, out: out).written == first.files)
        // A damaged state file is not trusted either.
        try Data("rar-build-state/1\ngarbage".utf8).write(to: URL(fileURLWithPath: out + "/" + OutputState.fileName))
        #expect(try Self.build(root, out: out).written == first.files)
        // Different options (no card SVGs) shape a different tree: written fresh, no stale cards left.
        let noCards = try Self.build(root, out: out, cards: false)
        #expect(noCards.written == noCards.files)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out + "/cards"))?.isEmpty ?? true)
        // --no-cache: a fresh tree even when the state matches.
        #expect(try Self.build(root, out: out, incremental: false, cards: false).written == noCards.files)
    }

    @Test func oneWriterPerOutputTree() throws {
        let root = try BuildFixture.write(BuildFixture.files)
        let out = root + "-out", lockPath = StaticAPI.sibling(of: URL(fileURLWithPath: out), "rar-build.lock")
        defer { for d in [root, out, lockPath] { try? FileManager.default.removeItem(atPath: d) } }
        let held = try OutputLock(lockPath)
        #expect(throws: BuildError.self) { try Self.build(root, out: out) }
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written while another build holds the tree")
        held.release()
        #expect(try Self.build(root, out: out).files > 10)
    }

    @Test func stateRoundTripsAndRejectsDamage() {
        var s = OutputState(key: "k")
        s.units["api:@a/b"] = .init(key: "x", paths: ["api/v1/agents/@a/b.json", "cards/1.svg"])
        s.units["page:catalog/@a/b.html"] = .init(key: "y", paths: ["catalog/@a/b.html"])
        s.loose["registry.json"] = Array(repeating: 7, count: 32)
        s.loose["odd\tname\n.py"] = [1, 2, 3]
        let bytes = s.encoded()
        let back = OutputState.decode(bytes)
        #expect(back?.key == "k")
        #expect(back?.units["api:@a/b"]?.paths == ["api/v1/agents/@a/b.json", "cards/1.svg"])
        #expect(back?.loose["odd\tname\n.py"] == [1, 2, 3])
        #expect(back?.allPaths.count == 5)
        #expect(OutputState.decode(Array(bytes.dropLast())) == nil)
        #expect(OutputState.decode(bytes + [0]) == nil)
        #expect(OutputState.decode(Array(bytes.prefix(20))) == nil)
        #expect(OutputState.decode([]) == nil)
        // A state naming paths outside the tree is not trusted (its stale files would be removed).
        for bad in ["../escape.json", "/etc/passwd", "a//b", "a/./b", "", "cards/.."] {
            var evil = OutputState(key: "k")
            evil.units["api:x"] = .init(key: "x", paths: [bad])
            #expect(OutputState.decode(evil.encoded()) == nil, "\(bad)")
        }
    }
}
