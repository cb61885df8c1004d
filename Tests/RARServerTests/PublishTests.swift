import Foundation
import RARCore
@testable import RARServer
import Testing

@Suite("server: publish and versions")
struct PublishTests {
    let admin = TestServer.adminToken

    @Test func healthReadinessMetricsAndSpec() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        #expect(try await s.get("/healthz").status == 200)
        #expect(try await s.get("/readyz").status == 200)
        _ = try await s.get("/registry.json")
        let m = try await s.get("/metrics")
        #expect(m.status == 200)
        #expect(m.text.contains("rar_http_requests_total{method=\"GET\",status=\"200\"}"))
        #expect(m.text.contains("rar_agents 4"))
        let spec = try await s.get("/openapi.yaml")
        #expect(spec.status == 200 && spec.text.hasPrefix("openapi: 3.1"))
    }

    @Test func seededRegistryAndWhoami() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let reg = try await s.get("/registry.json")
        #expect(reg.status == 200)
        let names = Set((reg.json["agents"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        #expect(names == ["@acme/release_notes", "@rar-samples/word_count", "@rar-samples/unit_convert", "@rar-samples/json_lint"])
        let me = try await s.get("/api/v1/whoami", token: admin)
        #expect(me.json["user"]?.stringValue == "admin" && me.json["admin"]?.boolValue == true)
        #expect(me.json["namespaces"]?.arrayValue?.count == 2)
        let anon = try await s.get("/api/v1/whoami")
        #expect(anon.status == 401 && anon.headers["content-type"] == "application/problem+json")
        #expect(anon.json["status"]?.intValue == 401 && anon.json["type"]?.stringValue == "urn:rar:problem:unauthorized")
        let bad = try await s.get("/api/v1/whoami", token: "rar_notatoken")
        #expect(bad.status == 401)
    }

    @Test func raisedAgentSizeLimitHoldsThroughTheRegistryBuild() async throws {
        // max_agent_bytes above the 1 MiB default: the file publishes and reaches registry.json.
        let s = try await TestServer.start(seed: false) { $0.maxAgentBytes = 3 << 20 }
        defer { Task { await s.stop() } }
        var text = String(decoding: try TestServer.agent("@acme/big"), as: UTF8.self)
        text += "\n" + String(repeating: "# padding line for a large agent file\n", count: 40_000)
        let file = Data(text.utf8)
        #expect(file.count > 1 << 20 && file.count < 3 << 20)
        let r = try await s.request("POST", "/api/v1/publish", body: file, token: admin)
        #expect(r.status == 201, "\(r.text)")
        let reg = try await s.get("/registry.json")
        #expect(reg.json["agents"]?.arrayValue?.contains { $0["name"]?.stringValue == "@acme/big" } == true)
        let raw = try await s.get("/api/v1/agents/@acme/big/versions/1.0.0/source")
        #expect(raw.status == 200 && raw.body == file)
        // Above the limit: 413.
        let huge = Data(text.utf8 + Array(repeating: UInt8(ascii: "#"), count: 3 << 20))
        #expect(try await s.request("POST", "/api/v1/publish", body: huge, token: admin).status == 413)
    }

    @Test func publishIsImmutableAndValidated() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let file = try TestServer.agent("@acme/weather", description: "Reports the weather.")
        let r = try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: file, token: admin)
        #expect(r.status == 201, "\(r.text)")
        #expect(r.headers["location"]?.hasSuffix("/api/v1/agents/@acme/weather/versions/1.0.0") == true)
        let sha = r.json["sha256"]?.stringValue
        #expect(sha == BuildSupport.lfHash([UInt8](file)).hex)
        #expect(r.json["incantation"]?.stringValue?.split(separator: " ").count == 7)

        // Same version again, even with other bytes: 409.
        let again = try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: file, token: admin)
        #expect(again.status == 409 && again.json["type"]?.stringValue == "urn:rar:problem:conflict")
        let changed = try TestServer.agent("@acme/weather", description: "Other bytes, same version.")
        #expect(try await s.request("POST", "/api/v1/publish", body: changed, token: admin).status == 409)

        // The URL must agree with the manifest.
        let mismatch = try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/2.0.0", body: file, token: admin)
        #expect(mismatch.status == 422)
        let otherName = try await s.request("PUT", "/api/v1/agents/@acme/other/versions/1.0.0", body: file, token: admin)
        #expect(otherName.status == 422)

        // Invalid file: 422 with diagnostics carrying rule, line and column.
        let broken = Data("__manifest__ = {\"name\": \"@acme/x\", \"version\": \"1.0.0\"\n".utf8)
        let bad = try await s.request("POST", "/api/v1/publish", body: broken, token: admin)
        #expect(bad.status == 422)
        let d = bad.json["diagnostics"]?.arrayValue?.first
        #expect(d?["rule"]?.stringValue?.isEmpty == false)
        #expect((d?["line"]?.intValue ?? 0) >= 1)
        #expect(d?["column"] != nil)

        // No token: 401; empty body: 400.
        #expect(try await s.request("POST", "/api/v1/publish", body: file).status == 401)
        #expect(try await s.request("POST", "/api/v1/publish", body: Data(), token: admin).status == 400)
    }

    @Test func nulCharactersAreOnlyText() async throws {
        let s = try await TestServer.start(seed: false)
        defer { Task { await s.stop() } }
        var text = String(decoding: try TestServer.agent("@acme/nul", description: "Before NULMARK after."), as: UTF8.self)
        text = text.replacingOccurrences(of: "NULMARK", with: "\\x00")
        let pub = try await s.request("POST", "/api/v1/publish", body: Data(text.utf8), token: admin)
        #expect(pub.status == 201, "\(pub.text)")
        #expect(try await s.get("/api/v1/search?q=before").json["total"]?.intValue == 1)
        #expect(try await s.get("/api/v1/search?category=%00").json["total"]?.intValue == 0)
        #expect(try await s.get("/api/v1/namespaces/%00").status == 404)
        #expect(try await s.get("/api/v1/agents/@acme/nul/versions/1.0.0/source").body == Data(text.utf8))
        #expect(try await s.request("DELETE", "/api/v1/tokens/tok_%00", token: admin).status == 404)
        #expect(try await s.request("POST", "/api/v1/admin/teams/x%00/members", json: .object([("user", "admin")]), token: admin).status == 404)
        #expect(try await s.request("POST", "/api/v1/tokens", json: .object([("user", "a\u{0}")]), token: admin).status == 404)
    }

    @Test func oversizedBodyIs413() async throws {
        let s = try await TestServer.start(seed: false) { $0.maxAgentBytes = 4096 }
        defer { Task { await s.stop() } }
        var big = try TestServer.agent("@acme/big")
        big.append(Data(("# " + String(repeating: "x", count: 8000) + "\n").utf8))
        let r = try await s.request("POST", "/api/v1/publish", body: big, token: admin)
        #expect(r.status == 413 && r.json["type"]?.stringValue == "urn:rar:problem:too-large")
    }

    @Test func namespaceOwnershipAndTierClaims() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let bob = try await s.user("bob")
        // Unknown namespace: only admins create namespaces.
        let r1 = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@bobs/tool"), token: bob)
        #expect(r1.status == 403 && r1.json["detail"]?.stringValue?.contains("admin") == true)
        // Someone else's namespace.
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/tool"), token: bob).status == 403)
        // An admin creates @bobs for bob; bob publishes; a claimed tier above community is lowered.
        let ns = try await s.request("POST", "/api/v1/admin/namespaces", json: .object([("name", "@bobs"), ("owner", "bob")]), token: admin)
        #expect(ns.status == 201)
        let pub = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@bobs/tool", tier: "official"), token: bob)
        #expect(pub.status == 201)
        #expect(pub.json["tier"]?.stringValue == "community")
        #expect(pub.json["warnings"]?.arrayValue?.contains { $0["rule"]?.stringValue == "T1" } == true)
        let reg = try await s.get("/registry.json")
        let entry = reg.json["agents"]?.arrayValue?.first { $0["name"]?.stringValue == "@bobs/tool" }
        #expect(entry?["quality_tier"]?.stringValue == "community")
        // Admin promotes it; registry.json follows.
        let tier = try await s.request("PUT", "/api/v1/admin/agents/@bobs/tool/tier", json: .object([("tier", "verified")]), token: admin)
        #expect(tier.status == 200)
        #expect(try await s.request("PUT", "/api/v1/admin/agents/@bobs/tool/tier", json: .object([("tier", "gold")]), token: admin).status == 400)
        #expect(try await s.request("PUT", "/api/v1/admin/agents/@bobs/tool/tier", json: .object([("tier", "official")]), token: bob).status == 403)
        let reg2 = try await s.get("/registry.json")
        #expect(reg2.json["agents"]?.arrayValue?.first { $0["name"]?.stringValue == "@bobs/tool" }?["quality_tier"]?.stringValue == "verified")
        // Duplicate namespace, bad owner.
        #expect(try await s.request("POST", "/api/v1/admin/namespaces", json: .object([("name", "@BOBS")]), token: admin).status == 409)
        #expect(try await s.request("POST", "/api/v1/admin/namespaces", json: .object([("name", "@x"), ("owner", "nobody")]), token: admin).status == 404)
    }

    @Test func teamsOwnNamespacesAndTransfer() async throws {
        let s = try await TestServer.start(seed: false)
        defer { Task { await s.stop() } }
        let carol = try await s.user("carol"), dave = try await s.user("dave")
        #expect(try await s.request("POST", "/api/v1/admin/teams", json: .object([("name", "core"), ("members", ["carol"])]), token: admin).status == 201)
        #expect(try await s.request("POST", "/api/v1/admin/namespaces", json: .object([("name", "@core"), ("owner", "team:core")]), token: admin).status == 201)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@core/a"), token: carol).status == 201)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@core/b"), token: dave).status == 403)
        #expect(try await s.request("POST", "/api/v1/admin/teams/core/members", json: .object([("user", "dave")]), token: admin).status == 200)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@core/b"), token: dave).status == 201)
        #expect(try await s.request("POST", "/api/v1/admin/namespaces/@core/transfer", json: .object([("owner", "carol")]), token: admin).status == 200)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@core/c"), token: dave).status == 403)
        let info = try await s.get("/api/v1/namespaces/@core")
        #expect(info.json["owner"]?.stringValue == "carol")
        #expect(info.json["agents"]?.arrayValue?.count == 2)
        #expect(try await s.get("/api/v1/namespaces/@nope").status == 404)
    }

    @Test func agentMetadataSourceAndInstallCounts() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        for v in ["1.0.0", "1.1.0", "1.0.5"] {
            #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/multi", version: v), token: admin).status == 201)
        }
        let a = try await s.get("/api/v1/agents/@acme/multi")
        #expect(a.status == 200)
        #expect(a.json["latest"]?.stringValue == "1.1.0")  // semver order, not publish order
        #expect(a.json["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["1.1.0", "1.0.5", "1.0.0"])
        #expect(a.json["card"]?["name"]?.stringValue == "@acme/multi")
        #expect(a.json["owners"]?.arrayValue == [.string("admin")])
        // Percent-encoded @ works too.
        #expect(try await s.get("/api/v1/agents/%40acme/multi").status == 200)

        let src = try await s.get("/api/v1/agents/@acme/multi/versions/1.0.0/source")
        #expect(src.status == 200)
        #expect(src.headers["cache-control"]?.contains("immutable") == true)
        let etag = try #require(src.headers["etag"])
        #expect(etag == "\"\(BuildSupport.sha256Hex([UInt8](src.body)))\"")
        #expect(try await s.get("/api/v1/agents/@acme/multi/versions/1.0.0/source", headers: ["If-None-Match": etag]).status == 304)
        _ = try await s.get("/api/v1/agents/@acme/multi/latest/source")
        let after = try await s.get("/api/v1/agents/@acme/multi")
        let installs = after.json["versions"]?.arrayValue?.first { $0["version"]?.stringValue == "1.0.0" }?["installs"]?.intValue
        #expect(installs == 1)
        #expect(after.json["installs"]?.intValue == 2)
        let latest = try await s.get("/api/v1/agents/@acme/multi/latest")
        #expect(latest.json["version"]?.stringValue == "1.1.0")

        #expect(try await s.get("/api/v1/agents/@acme/nope").status == 404)
        #expect(try await s.get("/api/v1/agents/@acme/multi/versions/9.9.9").status == 404)
        #expect(try await s.get("/api/v1/agents/@acme/multi/versions/not-semver/source").status == 404)
        #expect(try await s.get("/api/v1/agents/acme!/x").status == 404)
    }

    @Test func yankDeprecateAndDelete() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        for v in ["1.0.0", "1.1.0"] {
            _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/life", version: v), token: admin)
        }
        let bob = try await s.user("bob")
        #expect(try await s.request("POST", "/api/v1/agents/@acme/life/versions/1.1.0/yank", json: .object([("reason", "bug")]), token: bob).status == 403)
        #expect(try await s.request("POST", "/api/v1/agents/@acme/life/versions/1.1.0/yank", json: .object([]), token: admin).status == 400)
        let y = try await s.request("POST", "/api/v1/agents/@acme/life/versions/1.1.0/yank", json: .object([("reason", "data loss bug")]), token: admin)
        #expect(y.status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/life").json["latest"]?.stringValue == "1.0.0")
        // Exact pins still install, marked as yanked.
        let pinned = try await s.get("/api/v1/agents/@acme/life/versions/1.1.0/source")
        #expect(pinned.status == 200 && pinned.headers["x-rar-yanked"] == "data loss bug")
        // Search and registry.json show the newest unyanked version.
        let reg = try await s.get("/registry.json")
        #expect(reg.json["agents"]?.arrayValue?.first { $0["name"]?.stringValue == "@acme/life" }?["version"]?.stringValue == "1.0.0")
        #expect(try await s.request("POST", "/api/v1/agents/@acme/life/versions/1.1.0/unyank", token: admin).status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/life").json["latest"]?.stringValue == "1.1.0")

        let dep = try await s.request("POST", "/api/v1/agents/@acme/life/deprecate", json: .object([("message", "use @acme/next")]), token: admin)
        #expect(dep.status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/life").json["deprecated"]?.stringValue == "use @acme/next")
        #expect(try await s.request("POST", "/api/v1/agents/@acme/life/deprecate", json: .object([("message", "")]), token: admin).status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/life").json["deprecated"] == .null)

        // Delete within 72 h leaves a tombstone: the bytes are gone, the number is never reused.
        let del = try await s.request("DELETE", "/api/v1/agents/@acme/life/versions/1.1.0", token: admin)
        #expect(del.status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/life/versions/1.1.0/source").status == 410)
        let reuse = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/life", version: "1.1.0"), token: admin)
        #expect(reuse.status == 409 && reuse.json["detail"]?.stringValue?.contains("never reused") == true)
        #expect(try await s.request("DELETE", "/api/v1/agents/@acme/life/versions/1.1.0", token: admin).status == 404)
        // After the window, deletion is refused (store-level: the window edge is a parameter).
        await #expect(throws: StoreError.self) {
            try await s.store.deleteVersion("@acme/life", version: "1.0.0", notBefore: "2999-01-01T00:00:00Z", actor: "admin")
        }
    }
}
