import Foundation
import GRDB
import Hummingbird
import Logging
import PostgresNIO
import RARCore
@testable import RARServer
import ServiceLifecycle
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real server on a random loopback port with its own temporary root and database: SQLite,
/// or a fresh PostgreSQL database when `RAR_TEST_POSTGRES` is set.
final class TestServer: @unchecked Sendable {
    static let adminToken = "rar_" + String(repeating: "a", count: 32)
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let base: String
    let root: String
    let config: ServerConfig
    let store: any RegistryStore
    let group: ServiceGroup
    let task: Task<Void, any Error>
    /// The PostgreSQL database this server created (dropped on stop).
    let ownedDatabase: String?

    private init(base: String, root: String, config: ServerConfig, store: any RegistryStore, group: ServiceGroup, task: Task<Void, any Error>, ownedDatabase: String?) {
        self.base = base; self.root = root; self.config = config; self.store = store; self.group = group; self.task = task; self.ownedDatabase = ownedDatabase
    }

    var isPostgres: Bool { config.isPostgres }

    /// Start with the sample agents (or none), after `tweak` adjusts the configuration.
    /// `database` shares an existing database (PostgreSQL) instead of a fresh one.
    static func start(seed: Bool = true, database: String? = nil, tweak: (inout ServerConfig) -> Void = { _ in }) async throws -> TestServer {
        let root = NSTemporaryDirectory() + "rar-srv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if seed {
            try FileManager.default.copyItem(atPath: projectRoot.appendingPathComponent("registry/agents").path, toPath: root + "/agents")
        }
        var cfg = ServerConfig()
        cfg.root = root
        cfg.port = 0
        cfg.adminToken = adminToken
        cfg.rateLimits = cfg.rateLimits.mapValues { _ in 0 }  // unlimited unless a test sets one
        cfg.databaseTimeoutSeconds = 60  // the suites load 2 cores fully: no spurious 503s
        var owned: String?
        if let database {
            cfg.database = database
        } else if TestPostgres.enabled {
            owned = try await TestPostgres.createDatabase()
            cfg.database = owned
        }
        tweak(&cfg)
        var logger = Logger(label: "rar.test")
        logger.logLevel = .error
        let store = try await RARServerApp.openStore(cfg)
        let (_, key) = try await RARServerApp.bootstrap(cfg, store: store, logger: logger)
        let (ports, cont) = AsyncStream.makeStream(of: Int.self)
        let app = RARServerApp.makeApplication(config: cfg, store: store, signingKey: key, logger: logger) { port in cont.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p; break }
        return TestServer(base: "http://127.0.0.1:\(port)", root: root, config: cfg, store: store, group: group, task: task, ownedDatabase: owned)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? FileManager.default.removeItem(atPath: root)
        if let ownedDatabase { await TestPostgres.dropDatabase(ownedDatabase) }
    }

    /// SQL straight to the server's database, bypassing the store (first column as text).
    func rawStrings(_ sql: String) async throws -> [String] {
        if let pg = store as? PostgresStore {
            return try await pg.client.query(PostgresQuery(unsafeSQL: sql)).collect().map { try $0.decode(String.self) }
        }
        let db = try DatabaseQueue(path: config.sqlitePath)
        return try await db.read { try String.fetchAll($0, sql: sql) }
    }

    func rawExecute(_ sql: String) async throws {
        if let pg = store as? PostgresStore {
            try await pg.client.query(PostgresQuery(unsafeSQL: sql))
            return
        }
        let db = try DatabaseQueue(path: config.sqlitePath)
        try await db.write { try $0.execute(sql: sql) }
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: JSONValue { (try? JSONParser().parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Enough connections per host for the concurrency tests.
    static let session: URLSession = {
        let c = URLSessionConfiguration.default
        c.httpMaximumConnectionsPerHost = 64
        c.timeoutIntervalForRequest = 120
        return URLSession(configuration: c)
    }()

    func request(_ method: String, _ path: String, body: Data? = nil, json: JSONValue? = nil, token: String? = nil,
                 contentType: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var req = URLRequest(url: URL(string: base + path)!)
        req.httpMethod = method
        if let json { req.httpBody = Data(json.serialized(.compact).utf8); req.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let body { req.httpBody = body; req.setValue(contentType ?? "text/x-python", forHTTPHeaderField: "Content-Type") }
        if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let (data, resp) = try await Self.session.data(for: req)
        let h = resp as! HTTPURLResponse
        var out: [String: String] = [:]
        for (k, v) in h.allHeaderFields { out[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: h.statusCode, headers: out, body: data)
    }

    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        try await request("GET", path, token: token, headers: headers)
    }

    /// A fresh agent file from the scaffold, with fields changed.
    static func agent(_ name: String, version: String = "1.0.0", description: String? = nil, tier: String? = nil, tags: [String] = [],
                      category: String = "general") throws -> Data {
        var o = Scaffold.Options(name: name)
        o.description = description
        o.tags = tags
        o.category = category
        var text = try Scaffold.render(o)
        text = text.replacingOccurrences(of: "\"version\": \"0.1.0\"", with: "\"version\": \"\(version)\"")
        if let tier { text = text.replacingOccurrences(of: "\"quality_tier\": \"community\"", with: "\"quality_tier\": \"\(tier)\"") }
        return Data(text.utf8)
    }

    /// A user with a token holding `scopes`.
    func user(_ name: String, scopes: [String] = ["read", "publish", "yank"]) async throws -> String {
        let u = try await request("POST", "/api/v1/admin/users", json: .object([("name", .string(name))]), token: Self.adminToken)
        precondition(u.status == 201, "user create: \(u.text)")
        let t = try await request("POST", "/api/v1/tokens", json: .object([("user", .string(name)), ("scopes", .array(scopes.map { .string($0) }))]), token: Self.adminToken)
        precondition(t.status == 201, "token create: \(t.text)")
        return t.json["token"]!.stringValue!
    }
}

extension Pipe {
    /// The first line a child process writes here (without its newline; what came before EOF).
    func firstLine() -> Data {
        var line = Data()
        while true {
            let b = fileHandleForReading.readData(ofLength: 1)
            if b.isEmpty || b == Data("\n".utf8) { return line }
            line.append(b)
        }
    }
}
