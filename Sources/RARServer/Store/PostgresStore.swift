import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import PostgresNIO
import RARCore

/// A `postgres://user:password@host:port/database?sslmode=…` address.
public struct PostgresURL: Sendable {
    public enum TLSMode: String, Sendable { case disable, prefer, require, verifyFull = "verify-full" }
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(_ s: String) throws {
        guard s.hasPrefix("postgres://") || s.hasPrefix("postgresql://"), let u = URLComponents(string: s), let host = u.host, !host.isEmpty else {
            throw StoreError.invalid("not a PostgreSQL URL (postgres://user:password@host:port/database)")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = u.port ?? 5432
        user = u.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = u.password.flatMap { $0.removingPercentEncoding }
        let path = (u.path.removingPercentEncoding ?? u.path).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? user : path
        let mode = u.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        switch mode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require", "verify-ca": tls = .require
        case "verify-full": tls = .verifyFull
        default: throw StoreError.invalid("unknown sslmode '\(mode)' (disable, prefer, require, verify-full)")
        }
    }

    /// The same server with another database.
    public func with(database: String) -> PostgresURL { var c = self; c.database = database; return c }

    /// The URL without its password, for logs.
    public var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// One connection's settings (the start-up probe), TLS as in `clientConfiguration`.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let t: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: t = .disable
        case .prefer, .require:
            var c = TLSConfiguration.makeClientConfiguration()
            c.certificateVerification = .none
            let ctx = try NIOSSLContext(configuration: c)
            t = tls == .prefer ? .prefer(ctx) : .require(ctx)
        case .verifyFull: t = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var cfg = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: t)
        cfg.options.connectTimeout = .seconds(5)
        return cfg
    }

    func clientConfiguration(maxConnections: Int) -> PostgresClient.Configuration {
        let t: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: t = .disable
        case .prefer, .require:
            // As libpq: encryption without certificate checks unless verify-full.
            var c = TLSConfiguration.makeClientConfiguration()
            c.certificateVerification = .none
            t = tls == .prefer ? .prefer(c) : .require(c)
        case .verifyFull: t = .require(.makeClientConfiguration())
        }
        var cfg = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: t)
        cfg.options.maximumConnections = maxConnections
        cfg.options.connectTimeout = .seconds(5)
        return cfg
    }
}

/// The shared store: PostgreSQL through a connection pool, every state change in one transaction,
/// full-text search with a weighted tsvector, an append-only audit table (a trigger refuses UPDATE,
/// DELETE and TRUNCATE). Any number of servers may share one database.
public final class PostgresStore: RegistryStore {
    let client: PostgresClient
    let runner: Task<Void, Never>
    public let url: PostgresURL
    static let log = Logger(label: "rar.postgres")

    /// How long a call waits for a pooled connection before it answers `unavailable`.
    let leaseTimeout: Duration

    public init(url: String, maxConnections: Int = 12, leaseTimeout: Duration = .seconds(5)) throws {
        self.url = try PostgresURL(url)
        self.leaseTimeout = leaseTimeout
        let client = PostgresClient(configuration: self.url.clientConfiguration(maxConnections: maxConnections))
        self.client = client
        runner = Task { await client.run() }
    }

    /// Stop the pool (its background task ends; later calls fail as unavailable).
    public func close() async {
        runner.cancel()
        await runner.value
    }

    static func now() -> String { Clock.stamp(Date()) }

    // MARK: schema

    /// Advisory lock classes (first key of the two-key form).
    enum LockClass: Int32 { case migrate = 0x5241_5201, audit = 0x5241_5202, name = 0x5241_5203 }

    /// The trigger function that marks an agent row (gen = -1) when a column search reads
    /// changes; `searchColumns` names the text columns (`fts` in migration 2, `search` from 3).
    static func markFunction(_ create: String, searchColumns c: String) -> String {
        let watched = ["name", "tier", "deprecated", "latest", "display_name", "description", "category", "type", "\(c)_a", "\(c)_b", "\(c)_c"]
        func row(_ r: String) -> String { "(" + watched.map { "\(r).\($0)" }.joined(separator: ", ") + ")" }
        return """
            \(create) rar_agents_mark() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' OR \(row("NEW"))
                    IS DISTINCT FROM \(row("OLD"))
                THEN NEW.gen := -1; END IF;
                RETURN NEW;
            END $$
            """
    }

