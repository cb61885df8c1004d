import Foundation
import Mustache

/// The catalog's templates (compiled) and static assets: the copies embedded in the binary
/// (SiteAssets, generated from site/), overlaid by a directory's `templates/` and `assets/`.
struct CatalogSite: Sendable {
    let library: MustacheLibrary
    /// Asset path relative to `assets/` → bytes.
    let assets: [(name: String, bytes: [UInt8])]
    /// A digest of every template and asset (part of the key of memoized pages).
    let fingerprint: String

    /// Embedded files as (path relative to site/, bytes).
    static func embeddedFiles() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (k, v) in SiteAssets.text { out[k] = Array(v.utf8) }
        for (k, v) in SiteAssets.base64 { out[k] = Data(base64Encoded: v).map { [UInt8]($0) } ?? [] }
        return out
    }

    /// Files under `dir/templates` and `dir/assets`, keyed like the embedded ones.
    static func directoryFiles(_ dir: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CatalogError.site("\(dir): not a directory")
        }
        var found = false
        for sub in ["templates", "assets"] {
            let base = dir + "/" + sub
            guard fm.fileExists(atPath: base, isDirectory: &isDir), isDir.boolValue else { continue }
            found = true
            guard let e = fm.enumerator(atPath: base) else { continue }
            while let rel = e.nextObject() as? String {
                let full = base + "/" + rel
                guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
                if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                guard let data = fm.contents(atPath: full) else { throw CatalogError.site("cannot read \(full)") }
                out[sub + "/" + rel] = [UInt8](data)
            }
        }
        guard found else { throw CatalogError.site("\(dir): needs a templates/ or assets/ directory") }
        return out
    }

    /// Every template escapes `{{x}}` with `HTMLEscape` (quotes included); a pragma selects it,
    /// prepended here so override templates get it too.
    static let contentType: String = {
        MustacheContentTypes.register(ByteHTMLContentType(), named: "RAR_HTML")
        return "{{% CONTENT_TYPE: RAR_HTML}}"
    }()

    static func build(files: [String: [UInt8]]) throws -> CatalogSite {
        var library = MustacheLibrary()
        var assets: [(String, [UInt8])] = []
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            if path.hasPrefix("templates/") && path.hasSuffix(".mustache") {
                let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
                do { try library.register(contentType + String(decoding: bytes, as: UTF8.self), named: name) } catch let e as MustacheTemplate.ParserError {
                    throw CatalogError.site("template \(path), line \(e.context.lineNumber): \(e.error)")
                } catch {
                    throw CatalogError.site("template \(path): \(error)")
                }
            } else if path.hasPrefix("assets/") {
                assets.append((String(path.dropFirst("assets/".count)), bytes))
            }
        }
        for needed in ["base", "index", "agent", "listing", "resolve", "account", "agent-row", "pagination", "incantation-box", "signin"]
        where library.getTemplate(named: needed) == nil {
            throw CatalogError.site("missing template \(needed).mustache")
        }
        var digest: [UInt8] = []
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            digest += Array(path.utf8) + [0] + Array(String(bytes.count).utf8) + [0] + bytes
        }
        return CatalogSite(library: library, assets: assets, fingerprint: BuildSupport.sha256Hex(digest))
    }

    private static let cache = SiteCache()

    /// The site for `dir` (nil = embedded only); compiled once per process and directory.
    static func load(_ dir: String?) throws -> CatalogSite {
        let key = dir ?? ""
        if let hit = cache.get(key) { return hit }
        var files = embeddedFiles()
        if let dir { for (k, v) in try directoryFiles(dir) { files[k] = v } }
        let site = try build(files: files)
        cache.set(key, site)
        return site
    }

    func render(_ template: String, _ context: [String: Any]) throws -> [UInt8] {
        guard let s = library.render(TemplateScope.wrap(context), withTemplate: template) else { throw CatalogError.site("missing template \(template).mustache") }
        return Array(s.utf8)
    }
}

/// Template values in a form the engine resolves with fewer dynamic casts: a plain
/// `[String: Any]` pays for a conditional-conformance check at every lookup and a chain of
/// failed casts (then `String(describing:)`) for every string it prints.
struct TemplateScope: MustacheParent {
    let values: [String: Any]
    init(_ values: [String: Any]) { self.values = values }
    func child(named name: String) -> Any? { values[name] }

    /// A string; as a section's context it has no children (the engine would otherwise
    /// reflect on it with Mirror for every name looked up inside the section).
    struct Text: MustacheCustomRenderable, MustacheParent {
        let renderText: String
        var isNull: Bool { false }
        func child(named: String) -> Any? { nil }
    }

    static func wrap(_ v: Any) -> Any {
        switch v {
        case let s as String: return Text(renderText: s)
        case let d as [String: Any]: return TemplateScope(d.mapValues(wrap))
        case let a as [Any]: return a.map(wrap)
        default: return v
        }
    }
}

/// HTML escaping over UTF-8 bytes (the library's own escaper works per Character).
struct ByteHTMLContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { HTMLEscape.escape(text) }
}

private final class SiteCache: @unchecked Sendable {
    private var sites: [String: CatalogSite] = [:]
    private let lock = NSLock()
    func get(_ k: String) -> CatalogSite? { lock.lock(); defer { lock.unlock() }; return sites[k] }
    func set(_ k: String, _ v: CatalogSite) { lock.lock(); sites[k] = v; lock.unlock() }
}

public enum CatalogError: Error, CustomStringConvertible {
    case site(String)
    public var description: String { switch self { case .site(let m): return m } }
}
