import Foundation
import RARCore
@testable import RARServer
import Testing

@Suite("server: search, resolve, eggs, static API")
struct DiscoveryTests {
    let admin = TestServer.adminToken

    @Test func searchRanksFiltersAndFacets() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/forecast", description: "Weather forecasts for any city.", tags: ["weather"], category: "analysis"), token: admin)
        _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/notes", description: "Meeting notes; mentions weather once.", category: "productivity"), token: admin)
        let r = try await s.get("/api/v1/search?q=weather")
        #expect(r.status == 200)
        let names = r.json["results"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.first == "@acme/forecast")
        #expect(names.contains("@acme/notes"))
        #expect(r.json["facets"]?["category"]?["analysis"]?.intValue == 1)
        // Prefix matching and stemming.
        #expect(try await s.get("/api/v1/search?q=forecas").json["total"]?.intValue == 1)
        // Filters.
        let f = try await s.get("/api/v1/search?q=weather&category=productivity")
        #expect(f.json["results"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["@acme/notes"])
        #expect(try await s.get("/api/v1/search?publisher=rar-samples").json["total"]?.intValue == 3)
        let official = try await s.get("/api/v1/search?tier=official")
        #expect(official.json["results"]?.arrayValue?.allSatisfy { $0["tier"]?.stringValue == "official" } == true)
        #expect(try await s.get("/api/v1/search?tier=gold").json["total"]?.intValue == 0)
        // Empty query lists everything; paging.
        let all = try await s.get("/api/v1/search?per_page=2&page=2")
        #expect(all.json["total"]?.intValue == 6 && all.json["results"]?.arrayValue?.count == 2)
        // FTS syntax in user input is not an operator.
        #expect(try await s.get("/api/v1/search?q=%22weather%20OR%20*%20NEAR(").status == 200)
        #expect(try await s.get("/api/v1/search?page=0").status == 400)
        #expect(try await s.get("/api/v1/search?per_page=1000").status == 400)
        // Changes show at once: a new version's words, a yank that leaves no live version.
        _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/notes", version: "1.1.0", description: "Minutes of meetings.", category: "productivity"), token: admin)
        #expect(try await s.get("/api/v1/search?q=minutes").json["results"]?.arrayValue?.first?["version"]?.stringValue == "1.1.0")
        #expect(try await s.get("/api/v1/search?q=weather").json["total"]?.intValue == 1)
        let yank = try await s.request("POST", "/api/v1/agents/@acme/forecast/versions/1.0.0/yank", body: Data(#"{"reason": "test"}"#.utf8), token: admin)
        #expect(yank.status == 200, "\(yank.status) \(yank.text)")
        #expect(try await s.get("/api/v1/search?q=forecas").json["total"]?.intValue == 0)
    }

    @Test func aHugeDocstringPublishesAndSearches() async throws {
        let s = try await TestServer.start(seed: false)
        defer { Task { await s.stop() } }
        // About 900 KB of distinct words in the module docstring (the file limit is 1 MiB).
        var text = String(decoding: try TestServer.agent("@acme/huge"), as: UTF8.self)
        let filler = (0..<150_000).map { "w" + String($0, radix: 36) }.joined(separator: " ")
        text = text.replacingOccurrences(of: "a RAPP agent.\n", with: "a RAPP agent.\n\nQuokka spotting.\n\n" + filler + "\n")
        let r = try await s.request("POST", "/api/v1/publish", body: Data(text.utf8), token: admin)
        #expect(r.status == 201, "\(r.status) \(r.text.prefix(300))")
        #expect(try await s.get("/api/v1/search?q=quokka").json["total"]?.intValue == 1)
        #expect(try await s.get("/api/v1/search?q=w1a").json["total"]?.intValue == 1)
    }

    @Test func resolveIncantationsAndSeeds() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let pub = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/cardy"), token: admin)
        let words = try #require(pub.json["incantation"]?.stringValue)
        let seed = try #require(pub.json["seed"]?.stringValue)
        let q = words.lowercased().replacingOccurrences(of: " ", with: "-")
        let r = try await s.get("/api/v1/resolve?incantation=\(q)")
        #expect(r.status == 200 && r.json["match"]?.stringValue == "agent" && r.json["name"]?.stringValue == "@acme/cardy")
        #expect(r.json["seed"]?.stringValue == seed)
        let bySeed = try await s.get("/api/v1/resolve?seed=\(seed)")
        #expect(bySeed.json["name"]?.stringValue == "@acme/cardy")
        // A typo: no match, a suggestion.
        var ws = words.split(separator: " ").map(String.init)
        let original = ws[2]
        ws[2] = String(original.dropLast())
        let typo = try await s.get("/api/v1/resolve?incantation=" + ws.joined(separator: "+"))
        #expect(typo.status == 422)
        #expect(typo.json["suggestions"]?[ws[2]]?.arrayValue?.contains(.string(original)) == true)
        // A seed nobody owns: a preview card.
        let preview = try await s.get("/api/v1/resolve?seed=12345")
        #expect(preview.status == 200 && preview.json["match"]?.stringValue == "preview" && preview.json["card"] != nil)
        #expect(try await s.get("/api/v1/resolve?seed=-1").status == 400)
        #expect(try await s.get("/api/v1/resolve").status == 400)
    }

