import Foundation
import GRDB
import RARCore
@testable import RARServer
import Testing

/// A database that stops taking writes (read-only, disk full): state changes answer 503 with a
/// problem saying why, reads keep working, and nothing is damaged. SQLite itself raises the
/// errors: `query_only` gives SQLITE_READONLY, `max_page_count` at the current size gives SQLITE_FULL.
@Suite("server: read-only database and full disk")
struct StoreFailureTests {
    let admin = TestServer.adminToken

    static func sqlite(_ s: TestServer) -> SQLiteStore { s.store as! SQLiteStore }

    /// An agent file padded to about `kb` KiB with comment lines.
    static func bigAgent(_ name: String, kb: Int) throws -> Data {
        var d = try TestServer.agent(name)
        let line = "# " + String(repeating: "padding ", count: 12) + "\n"
        d.append(Data(String(repeating: line, count: kb * 1024 / line.utf8.count).utf8))
        return d
    }

    /// Reads that must keep answering while writes fail.
    func expectReadsWork(_ s: TestServer) async throws {
        #expect(try await s.get("/registry.json").status == 200)
        #expect(try await s.get("/api/v1/search?q=release").json["total"]?.intValue == 1)
        #expect(try await s.get("/api/v1/agents/@acme/release_notes").status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/release_notes/latest/source").status == 200)
        #expect(try await s.get("/api/v1/agents/@acme/release_notes.json").status == 200)
        #expect(try await s.get("/api/v1/whoami", token: admin).status == 200)
        #expect(try await s.get("/api/v1/audit", token: admin).status == 200)
        #expect(try await s.get("/").status == 200)
    }

    func expectUnavailable(_ r: TestServer.Reply, _ phrase: String) {
        #expect(r.status == 503, "\(r.text)")
        #expect(r.headers["content-type"] == "application/problem+json")
        #expect(r.headers["retry-after"] != nil)
        #expect(r.json["type"]?.stringValue == "urn:rar:problem:unavailable")
        #expect(r.json["detail"]?.stringValue?.contains(phrase) == true, "\(r.text)")
    }

    func integrity(_ s: TestServer) async throws -> String {
        try await Self.sqlite(s).pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    @Test func readOnlyDatabase() async throws {
        let s = try await TestServer.start { $0.database = nil }  // SQLite-specific failure injection, on either run
        defer { Task { await s.stop() } }
        let before = try await s.get("/registry.json").body
        try await Self.sqlite(s).pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 1") }

        let pub = try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: try TestServer.agent("@acme/weather"), token: admin)
        expectUnavailable(pub, "read-only")
        expectUnavailable(try await s.request("POST", "/api/v1/agents/@acme/release_notes/versions/1.0.0/yank", json: .object([("reason", "x")]), token: admin), "read-only")
        expectUnavailable(try await s.request("POST", "/api/v1/admin/users", json: .object([("name", "bob")]), token: admin), "read-only")
        expectUnavailable(try await s.request("POST", "/api/v1/tokens", json: .object([("user", "admin"), ("scopes", .array(["read"]))]), token: admin), "read-only")
        try await expectReadsWork(s)
        #expect(try await s.get("/registry.json").body == before)
        #expect(try await s.get("/readyz").status == 200)

        // Writable again: the same publish succeeds and the file is intact.
        try await Self.sqlite(s).pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 0") }
        #expect(try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: try TestServer.agent("@acme/weather"), token: admin).status == 201)
        #expect(try await integrity(s) == "ok")
    }

    @Test func fullDisk() async throws {
        let s = try await TestServer.start { $0.database = nil }  // SQLite-specific failure injection, on either run
        defer { Task { await s.stop() } }
        let sq = Self.sqlite(s)
        // Cap the file at its current size: any write needing a new page fails with SQLITE_FULL.
        let pages = try await sq.pool.writeWithoutTransaction { db -> Int in
            let n = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(n)")
            return n
        }
        #expect(pages > 0)
        let auditBefore = try await s.get("/api/v1/audit?limit=1000", token: admin).json["events"]?.arrayValue?.count
        let big = try Self.bigAgent("@acme/weather", kb: 256)
        expectUnavailable(try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: big, token: admin), "disk holding the database is full")
        expectUnavailable(try await s.request("POST", "/api/v1/publish", body: try Self.bigAgent("@acme/other", kb: 128), token: admin), "disk holding the database is full")
        try await expectReadsWork(s)
        // The failed publishes left nothing behind: no agent, no version, no audit entry.
        #expect(try await s.get("/api/v1/agents/@acme/weather").status == 404)
        #expect(try await s.get("/api/v1/search?q=weather").json["total"]?.intValue == 0)
        #expect(try await s.get("/api/v1/audit?limit=1000", token: admin).json["events"]?.arrayValue?.count == auditBefore)
        #expect(try await integrity(s) == "ok")

        // Space again: the same publish succeeds.
        try await sq.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let ok = try await s.request("PUT", "/api/v1/agents/@acme/weather/versions/1.0.0", body: big, token: admin)
        #expect(ok.status == 201, "\(ok.text)")
        let raw = try await s.get("/api/v1/agents/@acme/weather/versions/1.0.0/source")
        #expect(raw.body == big && BuildSupport.sha256Hex([UInt8](raw.body)) == ok.json["raw_sha256"]?.stringValue)
        #expect(try await integrity(s) == "ok")
    }
}
