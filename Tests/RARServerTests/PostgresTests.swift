import Foundation
import RARCore
@testable import RARServer
import Testing

/// Several servers in front of one PostgreSQL database (needs RAR_TEST_POSTGRES).
@Suite("server: PostgreSQL, several servers on one database")
struct PostgresTests {
    let admin = TestServer.adminToken

    /// Two servers on one fresh database, stopped (and the database dropped) after `body`.
    func twoServers(seed: Bool = true, tweak: @escaping (inout ServerConfig) -> Void = { _ in },
                    _ body: (TestServer, TestServer) async throws -> Void) async throws {
        let url = try await TestPostgres.createDatabase()
        let a = try await TestServer.start(seed: seed, database: url, tweak: tweak)
        let b = try await TestServer.start(seed: seed, database: url, tweak: tweak)
        do { try await body(a, b) } catch {
            await b.stop(); await a.stop(); await TestPostgres.dropDatabase(url)
            throw error
        }
        await b.stop(); await a.stop(); await TestPostgres.dropDatabase(url)
    }

    @Test func serversSeeEachOthersChangesAtOnce() async throws {
        guard TestPostgres.enabled else { print(TestPostgres.skipNote); return }
        try await twoServers(tweak: { $0.rateLimits["publish"] = 3 }) { a, b in
            // Bootstrapped once: one admin, one signing key, the seed agents once.
            #expect(try await a.get("/api/v1/keys").body == (try await b.get("/api/v1/keys")).body)
            #expect(try await b.get("/registry.json").json["agents"]?.arrayValue?.count == 4)
            // Warm both servers' caches, then publish through a: b shows it on its next request.
            _ = try await b.get("/registry.json")
            let pub = try await a.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/shared", description: "Shared between servers."), token: admin)
            #expect(pub.status == 201, "\(pub.text)")
            #expect(try await b.get("/api/v1/agents/@acme/shared").json["latest"]?.stringValue == "1.0.0")
            let names = try await b.get("/registry.json").json["agents"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("@acme/shared"))
            #expect(try await b.get("/api/v1/search?q=shared").json["results"]?.arrayValue?.first?["name"]?.stringValue == "@acme/shared")
            #expect(try await b.get("/catalog/@acme/shared.html").status == 200)
            // And back: a version published through b is a's latest; a yank through a is b's.
            #expect(try await b.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/shared", version: "1.1.0"), token: admin).status == 201)
            #expect(try await a.get("/api/v1/agents/@acme/shared/latest").json["version"]?.stringValue == "1.1.0")
            #expect(try await a.request("POST", "/api/v1/agents/@acme/shared/versions/1.1.0/yank", json: .object([("reason", "bad")]), token: admin).status == 200)
            #expect(try await b.get("/api/v1/agents/@acme/shared").json["latest"]?.stringValue == "1.0.0")
            // Accounts: a token minted on a works on b; revoked on b, refused on a.
            let bob = try await a.user("bob")
            #expect(try await b.get("/api/v1/whoami", token: bob).json["user"]?.stringValue == "bob")
            let tokens = try await b.get("/api/v1/tokens", token: bob).json["tokens"]?.arrayValue ?? []
            let id = try #require(tokens.first?["id"]?.stringValue)
            #expect(try await b.request("DELETE", "/api/v1/tokens/\(id)", token: bob).status == 200)
            #expect(try await a.get("/api/v1/whoami", token: bob).status == 401)
            // One rate-limit budget: 3 publishes a minute for the admin token, wherever they land.
            let third = try await a.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/shared", version: "1.2.0"), token: admin)
            #expect(third.status == 201)
            let fourth = try await b.request("POST", "/api/v1/publish", body: try TestServer.agent("@acme/shared", version: "1.3.0"), token: admin)
            #expect(fourth.status == 429 && Int(fourth.headers["retry-after"] ?? "") ?? 0 >= 1)
        }
    }