    @Test func eggsForgeExpandDownload() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let forge = try await s.request("POST", "/api/v1/eggs/forge", json: .object([("agents", ["@rar-samples/word_count", "@acme/release_notes"])]))
        #expect(forge.status == 200)
        let compact = try #require(forge.json["compact"]?.stringValue)
        let expand = try await s.get("/api/v1/eggs/expand?compact=" + (compact.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? compact))
        #expect(expand.json["agents"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["@rar-samples/word_count", "@acme/release_notes"])
        #expect(try await s.request("POST", "/api/v1/eggs/forge", json: .object([("agents", ["@acme/nope"])])).status == 404)
        #expect(try await s.get("/api/v1/eggs/expand?compact=%21%21").status == 422)

        let egg = try await s.request("POST", "/api/v1/eggs/download", json: .object([("compact", .string(compact)), ("kind", "organism")]))
        #expect(egg.status == 200 && egg.headers["content-type"] == "application/zip")
        // The egg is a valid RAPP/1 cartridge signed by the server's published key.
        let keys = try await s.get("/api/v1/keys")
        let ring = try EggKeyring.parse([UInt8](keys.body))
        let report = EggInspector.inspect([UInt8](egg.body), keyring: ring)
        #expect(report.accepted && report.trustStatus == "VERIFIED", "\(report.signatureDetails)")
        #expect(report.members.count >= 2)
        #expect(try await s.request("POST", "/api/v1/eggs/download", json: .object([("agents", ["@acme/release_notes"]), ("kind", "estate")])).status == 400)
        let app = try await s.request("POST", "/api/v1/eggs/download", json: .object([("agents", ["@acme/release_notes"]), ("kind", "rapplication")]))
        #expect(app.status == 200 && EggInspector.inspect([UInt8](app.body), keyring: ring).accepted)
        #expect(try await s.request("POST", "/api/v1/eggs/download", json: .object([("compact", .string(compact)), ("kind", "rapplication")])).status == 400)
    }

    @Test func liveRegistryMatchesRarBuildByteForByte() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/extra", description: "Extra agent."), token: admin)
        let live = try await s.get("/registry.json")
        let generated = try #require(live.json["generated_at"]?.stringValue)
        // The same content as a source tree, built the way `rar build` builds it.
        let dir = NSTemporaryDirectory() + "rar-cmp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (a, _, src) in try await s.store.latestSources() {
            let p = dir + "/src/" + LiveRegistry.treePath(a)
            try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(src).write(to: URL(fileURLWithPath: p))
        }
        var opt = BuildOptions(root: dir + "/src")
        opt.generatedAt = ISO8601DateFormatter().date(from: generated.hasSuffix("Z") || generated.contains("+") ? generated : generated + "Z")
        let build = try RegistryBuilder.build(opt)
        try StaticAPI.write(build, root: dir + "/src", out: dir + "/out")
        let built = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/registry.json"))
        #expect(built == live.body)
        for path in ["manifest.json", "api/v1/catalog.json", "api/v1/agents/@acme/extra.json", "api/v1/taxonomy.json"] {
            let served = try await s.get("/" + path)
            #expect(served.status == 200, "\(path)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out/" + path)) == served.body, "\(path) differs")
        }
        // The detached signature over registry.json verifies with the published key.
        let sig = try await s.get("/registry.json.sig")
        let ring = try EggKeyring.parse([UInt8](try await s.get("/api/v1/keys").body))
        #expect(DetachedJWS.verify(sig.text.trimmingCharacters(in: .whitespacesAndNewlines), document: live.json, keyring: ring))
    }

    @Test func staticPathsAndProblems() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        #expect(try await s.get("/").status == 200)
        #expect(try await s.get("/api/v1/catalog.json").status == 200)
        let r = try await s.get("/api/v1/status.json")
        let etag = try #require(r.headers["etag"])
        #expect(try await s.get("/api/v1/status.json", headers: ["If-None-Match": etag]).status == 304)
        let missing = try await s.get("/no/such/file")
        #expect(missing.status == 404 && missing.headers["content-type"] == "application/problem+json")
        #expect(try await s.get("/../../etc/passwd").status == 404)
        #expect(try await s.get("/%2e%2e/%2e%2e/etc/passwd").status == 404)
        #expect(try await s.request("POST", "/api/v1/eggs/forge", body: Data("{not json".utf8), contentType: "application/json").status == 400)
    }
}
