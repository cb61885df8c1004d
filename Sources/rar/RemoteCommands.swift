import ArgumentParser
import Foundation
import RARCore

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Save a token for a registry server (prompts unless --token).")
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        var c = remote.client()
        var token = remote.token ?? ProcessInfo.processInfo.environment["RAR_TOKEN"]
        if token == nil {
            FileHandle.standardError.write(Data("Token for \(c.base): ".utf8))
            if isatty(0) != 0, let p = getpass("") { token = String(cString: p) } else { token = readLine() }
        }
        guard let t = token?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { throw ValidationError("no token given") }
        c.token = t
        try runClient {
            let me = try c.getJSON("/api/v1/whoami")
            var cfg = ClientConfig.load()
            cfg.registry = c.base
            cfg.tokens[c.base] = t
            try cfg.save()
            if remote.json { print(me.serialized(.pretty)) } else {
                print("logged in to \(c.base) as \(me["user"]?.stringValue ?? "?") (scopes: \((me["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")))")
            }
        }
    }
}

struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the saved token for a registry.")
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let c = remote.client()
        var cfg = ClientConfig.load()
        let had = cfg.tokens.removeValue(forKey: c.base) != nil
        try runClient { try cfg.save() }
        if remote.json { print(JSONValue.object([("registry", .string(c.base)), ("logged_out", .bool(had))]).serialized(.compact)) } else {
            print(had ? "logged out of \(c.base)" : "no saved token for \(c.base)")
        }
    }
}

struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show who the saved token belongs to.")
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let c = remote.client()
        try runClient {
            let me = try c.getJSON("/api/v1/whoami")
            if remote.json { print(me.serialized(.pretty)); return }
            print("\(me["user"]?.stringValue ?? "?") at \(c.base)\(me["admin"]?.boolValue == true ? " (admin)" : "")")
            print("scopes: \((me["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "))")
            let ns = (me["namespaces"]?.arrayValue ?? []).compactMap(\.stringValue)
            print("namespaces: \(ns.isEmpty ? "none" : ns.joined(separator: ", "))")
        }
    }
}

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Validate an agent locally, then publish it to a registry server.",
        discussion: "Exit status: 0 published, 1 invalid or refused (version exists, not your namespace), 2 usage, 3 server unreachable.")
    @Argument(help: "The agent file (*_agent.py).") var file: String
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let report = Validator().validate(path: file)
        if !report.isValid {
            let source = AgentFile.sourceForDisplay(path: file)
            for d in report.diagnostics where d.severity == .error {
                FileHandle.standardError.write(Data(DiagnosticRenderer.render(d, source: source, color: Terminal.stderrColor).utf8))
            }
            Terminal.error("\(file) is not valid; nothing was sent (rar validate \(file) for details)")
            throw ExitCode(1)
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let c = remote.client()
        try runClient {
            let r = try c.call("POST", "/api/v1/publish", raw: data, contentType: "text/x-python")
            guard let v = r.json else { throw ClientError.unavailable("unexpected reply") }
            if remote.json { print(v.serialized(.pretty)); return }
            print("published \(v["name"]?.stringValue ?? "")@\(v["version"]?.stringValue ?? "")")
            print("  page:        \(v["url"]?.stringValue ?? "")")
            print("  sha256:      \(v["sha256"]?.stringValue ?? "")")
            print("  seed:        \(v["seed"]?.stringValue ?? "")")
            print("  incantation: \(v["incantation"]?.stringValue ?? "")")
            print("  install:     \(v["install"]?.stringValue ?? "")")
            for w in v["warnings"]?.arrayValue ?? [] { print("  warning: \(w["message"]?.stringValue ?? "")") }
            if let name = v["name"]?.stringValue, let card = try? c.getJSON(agentPath(name))["card"], card != .null {
                print("")
                print(CardTerminal.render(card: card, color: Terminal.colorEnabled), terminator: "")
            }
        }
    }
}

/// Read access to a server or to a static `rar build` output (directory or URL).
struct RemoteCatalog {
    let client: RegistryClient
    let isServer: Bool

    init(_ c: RegistryClient) {
        client = c
        isServer = !c.isLocal && ((try? c.request("GET", "/healthz", auth: false, timeout: 10))?.status == 200)
    }

    func staticAgents() throws -> [JSONValue] {
        do { return try RegistryAccess.loadAgents(client.base) }
        catch BlockingHTTP.Failure.setup(let m) { throw ClientError.local(m) }
        catch { throw ClientError.unavailable("\(error)") }
    }

