import ArgumentParser
import Foundation
import RARCore

/// Where the CLI talks to and with which token: flags, then RAR_REGISTRY / RAR_TOKEN, then the
/// config file (`$XDG_CONFIG_HOME/rar/config.json`, mode 0600), then the local default.
struct ClientConfig {
    static let defaultRegistry = "http://127.0.0.1:7070"
    var registry: String?
    var tokens: [String: String] = [:]

    static var path: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/rar/config.json"
    }

    static func load() -> ClientConfig {
        var c = ClientConfig()
        guard let d = FileManager.default.contents(atPath: path), let v = try? JSONParser().parse(d) else { return c }
        c.registry = v["registry"]?.stringValue
        for (k, t) in v["tokens"]?.objectValue ?? [] { if let s = t.stringValue { c.tokens[k] = s } }
        return c
    }

    func save() throws {
        let dir = (ClientConfig.path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let v = JSONValue.object([("registry", registry.map { .string($0) } ?? .null),
                                  ("tokens", .object(tokens.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])
        let tmp = ClientConfig.path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data((v.serialized(.pretty) + "\n").utf8), attributes: [.posixPermissions: 0o600]),
              rename(tmp, ClientConfig.path) == 0 else { throw ClientError.local("cannot write \(ClientConfig.path)") }
    }

    static func normalize(_ url: String) -> String {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }
}

enum ClientError: Error, CustomStringConvertible {
    /// The server refused (4xx): exit 1.
    case refused(Int, String, JSONValue?)
    /// The server could not be reached or failed (5xx): exit 3.
    case unavailable(String)
    case local(String)

    var description: String {
        switch self {
        case .refused(_, let m, _), .unavailable(let m), .local(let m): return m
        }
    }
}

/// Options every command that talks to a registry server takes.
struct RemoteOptions: ParsableArguments {
    @Option(name: .long, help: "Registry server URL (default: RAR_REGISTRY, then the config file, then \(ClientConfig.defaultRegistry)).")
    var registry: String?

    @Option(name: .long, help: "API token (default: RAR_TOKEN, then the token saved by rar login).")
    var token: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func client() -> RegistryClient {
        let env = ProcessInfo.processInfo.environment
        let cfg = ClientConfig.load()
        let url = ClientConfig.normalize(registry ?? env["RAR_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? cfg.registry ?? ClientConfig.defaultRegistry)
        let tok = token ?? env["RAR_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? cfg.tokens[url]
        return RegistryClient(base: url, token: tok)
    }
}

/// A small synchronous HTTP client for the registry API.
struct RegistryClient {
    var base: String
    var token: String?

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: JSONValue? { try? JSONParser().parse(body) }
    }

    /// `base` is a local directory or file (a `rar build` output) rather than a server.
    var isLocal: Bool { !(base.hasPrefix("http://") || base.hasPrefix("https://")) }

    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json", auth: Bool = true, timeout: TimeInterval = 60) throws -> Reply {
        var headers: [(String, String)] = []
        if body != nil { headers.append(("Content-Type", contentType)) }
        if auth, let token { headers.append(("Authorization", "Bearer \(token)")) }
        do {
            let r = try BlockingHTTP.send(method, base + path, headers: headers, body: body, timeout: timeout)
            return Reply(status: r.status, headers: r.headers, body: r.body)
        } catch BlockingHTTP.Failure.setup(let m) {
            throw ClientError.local(m)
        } catch {
            throw ClientError.unavailable("cannot reach \(base): \(error)")
        }
    }

    /// The request, which must succeed (2xx); problem+json errors become readable messages.
    func call(_ method: String, _ path: String, json: JSONValue? = nil, raw: Data? = nil, contentType: String = "application/json") throws -> Reply {
        let body = raw ?? json.map { Data($0.serialized(.compact).utf8) }
        let r = try request(method, path, body: body, contentType: contentType)
        if (200..<300).contains(r.status) || r.status == 304 { return r }
        let problem = r.json
        var msg = problem?["detail"]?.stringValue ?? String(decoding: r.body.prefix(300), as: UTF8.self)
        if r.status == 401 { msg += " (log in with: rar login --registry \(base))" }
        if r.status == 429, let wait = r.headers["retry-after"] { msg += " (retry after \(wait) s)" }
        if r.status >= 500 { throw ClientError.unavailable("\(base) answered \(r.status): \(msg)") }
        throw ClientError.refused(r.status, msg, problem)
    }

    func getJSON(_ path: String) throws -> JSONValue {
        let r = try call("GET", path)
        guard let v = r.json else { throw ClientError.unavailable("\(base)\(path) did not return JSON") }
        return v
    }
}

/// Run a client action with the CLI's exit-code contract: 1 refused, 3 unreachable, 2 local/usage problems.
func runClient(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ClientError {
        switch e {
        case .refused(_, let m, let problem):
            Terminal.error(m)
            for d in problem?["diagnostics"]?.arrayValue ?? [] {
                let loc = "\(d["line"]?.intValue ?? 0):\(d["column"]?.intValue ?? 0)"
                Terminal.note("  \(loc) \(d["rule"]?.stringValue ?? "") \(d["message"]?.stringValue ?? "")")
            }
            throw ExitCode(1)
        case .unavailable(let m):
            Terminal.error(m)
            throw ExitCode(3)
        case .local(let m):
            Terminal.error(m)
            throw ExitCode(2)
        }
    }
}

/// `@pub/slug` or `@pub/slug@1.2.3`.
func splitPinned(_ s: String) throws -> (name: String, version: String?) {
    let at = s.dropFirst().lastIndex(of: "@")
    let name = at.map { String(s[..<$0]) } ?? s
    let version = at.map { String(s[s.index(after: $0)...]) }
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard name.hasPrefix("@"), parts.count == 2, !parts[1].isEmpty else {
        throw ValidationError("'\(s)' is not @publisher/slug or @publisher/slug@VERSION")
    }
    return (name, version)
}

/// URL path of an agent: `/api/v1/agents/@pub/slug` (or under another collection).
func agentPath(_ name: String, under collection: String = "/api/v1/agents") -> String {
    let parts = name.split(separator: "/", maxSplits: 1)
    let enc = { (s: Substring) in s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String(s) }
    return "\(collection)/\(enc(parts[0]))/\(enc(parts.count > 1 ? parts[1] : ""))"
}
