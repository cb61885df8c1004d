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
    /// Page skeletons by shape (`renderByShape`).
    let shapes: ShapeMemo

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
        var templates: [[UInt8]] = []
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            if path.hasPrefix("templates/") && path.hasSuffix(".mustache") {
                let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
                templates.append(bytes)
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
        return CatalogSite(library: library, assets: assets, fingerprint: BuildSupport.sha256Hex(digest), shapes: ShapeMemo(templates: templates))
    }

    private static let cache = SiteCache()

    /// The site for `dir` (nil = embedded only); compiled once per process and directory
    /// (a caller that arrives while another compiles it waits for that one).
    static func load(_ dir: String?) throws -> CatalogSite {
        try cache.site(dir ?? "") {
            var files = embeddedFiles()
            if let dir { for (k, v) in try directoryFiles(dir) { files[k] = v } }
            return try build(files: files)
        }
    }

    func render(_ template: String, _ context: [String: Any]) throws -> [UInt8] {
        guard let s = library.render(TemplateScope.wrap(context), withTemplate: template) else { throw CatalogError.site("missing template \(template).mustache") }
        return Array(s.utf8)
    }

    /// What `render` gives, from one expansion per shape: pages whose values differ only in
    /// their strings and numbers (same keys, flags and list lengths) share a skeleton,
    /// expanded once with a numbered placeholder for each string, which each page fills.
    func renderByShape(_ template: String, _ context: [String: Any]) throws -> [UInt8] {
        guard shapes.enabled else { return try render(template, context) }
        var shape = Array(template.utf8) + [0]
        var leaves: [String] = []
        guard ShapeMemo.shape(context, key: &shape, leaves: &leaves) else { return try render(template, context) }
        let key = String(decoding: shape, as: UTF8.self)
        let skeleton: [UInt8]
        if let hit = shapes.get(key) {
            skeleton = hit
        } else {
            var next = 0
            skeleton = try render(template, ShapeMemo.abstract(context, next: &next) as! [String: Any])
            shapes.set(key, skeleton)
        }
        guard let page = ShapeMemo.fill(skeleton, leaves) else { return try render(template, context) }
        return page
    }
}

/// Skeletons of rendered pages by shape (see `CatalogSite.renderByShape`).
final class ShapeMemo: @unchecked Sendable {
    /// Off when a template could tell a placeholder from its value: a transform such as
    /// `{{uppercased(x)}}`, or a raw 0x01 byte (the placeholder's mark) in template text.
    let enabled: Bool
    private var skeletons: [String: [UInt8]] = [:]
    private let lock = NSLock()
    static let capacity = 4096

    init(templates: [[UInt8]]) {
        enabled = !templates.contains { t in
            t.contains(0x01) || ShapeMemo.hasTransform(t)
        }
    }

    /// A `(` inside a `{{…}}` tag.
    static func hasTransform(_ t: [UInt8]) -> Bool {
        var inTag = false
        for k in t.indices {
            if !inTag, t[k] == 0x7B, k + 1 < t.count, t[k + 1] == 0x7B { inTag = true } else if inTag, t[k] == 0x7D { inTag = false } else if inTag, t[k] == 0x28 { return true }
        }
        return false
    }

    func get(_ k: String) -> [UInt8]? { lock.withLock { skeletons[k] } }
    func set(_ k: String, _ v: [UInt8]) { lock.withLock { if skeletons.count < ShapeMemo.capacity { skeletons[k] = v } } }

    /// `\u{1}` index `&\u{2}`: the `&` shows whether the engine escaped it (`&amp;`).
    static func placeholder(_ i: Int) -> String { "\u{1}\(i)&\u{2}" }