    /// Versioned migrations: each runs once, in order, in the migrating transaction.
    static let migrations: [(Int32, [String])] = [
        (1, [
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO meta(key, value) VALUES ('generation', '1'), ('changed_at', floor(extract(epoch FROM now()))::bigint::text)",
            "CREATE TABLE users(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_admin BOOLEAN NOT NULL DEFAULT false, created_at TEXT NOT NULL)",
            "CREATE TABLE teams(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
            "CREATE TABLE team_members(team_id BIGINT NOT NULL REFERENCES teams(id), user_id BIGINT NOT NULL REFERENCES users(id), PRIMARY KEY(team_id, user_id))",
            """
            CREATE TABLE tokens(id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
                label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT)
            """,
            "CREATE INDEX tokens_user ON tokens(user_id)",
            """
            CREATE TABLE namespaces(name TEXT PRIMARY KEY, owner_user BIGINT REFERENCES users(id), owner_team BIGINT REFERENCES teams(id), created_at TEXT NOT NULL,
                CHECK ((owner_user IS NULL) <> (owner_team IS NULL)))
            """,
            // fts_a/b/c (search_a/b/c from migration 3) hold the searchable text by field weight.
            """
            CREATE TABLE agents(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE, publisher TEXT NOT NULL REFERENCES namespaces(name),
                slug TEXT NOT NULL, tier TEXT NOT NULL, deprecated TEXT, created_at TEXT NOT NULL, latest TEXT,
                display_name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT 'agent',
                fts_a TEXT NOT NULL DEFAULT '', fts_b TEXT NOT NULL DEFAULT '', fts_c TEXT NOT NULL DEFAULT '',
                search TSVECTOR GENERATED ALWAYS AS (
                    setweight(to_tsvector('english'::regconfig, fts_a), 'A') || setweight(to_tsvector('simple'::regconfig, fts_a), 'A') ||
                    setweight(to_tsvector('english'::regconfig, fts_b), 'B') || setweight(to_tsvector('simple'::regconfig, fts_b), 'B') ||
                    setweight(to_tsvector('english'::regconfig, fts_c), 'C') || setweight(to_tsvector('simple'::regconfig, fts_c), 'C')) STORED)
            """,
            "CREATE INDEX agents_search ON agents USING GIN (search)",
            "CREATE INDEX agents_lower_name ON agents (lower(name))",
            """
            CREATE TABLE versions(agent_id BIGINT NOT NULL REFERENCES agents(id), version TEXT NOT NULL, sha256 TEXT NOT NULL, raw_sha256 TEXT NOT NULL,
                size BIGINT NOT NULL, source BYTEA, published_at TEXT NOT NULL, published_by TEXT NOT NULL,
                yanked BOOLEAN NOT NULL DEFAULT false, yank_reason TEXT, deleted_at TEXT, installs BIGINT NOT NULL DEFAULT 0, test_result TEXT,
                doc TEXT NOT NULL, PRIMARY KEY(agent_id, version))
            """,
            "CREATE INDEX versions_untested ON versions(published_at) WHERE test_result IS NULL AND deleted_at IS NULL",
            """
            CREATE TABLE audit(id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                target TEXT NOT NULL, detail TEXT NOT NULL)
            """,
            """
            CREATE FUNCTION rar_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
            """,
            "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION rar_audit_append_only()",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION rar_audit_append_only()",
            // Shared rate limits: one token bucket per action and caller.
            "CREATE TABLE rate_buckets(bucket TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at DOUBLE PRECISION NOT NULL, ok BOOLEAN NOT NULL)",
        ]),
        // Search moves into the servers' memory, fed by generation: a changed agent is marked (-1)
        // and stamped with the generation its transaction commits.
        (2, [
            "DROP INDEX agents_search",
            "ALTER TABLE agents DROP COLUMN search",
            "ALTER TABLE agents ADD COLUMN gen BIGINT NOT NULL DEFAULT 0",
            "CREATE INDEX agents_gen ON agents(gen)",
            markFunction("CREATE FUNCTION", searchColumns: "fts"),
            "CREATE TRIGGER agents_mark BEFORE INSERT OR UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION rar_agents_mark()",
        ]),
        // The search text columns outlived full-text search: named for what they hold now.
        (3, [
            "ALTER TABLE agents RENAME COLUMN fts_a TO search_a",
            "ALTER TABLE agents RENAME COLUMN fts_b TO search_b",
            "ALTER TABLE agents RENAME COLUMN fts_c TO search_c",
            markFunction("CREATE OR REPLACE FUNCTION", searchColumns: "search"),
        ]),
    ]

