import Foundation
import RARCore

/// Everything `rar serve` can be told. Precedence: flags, then environment (`RAR_*`), then the
/// config file (`--config FILE`, or `rar-server.json` under the root), then these defaults.
public struct ServerConfig: Sendable {
    /// The registry root: seed agents come from `ROOT/agents/`, the default database lives here.
    public var root = "registry"
    /// `sqlite:PATH`, a plain path, or `postgres://…` (shared by several servers). Default: `ROOT/.rar/rar.sqlite`.
    public var database: String?
    public var host = "127.0.0.1"
    public var port = 7070
    /// Public base URL used in links and install URLs (default: derived from the request's Host).
    public var publicURL: String?
    /// Largest agent file accepted on publish.
    public var maxAgentBytes = SourceText.defaultSizeLimit
    /// Largest JSON request body.
    public var maxJSONBytes = 64 << 10
    /// The first admin's token (else one is minted and printed once).
    public var adminToken: String?
    /// Import `ROOT/agents/` into an empty database on first start.
    public var seed = true
    /// Requests per minute per token (or per client address when anonymous), by action.
    public var rateLimits: [String: Int] = ["publish": 30, "yank": 60, "admin": 240, "token": 30, "read": 6000]
    /// Close connections idle this long; a request head must arrive within it (slow clients).
    public var idleTimeoutSeconds = 30
    /// PostgreSQL: how long a request waits for a database connection before it answers 503.
    public var databaseTimeoutSeconds = 10
    /// A request body must arrive within this long of its head (else 408 and the connection closes).
    public var bodyTimeoutSeconds = 60
    /// Run `rar test` on each new version in a separate worker process (needs this binary on disk).
    public var contractTests = false
    /// The executable that runs contract tests (`rar test FILE --json`).
    public var testerExecutable: String?
    public var logLevel = "info"
    /// Catalog templates and assets that override the built-in ones, file by file (`DIR/templates`, `DIR/assets`).
    public var siteDir: String?

    public init() {}

    /// The SQLite file this configuration points at.
    public var sqlitePath: String {
        guard let db = database else { return root + "/.rar/rar.sqlite" }
        if db.hasPrefix("sqlite://") { return String(db.dropFirst("sqlite://".count)) }
        if db.hasPrefix("sqlite:") { return String(db.dropFirst("sqlite:".count)) }
        return db
    }

    public var isPostgres: Bool { database.map { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") } ?? false }

    public struct Invalid: Error, CustomStringConvertible { public var description: String }

    /// Apply a JSON config file's members (unknown keys are an error, so typos do not pass silently).
    public mutating func apply(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "cannot read config file \(path)") }
        guard data.count <= 1 << 20, let v = try? JSONParser(rejectDuplicateKeys: true).parse(data), let pairs = v.objectValue else {
            throw Invalid(description: "\(path): not a JSON object")
        }
        for (k, val) in pairs {
            func str() throws -> String {
                guard let s = val.stringValue else { throw Invalid(description: "\(path): '\(k)' must be a string") }
                return s
            }
            func int() throws -> Int {
                guard let i = val.intValue, i >= 0 else { throw Invalid(description: "\(path): '\(k)' must be a non-negative integer") }
                return i
            }
            switch k {
            case "root": root = try str()
            case "database": database = try str()
            case "host": host = try str()
            case "port": port = try int()
            case "public_url": publicURL = try str()
            case "max_agent_bytes": maxAgentBytes = try int()
            case "max_json_bytes": maxJSONBytes = try int()
            case "seed": seed = val.boolValue ?? seed
            case "idle_timeout_seconds": idleTimeoutSeconds = try int()
            case "database_timeout_seconds": databaseTimeoutSeconds = max(1, try int())
            case "body_timeout_seconds": bodyTimeoutSeconds = try int()
            case "contract_tests": contractTests = val.boolValue ?? contractTests
            case "log_level": logLevel = try str()
            case "site_dir": siteDir = try str()
            case "rate_limits":
                guard let o = val.objectValue else { throw Invalid(description: "\(path): 'rate_limits' must be an object") }
                for (a, n) in o {
                    guard let i = n.intValue, i >= 0 else { throw Invalid(description: "\(path): rate_limits.\(a) must be a non-negative integer") }
                    rateLimits[a] = i
                }
            default: throw Invalid(description: "\(path): unknown setting '\(k)'")
            }
        }
    }

    /// Apply `RAR_*` environment variables.
    public mutating func apply(environment env: [String: String]) throws {
        if let v = env["RAR_DB"] { database = v }
        if let v = env["RAR_HOST"] { host = v }
        if let v = env["RAR_PORT"] {
            guard let p = Int(v), (0...65535).contains(p) else { throw Invalid(description: "RAR_PORT must be a port number") }
            port = p
        }
        if let v = env["RAR_PUBLIC_URL"] { publicURL = v }
        if let v = env["RAR_ADMIN_TOKEN"], !v.isEmpty { adminToken = v }
        if let v = env["RAR_LOG_LEVEL"] { logLevel = v }
    }
}
