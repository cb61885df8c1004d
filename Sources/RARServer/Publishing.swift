import Foundation
import RARCore

/// Publish-time checks: exactly the rules of `rar validate`, then the registry build's own
/// checks on the single file (seed, swarm and stub rules). Never runs the agent.
enum Publishing {
    struct Prepared: Sendable {
        var name: String
        var version: String
        var bytes: [UInt8]
        var sha256: String
        var rawSHA256: String
        var entry: JSONValue
        var document: SearchDocument
        var declaredTier: String
        var warnings: [Diagnostic]

        func newVersion(actor: String, tier: String, createNamespace: Bool) -> NewVersion {
            NewVersion(name: name, version: version, source: bytes, sha256: sha256, rawSHA256: rawSHA256, document: document,
                       initialTier: tier, actor: actor, createNamespace: createNamespace)
        }
    }

    static func invalid(_ detail: String, _ diags: [Diagnostic]) -> Problem {
        Problem(.unprocessableContent, detail, title: "Invalid agent", extra: [("diagnostics", .array(diags.map(\.json)))])
    }

    /// Check an uploaded file. `fileName` is used in diagnostics; nil derives it from the manifest's slug.
    static func prepare(bytes: [UInt8], fileName: String?, limit: Int) throws(Problem) -> Prepared {
        guard bytes.count <= limit else {
            throw Problem(.contentTooLarge, "the agent file is \(bytes.count) bytes; the limit is \(limit)")
        }
        guard !bytes.isEmpty else { throw Problem(.badRequest, "the request body is empty; send the agent's .py file") }
        var path = fileName ?? "upload_agent.py"
        var file = AgentFile(path: path, bytes: bytes, sizeLimit: limit)
        if fileName == nil, let n = file.manifest.value?.get("name")?.string, let (_, slug) = Names.split(n) {
            path = Scaffold.fileName(slug: slug)
            file = AgentFile(path: path, bytes: bytes, sizeLimit: limit)
        }
        let report = Validator(sizeLimit: limit).validate(file, displayPath: path)
        let errors = report.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw invalid("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(path): \(errors[0].location) \(errors[0].rule) \(errors[0].message)", report.diagnostics)
        }
        guard let name = report.manifest?.get("name")?.string, let version = report.manifest?.get("version")?.string else {
            throw invalid("__manifest__ needs a string name and version", report.diagnostics)
        }
        guard let (publisher, slug) = Names.split(name) else {
            throw invalid("'\(name)' is not @publisher/slug with letters, digits, '-', '_' or '.'", report.diagnostics)
        }
        guard !slug.hasSuffix(".json") else { throw invalid("a slug may not end in .json", report.diagnostics) }
        guard SemVer(version) != nil else { throw invalid("version '\(version)' is not a semantic version (MAJOR.MINOR.PATCH)", report.diagnostics) }

        // The registry build's view of the same file, alone in a tree.
        var opt = BuildOptions(root: "/nonexistent")
        let rel = "agents/\(publisher)/\(Scaffold.fileName(slug: slug))"
        opt.tree = [rel: bytes]
        opt.keepGoing = true
        opt.sizeLimit = limit
        let build: RegistryBuild
        do { build = try RegistryBuilder.build(opt) } catch { throw Problem(.internalServerError, "registry build failed: \(error)") }
        if let r = build.rejected.first {
            throw invalid("the registry build refuses \(path): \(r.diagnostics.first?.message ?? "rejected")", r.diagnostics)
        }
        guard let entry = build.agents.first(where: { $0["name"]?.stringValue == name }) else {
            let why = build.skipped.first?.reason ?? "not published by the registry build"
            throw invalid("\(path): \(why)", report.diagnostics)
        }
        let m = entry
        let doc = SearchDocument(
            displayName: m["display_name"]?.stringValue ?? "", description: m["description"]?.stringValue ?? "",
            tags: (m["tags"]?.arrayValue ?? []).compactMap(\.stringValue), docstring: file.docstring ?? "",
            category: m["category"]?.stringValue ?? "uncategorized", type: m["type"]?.stringValue ?? "agent")
        return Prepared(name: name, version: version, bytes: bytes, sha256: entry["_sha256"]?.stringValue ?? BuildSupport.lfHash(bytes).hex,
                        rawSHA256: BuildSupport.sha256Hex(bytes), entry: entry, document: doc,
                        declaredTier: m["quality_tier"]?.stringValue ?? "community",
                        warnings: report.diagnostics.filter { $0.severity == .warning })
    }
}
