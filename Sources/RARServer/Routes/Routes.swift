import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RARCore

/// Small helpers shared by the route groups.
enum HTTP {
    static func json(_ v: JSONValue, _ status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        if h[.cacheControl] == nil { h[.cacheControl] = "no-cache" }
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: v.serialized(.pretty) + "\n")))
    }

    static func bytes(_ b: [UInt8], type: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = type
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: b)))
    }

    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let len = request.headers[.contentLength].flatMap({ Int($0) }), len > limit {
            throw Problem(.contentTooLarge, "the request body is \(len) bytes; the limit is \(limit)")
        }
        var req = request
        do {
            let buf = try await req.collectBody(upTo: limit)
            return Array(buf.readableBytesView)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw Problem(.contentTooLarge, "the request body is larger than \(limit) bytes")
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
    }

    /// A JSON object body (empty body = `{}`).
    static func jsonObject(_ request: Request, limit: Int) async throws -> JSONValue {
        let b = try await body(request, limit: limit)
        if b.isEmpty { return .object([]) }
        let v: JSONValue
        do { v = try JSONParser(rejectDuplicateKeys: true).parse(bytes: b) } catch {
            throw Problem(.badRequest, "the body is not valid JSON: \(error)")
        }
        guard case .object = v else { throw Problem(.badRequest, "the body must be a JSON object") }
        return v
    }

    /// A JSON object body with typed members: a member of the wrong type is a 400, never ignored.
    /// Members outside `allowed` are a 400, so a misspelt member never passes silently.
    static func fields(_ request: Request, limit: Int, allowed: Set<String>) async throws -> Fields {
        let v = try await jsonObject(request, limit: limit)
        if let unknown = v.objectValue?.map(\.0).first(where: { !allowed.contains($0) }) {
            throw Problem(.badRequest, "unknown member '\(unknown)'; this endpoint takes \(allowed.sorted().joined(separator: ", "))")
        }
        return Fields(value: v)
    }

    struct Fields {
        let value: JSONValue
        /// The member, when given; an explicit null is a type error like any other.
        func present(_ k: String) -> JSONValue? { value[k] }
        func string(_ k: String) throws -> String? {
            guard let v = present(k) else { return nil }
            guard let s = v.stringValue else { throw Problem(.badRequest, "'\(k)' must be a string") }
            return s
        }
        /// A human-readable text: no control characters, at most `max` characters.
        func text(_ k: String, max: Int) throws -> String? {
            guard let s = try string(k) else { return nil }
            guard s.count <= max else { throw Problem(.badRequest, "'\(k)' is longer than \(max) characters") }
            guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Problem(.badRequest, "'\(k)' may not contain control characters")
            }
            return s
        }
        func bool(_ k: String) throws -> Bool? {
            guard let v = present(k) else { return nil }
            guard case .bool(let b) = v else { throw Problem(.badRequest, "'\(k)' must be true or false") }
            return b
        }
        func int(_ k: String) throws -> Int? {
            guard let v = present(k) else { return nil }
            switch v {
            case .int(let i): return i
            case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
            default: throw Problem(.badRequest, "'\(k)' must be an integer")
            }
        }
        func strings(_ k: String, max: Int = 256) throws -> [String]? {
            guard let v = present(k) else { return nil }
            guard let items = v.arrayValue, items.count <= max else { throw Problem(.badRequest, "'\(k)' must be an array of at most \(max) strings") }
            return try items.map { i in
                guard let s = i.stringValue else { throw Problem(.badRequest, "'\(k)' must contain only strings") }
                return s
            }
        }
    }

    /// Integer query parameter: absent → nil, malformed → 400.
    static func intQuery(_ request: Request, _ key: String, clamp: Bool = true) throws -> Int? {
        guard let s = query(request, key) else { return nil }
        if let n = Int(s) { return n }
        // Integers beyond 64 bits are still integers: clamp them.
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        guard clamp, !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw Problem(.badRequest, "'\(key)' must be a 64-bit integer") }
        return s.hasPrefix("-") ? Int.min : Int.max
    }

    /// `If-None-Match` against an ETag: lists, weak validators and `*`.
    static func notModified(_ request: Request, etag: String) -> Bool {
        guard let h = request.headers[.ifNoneMatch] else { return false }
        return h.split(separator: ",").contains { part in
            var t = part.trimmingCharacters(in: .whitespaces)
            if t == "*" { return true }
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t == etag
        }
    }

    static func query(_ request: Request, _ key: String) -> String? {
        request.uri.queryParameters.get(key)
    }

    static func param(_ context: RARContext, _ key: String) throws -> String {
        guard let raw = context.parameters.get(key), let v = decoded(raw) else { throw Problem(.badRequest, "missing \(key)") }
        return v
    }

    /// Percent-decoded (nil when invalid); most paths have nothing to decode.
    static func decoded(_ s: String) -> String? {
        s.utf8.contains(UInt8(ascii: "%")) ? s.removingPercentEncoding : s
    }

    /// `@publisher/slug` from the path, checked.
    static func agentName(_ context: RARContext) throws -> String {
        let ns = Names.namespace(fromSegment: try param(context, "publisher"))
        let slug = try param(context, "slug")
        let name = ns + "/" + slug
        guard Names.split(name) != nil else { throw Problem(.notFound, "'\(name)' is not a valid agent name") }
        return name
    }

    static func version(_ context: RARContext) throws -> String {
        let v = try param(context, "version")
        guard SemVer(v) != nil else { throw Problem(.notFound, "'\(v)' is not a semantic version") }
        return v
    }

    /// The base URL for absolute links: configured, else from the Host header.
    static func base(_ request: Request, _ config: ServerConfig) -> String {
        if let u = config.publicURL { return u.hasSuffix("/") ? String(u.dropLast()) : u }
        let host = request.head.authority ?? "\(config.host):\(config.port)"
        return "http://" + host
    }

    static func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}

