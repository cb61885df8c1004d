import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RARCore

extension Routes {
    static func registerDiscovery(_ router: Router<RARContext>, _ state: ServerState) {
        let cfg = state.config

        // The key that signs registry.json and served eggs; `rar egg verify --keyring` reads this form.
        router.get("/api/v1/keys") { _, _ -> Response in
            var ring = EggKeyring()
            ring.add(state.signingKey.publicKey)
            return HTTP.bytes(Array(ring.serialized().utf8), type: "application/json; charset=utf-8", headers: [.cacheControl: "public, max-age=3600"])
        }

        /// Names → agents with their seeds, or a compact string → agents.
        @Sendable func agents(named names: [String], snap: LiveRegistry.Snapshot) throws -> [JSONValue] {
            guard !names.isEmpty, names.count <= 256 else { throw Problem(.badRequest, "give 1–256 agent names") }
            return try names.map { n in
                guard let e = snap.entries[n] else { throw Problem(.notFound, "no installable agent named \(n)") }
                return e
            }
        }

        @Sendable func describe(_ e: JSONValue, base: String) -> JSONValue {
            let name = e["name"]?.stringValue ?? ""
            let (ns, slug) = Names.split(name) ?? ("", "")
            let version = e["version"]?.stringValue ?? ""
            return .object([("name", .string(name)), ("version", .string(version)), ("seed", .string(CardLookup.seedValue(e["_seed"]).map { String($0) } ?? "")),
                            ("sha256", e["_sha256"] ?? .null), ("install_filename", e["_install_filename"] ?? .null),
                            ("source_url", .string("\(base)/api/v1/agents/\(ns)/\(slug)/versions/\(version)/source"))])
        }

        router.post("/api/v1/eggs/forge") { request, context -> Response in
            try await limit(state, "read", try? await state.auth.principal(request), context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["agents"])
            let names = try body.strings("agents") ?? []
            let snap = try await state.live.current()
            let list = try agents(named: names, snap: snap)
            let seeds = list.compactMap { CardLookup.seedValue($0["_seed"]) }
            let compact: String
            do { compact = try CompactSeeds.encodeCompact(seeds: seeds) } catch { throw Problem(.badRequest, "\(error)") }
            return HTTP.json(.object([("compact", .string(compact)), ("agents", .array(list.map { describe($0, base: HTTP.base(request, cfg)) })),
                                      ("hatch", .string("rar egg hatch \(compact) --registry \(HTTP.base(request, cfg))"))]))
        }

        router.get("/api/v1/eggs/expand") { request, context -> Response in
            try await limit(state, "read", try? await state.auth.principal(request), context)
            guard let text = HTTP.query(request, "compact"), text.utf8.count <= 4096 else { throw Problem(.badRequest, "give compact=STRING") }
            let seeds: [CardSeed]
            do { seeds = try CompactSeeds.decodeCompact(text) } catch {
                throw Problem(.unprocessableContent, "not a compact egg string: \(error)", type: "urn:rar:problem:invalid-compact-string")
            }
            let snap = try await state.live.current()
            let lookup = CardLookup(agents: snap.agents)
            let base = HTTP.base(request, cfg)
            let items: [JSONValue] = seeds.map { s in
                if let hit = lookup.agent(forSeed: s), let e = snap.entries[hit.name] { return describe(e, base: base) }
                return .object([("seed", .string(String(s))), ("preview", CardIdentity.resolveCard(seed: s))])
            }
            return HTTP.json(.object([("compact", .string(text)), ("agents", .array(items))]))
        }

        router.post("/api/v1/eggs/download") { request, context -> Response in
            try await limit(state, "read", try? await state.auth.principal(request), context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["agents", "compact", "kind"])
            let snap = try await state.live.current()
            var names = try body.strings("agents") ?? []
            if let c = try body.string("compact") {
                let lookup = CardLookup(agents: snap.agents)
                do { names = try CompactSeeds.decodeCompact(c).map { s in lookup.agent(forSeed: s)?.name ?? "seed:\(s)" } } catch {
                    throw Problem(.unprocessableContent, "not a compact egg string: \(error)", type: "urn:rar:problem:invalid-compact-string")
                }
            }
            // An organism carries a set of agents (soul.md + agents/); a rapplication is one agent as agent.py.
            let kindText = try body.string("kind") ?? "organism"
            guard let kind = EggPackKind(rawValue: kindText), kind == .organism || kind == .rapplication else {
                throw Problem(.badRequest, "kind must be organism or rapplication")
            }
            let list = try agents(named: names, snap: snap)
            if kind == .rapplication && list.count != 1 { throw Problem(.badRequest, "a rapplication egg holds exactly one agent; use kind organism for \(list.count)") }
            let dir = NSTemporaryDirectory() + "/rar-egg-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileManager.default.createDirectory(atPath: dir + "/agents", withIntermediateDirectories: true)
            var soul = "# Agents from \(HTTP.base(request, cfg))\n\n"
            for e in list {
                guard let file = e["_file"]?.stringValue, let src = snap.sources[file], let inst = e["_install_filename"]?.stringValue else { continue }
                let dest = kind == .rapplication ? dir + "/agent.py" : dir + "/agents/" + inst
                try Data(src).write(to: URL(fileURLWithPath: dest))
                soul += "- \(e["name"]?.stringValue ?? "")@\(e["version"]?.stringValue ?? "") (sha256 \(e["_sha256"]?.stringValue ?? ""))\n"
            }
            if kind == .organism { try Data(soul.utf8).write(to: URL(fileURLWithPath: dir + "/soul.md")) } else { try? FileManager.default.removeItem(atPath: dir + "/agents") }
            var o = EggPackOptions()
            o.mint = ("rar", "registry-bundle")
            o.signingKey = state.signingKey
            let result: EggPackResult
            do { result = try EggPacker.pack(kind: kind, source: dir, options: o) } catch {
                throw Problem(.unprocessableContent, "these agents do not make a valid \(kind.rawValue) egg: \(error)")
            }
            return HTTP.bytes(result.bytes, type: "application/zip",
                              headers: [.contentDisposition: "attachment; filename=\"\(kind.rawValue).egg\"", .cacheControl: "no-store"])
        }
    }
}