    /// Appends `v`'s shape to `key` (flags, list lengths, dictionary keys in order; `s` for
    /// each string or number) and its strings and numbers to `leaves`. False for a value of
    /// any other type (rendered the ordinary way).
    static func shape(_ v: Any, key: inout [UInt8], leaves: inout [String]) -> Bool {
        switch v {
        case let s as String:
            key.append(0x73)
            leaves.append(s)
        case let d as [String: Any]:
            key.append(0x7B)
            for (k, x) in d.sorted(by: { $0.key < $1.key }) {
                // The name's length first (LEB128), so no two key sets read alike.
                var n = k.utf8.count
                while n >= 0x80 { key.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
                key.append(UInt8(n))
                key.append(contentsOf: k.utf8)
                guard shape(x, key: &key, leaves: &leaves) else { return false }
            }
            key.append(0x7D)
        case let a as [String]:
            key.append(0x5B)
            key.append(contentsOf: String(a.count).utf8)
            key.append(0x3A)
            for s in a { key.append(0x73); leaves.append(s) }
            key.append(0x5D)
        case let a as [Any]:
            key.append(0x5B)
            key.append(contentsOf: String(a.count).utf8)
            key.append(0x3A)
            for x in a { guard shape(x, key: &key, leaves: &leaves) else { return false } }
            key.append(0x5D)
        case let b as Bool:
            key.append(b ? 0x54 : 0x46)
        case let s as Substring:
            key.append(0x73)
            leaves.append(String(s))
        case let i as Int:
            key.append(0x73)
            leaves.append(String(i))
        default:
            return false
        }
        return true
    }

    /// `v` with its strings and numbers replaced by placeholders numbered from `next`, in the
    /// order `shape` lists them (only for a value `shape` accepted).
    static func abstract(_ v: Any, next: inout Int) -> Any {
        switch v {
        case is Bool:
            return v
        case is String, is Substring, is Int:
            next += 1
            return placeholder(next - 1)
        case let d as [String: Any]:
            var out: [String: Any] = [:]
            for (k, x) in d.sorted(by: { $0.key < $1.key }) { out[k] = abstract(x, next: &next) }
            return out
        case let a as [Any]:
            return a.map { abstract($0, next: &next) }
        default:
            return v
        }
    }

    /// The skeleton with each placeholder replaced by its leaf, escaped where the engine
    /// escaped it. Nil if a placeholder is malformed (the caller renders afresh).
    static func fill(_ skeleton: [UInt8], _ leaves: [String]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(skeleton.count + leaves.reduce(0) { $0 + $1.utf8.count })
        let ok = skeleton.withUnsafeBufferPointer { t -> Bool in
            let n = t.count
            guard let base = t.baseAddress else { return true }
            var i = 0
            while i < n {
                guard let hit = memchr(base + i, 0x01, n - i) else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: t[i...]))
                    return true
                }
                let mark = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: t[i..<mark]))
                var j = mark + 1, index = 0, digits = 0
                while j < n, t[j] >= 0x30, t[j] <= 0x39, digits < 9 {
                    index = index * 10 + Int(t[j] - 0x30)
                    j += 1
                    digits += 1
                }
                guard digits > 0, index < leaves.count else { return false }
                if j + 1 < n, t[j] == 0x26, t[j + 1] == 0x02 {
                    out.append(contentsOf: leaves[index].utf8)
                    i = j + 2
                } else if j + 5 < n, t[j] == 0x26, t[j + 1] == 0x61, t[j + 2] == 0x6D, t[j + 3] == 0x70, t[j + 4] == 0x3B, t[j + 5] == 0x02 {
                    for b in leaves[index].utf8 { HTMLEscape.append(b, to: &out) }
                    i = j + 6
                } else {
                    return false
                }
            }
            return true
        }
        return ok ? out : nil
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
    private final class Cell: @unchecked Sendable {
        let lock = NSLock()
        var site: CatalogSite?
    }
    private var cells: [String: Cell] = [:]
    private let lock = NSLock()

    /// The cached site for `key`, or the one `make` compiles (a failure is not kept).
    func site(_ key: String, make: () throws -> CatalogSite) throws -> CatalogSite {
        lock.lock()
        let cell = cells[key] ?? Cell()
        cells[key] = cell
        lock.unlock()
        cell.lock.lock()
        defer { cell.lock.unlock() }
        if let site = cell.site { return site }
        let site = try make()
        cell.site = site
        return site
    }
}

public enum CatalogError: Error, CustomStringConvertible {
    case site(String)
    public var description: String { switch self { case .site(let m): return m } }
}
