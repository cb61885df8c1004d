import Foundation
import Testing
@testable import RARCore

@Suite struct CompactInstallTests {
    static let root = TestPaths.root.appendingPathComponent("registry").path

    static func registryAgents() throws -> [JSONValue] {
        var o = BuildOptions(root: root)
        o.useCache = false
        return try RegistryBuilder.build(o).agents
    }

    static func installer(tamper: Bool = false) throws -> CompactInstall {
        CompactInstall(agents: try registryAgents()) { rel in
            var b = [UInt8](FileManager.default.contents(atPath: root + "/" + rel) ?? Data())
            if tamper { b += Array("# tampered\n".utf8) }
            return b
        }
    }

    @Test func installsResolvedSeedsAndPreviewsUnknownOnes() throws {
        let agents = try Self.registryAgents()
        let seeds = agents.prefix(2).compactMap { CardLookup.seedValue($0["_seed"]) } + [12_345_678_901_234_567]
        let compact = try CompactSeeds.encodeCompact(seeds: seeds)
        var outcome = try Self.installer().plan(compact)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.installed.count == 2)
        #expect(outcome.previews.count == 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rar-ci-\(UUID().uuidString)").path
        try CompactInstall.write(&outcome, into: dir, force: false)
        for p in outcome.installed {
            let written = try #require(FileManager.default.contents(atPath: dir + "/" + p.installName))
            #expect([UInt8](written) == p.bytes)
        }
        // Again: identical files are left alone.
        var again = try Self.installer().plan(compact)
        try CompactInstall.write(&again, into: dir, force: false)
        #expect(again.unchanged.count == 2)
    }

    @Test func refusesTamperedFiles() throws {
        let agents = try Self.registryAgents()
        let seeds = agents.prefix(1).compactMap { CardLookup.seedValue($0["_seed"]) }
        let outcome = try Self.installer(tamper: true).plan(try CompactSeeds.encodeCompact(seeds: seeds))
        #expect(outcome.installed.isEmpty)
        #expect(outcome.problems.first?.contains("sha256 mismatch") == true)
    }

    @Test func refusesConflictsWithoutForce() throws {
        let agents = try Self.registryAgents()
        let seeds = agents.prefix(1).compactMap { CardLookup.seedValue($0["_seed"]) }
        var outcome = try Self.installer().plan(try CompactSeeds.encodeCompact(seeds: seeds))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rar-ci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "local edits\n".write(toFile: dir + "/" + outcome.installed[0].installName, atomically: true, encoding: .utf8)
        #expect(throws: EggError.self) { try CompactInstall.write(&outcome, into: dir, force: false) }
        #expect(String(decoding: FileManager.default.contents(atPath: dir + "/" + outcome.installed[0].installName)!, as: UTF8.self) == "local edits\n")
        try CompactInstall.write(&outcome, into: dir, force: true)
        #expect([UInt8](FileManager.default.contents(atPath: dir + "/" + outcome.installed[0].installName)!) == outcome.installed[0].bytes)
    }
}
