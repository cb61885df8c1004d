import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RARCore

extension Routes {
    static func contentType(_ path: String) -> String {
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")), !path[dot...].contains("/") else { return "application/octet-stream" }
        switch path[path.index(after: dot)...] {
        case "json": return "application/json; charset=utf-8"
        case "html": return "text/html; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "py": return "text/x-python; charset=utf-8"
        case "png": return "image/png"
        default: return "application/octet-stream"
        }
    }

    /// A file of the live `rar build` output, with an ETag from its content.
    static func staticFile(_ rawPath: String, request: Request, state: ServerState) async throws -> Response {
        var path = HTTP.decoded(rawPath) ?? rawPath
        while path.hasPrefix("/") { path.removeFirst() }
        if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
        guard !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }), path.utf8.count <= 1024 else {
            throw Problem(.notFound, "no such file")
        }
        let snap = try await state.live.current()
        guard let file = snap.files[path] ?? snap.files[path + "/index.html"] else {
            // A GET to an API path that only takes other methods: 405, not a missing file.
            let allowed = state.routes.methods(for: "/" + path, ignoringCatchAll: true)
            if !allowed.isEmpty && !allowed.contains("GET") { throw Problem.methodNotAllowed("GET", allowed: allowed) }
            throw Problem(.notFound, "no such file: /\(path)")
        }
        var headers: HTTPFields = [.eTag: file.etag, .cacheControl: "public, max-age=0, must-revalidate"]
        if HTTP.notModified(request, etag: file.etag) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = contentType(path)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }

    static func registerStatic(_ router: Router<RARContext>, _ state: ServerState) {
        router.get("/registry.json.sig") { _, _ -> Response in
            let snap = try await state.live.current()
            let sig = try state.signingKey.sign(manifest: snap.build.registry)
            return HTTP.bytes(Array((sig + "\n").utf8), type: "application/jose; charset=utf-8", headers: [.cacheControl: "no-cache"])
        }
        router.get("/") { request, _ in try await staticFile("/index.html", request: request, state: state) }
        // The router does not backtrack, so every prefix that also has API routes gets its own catch-all.
        for prefix in ["/**", "/api/**", "/api/v1/**"] {
            router.get(RouterPath(prefix)) { request, _ in try await staticFile(request.uri.path, request: request, state: state) }
        }
    }
}
