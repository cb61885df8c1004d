import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RARCore

/// An RFC 7807 problem: every error the API returns has this shape (`application/problem+json`).
public struct Problem: Error, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// Extra members (e.g. `diagnostics`, `suggestions`).
    public var extra: [(String, JSONValue)] = []
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil, extra: [(String, JSONValue)] = []) {
        self.status = status
        self.detail = detail
        self.title = title ?? status.reasonPhrase
        self.extra = extra
    }

    /// The `type` URI: a stable slug per status, documented in openapi.yaml.
    var type: String {
        switch status.code {
        case 400: return "urn:rar:problem:bad-request"
        case 401: return "urn:rar:problem:unauthorized"
        case 403: return "urn:rar:problem:forbidden"
        case 404: return "urn:rar:problem:not-found"
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

/// Turns every error into problem+json: store errors by kind, Hummingbird's own errors by status,
/// anything else into a 500 whose detail does not leak internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let p as Problem {
            return try p.response(from: request, context: context)
        } catch let e as StoreError {
            return try Problem.from(e).response(from: request, context: context)
        } catch let e as HTTPError {
            var p = Problem(e.status, e.body ?? e.status.reasonPhrase)
            if e.status == .contentTooLarge { p.detail = "the request body is larger than this endpoint accepts" }
            return try p.response(from: request, context: context)
        } catch let e as any HTTPResponseError {
            return try Problem(e.status, e.status.reasonPhrase).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error: \(error)")
            return try Problem(.internalServerError, "internal error; the request was not completed").response(from: request, context: context)
        }
    }
}
