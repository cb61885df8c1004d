import Foundation
import RARCore

/// What a token may do. `admin` implies every other scope.
public enum Scope: String, CaseIterable, Sendable, Codable {
    case read, publish, yank, admin
}

public struct UserRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var isAdmin: Bool
    public var createdAt: String
}

public struct TokenRecord: Sendable {
    /// Public identifier (`tok_…`), safe to show and to revoke by.
    public var id: String
    public var userID: Int64
    public var userName: String
    public var scopes: Set<Scope>
    public var label: String
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?
    public var lastUsedAt: String?
}

/// Who owns a namespace: a user or a team.
public enum Owner: Sendable, Equatable, CustomStringConvertible {
    case user(String)
    case team(String)

    /// `alice` or `team:core`.
    public init?(parsing s: String) {
        if s.hasPrefix("team:") {
            let n = String(s.dropFirst(5))
            guard Names.isAccountName(n) else { return nil }
            self = .team(n)
        } else {
            guard Names.isAccountName(s) else { return nil }
            self = .user(s)
        }
    }
    public var description: String {
        switch self { case .user(let u): return u; case .team(let t): return "team:" + t }
    }
}

public struct NamespaceRecord: Sendable {
    public var name: String
    public var owner: Owner
    public var createdAt: String
}

public struct AgentRecord: Sendable {
    public var name: String
    public var publisher: String
    public var slug: String
    /// Server-granted quality tier (admins promote it).
    public var tier: String
    public var deprecated: String?
    public var createdAt: String
}

public struct VersionRecord: Sendable {
    public var agent: String
    public var version: String
    /// sha256-lf-v1 of the source (what registry.json calls `_sha256`).
    public var sha256: String
    /// sha256 of the exact bytes served (ETag).
    public var rawSHA256: String
    public var size: Int
    public var publishedAt: String
    public var publishedBy: String
    public var yanked: Bool
    public var yankReason: String?
    public var deletedAt: String?
    public var installs: Int
    public var testResult: String?

    public var isLive: Bool { deletedAt == nil }
}

public struct AuditEvent: Sendable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var target: String
    public var detail: JSONValue
}

/// What search indexes for an agent (its latest live version).
public struct SearchDocument: Sendable {
    public var displayName: String
    public var description: String
    public var tags: [String]
    public var docstring: String
    public var category: String
    public var type: String
}

public struct SearchQuery: Sendable {
    public var text = ""
    public var category: String?
    public var tier: String?
    public var publisher: String?
    public var type: String?
    public var page = 1
    public var perPage = 20
    public init() {}
}

public struct SearchHit: Sendable {
    public var name: String
    public var tier: String
    public var category: String
    public var type: String
    public var displayName: String
    public var description: String
    public var latest: String?
    public var deprecated: String?
    public var installs: Int
    public var score: Double
}

public struct SearchResult: Sendable {
    public var total: Int
    public var hits: [SearchHit]
    /// facet → value → count, over every match (ignoring paging).
    public var facets: [String: [(String, Int)]]
}

/// A new version to store. The caller has validated it.
public struct NewVersion: Sendable {
    public var name: String
    public var version: String
    public var source: [UInt8]
    public var sha256: String
    public var rawSHA256: String
    public var document: SearchDocument
    /// Tier for a newly created agent (ignored when the agent exists).
    public var initialTier: String
    public var actor: String
    /// Create the namespace for `actor` when missing (admins and seeding only).
    public var createNamespace: Bool
}

public enum StoreError: Error, Equatable, CustomStringConvertible {
    case conflict(String)
    case notFound(String)
    case forbidden(String)
    case invalid(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .conflict(let m), .notFound(let m), .forbidden(let m), .invalid(let m), .unavailable(let m): return m
        }
    }
}

/// Names the server accepts: accounts, namespaces, slugs, versions.
public enum Names {
    public static func isAccountName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_"
        } && !s.hasPrefix("-")
    }
    /// `@publisher` (letters, digits, `_`, `-`; at most 64).
    public static func isNamespace(_ s: String) -> Bool {
        guard s.hasPrefix("@") else { return false }
        let body = s.dropFirst()
        return !body.isEmpty && body.utf8.count <= 64 && body.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_"
        }
    }
    public static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 100 && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" || $0 == "."
        } && !s.hasPrefix(".")
    }
    /// Split `@pub/slug` into its checked parts.
    public static func split(_ name: String) -> (publisher: String, slug: String)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isNamespace(String(parts[0])), isSlug(String(parts[1])) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
    /// A publisher path segment with or without its `@`.
    public static func namespace(fromSegment s: String) -> String { s.hasPrefix("@") ? s : "@" + s }
}

