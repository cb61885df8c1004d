import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import RARCore

/// An RFC 7807 problem: every error the API returns has this shape (`application/problem+json`).
public struct Problem: Error, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// Extra members (e.g. `diagnostics`, `suggestions`).
    public var extra: [(String, JSONValue)] = []
    public var headers: HTTPFields = [:]
    /// A more specific `type` than the status's default.
    var typeOverride: String?

    public init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil, type: String? = nil, extra: [(String, JSONValue)] = []) {
        self.status = status
        self.detail = detail
        self.title = title ?? status.reasonPhrase
        self.typeOverride = type
        self.extra = extra
    }

    /// The `type` URI: a stable slug per status (or the override), documented in openapi.yaml.
    var type: String {
        if let t = typeOverride { return t }
        switch status.code {
        case 400: return "urn:rar:problem:bad-request"
        case 401: return "urn:rar:problem:unauthorized"
        case 403: return "urn:rar:problem:forbidden"
        case 404: return "urn:rar:problem:not-found"
        case 405: return "urn:rar:problem:method-not-allowed"
        case 409: return "urn:rar:problem:conflict"
        case 410: return "urn:rar:problem:gone"
        case 413: return "urn:rar:problem:too-large"
        case 422: return "urn:rar:problem:invalid-agent"
        case 429: return "urn:rar:problem:rate-limited"
        case 503: return "urn:rar:problem:unavailable"
        default: return "about:blank"
        }
    }

    public var json: JSONValue {
        .object([("type", .string(type)), ("title", .string(title)), ("status", .int(Int(status.code))), ("detail", .string(detail))] + extra)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var h = headers
        h[.contentType] = "application/problem+json"
        h[.cacheControl] = "no-store"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: json.serialized(.compact) + "\n")))
    }

    /// 405 with the `Allow` header.
    static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        var p = Problem(.methodNotAllowed, "\(method) is not supported here; use \(allowed.joined(separator: ", "))")
        p.headers[.allow] = allowed.joined(separator: ", ")
        return p
    }

    static func from(_ e: StoreError) -> Problem {
        switch e {
        case .conflict(let m): return Problem(.conflict, m)
        case .notFound(let m): return Problem(.notFound, m)
        case .forbidden(let m): return Problem(.forbidden, m)
        case .invalid(let m): return Problem(.badRequest, m)
        case .unavailable(let m):
            var p = Problem(.serviceUnavailable, m)
            p.headers[.retryAfter] = "5"
            return p
        }
    }
}

/// The routes' path templates and methods, for `405 Method Not Allowed` with `Allow`.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(segments: [String], method: String)]>([])

    func load(_ list: [(path: String, method: String)]) {
        routes.withLockedValue { $0 = list.map { (segments: $0.path.split(separator: "/").map(String.init), method: $0.method) } }
    }

    /// Methods some route accepts for `path` (optionally not counting the `**` catch-alls).
    func methods(for path: String, ignoringCatchAll: Bool = false) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        func match(_ t: [String], _ p: ArraySlice<String>) -> Bool {
            guard let head = t.first else { return p.isEmpty }
            if head == "**" { return true }
            guard let first = p.first else { return false }
            let wild = head.hasPrefix(":") || head.hasPrefix("{") || head == "*"
            return (wild || head == first) && match(Array(t.dropFirst()), p.dropFirst())
        }
        let found = routes.withLockedValue { r in
            r.filter { !(ignoringCatchAll && $0.segments.last == "**") && match($0.segments, parts[...]) }.map(\.method)
        }
        var set = Set(found)
        if set.contains("GET") { set.insert("HEAD") }
        return set.sorted()
    }
}

/// Turns every error into problem+json: store errors by kind, Hummingbird's own errors by status,
/// anything else into a 500 whose detail does not leak internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            try URLCheck.check(request)
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            // The router found no route for this method: 405 when another method has one.
            let specific = table.methods(for: request.uri.path, ignoringCatchAll: true)
            let allowed = specific.isEmpty ? table.methods(for: request.uri.path) : specific
            if !allowed.isEmpty && !allowed.contains(request.method.rawValue) {
                return try Problem.methodNotAllowed(request.method.rawValue, allowed: allowed).response(from: request, context: context)
            }
            return try Problem(.notFound, "no such resource: \(request.uri.path)").response(from: request, context: context)
        } catch let p as Problem {
            return try p.response(from: request, context: context)
        } catch let e as StoreError {
            return try Problem.from(e).response(from: request, context: context)
        } catch let e as HTTPError {
            var p = Problem(e.status, e.body ?? e.status.reasonPhrase)
            if e.status == .contentTooLarge { p.detail = "the request body is larger than this endpoint accepts" }
            return try p.response(from: request, context: context)
        } catch let e as HTTPParserError {
            // The client sent a broken request or went away mid-body: its fault, not a server error.
            context.logger.debug("bad or truncated request: \(e)")
            return try Problem(.badRequest, "the request was malformed or ended early").response(from: request, context: context)
        } catch let e as any HTTPResponseError {
            return try Problem(e.status, e.status.reasonPhrase).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error: \(error)")
            return try Problem(.internalServerError, "internal error; the request was not completed").response(from: request, context: context)
        }
    }
}