    /// The registry entry (server: agent document) for a name.
    func info(_ name: String) throws -> JSONValue {
        if isServer { return try client.getJSON(agentPath(name)) }
        guard let e = try staticAgents().first(where: { $0["name"]?.stringValue == name }) else {
            throw ClientError.refused(404, "no agent named \(name) in \(client.base)", nil)
        }
        return e
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search a registry (server or static build output).")
    @Argument(help: "Words to search for (empty lists everything).") var query: [String] = []
    @Option(help: "Only this category.") var category: String?
    @Option(help: "Only this quality tier.") var tier: String?
    @Option(help: "Only this publisher (@name).") var publisher: String?
    @Option(help: "Only this type (agent, stub).") var type: String?
    @Option(help: "Results page (1-based).") var page = 1
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let cat = RemoteCatalog(remote.client())
        let text = query.joined(separator: " ")
        try runClient {
            if cat.isServer {
                var items = [URLQueryItem(name: "q", value: text), URLQueryItem(name: "page", value: String(page))]
                for (k, v) in [("category", category), ("tier", tier), ("publisher", publisher), ("type", type)] { if let v { items.append(URLQueryItem(name: k, value: v)) } }
                var comps = URLComponents()
                comps.queryItems = items
                let r = try cat.client.getJSON("/api/v1/search" + (comps.percentEncodedQuery.map { "?" + $0 } ?? ""))
                if remote.json { print(r.serialized(.pretty)); return }
                let results = r["results"]?.arrayValue ?? []
                for h in results { print(line(h["name"], h["version"], h["tier"], h["description"], h["deprecated"])) }
                print("\(r["total"]?.intValue ?? 0) result(s)\(results.isEmpty ? "" : ", page \(page)")")
            } else {
                let words = text.lowercased().split(separator: " ").map(String.init)
                let hits = try cat.staticAgents().filter { a in
                    let hay = [a["name"], a["display_name"], a["description"]].compactMap { $0?.stringValue }.joined(separator: " ").lowercased()
                        + " " + (a["tags"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ").lowercased()
                    return words.allSatisfy { hay.contains($0) }
                        && (category == nil || a["category"]?.stringValue == category) && (tier == nil || a["quality_tier"]?.stringValue == tier)
                        && (publisher == nil || a["name"]?.stringValue?.hasPrefix((publisher!.hasPrefix("@") ? publisher! : "@" + publisher!) + "/") == true)
                }
                if remote.json { print(JSONValue.object([("total", .int(hits.count)), ("results", .array(hits))]).serialized(.pretty)); return }
                for h in hits { print(line(h["name"], h["version"], h["quality_tier"], h["description"], nil)) }
                print("\(hits.count) result(s)")
            }
        }
    }

    func line(_ name: JSONValue?, _ version: JSONValue?, _ tier: JSONValue?, _ desc: JSONValue?, _ deprecated: JSONValue?) -> String {
        var s = "\(name?.stringValue ?? "?")@\(version?.stringValue ?? "-")  [\(tier?.stringValue ?? "")]  \(desc?.stringValue ?? "")"
        if let d = deprecated?.stringValue { s += "  (deprecated: \(d))" }
        return s
    }
}

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show an agent: versions, sha256, card, incantation.")
    @Argument(help: "@publisher/slug") var name: String
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let (n, _) = try splitPinned(name)
        let cat = RemoteCatalog(remote.client())
        try runClient {
            let v = try cat.info(n)
            if remote.json { print(v.serialized(.pretty)); return }
            let m = cat.isServer ? (v["manifest"] ?? .null) : v
            print("\(n)  \(m["display_name"]?.stringValue ?? "")")
            print("  \(m["description"]?.stringValue ?? "")")
            print("  latest:      \(v["latest"]?.stringValue ?? m["version"]?.stringValue ?? "-")")
            print("  tier:        \(v["tier"]?.stringValue ?? m["quality_tier"]?.stringValue ?? "")")
            print("  sha256:      \(v["sha256"]?.stringValue ?? m["_sha256"]?.stringValue ?? "")")
            if let s = v["incantation"]?.stringValue { print("  incantation: \(s)") }
            if let d = v["deprecated"]?.stringValue { print("  deprecated:  \(d)") }
            for ver in v["versions"]?.arrayValue ?? [] {
                var flags: [String] = []
                if ver["yanked"]?.boolValue == true { flags.append("yanked: \(ver["yank_reason"]?.stringValue ?? "")") }
                if ver["deleted"]?.boolValue == true { flags.append("deleted") }
                print("  \(ver["version"]?.stringValue ?? "")  \(ver["published_at"]?.stringValue ?? "")  installs \(ver["installs"]?.intValue ?? 0)\(flags.isEmpty ? "" : "  (" + flags.joined(separator: "; ") + ")")")
            }
        }
    }
}

struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Download an agent (sha256-verified) into a directory.",
        discussion: "Without a version, installs the newest unyanked release; an exact pin installs even a yanked version. A hash mismatch writes nothing and exits 1.")
    @Argument(help: "@publisher/slug or @publisher/slug@VERSION") var spec: String
    @Option(help: "Directory to install into.") var into = "agents"
    @Flag(help: "Replace an existing file.") var force = false
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let (name, pinned) = try splitPinned(spec)
        let cat = RemoteCatalog(remote.client())
        try runClient {
            var bytes: [UInt8]
            var version: String, sha: String, file: String
            var yanked: String?
            if cat.isServer {
                let info = try cat.client.getJSON(agentPath(name))
                let versions = info["versions"]?.arrayValue ?? []
                guard let want = pinned ?? info["latest"]?.stringValue else { throw ClientError.refused(404, "\(name) has no installable version", nil) }
                guard let v = versions.first(where: { $0["version"]?.stringValue == want }) else {
                    throw ClientError.refused(404, "\(name) has no version \(want) (versions: \(versions.compactMap { $0["version"]?.stringValue }.joined(separator: ", ")))", nil)
                }
                if v["deleted"]?.boolValue == true { throw ClientError.refused(410, "\(name)@\(want) was deleted", nil) }
                if v["yanked"]?.boolValue == true { yanked = v["yank_reason"]?.stringValue ?? "yanked" }
                version = want
                sha = v["sha256"]?.stringValue ?? ""
                let r = try cat.client.call("GET", agentPath(name) + "/versions/\(want)/source")
                bytes = [UInt8](r.body)
                if let raw = v["raw_sha256"]?.stringValue, BuildSupport.sha256Hex(bytes) != raw {
                    throw ClientError.refused(0, "sha256 mismatch for \(name)@\(want): the download does not match the registry; nothing written", nil)
                }
                file = info["manifest"]?["_install_filename"]?.stringValue ?? BuildSupport.installFilename(name)
            } else {
                let e = try cat.info(name)
                version = e["version"]?.stringValue ?? ""
                if let p = pinned, p != version { throw ClientError.refused(404, "\(cat.client.base) has \(name)@\(version) only (a static registry holds the latest version)", nil) }
                sha = e["_sha256"]?.stringValue ?? ""
                guard let rel = e["_file"]?.stringValue else { throw ClientError.refused(404, "\(name) has no _file in the registry", nil) }
                do { bytes = try RegistryAccess.fetchFile(cat.client.base, relative: rel) } catch { throw ClientError.unavailable("\(error)") }
                file = e["_install_filename"]?.stringValue ?? BuildSupport.installFilename(name)
            }
            guard BuildSupport.lfHash(bytes).hex == sha else {
                throw ClientError.refused(0, "sha256 mismatch for \(name)@\(version): expected \(sha), got \(BuildSupport.lfHash(bytes).hex); nothing written", nil)
            }
            let dest = into + "/" + file
            if FileManager.default.fileExists(atPath: dest) && !force {
                if let old = FileManager.default.contents(atPath: dest), [UInt8](old) == bytes {
                    if !remote.json { print("\(name)@\(version) already installed at \(dest)") }
                    return
                }
                throw ClientError.local("\(dest) exists with other content (use --force to replace it)")
            }
            do {
                try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
                let tmp = dest + ".rar-tmp"
                guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)), rename(tmp, dest) == 0 else { throw ClientError.local("cannot write \(dest)") }
            }
            if remote.json {
                print(JSONValue.object([("name", .string(name)), ("version", .string(version)), ("sha256", .string(sha)), ("path", .string(dest)),
                                        ("yanked", yanked.map { .string($0) } ?? .null)]).serialized(.pretty))
            } else {
                print("installed \(name)@\(version) → \(dest) (sha256 \(sha.prefix(16))… verified)")
                if let y = yanked { print("warning: \(name)@\(version) is yanked: \(y)") }
            }
        }
    }
}

struct YankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "yank", abstract: "Yank a version (pinned installs still work), or --undo.")
    @Argument(help: "@publisher/slug@VERSION") var spec: String
    @Option(help: "Why (shown to users).") var reason: String?
    @Flag(help: "Unyank.") var undo = false
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let (name, version) = try splitPinned(spec)
        guard let version else { throw ValidationError("give the exact version: @publisher/slug@VERSION") }
        if !undo && (reason ?? "").isEmpty { throw ValidationError("--reason is required") }
        let c = remote.client()
        try runClient {
            let path = agentPath(name) + "/versions/\(version)/" + (undo ? "unyank" : "yank")
            let r = try c.call("POST", path, json: undo ? nil : .object([("reason", .string(reason!))]))
            if remote.json { print(r.json?.serialized(.pretty) ?? "{}") } else { print(undo ? "unyanked \(name)@\(version)" : "yanked \(name)@\(version): \(reason!)") }
        }
    }
}

struct DeprecateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deprecate", abstract: "Mark an agent deprecated with a message, or --undo.")
    @Argument(help: "@publisher/slug") var name: String
    @Option(help: "What users should do instead.") var message: String?
    @Flag(help: "Remove the deprecation.") var undo = false
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        let (n, _) = try splitPinned(name)
        if !undo && (message ?? "").isEmpty { throw ValidationError("--message is required") }
        let c = remote.client()
        try runClient {
            let r = try c.call("POST", agentPath(n) + "/deprecate", json: .object([("message", .string(undo ? "" : message!))]))
            if remote.json { print(r.json?.serialized(.pretty) ?? "{}") } else { print(undo ? "\(n) is no longer deprecated" : "deprecated \(n): \(message!)") }
        }
    }
}
