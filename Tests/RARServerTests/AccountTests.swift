import Foundation
import RARCore
@testable import RARServer
import Testing

@Suite("server: tokens, audit, limits")
struct AccountTests {
    let admin = TestServer.adminToken

    @Test func tokensAreScopedShownOnceHashedAndRevocable() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let readOnly = try await s.user("reader", scopes: ["read"])
        #expect(try await s.get("/api/v1/whoami", token: readOnly).status == 200)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/x"), token: readOnly).status == 403)
        // A user cannot mint scopes they lack, nor admin scope.
        #expect(try await s.request("POST", "/api/v1/tokens", json: .object([("scopes", ["publish"])]), token: readOnly).status == 403)
        #expect(try await s.request("POST", "/api/v1/tokens", json: .object([("user", "reader"), ("scopes", ["admin"])]), token: admin).status == 403)
        #expect(try await s.request("POST", "/api/v1/tokens", json: .object([("scopes", ["superuser"])]), token: admin).status == 400)
        #expect(try await s.request("POST", "/api/v1/tokens", json: .object([("expires_in_days", 9999)]), token: admin).status == 400)

        let made = try await s.request("POST", "/api/v1/tokens", json: .object([("label", "ci"), ("expires_in_days", 7)]), token: readOnly)
        #expect(made.status == 201)
        let secret = try #require(made.json["token"]?.stringValue)
        let id = try #require(made.json["id"]?.stringValue)
        // Listing never shows secrets.
        let list = try await s.get("/api/v1/tokens", token: readOnly)
        #expect(!list.text.contains(secret) && list.text.contains(id))
        // Stored hashed: the database holds the SHA-256, never the token.
        let stored = try await s.rawStrings("SELECT hash FROM tokens")
        #expect(stored.contains(Tokens.hash(secret)) && !stored.contains(secret))
        // Other users cannot revoke it; the owner can, and it stops working at once.
        let bob = try await s.user("bob")
        #expect(try await s.request("DELETE", "/api/v1/tokens/\(id)", token: bob).status == 403)
        #expect(try await s.request("DELETE", "/api/v1/tokens/\(id)", token: readOnly).status == 200)
        #expect(try await s.get("/api/v1/whoami", token: secret).status == 401)
        #expect(try await s.request("DELETE", "/api/v1/tokens/tok_nope", token: readOnly).status == 404)
        // Expired tokens are refused (store-level clock).
        let found = try await s.store.token(hash: Tokens.hash(readOnly), now: "2999-01-01T00:00:00Z")
        #expect(found == nil)
    }

    @Test func auditLogRecordsEveryChangeAndIsAppendOnly() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let bob = try await s.user("bob")
        _ = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/audited"), token: admin)
        _ = try await s.request("POST", "/api/v1/agents/@acme/audited/versions/1.0.0/yank", json: .object([("reason", "oops")]), token: admin)
        #expect(try await s.get("/api/v1/audit", token: bob).status == 403)
        let log = try await s.get("/api/v1/audit?limit=1000", token: admin)
        let actions = log.json["events"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        for a in ["user.create", "token.create", "namespace.create", "version.publish", "version.yank"] { #expect(actions.contains(a), "\(a)") }
        let page = try await s.get("/api/v1/audit?limit=2", token: admin)
        let next = try #require(page.json["next"]?.intValue)
        let rest = try await s.get("/api/v1/audit?after=\(next)&limit=1000", token: admin)
        #expect((rest.json["events"]?.arrayValue?.count ?? 0) == actions.count - 2)
        // The table refuses edits and deletions.
        await #expect(throws: (any Error).self) { try await s.rawExecute("UPDATE audit SET actor = 'x'") }
        await #expect(throws: (any Error).self) { try await s.rawExecute("DELETE FROM audit") }
        if s.isPostgres { await #expect(throws: (any Error).self) { try await s.rawExecute("TRUNCATE audit") } }
        #expect(try await s.rawStrings("SELECT actor FROM audit").contains("system"))
    }

    @Test func rateLimitsAnswer429WithRetryAfter() async throws {
        let s = try await TestServer.start { $0.rateLimits["publish"] = 2 }
        defer { Task { await s.stop() } }
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/r1"), token: admin).status == 201)
        #expect(try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/r2"), token: admin).status == 201)
        let third = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/r3"), token: admin)
        #expect(third.status == 429)
        #expect(Int(third.headers["retry-after"] ?? "") ?? 0 >= 1)
        // Other actions are not limited by the publish budget.
        #expect(try await s.get("/api/v1/whoami", token: admin).status == 200)
    }

    @Test func bootstrapPrintsATokenOnceAndReopensCleanly() async throws {
        let root = NSTemporaryDirectory() + "rar-boot-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var cfg = ServerConfig()
        cfg.root = root
        let pg = TestPostgres.enabled ? try await TestPostgres.createDatabase() : nil
        cfg.database = pg
        let store = try await RARServerApp.openStore(cfg)
        defer { Task { await store.close(); if let pg { await TestPostgres.dropDatabase(pg) } } }
        let (first, k1) = try await RARServerApp.bootstrap(cfg, store: store, logger: .init(label: "t"))
        let token = try #require(first.adminToken)
        #expect(Tokens.wellFormed(token))
        let (second, k2) = try await RARServerApp.bootstrap(cfg, store: store, logger: .init(label: "t"))
        #expect(second.adminToken == nil)
        #expect(k1.kid == k2.kid)  // the signing key persists
        #expect(try await store.token(hash: Tokens.hash(token), now: Clock.stamp(Date())) != nil)
        // Migrating again is a no-op.
        try await store.migrate()
        #expect(try await store.userCount() == 1)
        if pg != nil { return }
        // The database file is private to its owner.
        let attrs = try FileManager.default.attributesOfItem(atPath: cfg.sqlitePath)
        #expect((attrs[.posixPermissions] as? Int).map { $0 & 0o077 } == 0)
    }

    @Test func configFileRejectsUnknownSettings() throws {
        let path = NSTemporaryDirectory() + "rar-cfg-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"port": 8080, "rate_limits": {"publish": 5}}"#.utf8).write(to: URL(fileURLWithPath: path))
        var c = ServerConfig()
        try c.apply(file: path)
        #expect(c.port == 8080 && c.rateLimits["publish"] == 5)
        try Data(#"{"prot": 8080}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ServerConfig.Invalid.self) { try c.apply(file: path) }
        #expect(throws: ServerConfig.Invalid.self) { try c.apply(environment: ["RAR_PORT": "x"]) }
    }
}

@Suite("server: contract-test worker")
struct ContractWorkerTests {
    @Test func newVersionsGetAContractTestResultOffTheRequestPath() async throws {
        guard let rar = CLIEndToEndTests.rar else {
            print("SKIPPED contract worker: no rar binary beside the tests")
            return
        }
        let s = try await TestServer.start(seed: false) { c in
            c.contractTests = true
            c.testerExecutable = rar
        }
        defer { Task { await s.stop() } }
        let pub = try await s.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/tested"), token: TestServer.adminToken)
        #expect(pub.status == 201)
        var result: JSONValue = .null
        for _ in 0..<120 {
            result = try await s.get("/api/v1/agents/@acme/tested/versions/1.0.0").json["contract_test"] ?? .null
            if result != .null { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(result["passed"]?.boolValue == true, "\(result.serialized(.compact))")
        #expect((result["tests"]?.arrayValue?.count ?? 0) >= 5)
    }
}