    /// Connect once, directly, so start-up errors say what is wrong (the pool only retries):
    /// a missing database or refused login fails at once, an unreachable server after `patience`.
    func probe(patience: Duration) async throws {
        let config = try url.connectionConfiguration()
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                let c = try await PostgresConnection.connect(configuration: config, id: 0, logger: Self.log)
                try? await c.close()
                return
            } catch {
                let state = Self.sqlState(error) ?? ""
                let permanent = state.hasPrefix("28") || state == "3D000" || state == "42501"
                if permanent || ContinuousClock.now >= deadline { throw Self.map(error) }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    public func migrate() async throws {
        do {
            try await probe(patience: max(leaseTimeout, .seconds(30)))
            // At start the database may still be coming up: wait a little longer.
            try await transaction(timeout: max(leaseTimeout, .seconds(30))) { c in
                // Servers starting together take turns; the later one finds the work done.
                try await c.query("SELECT pg_advisory_xact_lock(\(LockClass.migrate.rawValue), 0)", logger: Self.log)
                try await c.query("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", logger: Self.log)
                let rows = try await c.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", logger: Self.log).collect()
                let current = try rows.first?.decode(Int32.self) ?? 0
                for (version, statements) in Self.migrations where version > current {
                    for sql in statements { try await c.query(PostgresQuery(unsafeSQL: sql), logger: Self.log) }
                    try await c.query("INSERT INTO schema_migrations(version, applied_at) VALUES (\(version), \(Self.now()))", logger: Self.log)
                }
            }
        } catch {
            throw StoreError.unavailable("database migration failed (\(url.redacted)): \(Self.map(error))")
        }
    }

    // MARK: helpers

    typealias Conn = PostgresConnection

    private enum Leased<T: Sendable>: Sendable { case value(T), waited }
    private enum LeaseState { case waiting, leased, timedOut }

    /// Run `body` on a pooled connection. While the database is away the pool would hold callers
    /// for up to a minute; past `leaseTimeout` without a connection the call is `unavailable`.
    /// Once it has a connection, `body` runs to the end (a commit is never reported as a failure).
    func withConnection<T: Sendable>(timeout: Duration? = nil, _ body: @escaping @Sendable (Conn) async throws -> T) async throws -> T {
        let state = NIOLockedValueBox(LeaseState.waiting)
        let client = self.client, timeout = timeout ?? self.leaseTimeout
        return try await withThrowingTaskGroup(of: Leased<T>.self) { group in
            group.addTask {
                .value(try await client.withConnection { c in
                    // Exactly one of lease and timeout wins.
                    let late = state.withLockedValue { s in
                        if s == .timedOut { return true }
                        s = .leased
                        return false
                    }
                    if late { throw CancellationError() }
                    return try await body(c)
                })
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let expired = state.withLockedValue { s in
                    if s == .waiting && !Task.isCancelled { s = .timedOut }
                    return s == .timedOut
                }
                if expired { throw StoreError.unavailable("no database connection within \(timeout); retry") }
                return .waited
            }
            while let r = try await group.next() {
                if case .value(let v) = r {
                    group.cancelAll()
                    return v
                }
            }
            throw StoreError.unavailable("the database call ended without an answer")
        }
    }

    /// BEGIN … COMMIT on one pooled connection; ROLLBACK when the body throws.
    func transaction<T: Sendable>(_ begin: PostgresQuery = "BEGIN", timeout: Duration? = nil, _ body: @escaping @Sendable (Conn) async throws -> T) async throws -> T {
        try await withConnection(timeout: timeout) { c in
            try await c.query(begin, logger: Self.log)
            do {
                let r = try await body(c)
                try await c.query("COMMIT", logger: Self.log)
                return r
            } catch {
                do { try await c.query("ROLLBACK", logger: Self.log) } catch {
                    try? await c.close()  // never hand back a connection in a transaction
                }
                throw error
            }
        }
    }

    /// Run a state change in one transaction, retrying serialization failures and deadlocks.
    /// `content` changes bump the generation that keys every server's caches.
    func change<T: Sendable>(content: Bool = false, _ body: @escaping @Sendable (Conn) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await transaction { c in
                    let r = try await body(c)
                    if content {
                        try await c.query("""
                            UPDATE meta SET value = CASE key WHEN 'generation' THEN (value::bigint + 1)::text
                                ELSE floor(extract(epoch FROM clock_timestamp()))::bigint::text END
                            WHERE key IN ('generation', 'changed_at')
                            """, logger: Self.log)
                        try await c.query("UPDATE agents SET gen = (SELECT value::bigint FROM meta WHERE key = 'generation') WHERE gen = -1", logger: Self.log)
                    }
                    return r
                }
            } catch {
                attempt += 1
                if attempt < 5, Self.retryable(error) {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 5...40) * attempt))
                    continue
                }
                throw Self.map(error)
            }
        }
    }

    /// Reads on one connection; `snapshot` runs them in one read-only repeatable-read transaction.
    func read<T: Sendable>(snapshot: Bool = false, _ body: @escaping @Sendable (Conn) async throws -> T) async throws -> T {
        do {
            if snapshot { return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body) }
            return try await withConnection(body)
        } catch {
            throw Self.map(error)
        }
    }

    static func sqlState(_ e: any Error) -> String? {
        if let p = e as? PSQLError, p.code == .server { return p.serverInfo?[.sqlState] }
        if let t = e as? PostgresTransactionError { return (t.closureError ?? t.commitError ?? t.beginError).flatMap(sqlState) }
        return nil
    }

    static func retryable(_ e: any Error) -> Bool { ["40001", "40P01"].contains(sqlState(e) ?? "") }

    /// Database errors as the API's store errors: constraint violations are conflicts, anything
    /// that stops the database answering is `unavailable` (503).
    static func map(_ e: any Error) -> StoreError {
        if let s = e as? StoreError { return s }
        if let t = e as? PostgresTransactionError, let inner = t.closureError ?? t.commitError ?? t.beginError { return map(inner) }
        guard let p = e as? PSQLError else {
            if e is CancellationError { return .unavailable("the request was cancelled") }
            if e is PostgresDecodingError { return .unavailable("database error: \(e)") }
            return .unavailable("the database is not reachable (\(String(String(describing: e).prefix(200)))); retry")
        }
        guard p.code == .server else {
            let why = p.underlying.map { ": " + String(String(describing: $0).prefix(200)) } ?? ""
            return .unavailable("the database is not reachable (\(p.code)\(why)); retry")
        }
        let state = p.serverInfo?[.sqlState] ?? ""
        let message = p.serverInfo?[.message] ?? "database error"
        switch state {
        case "23505": return .conflict(uniqueViolation(p.serverInfo?[.constraintName]))
        // Text with NUL: PostgreSQL cannot hold it, so no stored name matches it.
        case "22021": return .notFound("no such name (it contains a NUL character)")
        case _ where state.hasPrefix("23"): return .conflict(message)
        case "40001", "40P01", "55P03": return .unavailable("the database is busy; retry")
        case "53100": return .unavailable("the disk is full; the change was not saved")
        case "25006": return .unavailable("the database is read-only; the change was not saved")
        case _ where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57"): return .unavailable("the database is not available; retry")
        default: return .unavailable("database error: \(message) (SQLSTATE \(state))")
        }
    }

    static func uniqueViolation(_ constraint: String?) -> String {
        switch constraint {
        case "versions_pkey": return "this version already exists; versions are immutable, publish a new version"
        case "namespaces_pkey": return "the namespace exists"
        case "users_name_key", "teams_name_key": return "the name is taken"
        default: return "already exists"
        }
    }

    /// Serialize transactions that check-then-insert a name (case-insensitive checks included).
    static func lockName(_ c: Conn, _ kind: String, _ name: String) async throws {
        try await c.query("SELECT pg_advisory_xact_lock(\(LockClass.name.rawValue), hashtext(\(kind + ":" + name.lowercased())))", logger: log)
    }

    static func rows(_ c: Conn, _ q: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await c.query(q, logger: log).collect().map { $0.makeRandomAccess() }
    }

    static func one(_ c: Conn, _ q: PostgresQuery) async throws -> PostgresRandomAccessRow? { try await rows(c, q).first }

    static func audit(_ c: Conn, _ actor: String, _ action: String, _ target: String, _ detail: JSONValue = .object([])) async throws {
        // Ids follow commit order, so readers paging with `after` never skip an event.
        try await c.query("SELECT pg_advisory_xact_lock(\(LockClass.audit.rawValue), 0)", logger: log)
        try await c.query("INSERT INTO audit(at, actor, action, target, detail) VALUES (\(now()), \(actor), \(action), \(target), \(detail.serialized(.compact)))", logger: log)
    }

    static func userRecord(_ r: PostgresRandomAccessRow) throws -> UserRecord {
        UserRecord(id: try r["id"].decode(Int64.self), name: try r["name"].decode(String.self), isAdmin: try r["is_admin"].decode(Bool.self),
                   createdAt: try r["created_at"].decode(String.self))
    }

    static func tokenRecord(_ r: PostgresRandomAccessRow) throws -> TokenRecord {
        let scopes = try r["scopes"].decode(String.self).split(separator: ",").compactMap { Scope(rawValue: String($0)) }
        return TokenRecord(id: try r["id"].decode(String.self), userID: try r["user_id"].decode(Int64.self), userName: try r["user_name"].decode(String.self),
                           scopes: Set(scopes), label: try r["label"].decode(String.self), createdAt: try r["created_at"].decode(String.self),
                           expiresAt: try r["expires_at"].decode(String?.self), revokedAt: try r["revoked_at"].decode(String?.self),
                           lastUsedAt: try r["last_used_at"].decode(String?.self))
    }

    static func userID(_ c: Conn, _ name: String) async throws -> Int64 {
        guard let r = try await one(c, "SELECT id FROM users WHERE name = \(name)") else { throw StoreError.notFound("no user named '\(name)'") }
        return try r[0].decode(Int64.self)
    }

    static func teamID(_ c: Conn, _ name: String) async throws -> Int64 {
        guard let r = try await one(c, "SELECT id FROM teams WHERE name = \(name)") else { throw StoreError.notFound("no team named '\(name)'") }
        return try r[0].decode(Int64.self)
    }

    static func agentID(_ c: Conn, _ name: String) async throws -> Int64 {
        guard let r = try await one(c, "SELECT id FROM agents WHERE name = \(name)") else { throw StoreError.notFound("no agent named \(name)") }
        return try r[0].decode(Int64.self)
    }

    // MARK: accounts

    public func userCount() async throws -> Int {
        try await read { c in try await Self.one(c, "SELECT COUNT(*) FROM users")?[0].decode(Int.self) ?? 0 }
    }

    static func nameTaken(_ c: Conn, _ name: String) async throws -> Bool {
        try await lockName(c, "account", name)
        return try await one(c, "SELECT 1 FROM users WHERE name = \(name) UNION SELECT 1 FROM teams WHERE name = \(name)") != nil
    }

    public func createUser(name: String, admin: Bool, actor: String) async throws -> UserRecord {
        guard Names.isAccountName(name) else { throw StoreError.invalid("'\(name)' is not a valid user name (a-z, 0-9, - and _)") }
        return try await change { c in
            if try await Self.nameTaken(c, name) { throw StoreError.conflict("the name '\(name)' is taken") }
            let at = Self.now()
            let id = try await Self.one(c, "INSERT INTO users(name, is_admin, created_at) VALUES (\(name), \(admin), \(at)) RETURNING id")!
            try await Self.audit(c, actor, "user.create", name, .object([("admin", .bool(admin))]))
            return UserRecord(id: try id[0].decode(Int64.self), name: name, isAdmin: admin, createdAt: at)
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await read { c in try await Self.one(c, "SELECT * FROM users WHERE name = \(name)").map(Self.userRecord) }
    }

    public func users() async throws -> [UserRecord] {
        try await read { c in try await Self.rows(c, #"SELECT * FROM users ORDER BY name COLLATE "C""#).map(Self.userRecord) }
    }

    public func createTeam(name: String, members: [String], actor: String) async throws {
        guard Names.isAccountName(name) else { throw StoreError.invalid("'\(name)' is not a valid team name (a-z, 0-9, - and _)") }
        try await change { c in
            if try await Self.nameTaken(c, name) { throw StoreError.conflict("the name '\(name)' is taken") }
            let tid = try await Self.one(c, "INSERT INTO teams(name, created_at) VALUES (\(name), \(Self.now())) RETURNING id")![0].decode(Int64.self)
            for m in members {
                let uid = try await Self.userID(c, m)
                try await c.query("INSERT INTO team_members(team_id, user_id) VALUES (\(tid), \(uid)) ON CONFLICT DO NOTHING", logger: Self.log)
            }
            try await Self.audit(c, actor, "team.create", name, .object([("members", .array(members.map { .string($0) }))]))
        }
    }

    public func addTeamMember(team: String, user: String, actor: String) async throws {
        try await change { c in
            let tid = try await Self.teamID(c, team), uid = try await Self.userID(c, user)
            try await c.query("INSERT INTO team_members(team_id, user_id) VALUES (\(tid), \(uid)) ON CONFLICT DO NOTHING", logger: Self.log)
            try await Self.audit(c, actor, "team.add_member", team, .object([("user", .string(user))]))
        }
    }

    public func teams(ofUser id: Int64) async throws -> [String] {
        try await read { c in
            try await Self.rows(c, #"SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = \#(id) ORDER BY t.name COLLATE "C""#)
                .map { try $0[0].decode(String.self) }
        }
    }

    // MARK: tokens

    public func createToken(_ t: TokenRecord, hash: String, actor: String) async throws {
        try await change { c in
            let scopes = t.scopes.map(\.rawValue).sorted()
            try await c.query("""
                INSERT INTO tokens(id, user_id, hash, scopes, label, created_at, expires_at)
                VALUES (\(t.id), \(t.userID), \(hash), \(scopes.joined(separator: ",")), \(t.label), \(t.createdAt), \(t.expiresAt))
                """, logger: Self.log)
            try await Self.audit(c, actor, "token.create", t.id, .object([
                ("user", .string(t.userName)), ("scopes", .array(scopes.map { .string($0) })),
                ("expires_at", t.expiresAt.map { .string($0) } ?? .null)]))
        }
    }

    public func token(hash: String, now: String) async throws -> (TokenRecord, UserRecord)? {
        let found: (TokenRecord, UserRecord)? = try await read { c in
            guard let r = try await Self.one(c, """
                SELECT t.*, u.name AS user_name, u.is_admin, u.created_at AS user_created FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.hash = \(hash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at COLLATE "C" > \(now))
                """) else { return nil }
            let u = UserRecord(id: try r["user_id"].decode(Int64.self), name: try r["user_name"].decode(String.self),
                               isAdmin: try r["is_admin"].decode(Bool.self), createdAt: try r["user_created"].decode(String.self))
            return (try Self.tokenRecord(r), u)
        }
        guard let (t, u) = found else { return nil }
        // Last-used is advisory: at most one write a minute per token, never on the request's failure path.
        if t.lastUsedAt.map({ $0 < Clock.stamp(Date().addingTimeInterval(-60)) }) ?? true {
            _ = try? await withConnection { c in _ = try await c.query("UPDATE tokens SET last_used_at = \(now) WHERE id = \(t.id)", logger: Self.log) }
        }
        return (t, u)
    }

    public func tokens(userID: Int64) async throws -> [TokenRecord] {
        try await read { c in
            try await Self.rows(c, """
                SELECT t.*, u.name AS user_name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = \(userID)
                ORDER BY t.created_at COLLATE "C", t.id COLLATE "C"
                """).map(Self.tokenRecord)
        }
    }

    public func revokeToken(id: String, by actor: UserRecord) async throws {
        try await change { c in
            guard let r = try await Self.one(c, "SELECT user_id FROM tokens WHERE id = \(id) FOR UPDATE") else { throw StoreError.notFound("no token \(id)") }
            guard try r[0].decode(Int64.self) == actor.id || actor.isAdmin else { throw StoreError.forbidden("token \(id) belongs to another user") }
            try await c.query("UPDATE tokens SET revoked_at = COALESCE(revoked_at, \(Self.now())) WHERE id = \(id)", logger: Self.log)
            try await Self.audit(c, actor.name, "token.revoke", id)
        }
    }

    // MARK: namespaces

    static func insertNamespace(_ c: Conn, _ name: String, _ owner: Owner) async throws {
        switch owner {
        case .user(let u):
            let id = try await userID(c, u)
            try await c.query("INSERT INTO namespaces(name, owner_user, created_at) VALUES (\(name), \(id), \(now()))", logger: log)
        case .team(let t):
            let id = try await teamID(c, t)
            try await c.query("INSERT INTO namespaces(name, owner_team, created_at) VALUES (\(name), \(id), \(now()))", logger: log)
        }
    }

    public func createNamespace(_ name: String, owner: Owner, actor: String) async throws -> NamespaceRecord {
        guard Names.isNamespace(name) else { throw StoreError.invalid("'\(name)' is not a namespace (@ followed by letters, digits, - or _)") }
        return try await change { c in
            try await Self.lockName(c, "namespace", name)
            if try await Self.one(c, "SELECT 1 FROM namespaces WHERE lower(name) = lower(\(name))") != nil {
                throw StoreError.conflict("namespace \(name) exists")
            }
            try await Self.insertNamespace(c, name, owner)
            try await Self.audit(c, actor, "namespace.create", name, .object([("owner", .string(owner.description))]))
            return NamespaceRecord(name: name, owner: owner, createdAt: Self.now())
        }
    }

    public func namespace(_ name: String) async throws -> NamespaceRecord? {
        try await read { c in
            guard let r = try await Self.one(c, """
                SELECT n.name, n.created_at, u.name AS owner_user_name, t.name AS owner_team_name FROM namespaces n
                LEFT JOIN users u ON u.id = n.owner_user LEFT JOIN teams t ON t.id = n.owner_team WHERE n.name = \(name)
                """) else { return nil }
            let user = try r["owner_user_name"].decode(String?.self), team = try r["owner_team_name"].decode(String?.self)
            return NamespaceRecord(name: try r["name"].decode(String.self), owner: user.map { .user($0) } ?? .team(team ?? ""),
                                   createdAt: try r["created_at"].decode(String.self))
        }
    }

    public func transferNamespace(_ name: String, to owner: Owner, actor: String) async throws {
        try await change(content: true) { c in
            guard try await Self.one(c, "SELECT 1 FROM namespaces WHERE name = \(name) FOR UPDATE") != nil else { throw StoreError.notFound("no namespace \(name)") }
            switch owner {
            case .user(let u):
                let id = try await Self.userID(c, u)
                try await c.query("UPDATE namespaces SET owner_user = \(id), owner_team = NULL WHERE name = \(name)", logger: Self.log)
            case .team(let t):
                let id = try await Self.teamID(c, t)
                try await c.query("UPDATE namespaces SET owner_team = \(id), owner_user = NULL WHERE name = \(name)", logger: Self.log)
            }
            try await Self.audit(c, actor, "namespace.transfer", name, .object([("owner", .string(owner.description))]))
        }
    }

    public func namespaces(ownedBy user: UserRecord) async throws -> [String] {
        try await read { c in
            try await Self.rows(c, """
                SELECT name FROM (SELECT name FROM namespaces WHERE owner_user = \(user.id)
                    UNION SELECT n.name FROM namespaces n JOIN team_members m ON m.team_id = n.owner_team WHERE m.user_id = \(user.id)) s
                ORDER BY name COLLATE "C"
                """).map { try $0[0].decode(String.self) }
        }
    }

    // MARK: agents and versions

    static let agentColumns = "a.name, a.publisher, a.slug, a.tier, a.deprecated, a.created_at"
    static let versionColumns = "v.version, v.sha256, v.raw_sha256, v.size, v.published_at, v.published_by, v.yanked, v.yank_reason, v.deleted_at, v.installs, v.test_result"

    static func versionRecord(_ r: PostgresRandomAccessRow, agent: String) throws -> VersionRecord {
        VersionRecord(agent: agent, version: try r["version"].decode(String.self), sha256: try r["sha256"].decode(String.self),
                      rawSHA256: try r["raw_sha256"].decode(String.self), size: try r["size"].decode(Int.self),
                      publishedAt: try r["published_at"].decode(String.self), publishedBy: try r["published_by"].decode(String.self),
                      yanked: try r["yanked"].decode(Bool.self), yankReason: try r["yank_reason"].decode(String?.self),
                      deletedAt: try r["deleted_at"].decode(String?.self), installs: try r["installs"].decode(Int.self),
                      testResult: try r["test_result"].decode(String?.self))
    }

    static func agentRecord(_ r: PostgresRandomAccessRow) throws -> AgentRecord {
        AgentRecord(name: try r["name"].decode(String.self), publisher: try r["publisher"].decode(String.self), slug: try r["slug"].decode(String.self),
                    tier: try r["tier"].decode(String.self), deprecated: try r["deprecated"].decode(String?.self), createdAt: try r["created_at"].decode(String.self))
    }

    /// Words as search sees them: letters and digits, without diacritics (SQLite's unicode61 tokenizer).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var cur = ""
        for ch in text.folding(options: [.diacriticInsensitive], locale: nil).unicodeScalars {
            if ch.properties.isAlphabetic || ch.properties.numericType != nil { cur.unicodeScalars.append(ch) } else if !cur.isEmpty { words.append(cur); cur = "" }
        }
        if !cur.isEmpty { words.append(cur) }
        return words
    }

    /// Recompute an agent's latest version and its search text.
    static func refresh(_ c: Conn, agentID id: Int64) async throws {
        let rows = try await rows(c, "SELECT version, doc FROM versions WHERE agent_id = \(id) AND deleted_at IS NULL AND NOT yanked")
        let docs = try Dictionary(rows.map { (try $0["version"].decode(String.self), try $0["doc"].decode(String.self)) }, uniquingKeysWith: { a, _ in a })
        guard let latest = SemVer.newest(Array(docs.keys)), let doc = try? JSONParser().parse(Data(docs[latest]!.utf8)) else {
            try await c.query("UPDATE agents SET latest = NULL, search_a = '', search_b = '', search_c = '' WHERE id = \(id)", logger: log)
            return
        }
        let name = try await one(c, "SELECT name FROM agents WHERE id = \(id)")?[0].decode(String.self) ?? ""
        // PostgreSQL text holds no NUL; the served file and registry.json keep it.
        func s(_ k: String) -> String { (doc[k]?.stringValue ?? "").replacingOccurrences(of: "\u{0}", with: "") }
        let tags = (doc["tags"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")
        // Search text: words, bounded per field whatever the file holds.
        func searchText(_ parts: String..., cap: Int) -> String {
            var out = "", size = 0
            for w in words(parts.joined(separator: " ")) {
                size += w.utf8.count + 1
                if size > cap { break }
                out += out.isEmpty ? w : " " + w
            }
            return out
        }
        try await c.query("""
            UPDATE agents SET latest = \(latest), display_name = \(s("display_name")), description = \(s("description")), category = \(s("category")),
                type = \(s("type")), search_a = \(searchText(name, s("display_name"), cap: 16_384)), search_b = \(searchText(s("description"), tags, cap: 65_536)),
                search_c = \(searchText(s("docstring"), cap: 131_072))
            WHERE id = \(id)
            """, logger: log)
    }

    public func publish(_ v: NewVersion) async throws -> (AgentRecord, VersionRecord) {
        guard let (publisher, slug) = Names.split(v.name) else { throw StoreError.invalid("'\(v.name)' is not @publisher/slug") }
        return try await change(content: true) { c in
            // Publishes of one agent take turns, so the checks below see each other's commits.
            try await Self.lockName(c, "agent", v.name)
            if try await Self.one(c, "SELECT 1 FROM namespaces WHERE name = \(publisher)") == nil {
                guard v.createNamespace else { throw StoreError.forbidden("namespace \(publisher) does not exist; an admin creates it") }
                try await Self.lockName(c, "namespace", publisher)
                if try await Self.one(c, "SELECT 1 FROM namespaces WHERE name = \(publisher)") == nil {
                    try await Self.insertNamespace(c, publisher, .user(v.actor))
                    try await Self.audit(c, v.actor, "namespace.create", publisher, .object([("owner", .string(v.actor)), ("on", "publish")]))
                }
            }
            let at = Self.now()
            var agentID = try await Self.one(c, "SELECT id FROM agents WHERE name = \(v.name)").map { try $0[0].decode(Int64.self) }
            if agentID == nil {
                // Names differing only in case would confuse installs: one spelling per agent.
                if let other = try await Self.one(c, "SELECT name FROM agents WHERE lower(name) = lower(\(v.name))") {
                    throw StoreError.conflict("\(v.name) differs only in case from the existing agent \(try other[0].decode(String.self))")
                }
                agentID = try await Self.one(c, """
                    INSERT INTO agents(name, publisher, slug, tier, created_at) VALUES (\(v.name), \(publisher), \(slug), \(v.initialTier), \(at)) RETURNING id
                    """)![0].decode(Int64.self)
            }
            let id = agentID!
            if let r = try await Self.one(c, "SELECT deleted_at FROM versions WHERE agent_id = \(id) AND version = \(v.version)") {
                let deleted = try r[0].decode(String?.self)
                throw StoreError.conflict(deleted == nil ? "\(v.name)@\(v.version) already exists; versions are immutable, publish a new version"
                                                         : "\(v.name)@\(v.version) was deleted; version numbers are never reused")
            }
            try await c.query("""
                INSERT INTO versions(agent_id, version, sha256, raw_sha256, size, source, published_at, published_by, doc)
                VALUES (\(id), \(v.version), \(v.sha256), \(v.rawSHA256), \(v.source.count), \(ByteBuffer(bytes: v.source)), \(at), \(v.actor), \(SQLiteStore.docJSON(v.document)))
                """, logger: Self.log)
            try await Self.refresh(c, agentID: id)
            try await Self.audit(c, v.actor, "version.publish", "\(v.name)@\(v.version)", .object([("sha256", .string(v.sha256)), ("size", .int(v.source.count))]))
            let agent = try Self.agentRecord(try await Self.one(c, "SELECT \(unescaped: Self.agentColumns) FROM agents a WHERE a.id = \(id)")!)
            let ver = try Self.versionRecord(try await Self.one(c, "SELECT \(unescaped: Self.versionColumns) FROM versions v WHERE agent_id = \(id) AND version = \(v.version)")!, agent: v.name)
            return (agent, ver)
        }
    }

    public func agent(_ name: String) async throws -> AgentRecord? {
        try await read { c in try await Self.one(c, "SELECT \(unescaped: Self.agentColumns) FROM agents a WHERE a.name = \(name)").map(Self.agentRecord) }
    }

    public func versions(of name: String) async throws -> [VersionRecord] {
        try await read { c in
            try await Self.rows(c, "SELECT \(unescaped: Self.versionColumns) FROM versions v JOIN agents a ON a.id = v.agent_id WHERE a.name = \(name)")
                .map { try Self.versionRecord($0, agent: name) }
                .sorted { (SemVer($0.version) ?? SemVer("0.0.0")!) > (SemVer($1.version) ?? SemVer("0.0.0")!) }
        }
    }

    public func source(of name: String, version: String) async throws -> [UInt8]? {
        try await read { c in
            try await Self.one(c, """
                SELECT v.source FROM versions v JOIN agents a ON a.id = v.agent_id WHERE a.name = \(name) AND v.version = \(version) AND v.deleted_at IS NULL
                """).flatMap { try $0[0].decode(ByteBuffer?.self) }.map { Array($0.readableBytesView) }
        }
    }

    static func versionExists(_ c: Conn, _ id: Int64, _ name: String, _ version: String) async throws {
        guard try await one(c, "SELECT 1 FROM versions WHERE agent_id = \(id) AND version = \(version) AND deleted_at IS NULL FOR UPDATE") != nil else {
            throw StoreError.notFound("no version \(name)@\(version)")
        }
    }

    public func setYanked(_ name: String, version: String, yanked: Bool, reason: String?, actor: String) async throws {
        try await change(content: true) { c in
            let id = try await Self.agentID(c, name)
            try await Self.lockName(c, "agent", name)
            try await Self.versionExists(c, id, name, version)
            try await c.query("UPDATE versions SET yanked = \(yanked), yank_reason = \(yanked ? reason : nil) WHERE agent_id = \(id) AND version = \(version)", logger: Self.log)
            try await Self.refresh(c, agentID: id)
            try await Self.audit(c, actor, yanked ? "version.yank" : "version.unyank", "\(name)@\(version)", .object([("reason", reason.map { .string($0) } ?? .null)]))
        }
    }

    public func setDeprecated(_ name: String, message: String?, actor: String) async throws {
        try await change(content: true) { c in
            let id = try await Self.agentID(c, name)
            try await c.query("UPDATE agents SET deprecated = \(message) WHERE id = \(id)", logger: Self.log)
            try await Self.audit(c, actor, message == nil ? "agent.undeprecate" : "agent.deprecate", name, .object([("message", message.map { .string($0) } ?? .null)]))
        }
    }

    public func deleteVersion(_ name: String, version: String, notBefore: String, actor: String) async throws {
        try await change(content: true) { c in
            let id = try await Self.agentID(c, name)
            try await Self.lockName(c, "agent", name)
            try await Self.versionExists(c, id, name, version)
            let published = try await Self.one(c, "SELECT published_at FROM versions WHERE agent_id = \(id) AND version = \(version)")?[0].decode(String.self) ?? ""
            guard published >= notBefore else {
                throw StoreError.forbidden("\(name)@\(version) was published at \(published); deletion is allowed only within 72 hours of publishing. Yank it instead")
            }
            // The tombstone keeps the version number (never reused) and drops the bytes.
            try await c.query("UPDATE versions SET source = NULL, deleted_at = \(Self.now()) WHERE agent_id = \(id) AND version = \(version)", logger: Self.log)
            try await Self.refresh(c, agentID: id)
            try await Self.audit(c, actor, "version.delete", "\(name)@\(version)")
        }
    }

    public func setTier(_ name: String, tier: String, actor: String) async throws {
        try await change(content: true) { c in
            let id = try await Self.agentID(c, name)
            try await c.query("UPDATE agents SET tier = \(tier) WHERE id = \(id)", logger: Self.log)
            try await Self.audit(c, actor, "agent.tier", name, .object([("tier", .string(tier))]))
        }
    }

    public func recordInstall(_ name: String, version: String) async throws {
        // Counters are not state changes: no generation bump, no audit row.
        _ = try? await withConnection { c in
            _ = try await c.query("""
                UPDATE versions SET installs = installs + 1 WHERE version = \(version) AND agent_id = (SELECT id FROM agents WHERE name = \(name))
                """, logger: Self.log)
        }
    }

    public func untestedVersions(limit: Int) async throws -> [(name: String, version: String)] {
        try await read { c in
            try await Self.rows(c, """
                SELECT a.name, v.version FROM versions v JOIN agents a ON a.id = v.agent_id
                WHERE v.test_result IS NULL AND v.deleted_at IS NULL ORDER BY v.published_at COLLATE "C", a.name COLLATE "C" LIMIT \(limit)
                """).map { (name: try $0[0].decode(String.self), version: try $0[1].decode(String.self)) }
        }
    }

    public func setTestResult(_ name: String, version: String, result: JSONValue) async throws {
        let json = result.serialized(.compact)
        do {
            try await withConnection { c in
                _ = try await c.query("""
                    UPDATE versions SET test_result = \(json) WHERE version = \(version) AND agent_id = (SELECT id FROM agents WHERE name = \(name))
                    """, logger: Self.log)
            }
        } catch { throw Self.map(error) }
    }

    public func latestSources() async throws -> [(AgentRecord, VersionRecord, [UInt8])] {
        try await read { c in
            try await Self.rows(c, """
                SELECT \(unescaped: Self.agentColumns), \(unescaped: Self.versionColumns), v.source
                FROM agents a JOIN versions v ON v.agent_id = a.id AND v.version = a.latest ORDER BY a.name COLLATE "C"
                """).map { r in
                let a = try Self.agentRecord(r)
                let src = try r["source"].decode(ByteBuffer?.self).map { Array($0.readableBytesView) } ?? []
                return (a, try Self.versionRecord(r, agent: a.name), src)
            }
        }
    }

    // MARK: search

    public func searchFeed(after generation: Int64?) async throws -> SearchFeed {
        try await read(snapshot: true) { c in
            let g = try await Self.one(c, "SELECT value::bigint FROM meta WHERE key = 'generation'")?[0].decode(Int64.self) ?? 0
            let rows = try await Self.rows(c, """
                SELECT a.id, a.name, a.publisher, a.tier, a.category, a.type, a.display_name, a.description, a.latest, a.deprecated,
                       (SELECT COALESCE(SUM(installs), 0) FROM versions WHERE agent_id = a.id)::bigint AS installs, a.search_a, a.search_b, a.search_c
                FROM agents a WHERE a.gen > \(generation ?? -2)
                """)
            let entries = try rows.map { r in
                SearchEntry(id: try r["id"].decode(Int64.self), publisher: try r["publisher"].decode(String.self),
                            hit: SearchHit(name: try r["name"].decode(String.self), tier: try r["tier"].decode(String.self), category: try r["category"].decode(String.self),
                                           type: try r["type"].decode(String.self), displayName: try r["display_name"].decode(String.self),
                                           description: try r["description"].decode(String.self), latest: try r["latest"].decode(String?.self),
                                           deprecated: try r["deprecated"].decode(String?.self), installs: try r["installs"].decode(Int.self), score: 0),
                            textA: try r["search_a"].decode(String.self), textB: try r["search_b"].decode(String.self), textC: try r["search_c"].decode(String.self))
            }
            return SearchFeed(generation: g, entries: entries)
        }
    }

    public func installTotals() async throws -> [Int64: Int] {
        try await read { c in
            let rows = try await Self.rows(c, "SELECT agent_id, SUM(installs)::bigint AS n FROM versions GROUP BY agent_id HAVING SUM(installs) > 0")
            return Dictionary(try rows.map { (try $0["agent_id"].decode(Int64.self), try $0["n"].decode(Int.self)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func generation() async throws -> Int64 {
        try await read { c in try await Self.one(c, "SELECT value::bigint FROM meta WHERE key = 'generation'")?[0].decode(Int64.self) ?? 0 }
    }

    // MARK: audit and meta

    public func audit(after: Int64, limit: Int) async throws -> [AuditEvent] {
        try await read { c in
            try await Self.rows(c, "SELECT * FROM audit WHERE id > \(after) ORDER BY id LIMIT \(limit)").map { r in
                AuditEvent(id: try r["id"].decode(Int64.self), at: try r["at"].decode(String.self), actor: try r["actor"].decode(String.self),
                           action: try r["action"].decode(String.self), target: try r["target"].decode(String.self),
                           detail: (try? JSONParser().parse(Data(try r["detail"].decode(String.self).utf8))) ?? .object([]))
            }
        }
    }

    public func appendAudit(actor: String, action: String, target: String, detail: JSONValue) async throws {
        try await change { c in try await Self.audit(c, actor, action, target, detail) }
    }

    public func meta(_ key: String) async throws -> String? {
        try await read { c in try await Self.one(c, "SELECT value FROM meta WHERE key = \(key)")?[0].decode(String.self) }
    }

    public func setMeta(_ key: String, _ value: String) async throws {
        try await change { c in
            _ = try await c.query("INSERT INTO meta(key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value", logger: Self.log)
        }
    }

    public func claimMeta(_ key: String, _ value: String) async throws -> String {
        try await change { c in
            try await c.query("INSERT INTO meta(key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO NOTHING", logger: Self.log)
            return try await Self.one(c, "SELECT value FROM meta WHERE key = \(key)")?[0].decode(String.self) ?? value
        }
    }
}