    @Test func fiftyConcurrentPublishesOfOneVersionOverTwoServers() async throws {
        guard TestPostgres.enabled else { print(TestPostgres.skipNote); return }
        try await twoServers { a, b in
            let admin = self.admin
            // The same new agent and version, with different bytes, 50 times at once.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<50 {
                    let server = i % 2 == 0 ? a : b
                    let file = try TestServer.agent("@acme/race", description: "Attempt \(i).")
                    group.addTask { try await server.request("PUT", "/api/v1/agents/@acme/race/versions/1.0.0", body: file, token: admin).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 49, "\(statuses)")
            #expect(statuses.allSatisfy { $0 < 500 })
            // Different versions at once all land; the newest is latest on both servers.
            let more = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 1...20 {
                    let server = i % 2 == 0 ? a : b
                    let file = try TestServer.agent("@acme/race", version: "2.0.\(i)")
                    group.addTask { try await server.request("POST", "/api/v1/publish", body: file, token: admin).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(more.allSatisfy { $0 == 201 }, "\(more)")
            #expect(try await a.get("/api/v1/agents/@acme/race").json["versions"]?.arrayValue?.count == 21)
            #expect(try await b.get("/api/v1/agents/@acme/race/latest").json["version"]?.stringValue == "2.0.20")
            let log = try await a.get("/api/v1/audit?limit=1000", token: admin).json["events"]?.arrayValue ?? []
            #expect(log.filter { $0["action"]?.stringValue == "version.publish" && $0["target"]?.stringValue?.hasPrefix("@acme/race@") == true }.count == 21)
        }
    }

    @Test func twoServersMigrateOneFreshDatabaseTogether() async throws {
        guard TestPostgres.enabled else { print(TestPostgres.skipNote); return }
        let url = try await TestPostgres.createDatabase()
        async let first = TestServer.start(database: url)
        async let second = TestServer.start(database: url)
        let (a, b) = try await (first, second)
        #expect(try await a.get("/readyz").status == 200)
        #expect(try await b.get("/readyz").status == 200)
        #expect(try await a.rawStrings("SELECT version::text FROM schema_migrations ORDER BY version") == PostgresStore.migrations.map { String($0.0) })  // each once
        #expect(try await a.rawStrings("SELECT name FROM users") == ["admin"])
        #expect(try await a.get("/api/v1/keys").body == (try await b.get("/api/v1/keys")).body)
        for s in [a, b] {
            let names = try await s.get("/registry.json").json["agents"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.count == 4, "\(names)")
            #expect(try await s.get("/api/v1/whoami", token: admin).status == 200)
        }
        await b.stop(); await a.stop(); await TestPostgres.dropDatabase(url)
    }

    @Test func startUpErrorsSayWhatIsWrong() async throws {
        guard TestPostgres.enabled, var u = URLComponents(string: TestPostgres.base!) else { print(TestPostgres.skipNote); return }
        u.path = "/rar_absent_database"
        var cfg = ServerConfig()
        cfg.database = u.string
        do {
            _ = try await RARServerApp.openStore(cfg)
            Issue.record("opened a database that does not exist")
        } catch {
            #expect("\(error)".contains("does not exist"), "\(error)")
        }
    }

    @Test func aLostDatabaseAnswers503NotErrors() async throws {
        guard TestPostgres.enabled else { print(TestPostgres.skipNote); return }
        let url = try await TestPostgres.createDatabase()
        let s = try await TestServer.start(seed: false, database: url) { $0.databaseTimeoutSeconds = 3 }
        #expect(try await s.get("/api/v1/search?q=x").status == 200)
        await TestPostgres.dropDatabase(url)
        // Each waits for a connection up to the store's lease timeout, then answers 503.
        let file = try TestServer.agent("@acme/gone"), admin = self.admin
        let replies = try await withThrowingTaskGroup(of: (String, TestServer.Reply).self) { group in
            for path in ["/readyz", "/api/v1/search?q=x", "/registry.json", "/api/v1/agents/@acme/x"] {
                group.addTask { (path, try await s.get(path)) }
            }
            group.addTask { ("publish", try await s.request("POST", "/api/v1/publish", body: file, token: admin)) }
            return try await group.reduce(into: [(String, TestServer.Reply)]()) { $0.append($1) }
        }
        for (path, r) in replies {
            #expect(r.status == 503, "\(path): \(r.status) \(r.text)")
            #expect(r.headers["retry-after"] != nil || path == "/readyz", "\(path)")
        }
        await s.stop()
    }
}

/// PostgreSQL store details that need no server.
@Suite("store: PostgreSQL addresses and errors")
struct PostgresStoreUnitTests {
    @Test func urlsParse() throws {
        let u = try PostgresURL("postgres://rar:p%40ss@db.example:6543/registry?sslmode=require")
        #expect(u.user == "rar" && u.password == "p@ss" && u.host == "db.example" && u.port == 6543 && u.database == "registry" && u.tls == .require)
        #expect(u.redacted == "postgres://rar@db.example:6543/registry")
        let d = try PostgresURL("postgresql://me@127.0.0.1")
        #expect(d.port == 5432 && d.database == "me" && d.password == nil && d.tls == .prefer)
        #expect(throws: StoreError.self) { try PostgresURL("mysql://x@y/z") }
        #expect(throws: StoreError.self) { try PostgresURL("postgres://x@y/z?sslmode=sometimes") }
        var c = ServerConfig()
        c.database = "postgres://rar@127.0.0.1/x"
        #expect(c.isPostgres)
    }

    @Test func searchWordsSplitLikeTheEmbeddedStore() {
        #expect(PostgresStore.words("Café  forecasts, @acme/word_count! v2") == ["Cafe", "forecasts", "acme", "word", "count", "v2"])
        #expect(PostgresStore.words("\"weather OR * NEAR(").count == 3)
    }

    @Test func anUnreachableServerIsUnavailable() async throws {
        // Nothing listens on port 9 of loopback: the store answers `unavailable` (503) after its
        // lease timeout, not after the pool's minute of retries.
        let store = try PostgresStore(url: "postgres://rar@127.0.0.1:9/none?sslmode=disable", leaseTimeout: .seconds(2))
        for attempt in 0..<2 {
            do {
                if attempt == 0 { _ = try await store.generation() } else { _ = try await store.searchFeed(after: nil) }
                Issue.record("no error from an unreachable database")
            } catch let e as StoreError {
                guard case .unavailable(let m) = e else { Issue.record("expected unavailable, got \(e)"); continue }
                #expect(m.contains("no database connection within"), "\(m)")
            }
        }
        await store.close()
    }
}