enum Routes {
    static func register(on router: Router<RARContext>, state: ServerState) {
        registerOps(router, state)
        registerAgents(router, state)
        registerAccounts(router, state)
        registerDiscovery(router, state)
        registerStatic(router, state)
    }

    /// Rate-limit `action` for the principal (or the client address).
    static func limit(_ state: ServerState, _ action: String, _ principal: Principal?, _ context: RARContext) async throws {
        let key = principal?.token.id ?? context.remoteAddress?.ipAddress ?? "anonymous"
        if let wait = await state.limiter.retryAfter(action: action, key: key) {
            state.metrics.event("rate_limited")
            var p = Problem(.tooManyRequests, "rate limit for \(action) reached; retry in \(wait) s")
            p.headers[.retryAfter] = String(wait)
            throw p
        }
    }

    // MARK: health, metrics, OpenAPI

    static func registerOps(_ router: Router<RARContext>, _ state: ServerState) {
        router.get("/healthz") { _, _ in HTTP.bytes(Array("ok\n".utf8), type: "text/plain; charset=utf-8") }
        router.get("/readyz") { _, _ -> Response in
            do {
                _ = try await state.store.generation()
            } catch {
                throw Problem(.serviceUnavailable, "the database is not reachable")
            }
            // Not ready until search can answer (the index loads once, at start).
            guard await state.search.ready(within: .seconds(2)) else { throw Problem(.serviceUnavailable, "the search index is still loading") }
            return HTTP.bytes(Array("ready\n".utf8), type: "text/plain; charset=utf-8")
        }
        router.get("/metrics") { _, _ -> Response in
            let snap = try? await state.live.current()
            let text = state.metrics.render(extra: [("rar_agents", "Agents with a live version.", Double(snap?.agents.count ?? 0))])
            return HTTP.bytes(Array(text.utf8), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.yaml") { _, _ in
            HTTP.bytes(Array(OpenAPIDocument.yaml.utf8), type: "application/yaml; charset=utf-8", headers: [.cacheControl: "public, max-age=300"])
        }
    }
}
