import Foundation
import HTTPTypes
import Hummingbird
import RARCore

extension Routes {
    static func tokenJSON(_ t: TokenRecord) -> JSONValue {
        .object([("id", .string(t.id)), ("user", .string(t.userName)), ("scopes", .array(t.scopes.map(\.rawValue).sorted().map { .string($0) })),
                 ("label", .string(t.label)), ("created_at", .string(t.createdAt)), ("expires_at", HTTP.str(t.expiresAt)),
                 ("revoked_at", HTTP.str(t.revokedAt)), ("last_used_at", HTTP.str(t.lastUsedAt))])
    }

    static func registerAccounts(_ router: Router<RARContext>, _ state: ServerState) {
        let cfg = state.config
        let store = state.store

        router.get("/api/v1/whoami") { request, _ -> Response in
            let p = try await state.auth.require(request, .read)
            return HTTP.json(.object([
                ("user", .string(p.user.name)), ("admin", .bool(p.isAdmin)),
                ("scopes", .array(p.token.scopes.map(\.rawValue).sorted().map { .string($0) })),
                ("token", .string(p.token.id)), ("expires_at", HTTP.str(p.token.expiresAt)),
                ("teams", .array(p.teams.map { .string($0) })),
                ("namespaces", .array(try await store.namespaces(ownedBy: p.user).map { .string($0) })),
            ]))
        }

        // MARK: tokens

        router.get("/api/v1/tokens") { request, _ -> Response in
            let p = try await state.auth.require(request, .read)
            return HTTP.json(.object([("tokens", .array(try await store.tokens(userID: p.user.id).map(tokenJSON)))]))
        }

        /// New token: for yourself with a subset of your scopes, or (admins) for any user.
        router.post("/api/v1/tokens") { request, context -> Response in
            let p = try await state.auth.require(request, .read)
            try await limit(state, "token", p, context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["user", "scopes", "expires_in_days", "label"])
            var target = p.user
            if let u = try body.string("user"), u != p.user.name {
                guard p.isAdmin else { throw Problem(.forbidden, "only admins create tokens for other users") }
                guard let other = try await store.user(named: u) else { throw Problem(.notFound, "no user named '\(u)'") }
                target = other
            }
            // Default: your own token's scopes for yourself; read, publish and yank for others.
            var scopes: Set<Scope> = target.id == p.user.id ? p.token.scopes : [.read, .publish, .yank]
            if let list = try body.strings("scopes") {
                scopes = []
                for name in list {
                    guard let sc = Scope(rawValue: name) else {
                        throw Problem(.badRequest, "unknown scope '\(name)'; scopes are \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    scopes.insert(sc)
                }
            }
            scopes.insert(.read)
            if scopes.contains(.admin) && !target.isAdmin { throw Problem(.forbidden, "\(target.name) is not an admin") }
            if target.id == p.user.id && !p.isAdmin && !scopes.isSubset(of: p.token.scopes) {
                throw Problem(.forbidden, "a token cannot grant scopes its creator lacks")
            }
            let days = try body.int("expires_in_days") ?? 90
            guard (1...366).contains(days) else { throw Problem(.badRequest, "expires_in_days must be 1–366") }
            let label = try body.text("label", max: 100) ?? ""
            let (secret, id) = Tokens.mint()
            let rec = TokenRecord(id: id, userID: target.id, userName: target.name, scopes: scopes, label: label,
                                  createdAt: Clock.stamp(Date()), expiresAt: Clock.stamp(Date().addingTimeInterval(Double(days) * 86400)))
            try await store.createToken(rec, hash: Tokens.hash(secret), actor: p.user.name)
            guard case .object(var pairs) = tokenJSON(rec) else { fatalError() }
            pairs.insert(("token", .string(secret)), at: 0)
            pairs.append(("note", "the token is shown once; store it now"))
            return HTTP.json(.object(pairs), .created)
        }

        router.delete("/api/v1/tokens/:id") { request, context -> Response in
            let p = try await state.auth.require(request, .read)
            let id = try HTTP.param(context, "id")
            try await store.revokeToken(id: id, by: p.isAdmin ? p.user : UserRecord(id: p.user.id, name: p.user.name, isAdmin: false, createdAt: p.user.createdAt))
            return HTTP.json(.object([("id", .string(id)), ("revoked", true)]))
        }

        // MARK: admin: users, teams, namespaces, audit

        @Sendable func admin(_ request: Request, _ context: RARContext) async throws -> Principal {
            let p = try await state.auth.require(request, .admin)
            try await limit(state, "admin", p, context)
            return p
        }

        router.post("/api/v1/admin/users") { request, context -> Response in
            let p = try await admin(request, context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["name", "admin"])
            guard let name = try body.string("name") else { throw Problem(.badRequest, "give the user's name") }
            let u = try await store.createUser(name: name, admin: try body.bool("admin") ?? false, actor: p.user.name)
            return HTTP.json(.object([("name", .string(u.name)), ("admin", .bool(u.isAdmin)), ("created_at", .string(u.createdAt))]), .created)
        }

        router.get("/api/v1/admin/users") { request, context -> Response in
            _ = try await admin(request, context)
            return HTTP.json(.object([("users", .array(try await store.users().map {
                .object([("name", .string($0.name)), ("admin", .bool($0.isAdmin)), ("created_at", .string($0.createdAt))])
            }))]))
        }

        router.post("/api/v1/admin/teams") { request, context -> Response in
            let p = try await admin(request, context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["name", "members"])
            guard let name = try body.string("name") else { throw Problem(.badRequest, "give the team's name") }
            let members = try body.strings("members") ?? []
            try await store.createTeam(name: name, members: members, actor: p.user.name)
            return HTTP.json(.object([("name", .string(name)), ("members", .array(members.map { .string($0) }))]), .created)
        }

        router.post("/api/v1/admin/teams/:team/members") { request, context -> Response in
            let p = try await admin(request, context)
            let team = try HTTP.param(context, "team")
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["user"])
            guard let user = try body.string("user") else { throw Problem(.badRequest, "give the user to add") }
            try await store.addTeamMember(team: team, user: user, actor: p.user.name)
            return HTTP.json(.object([("team", .string(team)), ("user", .string(user))]))
        }

        router.post("/api/v1/admin/namespaces") { request, context -> Response in
            let p = try await admin(request, context)
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["name", "owner"])
            guard let raw = try body.string("name") else { throw Problem(.badRequest, "give the namespace name (@publisher)") }
            let ownerText = try body.string("owner") ?? p.user.name
            guard let owner = Owner(parsing: ownerText) else { throw Problem(.badRequest, "owner must be a user name or team:NAME") }
            let ns = try await store.createNamespace(Names.namespace(fromSegment: raw), owner: owner, actor: p.user.name)
            return HTTP.json(.object([("name", .string(ns.name)), ("owner", .string(ns.owner.description))]), .created)
        }

        router.post("/api/v1/admin/namespaces/:namespace/transfer") { request, context -> Response in
            let p = try await admin(request, context)
            let ns = Names.namespace(fromSegment: try HTTP.param(context, "namespace"))
            let body = try await HTTP.fields(request, limit: cfg.maxJSONBytes, allowed: ["owner"])
            guard let o = try body.string("owner"), let owner = Owner(parsing: o) else { throw Problem(.badRequest, "owner must be a user name or team:NAME") }
            try await store.transferNamespace(ns, to: owner, actor: p.user.name)
            return HTTP.json(.object([("name", .string(ns)), ("owner", .string(owner.description))]))
        }

        router.get("/api/v1/namespaces/:namespace") { _, context -> Response in
            let ns = Names.namespace(fromSegment: try HTTP.param(context, "namespace"))
            guard let rec = try await store.namespace(ns) else { throw Problem(.notFound, "no namespace \(ns)") }
            var q = SearchQuery()
            q.publisher = ns
            q.perPage = 100
            let agents = try await state.search.search(q)
            return HTTP.json(.object([("name", .string(rec.name)), ("owner", .string(rec.owner.description)), ("created_at", .string(rec.createdAt)),
                                      ("agents", .array(agents.hits.map { .string($0.name) }))]))
        }

        router.get("/api/v1/audit") { request, context -> Response in
            _ = try await admin(request, context)
            let after = Int64(try HTTP.intQuery(request, "after", clamp: false) ?? 0)
            let lim = min(max(try HTTP.intQuery(request, "limit") ?? 100, 1), 1000)
            let events = try await store.audit(after: after, limit: lim)
            return HTTP.json(.object([
                ("events", .array(events.map { e in
                    .object([("id", .int(Int(e.id))), ("at", .string(e.at)), ("actor", .string(e.actor)), ("action", .string(e.action)),
                             ("target", .string(e.target)), ("detail", e.detail)])
                })),
                ("next", events.last.map { .int(Int($0.id)) } ?? .null),
            ]))
        }
    }
}
