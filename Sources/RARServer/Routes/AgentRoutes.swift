import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RARCore

extension Routes {
    static let deleteWindow: TimeInterval = 72 * 3600
    static let grantedTiers: Set<String> = ["verified", "official", "frontier"]

    /// A registry entry's seed (decimal string) and incantation, or nulls.
    static func identity(_ entry: JSONValue?) -> (seed: JSONValue, incantation: JSONValue) {
        guard let s = CardLookup.seedValue(entry?["_seed"]) else { return (.null, .null) }
        return (.string(String(s)), (try? Incantation.encode(s)).map { .string($0) } ?? .null)
    }

    static func versionJSON(_ v: VersionRecord, base: String) -> JSONValue {
        let (ns, slug) = Names.split(v.agent) ?? ("", "")
        return .object([
            ("version", .string(v.version)), ("sha256", .string(v.sha256)), ("raw_sha256", .string(v.rawSHA256)), ("size", .int(v.size)),
            ("published_at", .string(v.publishedAt)), ("published_by", .string(v.publishedBy)),
            ("yanked", .bool(v.yanked)), ("yank_reason", HTTP.str(v.yankReason)),
            ("deleted", .bool(v.deletedAt != nil)), ("deleted_at", HTTP.str(v.deletedAt)),
            ("installs", .int(v.installs)),
            ("contract_test", v.testResult.flatMap { try? JSONParser().parse(Data($0.utf8)) } ?? .null),
            ("source_url", v.deletedAt == nil ? .string("\(base)/api/v1/agents/\(ns)/\(slug)/versions/\(v.version)/source") : .null),
        ])
    }

    /// Everything known about one agent.
    static func agentJSON(_ name: String, state: ServerState, base: String) async throws -> JSONValue {
        guard let a = try await state.store.agent(name) else { throw Problem(.notFound, "no agent named \(name)") }
        let versions = try await state.store.versions(of: name)
        let snap = try await state.live.current()
        let entry = snap.entries[name]
        let latest = entry?["version"]?.stringValue
        var card: JSONValue = .null, seed: JSONValue = .null, incantation: JSONValue = .null
        if let entry, case .agent(_, let c, _) = CardLookup(agents: [entry]).resolve(name: name) {
            card = c
            (seed, incantation) = identity(entry)
        }
        let owner = try await state.store.namespace(a.publisher)?.owner.description
        var pairs: [(String, JSONValue)] = [("name", .string(name)), ("publisher", .string(a.publisher)), ("slug", .string(a.slug))]
        pairs.append(("display_name", entry?["display_name"] ?? .null))
        pairs.append(("description", entry?["description"] ?? .null))
        pairs.append(("tier", .string(a.tier)))
        pairs.append(("deprecated", HTTP.str(a.deprecated)))
        pairs.append(("created_at", .string(a.createdAt)))
        pairs.append(("owners", .array(owner.map { [JSONValue.string($0)] } ?? [])))
        pairs.append(("latest", HTTP.str(latest)))
        pairs.append(("sha256", entry?["_sha256"] ?? .null))
        pairs.append(("seed", seed))
        pairs.append(("incantation", incantation))
        pairs.append(("install", latest.map { JSONValue.string("rar install \(name)@\($0)") } ?? .null))
        let installs = versions.reduce(0) { $0 + $1.installs }
        pairs.append(("installs", .int(installs)))
        pairs.append(("page_url", .string("\(base)/catalog/\(a.publisher)/\(a.slug).html")))
        pairs.append(("manifest", entry ?? .null))
        pairs.append(("card", card))
        pairs.append(("versions", .array(versions.map { versionJSON($0, base: base) })))
        return .object(pairs)
    }

