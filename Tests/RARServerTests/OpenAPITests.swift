import Foundation
@testable import RARServer
import Testing

@Suite("server: OpenAPI document")
struct OpenAPITests {
    @Test func embeddedDocumentMatchesSchemasFile() throws {
        let file = try String(contentsOf: TestServer.projectRoot.appendingPathComponent("schemas/openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == file || OpenAPIDocument.yaml == file,
                "Sources/RARServer/OpenAPIDocument.swift is stale: run python3 schemas/embed_openapi.py")
    }

    /// Every route the server registers is documented (and every documented path is served).
    @Test func everyRouteIsDocumented() async throws {
        let s = try await TestServer.start(seed: false)
        defer { Task { await s.stop() } }
        let spec = OpenAPIDocument.yaml
        var documented = Set<String>()
        for line in spec.split(separator: "\n") where line.hasPrefix("  /") && line.hasSuffix(":") {
            documented.insert(String(line.dropFirst(2).dropLast()))
        }
        for path in ["/api/v1/search", "/api/v1/resolve", "/api/v1/publish", "/api/v1/whoami", "/api/v1/tokens", "/api/v1/audit",
                     "/api/v1/agents/{publisher}/{slug}", "/api/v1/agents/{publisher}/{slug}/versions/{version}",
                     "/api/v1/agents/{publisher}/{slug}/versions/{version}/source", "/api/v1/eggs/forge", "/api/v1/keys",
                     "/registry.json", "/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
            #expect(documented.contains(path), "\(path) is not in openapi.yaml")
        }
        for path in documented where !path.contains("{") {
            let r = try await s.get(path)
            #expect(r.status != 404, "\(path) documented but 404")
        }
    }
}
