import Foundation
import RARCore
import Testing

/// The README's walkthrough with the real `rar` binary: serve on a random port → login → new →
/// submit → search → install → resolve the incantation → yank → pinned install still works.
@Suite("cli: end to end against rar serve")
struct CLIEndToEndTests {
    /// The `rar` executable built beside the test bundle (`swift build --build-tests` builds it).
    static let rar: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("rar").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    struct Run { var status: Int32; var out: String; var err: String }

    static func run(_ args: [String], env: [String: String], cwd: String) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rar!)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    @Test func serveSubmitSearchInstallResolveYank() async throws {
        guard Self.rar != nil else {
            print("SKIPPED cli end-to-end: no rar binary beside the tests (run `swift build --build-tests` first)")
            return
        }
        let tmp = NSTemporaryDirectory() + "rar-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let root = tmp + "/registry", work = tmp + "/work", elsewhere = tmp + "/elsewhere"
        for d in [root, work, elsewhere] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: TestServer.projectRoot.appendingPathComponent("registry/agents").path, toPath: root + "/agents")

        // Start the server; its first line (--json) names the URL and the one-time admin token.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.rar!)
        // With RAR_TEST_POSTGRES, `rar serve --db postgres://…` on a fresh database.
        let pg = TestPostgres.enabled ? try await TestPostgres.createDatabase() : nil
        defer { if let pg { Task { await TestPostgres.dropDatabase(pg) } } }
        server.arguments = ["serve", "--root", root, "--port", "0", "--json"] + (pg.map { ["--db", $0] } ?? [])
        server.environment = ProcessInfo.processInfo.environment.merging(["RAR_ADMIN_TOKEN": ""]) { $1 }
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let line = out.firstLine()
        let start = try JSONParser().parse(line)
        let url = try #require(start["url"]?.stringValue)
        let token = try #require(start["admin_token"]?.stringValue)
        let env = ["XDG_CONFIG_HOME": tmp + "/config", "RAR_REGISTRY": "", "RAR_TOKEN": "", "NO_COLOR": "1"]

        let login = try Self.run(["login", "--registry", url, "--token", token], env: env, cwd: work)
        #expect(login.status == 0, "\(login.err)")
        #expect(try Self.run(["whoami"], env: env, cwd: work).out.contains("admin"))

        #expect(try Self.run(["new", "@team/field_notes"], env: env, cwd: work).status == 0)
        let submit = try Self.run(["submit", "field_notes_agent.py", "--json"], env: env, cwd: work)
        #expect(submit.status == 0, "\(submit.err)")
        let published = try JSONParser().parse(Data(submit.out.utf8))
        let words = try #require(published["incantation"]?.stringValue)
        // Resubmitting the same version is refused with exit 1.
        let again = try Self.run(["submit", "field_notes_agent.py"], env: env, cwd: work)
        #expect(again.status == 1 && again.err.contains("immutable"))

        let search = try Self.run(["search", "field", "notes"], env: env, cwd: work)
        #expect(search.out.contains("@team/field_notes@0.1.0"))

        let install = try Self.run(["install", "@team/field_notes", "--into", elsewhere + "/agents"], env: env, cwd: elsewhere)
        #expect(install.status == 0, "\(install.err)")
        let installed = try FileManager.default.contentsOfDirectory(atPath: elsewhere + "/agents")
        #expect(installed.count == 1)
        let original = try Data(contentsOf: URL(fileURLWithPath: work + "/field_notes_agent.py"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: elsewhere + "/agents/" + installed[0])) == original)

        let resolve = try Self.run(["card", "resolve"] + words.split(separator: " ").map(String.init) + ["--registry", url, "--json"], env: env, cwd: work)
        #expect(resolve.status == 0, "\(resolve.err)")
        #expect(resolve.out.contains("@team/field_notes"))

        let yank = try Self.run(["yank", "@team/field_notes@0.1.0", "--reason", "superseded"], env: env, cwd: work)
        #expect(yank.status == 0, "\(yank.err)")
        // Unpinned installs now find nothing; the exact pin still installs, with a warning.
        #expect(try Self.run(["install", "@team/field_notes", "--into", tmp + "/x"], env: env, cwd: work).status == 1)
        let pinned = try Self.run(["install", "@team/field_notes@0.1.0", "--into", tmp + "/y"], env: env, cwd: work)
        #expect(pinned.status == 0 && pinned.out.contains("yanked"))

        // Read commands also work against a static `rar build` output directory.
        let info = try Self.run(["info", "@acme/release_notes", "--registry", url], env: env, cwd: work)
        #expect(info.status == 0 && info.out.contains("release_notes"))
        #expect(try Self.run(["build", root, "--out", tmp + "/site"], env: env, cwd: work).status == 0)
        let staticSearch = try Self.run(["search", "release", "--registry", tmp + "/site"], env: env, cwd: work)
        #expect(staticSearch.status == 0 && staticSearch.out.contains("@acme/release_notes"))
        let staticInstall = try Self.run(["install", "@acme/release_notes", "--registry", tmp + "/site", "--into", tmp + "/z"], env: env, cwd: work)
        #expect(staticInstall.status == 0, "\(staticInstall.err)")
        // Unreachable server: exit 3.
        #expect(try Self.run(["search", "x", "--registry", "http://127.0.0.1:9"], env: env, cwd: work).status == 3)
    }
}