    static func registerAgents(_ router: Router<RARContext>, _ state: ServerState) {
        let cfg = state.config

        router.get("/api/v1/agents/:publisher/:slug") { request, context -> Response in
            let slug = try HTTP.param(context, "slug")
            // The static API's per-agent documents share this prefix: `…/slug.json`.
            if slug.hasSuffix(".json") {
                let ns = Names.namespace(fromSegment: try HTTP.param(context, "publisher"))
                return try await staticFile("/api/v1/agents/\(ns)/\(slug)", request: request, state: state)
            }
            return HTTP.json(try await agentJSON(try HTTP.agentName(context), state: state, base: HTTP.base(request, cfg)))
        }

        router.get("/api/v1/agents/:publisher/:slug/versions/:version") { request, context -> Response in
            let name = try HTTP.agentName(context), version = try HTTP.version(context)
            guard let v = try await state.store.versions(of: name).first(where: { $0.version == version }) else {
                throw Problem(.notFound, "no version \(name)@\(version)")
            }
            return HTTP.json(versionJSON(v, base: HTTP.base(request, cfg)))
        }

        // Raw source: immutable per version, so it caches for a year; ETag is the sha256 of the bytes.
        @Sendable func serveSource(_ name: String, _ version: String, _ request: Request) async throws -> Response {
            let generation = try await state.store.generation()
            let found: (VersionRecord, [UInt8]?)
            if let hit = state.sourceCache.get(name, version, generation: generation) {
                found = hit
            } else {
                guard let f = try await state.store.sourceRecord(of: name, version: version) else { throw Problem(.notFound, "no version \(name)@\(version)") }
                state.sourceCache.put(name, version, f, generation: generation)
                found = f
            }
            let (v, source) = found
            if v.deletedAt != nil { throw Problem(.gone, "\(name)@\(version) was deleted") }
            let etag = "\"\(v.rawSHA256)\""
            var headers: HTTPFields = [.eTag: etag, .cacheControl: "public, max-age=31536000, immutable"]
            headers[HTTPField.Name("X-RAR-SHA256-LF")!] = v.sha256
            if v.yanked { headers[HTTPField.Name("X-RAR-Yanked")!] = v.yankReason ?? "yanked" }
            if HTTP.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
            guard let bytes = source else { throw Problem(.gone, "\(name)@\(version) was deleted") }
            try await state.store.recordInstall(name, version: version)
            state.metrics.event("download")
            let file = Scaffold.fileName(slug: Names.split(name)!.slug)
            headers[.contentDisposition] = "attachment; filename=\"\(file)\""
            return HTTP.bytes(bytes, type: "text/x-python; charset=utf-8", headers: headers)
        }

        router.get("/api/v1/agents/:publisher/:slug/versions/:version/source") { request, context in
            try await serveSource(try HTTP.agentName(context), try HTTP.version(context), request)
        }

        router.get("/api/v1/agents/:publisher/:slug/latest") { request, context -> Response in
            let name = try HTTP.agentName(context)
            let snap = try await state.live.current()
            guard let v = snap.entries[name]?["version"]?.stringValue,
                  let rec = try await state.store.versions(of: name).first(where: { $0.version == v }) else {
                throw Problem(.notFound, "\(name) has no installable version")
            }
            return HTTP.json(versionJSON(rec, base: HTTP.base(request, cfg)))
        }

        router.get("/api/v1/agents/:publisher/:slug/latest/source") { request, context -> Response in
            let name = try HTTP.agentName(context)
            guard let v = try await state.live.current().entries[name]?["version"]?.stringValue else {
                throw Problem(.notFound, "\(name) has no installable version")
            }
            return try await serveSource(name, v, request)
        }

        // MARK: publish

        @Sendable func publish(_ request: Request, _ context: RARContext, expectName: String?, expectVersion: String?) async throws -> Response {
            let p = try await state.auth.require(request, .publish)
            try await limit(state, "publish", p, context)
            let bytes = try await HTTP.body(request, limit: cfg.maxAgentBytes)
            let fileName = expectName.flatMap { Names.split($0) }.map { Scaffold.fileName(slug: $0.slug) }
            // Parsing is CPU-bound: keep it off the event loops and the cooperative pool.
            let prepared = try await NIOThreadPool.singleton.runIfActive { try Publishing.prepare(bytes: bytes, fileName: fileName, limit: cfg.maxAgentBytes) }
            if let n = expectName, n != prepared.name {
                throw Publishing.invalid("the URL names \(n) but the file's __manifest__ names \(prepared.name)", [])
            }
            if let v = expectVersion, v != prepared.version {
                throw Publishing.invalid("the URL names version \(v) but the file's __manifest__ says \(prepared.version)", [])
            }
            let (ns, slug) = Names.split(prepared.name)!
            var createNamespace = false
            if let nsRec = try await state.store.namespace(ns) {
                guard p.owns(nsRec) else { throw Problem(.forbidden, "\(ns) belongs to \(nsRec.owner); only its owners publish there") }
            } else if p.isAdmin {
                createNamespace = true
            } else {
                throw Problem(.forbidden, "namespace \(ns) does not exist; an admin creates it (rar admin namespace create \(ns) --owner \(p.user.name))")
            }
            // One file per agent in the registry tree: `x` and `x_agent` would collide.
            let twin = slug.hasSuffix("_agent") ? String(slug.dropLast(6)) : slug + "_agent"
            if try await state.store.agent("\(ns)/\(twin)") != nil {
                throw Problem(.conflict, "\(prepared.name) would share its file with \(ns)/\(twin)")
            }
            var warnings = prepared.warnings.map(\.json)
            var tier = prepared.declaredTier
            if grantedTiers.contains(tier) && !p.isAdmin {
                warnings.append(.object([("rule", "T1"), ("severity", "warning"),
                                         ("message", .string("quality_tier '\(tier)' is granted by registry admins; published as community"))]))
                tier = "community"
            }
            let (agent, version) = try await state.store.publish(prepared.newVersion(actor: p.user.name, tier: tier, createNamespace: createNamespace))
            state.metrics.event("publish")
            state.tester?.wake()
            let base = HTTP.base(request, cfg)
            let (seed, incantation) = identity(prepared.entry)
            let url = "\(base)/api/v1/agents/\(ns)/\(slug)/versions/\(version.version)"
            return HTTP.json(.object([
                ("name", .string(agent.name)), ("version", .string(version.version)), ("sha256", .string(version.sha256)),
                ("raw_sha256", .string(version.rawSHA256)), ("tier", .string(agent.tier)),
                ("seed", seed), ("incantation", incantation),
                ("url", .string("\(base)/catalog/\(ns)/\(slug).html")), ("api_url", .string(url)),
                ("source_url", .string(url + "/source")), ("install", .string("rar install \(agent.name)@\(version.version)")),
                ("warnings", .array(warnings)),
            ]), .created, headers: [.location: url])
        }

        router.put("/api/v1/agents/:publisher/:slug/versions/:version") { request, context in
            try await publish(request, context, expectName: try HTTP.agentName(context), expectVersion: try HTTP.version(context))
        }
        router.post("/api/v1/publish") { request, context in
            try await publish(request, context, expectName: nil, expectVersion: nil)
        }

        // MARK: lifecycle: yank, deprecate, delete, tier

        /// The principal, with `scope`, owning the agent's namespace.
        @Sendable func owner(_ request: Request, _ context: RARContext, _ name: String, _ scope: Scope) async throws -> Principal {
            let p = try await state.auth.require(request, scope)
            try await limit(state, "yank", p, context)
            guard let a = try await state.store.agent(name) else { throw Problem(.notFound, "no agent named \(name)") }
            guard let ns = try await state.store.namespace(a.publisher), p.owns(ns) else {
                throw Problem(.forbidden, "only the owners of \(a.publisher) change \(name)")
            }
            return p
        }

        router.post("/api/v1/agents/:publisher/:slug/versions/:version/yank") { request, context -> Response in
            let name = try HTTP.agentName(context), version = try HTTP.version(context)
            let p = try await owner(request, context, name, .yank)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["reason"])
            guard let reason = try body.text("reason", max: 500), !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Problem(.badRequest, "a yank needs a reason (1–500 characters)")
            }
            try await state.store.setYanked(name, version: version, yanked: true, reason: reason, actor: p.user.name)
            state.metrics.event("yank")
            return HTTP.json(.object([("name", .string(name)), ("version", .string(version)), ("yanked", true), ("yank_reason", .string(reason))]))
        }

        router.post("/api/v1/agents/:publisher/:slug/versions/:version/unyank") { request, context -> Response in
            let name = try HTTP.agentName(context), version = try HTTP.version(context)
            let p = try await owner(request, context, name, .yank)
            try await state.store.setYanked(name, version: version, yanked: false, reason: nil, actor: p.user.name)
            return HTTP.json(.object([("name", .string(name)), ("version", .string(version)), ("yanked", false)]))
        }

        router.post("/api/v1/agents/:publisher/:slug/deprecate") { request, context -> Response in
            let name = try HTTP.agentName(context)
            let p = try await owner(request, context, name, .yank)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["message"])
            let raw = (try body.text("message", max: 500) ?? "").trimmingCharacters(in: .whitespaces)
            let message = raw.isEmpty ? nil : raw
            try await state.store.setDeprecated(name, message: message, actor: p.user.name)
            return HTTP.json(.object([("name", .string(name)), ("deprecated", HTTP.str(message))]))
        }

        router.delete("/api/v1/agents/:publisher/:slug/versions/:version") { request, context -> Response in
            let name = try HTTP.agentName(context), version = try HTTP.version(context)
            let p = try await owner(request, context, name, .yank)
            try await state.store.deleteVersion(name, version: version, notBefore: Clock.stamp(Date().addingTimeInterval(-deleteWindow)), actor: p.user.name)
            return HTTP.json(.object([("name", .string(name)), ("version", .string(version)), ("deleted", true),
                                      ("note", "the version number stays reserved (tombstone)")]))
        }

        router.put("/api/v1/admin/agents/:publisher/:slug/tier") { request, context -> Response in
            let p = try await state.auth.require(request, .admin)
            try await limit(state, "admin", p, context)
            let name = try HTTP.agentName(context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["tier"])
            guard let tier = try body.string("tier"), Rules.tiers.contains(tier) else {
                throw Problem(.badRequest, "tier must be one of \(Rules.tiers.joined(separator: ", "))")
            }
            try await state.store.setTier(name, tier: tier, actor: p.user.name)
            return HTTP.json(.object([("name", .string(name)), ("tier", .string(tier))]))
        }

        // MARK: search and resolve

        router.get("/api/v1/search") { request, context -> Response in
            try await limit(state, "read", try? await state.auth.principal(request), context)
            var q = SearchQuery()
            q.text = HTTP.query(request, "q") ?? ""
            guard q.text.utf8.count <= 512 else { throw Problem(.badRequest, "the query is longer than 512 bytes") }
            q.category = HTTP.query(request, "category")
            q.tier = HTTP.query(request, "tier")
            q.publisher = HTTP.query(request, "publisher").map(Names.namespace(fromSegment:))
            q.type = HTTP.query(request, "type")
            if let s = HTTP.query(request, "page") {
                guard let n = Int(s), (1...10_000).contains(n) else { throw Problem(.badRequest, "page must be 1–10000") }
                q.page = n
            }
            if let s = HTTP.query(request, "per_page") {
                guard let n = Int(s), (1...100).contains(n) else { throw Problem(.badRequest, "per_page must be 1–100") }
                q.perPage = n
            }
            let r = try await state.search.search(q)
            let base = HTTP.base(request, cfg)
            return HTTP.json(.object([
                ("query", .string(q.text)), ("total", .int(r.total)), ("page", .int(q.page)), ("per_page", .int(q.perPage)),
                ("results", .array(r.hits.map { h in
                    let (ns, slug) = Names.split(h.name) ?? ("", "")
                    return .object([
                        ("name", .string(h.name)), ("display_name", .string(h.displayName)), ("description", .string(h.description)),
                        ("version", HTTP.str(h.latest)), ("tier", .string(h.tier)), ("category", .string(h.category)), ("type", .string(h.type)),
                        ("deprecated", HTTP.str(h.deprecated)), ("installs", .int(h.installs)), ("score", .double((h.score * 1000).rounded() / 1000)),
                        ("url", .string("\(base)/api/v1/agents/\(ns)/\(slug)")),
                    ])
                })),
                ("facets", .object(["category", "tier", "publisher", "type"].map { f in
                    (f, .object((r.facets[f] ?? []).map { ($0.0, .int($0.1)) }))
                })),
            ]))
        }

        router.get("/api/v1/resolve") { request, context -> Response in
            try await limit(state, "read", try? await state.auth.principal(request), context)
            let snap = try await state.live.current()
            let seed: CardSeed
            if let text = HTTP.query(request, "incantation") {
                guard text.utf8.count <= 1024 else { throw Problem(.badRequest, "the incantation is too long") }
                switch Incantation.decodeForgiving(text) {
                case .success(let s): seed = s
                case .failure(let problem):
                    let suggestions: [(String, JSONValue)] = problem.unknownWords.map { w in
                        (w.token, .array(w.suggestions.map { .string($0) }))
                    }
                    throw Problem(.unprocessableContent, "\(problem)", title: "Not an incantation", type: "urn:rar:problem:invalid-incantation", extra: [("token_count", .int(problem.tokenCount)), ("suggestions", .object(suggestions))])
                }
            } else if let s = HTTP.query(request, "seed") {
                guard let v = try? CardIdentity.parseSeed(s), v >> 66 == 0 else { throw Problem(.badRequest, "'\(s)' is not a seed (a non-negative integer below 2^66)") }
                seed = v
            } else {
                throw Problem(.badRequest, "give incantation=WORDS or seed=N")
            }
            let words = (try? Incantation.encode(seed)).map { JSONValue.string($0) } ?? .null
            switch CardLookup(agents: snap.agents).resolve(seed: seed) {
            case .agent(let name, let card, let viaAlias):
                let (ns, slug) = Names.split(name) ?? ("", "")
                return HTTP.json(.object([
                    ("match", "agent"), ("name", .string(name)), ("version", snap.entries[name]?["version"] ?? .null),
                    ("seed", .string(String(seed))), ("incantation", words), ("via_alias", .bool(viaAlias)),
                    ("url", .string("\(HTTP.base(request, cfg))/api/v1/agents/\(ns)/\(slug)")), ("card", card),
                ]))
            case .preview(let card):
                return HTTP.json(.object([("match", "preview"), ("seed", .string(String(seed))), ("incantation", words), ("card", card)]))
            case .notFound(let m):
                throw Problem(.notFound, m)
            }
        }
    }
}

/// Raw sources and their version records, valid for one store generation (yanks and deletions
/// change it); at most `limit` bytes of sources.
final class SourceCache: Sendable {
    private struct State {
        var generation: Int64 = -1
        var bytes = 0
        var items: [String: (VersionRecord, [UInt8]?)] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let limit: Int

    init(limit: Int = 64 << 20) { self.limit = limit }

    func get(_ name: String, _ version: String, generation: Int64) -> (VersionRecord, [UInt8]?)? {
        state.withLockedValue { $0.generation == generation ? $0.items[name + "@" + version] : nil }
    }

    func put(_ name: String, _ version: String, _ item: (VersionRecord, [UInt8]?), generation: Int64) {
        state.withLockedValue { s in
            if s.generation != generation || s.bytes + (item.1?.count ?? 0) > limit { s = State(generation: generation) }
            s.items[name + "@" + version] = item
            s.bytes += item.1?.count ?? 0
        }
    }
}