extension RegistryStore {
    public func publishAll(_ versions: [NewVersion]) async throws -> [StoreError?] {
        var out: [StoreError?] = []
        for v in versions {
            do { _ = try await publish(v); out.append(nil) } catch let e as StoreError { out.append(e) }
        }
        return out
    }

    public func sourceRecord(of name: String, version: String) async throws -> (VersionRecord, [UInt8]?)? {
        guard let v = try await versions(of: name).first(where: { $0.version == version }) else { return nil }
        return (v, v.deletedAt == nil ? try await source(of: name, version: version) : nil)
    }
}

/// Storage behind the server. SQLite is the embedded default, PostgreSQL the shared one; every engine gives the same answers.
public protocol RegistryStore: Sendable {
    func migrate() async throws
    func userCount() async throws -> Int

    func createUser(name: String, admin: Bool, actor: String) async throws -> UserRecord
    func user(named: String) async throws -> UserRecord?
    func users() async throws -> [UserRecord]
    func createTeam(name: String, members: [String], actor: String) async throws
    func addTeamMember(team: String, user: String, actor: String) async throws
    func teams(ofUser: Int64) async throws -> [String]

    func createToken(_ token: TokenRecord, hash: String, actor: String) async throws
    /// The live (unrevoked, unexpired) token with this hash, with its user; touches last-used.
    func token(hash: String, now: String) async throws -> (TokenRecord, UserRecord)?
    func tokens(userID: Int64) async throws -> [TokenRecord]
    func revokeToken(id: String, by actor: UserRecord) async throws

    func createNamespace(_ name: String, owner: Owner, actor: String) async throws -> NamespaceRecord
    func namespace(_ name: String) async throws -> NamespaceRecord?
    func transferNamespace(_ name: String, to owner: Owner, actor: String) async throws
    func namespaces(ownedBy user: UserRecord) async throws -> [String]

    /// Store a new immutable version; `.conflict` when that version exists or ever existed.
    func publish(_ v: NewVersion) async throws -> (AgentRecord, VersionRecord)
    /// Import many versions at once (seeding); a refused one is skipped, with its error in the result.
    func publishAll(_ versions: [NewVersion]) async throws -> [StoreError?]
    func agent(_ name: String) async throws -> AgentRecord?
    func versions(of name: String) async throws -> [VersionRecord]
    func source(of name: String, version: String) async throws -> [UInt8]?
    func setYanked(_ name: String, version: String, yanked: Bool, reason: String?, actor: String) async throws
    func setDeprecated(_ name: String, message: String?, actor: String) async throws
    func deleteVersion(_ name: String, version: String, notBefore: String, actor: String) async throws
    func setTier(_ name: String, tier: String, actor: String) async throws
    func recordInstall(_ name: String, version: String) async throws
    /// One version's record and bytes (nil bytes when deleted), in one read; nil when no such version.
    func sourceRecord(of name: String, version: String) async throws -> (VersionRecord, [UInt8]?)?
    /// Live versions without a contract-test result yet, oldest first.
    func untestedVersions(limit: Int) async throws -> [(name: String, version: String)]
    func setTestResult(_ name: String, version: String, result: JSONValue) async throws

    /// For every agent, its newest live, unyanked version: (agent, version, source).
    func latestSources() async throws -> [(AgentRecord, VersionRecord, [UInt8])]
    /// What search indexes: the agents changed after `generation` (every agent from nil), with
    /// the generation read in the same snapshot.
    func searchFeed(after generation: Int64?) async throws -> SearchFeed
    /// Installs per agent id (all versions).
    func installTotals() async throws -> [Int64: Int]
    /// A monotonically increasing number that changes on every state change (cache key).
    func generation() async throws -> Int64

    func audit(after: Int64, limit: Int) async throws -> [AuditEvent]
    func appendAudit(actor: String, action: String, target: String, detail: JSONValue) async throws

    func meta(_ key: String) async throws -> String?
    func setMeta(_ key: String, _ value: String) async throws
    /// Set `key` unless it is set; returns the stored value (servers starting together agree on it).
    func claimMeta(_ key: String, _ value: String) async throws -> String
    /// Release the store's connections; the server calls it after its last request.
    func close() async
}

extension RegistryStore {
    public func close() async {}
}
