import Foundation
import GRDB
import NIOConcurrencyHelpers
import RARCore

/// The embedded store: one SQLite file in WAL mode, every state change in one transaction,
/// full-text search with FTS5, an append-only audit table (triggers refuse UPDATE and DELETE).
public final class SQLiteStore: RegistryStore {
    let pool: DatabasePool
    public let path: String
    /// generation() runs on every request: a value read from the file serves for `generationTTL`
    /// unless this store changed content since (other servers on the file see changes within the TTL).
    private let generationCache = NIOLockedValueBox<(value: Int64?, at: UInt64, epoch: Int)>((nil, 0, 0))
    static let generationTTL: UInt64 = 250_000_000
    /// Install counts not yet written: name → version → count (flushed within 250 ms, or before they are read).
    private let pendingInstalls = NIOLockedValueBox<(counts: [String: [String: Int]], scheduled: Bool)>(([:], false))

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do { pool = try DatabasePool(path: path, configuration: config) } catch {
            throw StoreError.unavailable("cannot open the database \(path): \(error)")
        }
    }

    static func now() -> String { Clock.stamp(Date()) }

    // MARK: schema

    public func migrate() async throws {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta(key, value) VALUES ('generation', '1');
            INSERT INTO meta(key, value) VALUES ('changed_at', strftime('%s', 'now'));
            CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
            CREATE TABLE teams(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
            CREATE TABLE team_members(team_id INTEGER NOT NULL REFERENCES teams(id), user_id INTEGER NOT NULL REFERENCES users(id), PRIMARY KEY(team_id, user_id));
            CREATE TABLE tokens(id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), hash TEXT NOT NULL UNIQUE,
                scopes TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT);
            CREATE TABLE namespaces(name TEXT PRIMARY KEY, owner_user INTEGER REFERENCES users(id), owner_team INTEGER REFERENCES teams(id), created_at TEXT NOT NULL,
                CHECK ((owner_user IS NULL) <> (owner_team IS NULL)));
            CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, publisher TEXT NOT NULL REFERENCES namespaces(name), slug TEXT NOT NULL,
                tier TEXT NOT NULL, deprecated TEXT, created_at TEXT NOT NULL, latest TEXT,
                display_name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT 'agent');
            CREATE TABLE versions(agent_id INTEGER NOT NULL REFERENCES agents(id), version TEXT NOT NULL, sha256 TEXT NOT NULL, raw_sha256 TEXT NOT NULL,
                size INTEGER NOT NULL, source BLOB, published_at TEXT NOT NULL, published_by TEXT NOT NULL,
                yanked INTEGER NOT NULL DEFAULT 0, yank_reason TEXT, deleted_at TEXT, installs INTEGER NOT NULL DEFAULT 0, test_result TEXT,
                doc TEXT NOT NULL, PRIMARY KEY(agent_id, version));
            CREATE VIRTUAL TABLE agent_fts USING fts5(name, display_name, description, tags, docstring, tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
        }
        // Search moves into the servers' memory, fed by generation: a changed agent is marked (-1)
        // and stamped with the generation its transaction commits; its text moves from the FTS5
        // table (no longer queried) to plain columns. The case-insensitive name checks get indexes.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
            CREATE INDEX agents_lower_name ON agents(lower(name));
            CREATE INDEX namespaces_lower_name ON namespaces(lower(name));
            CREATE INDEX versions_untested ON versions(published_at) WHERE test_result IS NULL AND deleted_at IS NULL;
            ALTER TABLE agents ADD COLUMN tags TEXT NOT NULL DEFAULT '';
            ALTER TABLE agents ADD COLUMN docstring TEXT NOT NULL DEFAULT '';
            UPDATE agents SET tags = COALESCE((SELECT tags FROM agent_fts WHERE rowid = agents.id), ''),
                              docstring = COALESCE((SELECT docstring FROM agent_fts WHERE rowid = agents.id), '');
            DROP TABLE agent_fts;
            ALTER TABLE agents ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX agents_gen ON agents(gen);
            CREATE TRIGGER agents_mark_insert AFTER INSERT ON agents BEGIN UPDATE agents SET gen = -1 WHERE id = NEW.id; END;
            CREATE TRIGGER agents_mark_update AFTER UPDATE OF name, tier, deprecated, latest, display_name, description, category, type, tags, docstring ON agents
                BEGIN UPDATE agents SET gen = -1 WHERE id = NEW.id; END;
            """)
        }
        do { try m.migrate(pool) } catch { throw StoreError.unavailable("database migration failed: \(error)") }
    }

    // MARK: helpers

    /// Run a state change in one transaction. `content` changes (what registry.json or the
    /// catalog shows) also bump the generation that keys every server's caches.
    func change<T: Sendable>(content: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { if content { generationCache.withLockedValue { $0.value = nil; $0.epoch += 1 } } }
        do {
            return try await pool.write { db in
                let r = try body(db)
                guard content else { return r }
                try db.execute(sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
                try db.execute(sql: "UPDATE agents SET gen = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation') WHERE gen = -1")
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'changed_at'", arguments: [String(Int(Date().timeIntervalSince1970))])
                return r
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw Self.map(e)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let e as StoreError { throw e } catch let e as DatabaseError { throw Self.map(e) }
    }

    /// SQLite failures as store errors. A failed change rolls back whole, so "nothing was changed" holds.
    static func map(_ e: DatabaseError) -> StoreError {
        switch e.resultCode {
        case .SQLITE_FULL:
            return .unavailable("the disk holding the database is full; nothing was changed. Reads still work; free disk space, then retry")
        case .SQLITE_READONLY:
            return .unavailable("the database is read-only (file permissions or a read-only mount); nothing was changed. Reads still work")
        case .SQLITE_IOERR:
            return .unavailable("the database could not write to disk (I/O error); nothing was changed. Reads may still work; check the disk, then retry")
        case .SQLITE_CANTOPEN:
            return .unavailable("the database file or its directory cannot be opened for writing; nothing was changed")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .unavailable("the database file is damaged; nothing was changed. Restore it from a backup")
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .unavailable("the database is busy; retry")
        case .SQLITE_CONSTRAINT: return .conflict(e.message ?? "constraint violated")
        default: return .unavailable("database error: \(e.message ?? "\(e.resultCode)")")
        }
    }

    static func audit(_ db: Database, _ actor: String, _ action: String, _ target: String, _ detail: JSONValue = .object([])) throws {
        try db.execute(sql: "INSERT INTO audit(at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [now(), actor, action, target, detail.serialized(.compact)])
    }

    static func userRecord(_ r: Row) -> UserRecord {
        UserRecord(id: r["id"], name: r["name"], isAdmin: (r["is_admin"] as Int64) != 0, createdAt: r["created_at"])
    }

    static func tokenRecord(_ r: Row) -> TokenRecord {
        let scopes = (r["scopes"] as String).split(separator: ",").compactMap { Scope(rawValue: String($0)) }
        return TokenRecord(id: r["id"], userID: r["user_id"], userName: r["user_name"], scopes: Set(scopes), label: r["label"],
                           createdAt: r["created_at"], expiresAt: r["expires_at"], revokedAt: r["revoked_at"], lastUsedAt: r["last_used_at"])
    }

    static func userID(_ db: Database, _ name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM users WHERE name = ?"), arguments: [name]) else {
            throw StoreError.notFound("no user named '\(name)'")
        }
        return id
    }

    static func teamID(_ db: Database, _ name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM teams WHERE name = ?"), arguments: [name]) else {
            throw StoreError.notFound("no team named '\(name)'")
        }
        return id
    }

    static func agentID(_ db: Database, _ name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM agents WHERE name = ?"), arguments: [name]) else {
            throw StoreError.notFound("no agent named \(name)")
        }
        return id
    }

    // MARK: accounts

    public func userCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM users")) ?? 0 }
    }

    public func createUser(name: String, admin: Bool, actor: String) async throws -> UserRecord {
        guard Names.isAccountName(name) else { throw StoreError.invalid("'\(name)' is not a valid user name (a-z, 0-9, - and _)") }
        return try await change { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE name = ? UNION SELECT 1 FROM teams WHERE name = ?"), arguments: [name, name]) != nil {
                throw StoreError.conflict("the name '\(name)' is taken")
            }
            let at = Self.now()
            try db.execute(sql: "INSERT INTO users(name, is_admin, created_at) VALUES (?, ?, ?)", arguments: [name, admin ? 1 : 0, at])
            let u = UserRecord(id: db.lastInsertedRowID, name: name, isAdmin: admin, createdAt: at)
            try Self.audit(db, actor, "user.create", name, .object([("admin", .bool(admin))]))
            return u
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?"), arguments: [name]).map(Self.userRecord) }
    }

    public func users() async throws -> [UserRecord] {
        try await read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM users ORDER BY name")).map(Self.userRecord) }
    }

    public func createTeam(name: String, members: [String], actor: String) async throws {
        guard Names.isAccountName(name) else { throw StoreError.invalid("'\(name)' is not a valid team name (a-z, 0-9, - and _)") }
        try await change { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE name = ? UNION SELECT 1 FROM teams WHERE name = ?"), arguments: [name, name]) != nil {
                throw StoreError.conflict("the name '\(name)' is taken")
            }
            try db.execute(sql: "INSERT INTO teams(name, created_at) VALUES (?, ?)", arguments: [name, Self.now()])
            let tid = db.lastInsertedRowID
            for m in members {
                try db.execute(sql: "INSERT OR IGNORE INTO team_members(team_id, user_id) VALUES (?, ?)", arguments: [tid, try Self.userID(db, m)])
            }
            try Self.audit(db, actor, "team.create", name, .object([("members", .array(members.map { .string($0) }))]))
        }
    }

    public func addTeamMember(team: String, user: String, actor: String) async throws {
        try await change { db in
            try db.execute(sql: "INSERT OR IGNORE INTO team_members(team_id, user_id) VALUES (?, ?)", arguments: [try Self.teamID(db, team), try Self.userID(db, user)])
            try Self.audit(db, actor, "team.add_member", team, .object([("user", .string(user))]))
        }
    }

    public func teams(ofUser id: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ? ORDER BY t.name"), arguments: [id])
        }
    }

    // MARK: tokens

    public func createToken(_ t: TokenRecord, hash: String, actor: String) async throws {
        try await change { db in
            try db.execute(sql: "INSERT INTO tokens(id, user_id, hash, scopes, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [t.id, t.userID, hash, t.scopes.map(\.rawValue).sorted().joined(separator: ","), t.label, t.createdAt, t.expiresAt])
            try Self.audit(db, actor, "token.create", t.id, .object([
                ("user", .string(t.userName)), ("scopes", .array(t.scopes.map(\.rawValue).sorted().map { .string($0) })),
                ("expires_at", t.expiresAt.map { .string($0) } ?? .null)]))
        }
    }

    public func token(hash: String, now: String) async throws -> (TokenRecord, UserRecord)? {
        let found: (TokenRecord, UserRecord)? = try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT t.*, u.name AS user_name, u.is_admin, u.created_at AS user_created FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)
                """), arguments: [hash, now]) else { return nil }
            let u = UserRecord(id: row["user_id"], name: row["user_name"], isAdmin: (row["is_admin"] as Int64) != 0, createdAt: row["user_created"])
            return (Self.tokenRecord(row), u)
        }
        guard let (t, u) = found else { return nil }
        // Last-used is advisory: at most one write a minute per token, never on the request's failure path.
        if t.lastUsedAt.map({ $0 < Clock.stamp(Date().addingTimeInterval(-60)) }) ?? true {
            _ = try? await pool.write { db in try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [now, t.id]) }
        }
        return (t, u)
    }

    public func tokens(userID: Int64) async throws -> [TokenRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT t.*, u.name AS user_name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? ORDER BY t.created_at, t.id"),
                             arguments: [userID]).map(Self.tokenRecord)
        }
    }

    public func revokeToken(id: String, by actor: UserRecord) async throws {
        try await change { db in
            guard let owner = try Int64.fetchOne(db.cachedStatement(sql: "SELECT user_id FROM tokens WHERE id = ?"), arguments: [id]) else {
                throw StoreError.notFound("no token \(id)")
            }
            guard owner == actor.id || actor.isAdmin else { throw StoreError.forbidden("token \(id) belongs to another user") }
            try db.execute(sql: "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [Self.now(), id])
            try Self.audit(db, actor.name, "token.revoke", id)
        }
    }

    // MARK: namespaces

    static func insertNamespace(_ db: Database, _ name: String, _ owner: Owner) throws {
        switch owner {
        case .user(let u): try db.execute(sql: "INSERT INTO namespaces(name, owner_user, created_at) VALUES (?, ?, ?)", arguments: [name, try userID(db, u), now()])
        case .team(let t): try db.execute(sql: "INSERT INTO namespaces(name, owner_team, created_at) VALUES (?, ?, ?)", arguments: [name, try teamID(db, t), now()])
        }
    }

    public func createNamespace(_ name: String, owner: Owner, actor: String) async throws -> NamespaceRecord {
        guard Names.isNamespace(name) else { throw StoreError.invalid("'\(name)' is not a namespace (@ followed by letters, digits, - or _)") }
        return try await change { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM namespaces WHERE lower(name) = lower(?)"), arguments: [name]) != nil {
                throw StoreError.conflict("namespace \(name) exists")
            }
            try Self.insertNamespace(db, name, owner)
            try Self.audit(db, actor, "namespace.create", name, .object([("owner", .string(owner.description))]))
            return NamespaceRecord(name: name, owner: owner, createdAt: Self.now())
        }
    }

    public func namespace(_ name: String) async throws -> NamespaceRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT n.name, n.created_at, u.name AS user, t.name AS team FROM namespaces n
                LEFT JOIN users u ON u.id = n.owner_user LEFT JOIN teams t ON t.id = n.owner_team WHERE n.name = ?
                """), arguments: [name]).map { r in
                let user: String? = r["user"], team: String? = r["team"]
                return NamespaceRecord(name: r["name"], owner: user.map { .user($0) } ?? .team(team ?? ""), createdAt: r["created_at"])
            }
        }
    }

    public func transferNamespace(_ name: String, to owner: Owner, actor: String) async throws {
        try await change(content: true) { db in
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM namespaces WHERE name = ?"), arguments: [name]) != nil else {
                throw StoreError.notFound("no namespace \(name)")
            }
            switch owner {
            case .user(let u): try db.execute(sql: "UPDATE namespaces SET owner_user = ?, owner_team = NULL WHERE name = ?", arguments: [try Self.userID(db, u), name])
            case .team(let t): try db.execute(sql: "UPDATE namespaces SET owner_team = ?, owner_user = NULL WHERE name = ?", arguments: [try Self.teamID(db, t), name])
            }
            try Self.audit(db, actor, "namespace.transfer", name, .object([("owner", .string(owner.description))]))
        }
    }

    public func namespaces(ownedBy user: UserRecord) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT name FROM namespaces WHERE owner_user = ?
                UNION SELECT n.name FROM namespaces n JOIN team_members m ON m.team_id = n.owner_team WHERE m.user_id = ?
                ORDER BY 1
                """), arguments: [user.id, user.id])
        }
    }

    // MARK: agents and versions

    static func versionRecord(_ r: Row, agent: String) -> VersionRecord {
        VersionRecord(agent: agent, version: r["version"], sha256: r["sha256"], rawSHA256: r["raw_sha256"], size: r["size"],
                      publishedAt: r["published_at"], publishedBy: r["published_by"], yanked: (r["yanked"] as Int64) != 0,
                      yankReason: r["yank_reason"], deletedAt: r["deleted_at"], installs: r["installs"], testResult: r["test_result"])
    }

    /// The columns `agentRecord` reads (not the searchable text, which can be large).
    static let agentColumns = "a.name, a.publisher, a.slug, a.tier, a.deprecated, a.created_at"

    static func agentRecord(_ r: Row) -> AgentRecord {
        AgentRecord(name: r["name"], publisher: r["publisher"], slug: r["slug"], tier: r["tier"], deprecated: r["deprecated"], createdAt: r["created_at"])
    }

    static func docJSON(_ d: SearchDocument) -> String {
        JSONValue.object([("display_name", .string(d.displayName)), ("description", .string(d.description)),
                          ("tags", .array(d.tags.map { .string($0) })), ("docstring", .string(d.docstring)),
                          ("category", .string(d.category)), ("type", .string(d.type))]).serialized(.compact)
    }

    /// Recompute an agent's latest version and its searchable text.
    static func refresh(_ db: Database, agentID id: Int64) throws {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT version, doc FROM versions WHERE agent_id = ? AND deleted_at IS NULL AND yanked = 0"), arguments: [id])
        let latest = SemVer.newest(rows.map { $0["version"] as String })
        guard let latest, let row = rows.first(where: { ($0["version"] as String) == latest }),
              let doc = try? JSONParser().parse(Data((row["doc"] as String).utf8)) else {
            try db.execute(sql: "UPDATE agents SET latest = NULL, tags = '', docstring = '' WHERE id = ?", arguments: [id])
            return
        }
        func s(_ k: String) -> String { doc[k]?.stringValue ?? "" }
        let tags = (doc["tags"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")
        try db.execute(sql: "UPDATE agents SET latest = ?, display_name = ?, description = ?, category = ?, type = ?, tags = ?, docstring = ? WHERE id = ?",
                       arguments: [latest, s("display_name"), s("description"), s("category"), s("type"), tags, s("docstring"), id])
    }

    public func publish(_ v: NewVersion) async throws -> (AgentRecord, VersionRecord) {
        try await change(content: true) { db in try Self.insert(db, v) }
    }

    /// Many versions in one transaction, each in its own savepoint (a refused one is skipped).
    public func publishAll(_ versions: [NewVersion]) async throws -> [StoreError?] {
        try await change(content: true) { db in
            try versions.map { v -> StoreError? in
                do {
                    try db.inSavepoint {
                        _ = try Self.insert(db, v)
                        return .commit
                    }
                    return nil
                } catch let e as StoreError {
                    return e
                } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    return Self.map(e)
                }
            }
        }
    }

    static func insert(_ db: Database, _ v: NewVersion) throws -> (AgentRecord, VersionRecord) {
        guard let (publisher, slug) = Names.split(v.name) else { throw StoreError.invalid("'\(v.name)' is not @publisher/slug") }
        if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM namespaces WHERE name = ?"), arguments: [publisher]) == nil {
            guard v.createNamespace else { throw StoreError.forbidden("namespace \(publisher) does not exist; an admin creates it") }
            try Self.insertNamespace(db, publisher, .user(v.actor))
            try Self.audit(db, v.actor, "namespace.create", publisher, .object([("owner", .string(v.actor)), ("on", "publish")]))
        }
        let at = Self.now()
        var agentID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM agents WHERE name = ?"), arguments: [v.name])
        if agentID == nil {
            // Names differing only in case would confuse installs: one spelling per agent.
            if let other = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM agents WHERE lower(name) = lower(?)"), arguments: [v.name]) {
                throw StoreError.conflict("\(v.name) differs only in case from the existing agent \(other)")
            }
            try db.execute(sql: "INSERT INTO agents(name, publisher, slug, tier, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [v.name, publisher, slug, v.initialTier, at])
            agentID = db.lastInsertedRowID
        }
        let id = agentID!
        if let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT deleted_at FROM versions WHERE agent_id = ? AND version = ?"), arguments: [id, v.version]) {
            let deleted: String? = r["deleted_at"]
            throw StoreError.conflict(deleted == nil ? "\(v.name)@\(v.version) already exists; versions are immutable, publish a new version"
                                                     : "\(v.name)@\(v.version) was deleted; version numbers are never reused")
        }
        try db.execute(sql: """
            INSERT INTO versions(agent_id, version, sha256, raw_sha256, size, source, published_at, published_by, doc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, v.version, v.sha256, v.rawSHA256, v.source.count, Data(v.source), at, v.actor, Self.docJSON(v.document)])
        try Self.refresh(db, agentID: id)
        try Self.audit(db, v.actor, "version.publish", "\(v.name)@\(v.version)", .object([("sha256", .string(v.sha256)), ("size", .int(v.source.count))]))
        let agent = Self.agentRecord(try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.agentColumns) FROM agents a WHERE a.id = ?"), arguments: [id])!)
        let ver = Self.versionRecord(try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM versions WHERE agent_id = ? AND version = ?"), arguments: [id, v.version])!, agent: v.name)
        return (agent, ver)
    }

    public func agent(_ name: String) async throws -> AgentRecord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.agentColumns) FROM agents a WHERE a.name = ?"), arguments: [name]).map(Self.agentRecord) }
    }

    public func versions(of name: String) async throws -> [VersionRecord] {
        await flushInstalls(only: name)
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT v.version, v.sha256, v.raw_sha256, v.size, v.published_at, v.published_by, v.yanked, v.yank_reason, v.deleted_at, v.installs, v.test_result
                FROM versions v JOIN agents a ON a.id = v.agent_id WHERE a.name = ?
                """), arguments: [name]).map { Self.versionRecord($0, agent: name) }
                .sorted { (SemVer($0.version) ?? SemVer("0.0.0")!) > (SemVer($1.version) ?? SemVer("0.0.0")!) }
        }
    }

    public func source(of name: String, version: String) async throws -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT v.source FROM versions v JOIN agents a ON a.id = v.agent_id WHERE a.name = ? AND v.version = ? AND v.deleted_at IS NULL"),
                              arguments: [name, version]).map { [UInt8]($0) }
        }
    }

    static func versionExists(_ db: Database, _ id: Int64, _ name: String, _ version: String) throws {
        guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM versions WHERE agent_id = ? AND version = ? AND deleted_at IS NULL"), arguments: [id, version]) != nil else {
            throw StoreError.notFound("no version \(name)@\(version)")
        }
    }

    public func setYanked(_ name: String, version: String, yanked: Bool, reason: String?, actor: String) async throws {
        try await change(content: true) { db in
            let id = try Self.agentID(db, name)
            try Self.versionExists(db, id, name, version)
            try db.execute(sql: "UPDATE versions SET yanked = ?, yank_reason = ? WHERE agent_id = ? AND version = ?",
                           arguments: [yanked ? 1 : 0, yanked ? reason : nil, id, version])
            try Self.refresh(db, agentID: id)
            try Self.audit(db, actor, yanked ? "version.yank" : "version.unyank", "\(name)@\(version)", .object([("reason", reason.map { .string($0) } ?? .null)]))
        }
    }

    public func setDeprecated(_ name: String, message: String?, actor: String) async throws {
        try await change(content: true) { db in
            let id = try Self.agentID(db, name)
            try db.execute(sql: "UPDATE agents SET deprecated = ? WHERE id = ?", arguments: [message, id])
            try Self.audit(db, actor, message == nil ? "agent.undeprecate" : "agent.deprecate", name, .object([("message", message.map { .string($0) } ?? .null)]))
        }
    }

    public func deleteVersion(_ name: String, version: String, notBefore: String, actor: String) async throws {
        try await change(content: true) { db in
            let id = try Self.agentID(db, name)
            try Self.versionExists(db, id, name, version)
            let published = try String.fetchOne(db.cachedStatement(sql: "SELECT published_at FROM versions WHERE agent_id = ? AND version = ?"), arguments: [id, version]) ?? ""
            guard published >= notBefore else {
                throw StoreError.forbidden("\(name)@\(version) was published at \(published); deletion is allowed only within 72 hours of publishing. Yank it instead")
            }
            // The tombstone keeps the version number (never reused) and drops the bytes.
            try db.execute(sql: "UPDATE versions SET source = NULL, deleted_at = ? WHERE agent_id = ? AND version = ?", arguments: [Self.now(), id, version])
            try Self.refresh(db, agentID: id)
            try Self.audit(db, actor, "version.delete", "\(name)@\(version)")
        }
    }

    public func setTier(_ name: String, tier: String, actor: String) async throws {
        try await change(content: true) { db in
            let id = try Self.agentID(db, name)
            try db.execute(sql: "UPDATE agents SET tier = ? WHERE id = ?", arguments: [tier, id])
            try Self.audit(db, actor, "agent.tier", name, .object([("tier", .string(tier))]))
        }
    }

    public func sourceRecord(of name: String, version: String) async throws -> (VersionRecord, [UInt8]?)? {
        try await read { db in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT v.* FROM versions v JOIN agents a ON a.id = v.agent_id WHERE a.name = ? AND v.version = ?
                """), arguments: [name, version]) else { return nil }
            return (Self.versionRecord(r, agent: name), (r["source"] as Data?).map { [UInt8]($0) })
        }
    }

    public func recordInstall(_ name: String, version: String) async throws {
        // Counters are not state changes: no generation bump, no audit row, batched writes.
        let schedule = pendingInstalls.withLockedValue { p -> Bool in
            p.counts[name, default: [:]][version, default: 0] += 1
            defer { p.scheduled = true }
            return !p.scheduled
        }
        if schedule {
            Task {
                try? await Task.sleep(for: .milliseconds(250))
                await self.flushInstalls(only: nil)
            }
        }
    }

    /// Write pending install counts (all, or one agent's before its versions are read).
    func flushInstalls(only name: String?) async {
        let batch = pendingInstalls.withLockedValue { p -> [String: [String: Int]] in
            if let name {
                guard let one = p.counts.removeValue(forKey: name) else { return [:] }
                return [name: one]
            }
            defer { p.counts = [:]; p.scheduled = false }
            return p.counts
        }
        guard !batch.isEmpty else { return }
        _ = try? await pool.write { db in
            for (agent, versions) in batch {
                for (version, n) in versions {
                    try db.execute(sql: "UPDATE versions SET installs = installs + ? WHERE version = ? AND agent_id = (SELECT id FROM agents WHERE name = ?)",
                                   arguments: [n, version, agent])
                }
            }
        }
    }

    public func untestedVersions(limit: Int) async throws -> [(name: String, version: String)] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT a.name, v.version FROM versions v JOIN agents a ON a.id = v.agent_id
                WHERE v.test_result IS NULL AND v.deleted_at IS NULL ORDER BY v.published_at, a.name LIMIT ?
                """), arguments: [limit]).map { (name: $0["name"] as String, version: $0["version"] as String) }
        }
    }

    public func setTestResult(_ name: String, version: String, result: JSONValue) async throws {
        _ = try await pool.write { db in
            try db.execute(sql: "UPDATE versions SET test_result = ? WHERE version = ? AND agent_id = (SELECT id FROM agents WHERE name = ?)",
                           arguments: [result.serialized(.compact), version, name])
        }
    }

    public func latestSources() async throws -> [(AgentRecord, VersionRecord, [UInt8])] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.agentColumns), v.version, v.sha256, v.raw_sha256, v.size, v.published_at, v.published_by, v.yanked, v.yank_reason,
                       v.deleted_at, v.installs, v.test_result, v.source
                FROM agents a JOIN versions v ON v.agent_id = a.id AND v.version = a.latest ORDER BY a.name
                """)).map { r in
                let a = Self.agentRecord(r)
                return (a, Self.versionRecord(r, agent: a.name), [UInt8]((r["source"] as Data?) ?? Data()))
            }
        }
    }

    // MARK: search

    public func searchFeed(after generation: Int64?) async throws -> SearchFeed {
        await flushInstalls(only: nil)
        return try await read { db in
            let g = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'")) ?? 0
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT a.id, a.name, a.publisher, a.tier, a.category, a.type, a.display_name, a.description, a.latest, a.deprecated,
                       (SELECT COALESCE(SUM(installs), 0) FROM versions WHERE agent_id = a.id) AS installs, a.tags, a.docstring
                FROM agents a WHERE a.gen > ?
                """), arguments: [generation ?? -2])
            var entries: [SearchEntry] = []
            while let r = try rows.next() {
                let name: String = r["name"], display: String = r["display_name"], description: String = r["description"]
                let hit = SearchHit(name: name, tier: r["tier"], category: r["category"], type: r["type"], displayName: display, description: description,
                                    latest: r["latest"], deprecated: r["deprecated"], installs: r["installs"], score: 0)
                entries.append(SearchEntry(id: r["id"], publisher: r["publisher"], hit: hit, textA: name + " " + display,
                                           textB: description + " " + (r["tags"] as String), textC: r["docstring"]))
            }
            return SearchFeed(generation: g, entries: entries)
        }
    }

    public func installTotals() async throws -> [Int64: Int] {
        await flushInstalls(only: nil)
        return try await read { db in
            var out: [Int64: Int] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT agent_id, SUM(installs) AS n FROM versions GROUP BY agent_id HAVING n > 0"))
            while let r = try rows.next() { out[r["agent_id"]] = r["n"] }
            return out
        }
    }

    public func generation() async throws -> Int64 {
        let now = DispatchTime.now().uptimeNanoseconds
        let (cached, epoch) = generationCache.withLockedValue { c in (c.value.flatMap { now - c.at < Self.generationTTL ? $0 : nil }, c.epoch) }
        if let cached { return cached }
        let g = try await read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'")) ?? 0 }
        generationCache.withLockedValue { c in if c.epoch == epoch { c = (g, now, epoch) } }
        return g
    }

    // MARK: audit and meta

    public func audit(after: Int64, limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?"), arguments: [after, limit]).map { r in
                AuditEvent(id: r["id"], at: r["at"], actor: r["actor"], action: r["action"], target: r["target"],
                           detail: (try? JSONParser().parse(Data((r["detail"] as String).utf8))) ?? .object([]))
            }
        }
    }

    public func appendAudit(actor: String, action: String, target: String, detail: JSONValue) async throws {
        try await change { db in try Self.audit(db, actor, action, target, detail) }
    }

    public func meta(_ key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String) async throws {
        try await change { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value]) }
    }

    public func claimMeta(_ key: String, _ value: String) async throws -> String {
        try await change { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", arguments: [key, value])
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) ?? value
        }
    }
}

/// UTC timestamps as the server stores and prints them: `2026-11-21T10:00:00Z` (sortable as text).
public enum Clock {
    public static func stamp(_ d: Date) -> String { BuildSupport.isoZ(Int(d.timeIntervalSince1970.rounded(.down))) }
}
