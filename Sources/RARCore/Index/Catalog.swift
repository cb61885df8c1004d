import Foundation

/// How the HTML catalog is rendered.
public struct CatalogOptions: Sendable {
    /// Live mode (`rar serve`): sign-in box, namespaces, publish form and owner tools, all
    /// talking to the same-origin JSON API. Static mode has none of them.
    public var live = false
    /// A directory whose `templates/` and `assets/` override the embedded ones, file by file.
    public var siteDir: String?
    public var title = "RAR registry"
    /// Agents per page in the plain-HTML listing of the index (search shows everything).
    public var pageSize = 100
    /// Shown in the footer ("built …"); nil = nothing.
    public var generated: String?
    /// Agent pages of earlier renders, reused while their inputs are unchanged.
    public var memo: RenderMemo?
    /// Filled with where each agent landed, when set (a build keeps it for later patches).
    var layout: CatalogLayout?
    public init() {}
}

/// Where a catalog render put each agent: its page, the listing pages showing its row, its
/// record in `data.js`, and the front page's template (build time left as a placeholder).
final class CatalogLayout: @unchecked Sendable {
    var pagePaths: [String: String] = [:]
    /// Page numbers of the index, publisher and category listings showing each agent.
    var listings: [String: [Int]] = [:]
    var dataSpans: [String: Range<Int>] = [:]
    var front: [UInt8]?
    let placeholder = Catalog.Context.generatedPlaceholder
}

/// One published version, for the versions table.
public struct CatalogVersion: Sendable {
    public var version: String
    public var sha256: String?
    /// ISO 8601; the table shows the date part.
    public var publishedAt: String?
    public var yanked: Bool
    public var yankReason: String?
    public init(version: String, sha256: String? = nil, publishedAt: String? = nil, yanked: Bool = false, yankReason: String? = nil) {
        self.version = version; self.sha256 = sha256; self.publishedAt = publishedAt; self.yanked = yanked; self.yankReason = yankReason
    }
}

/// What the catalog knows about one agent: its registry.json entry (manifest keys plus the
/// build's `_` fields) and the file's bytes. A server builds this from the same two things.
public struct CatalogAgent: Sendable {
    /// A registry.json agent entry.
    public let entry: JSONValue
    /// The agent file as published (nil: no source view, docstring from `docstring` only).
    public var source: [UInt8]?
    /// sha256 of `source` as the build read it (nil: hashed when the page is keyed); `loadSource` reads a source left unread.
    var sourceDigest: String?
    var loadSource: (@Sendable () -> [UInt8]?)?
    /// The cleaned module docstring; nil = read it from `source`.
    public var docstring: String?
    /// Newest first. Empty = the entry's own version only.
    public var versions: [CatalogVersion] = []
    /// Deprecation message (nil = not deprecated).
    public var deprecated: String?
    /// Card image, relative to the site root (default `cards/<seed>.svg`; nil = none).
    public var cardPath: String?
    /// Raw file, relative to the site root (default the entry's `_file`; nil = no link).
    public var downloadPath: String?
    /// The agent page, relative to the site root (default `Catalog.agentPagePath(name)`).
    public var pagePath: String
    /// Safe docstring HTML rendered earlier (the build's facts); wins over `docstring`.
    var docstringHTML: String?
    let seed: CardSeed?
    /// `word-word-…` of the seed and of the earlier seeds.
    let incantation: String?
    let aliasIncantations: [String]

    public init(entry: JSONValue, source: [UInt8]? = nil) {
        self.entry = entry
        self.source = source
        let name = entry["name"]?.stringValue ?? ""
        seed = entry["_seed"].flatMap(BuildSupport.seedValue)
        if let seed { cardPath = "cards/\(seed).svg" }
        incantation = seed.flatMap(StaticAPI.incantationSlug)
        aliasIncantations = (entry["_seed_aliases"]?.arrayValue ?? []).compactMap(BuildSupport.seedValue).compactMap(StaticAPI.incantationSlug)
        downloadPath = entry["_file"]?.stringValue
        pagePath = Catalog.agentPagePath(name)
    }

    public var name: String { entry["name"]?.stringValue ?? "" }
    public var publisher: String { Catalog.split(name).publisher }
    public var slug: String { Catalog.split(name).slug }
    var displayName: String { nonEmpty(entry["display_name"]?.stringValue) ?? name }
    var descriptionText: String { entry["description"]?.stringValue ?? "" }
    var version: String { entry["version"]?.stringValue ?? "" }
    var category: String { nonEmpty(entry["category"]?.stringValue) ?? "uncategorized" }
    var tier: String { nonEmpty(entry["quality_tier"]?.stringValue) ?? "community" }
    var type: String { nonEmpty(entry["type"]?.stringValue) ?? "agent" }
    var tags: [String] { entry["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var sha256: String { entry["_sha256"]?.stringValue ?? entry["_stub_sha256"]?.stringValue ?? "" }
    var sortKey: String { displayName.lowercased() + "\u{0}" + name }
}

@inline(__always) func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }

/// The HTML catalog: an index with instant search and an incantation box, a page per agent,
/// per publisher and per category, a resolver page and (live mode) an account page. Every link
/// is relative, so the tree works from any URL prefix and from `file://`; search data comes
/// from `catalog/data.js` (a script, since browsers refuse to fetch file:// URLs).
public enum Catalog {
    /// Starts compiling the site's templates on another thread, so a build's analysis
    /// overlaps it; the build's own load then finds it ready (or waits for it).
    public static func preload(siteDir: String?) {
        _ = BackgroundJob { try CatalogSite.load(siteDir) }
    }

    public typealias File = (path: String, bytes: [UInt8])

    public static let resolvePagePath = "catalog/resolve.html"
    public static let accountPagePath = "catalog/account.html"
    public static let dataScriptPath = "catalog/data.js"
    public static let wordsScriptPath = "catalog/words.js"
    public static let assetsDir = "catalog/assets"

    // MARK: paths

    static func split(_ name: String) -> (publisher: String, slug: String) {
        guard let slash = name.firstIndex(of: "/") else { return (name, name) }
        return (String(name[..<slash]), String(name[name.index(after: slash)...]))
    }

    /// A path segment: `[A-Za-z0-9_.@-]`, everything else `_`; never empty, `.` or `..`.
    static func segment(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_" || u == "-" || u == "@" || u == "."
            out.unicodeScalars.append(ok ? u : "_")
        }
        return out.isEmpty || out.allSatisfy({ $0 == "." }) ? "_" : out
    }

    static func publisherSegment(_ publisher: String) -> String {
        let s = segment(publisher)
        return s.hasPrefix("@") ? s : "@" + s
    }

    /// `@pub/slug` → `catalog/@pub/slug.html` (a slug named `index` becomes `index.agent.html`,
    /// leaving `index.html` to the publisher page).
    public static func agentPagePath(_ name: String) -> String {
        let (p, s) = split(name)
        var file = segment(s)
        if file.lowercased() == "index" { file += ".agent" }
        return "catalog/\(publisherSegment(p))/\(file).html"
    }

    /// `@pub` → `catalog/@pub/index.html`; further pages `catalog/@pub/pages/N.html` (a
    /// directory, so no agent file can collide with them).
    public static func publisherPagePath(_ publisher: String, page: Int = 1) -> String {
        page <= 1 ? "catalog/\(publisherSegment(publisher))/index.html" : "catalog/\(publisherSegment(publisher))/pages/\(page).html"
    }

    /// `devtools` → `catalog/category/devtools.html`; further pages `catalog/category/devtools/N.html`.
    public static func categoryPagePath(_ category: String, page: Int = 1) -> String {
        page <= 1 ? "catalog/category/\(segment(category)).html" : "catalog/category/\(segment(category))/\(page).html"
    }

    /// The listing pages showing `agent` when it is on page `pages[0]` of the index, `pages[1]`
    /// of its publisher's listing and `pages[2]` of its category's.
    static func listingPaths(_ agent: CatalogAgent, pages: [Int]) -> [String] {
        guard pages.count == 3 else { return [] }
        return [indexPagePath(page: pages[0]), publisherPagePath(agent.publisher, page: pages[1]), categoryPagePath(agent.category, page: pages[2])]
    }

    /// Page 1 is `index.html`; page n is `catalog/page/n.html`.
    public static func indexPagePath(page: Int) -> String { page <= 1 ? "index.html" : "catalog/page/\(page).html" }

    /// `../` per directory level of `path`.
    static func root(for path: String) -> String {
        String(repeating: "../", count: path.utf8.reduce(0) { $0 + ($1 == 0x2F ? 1 : 0) })
    }

    // MARK: whole site

    /// Every catalog file for a build: `sources` maps `_file` → the file's bytes.
    public static func render(build: RegistryBuild, sources: [String: [UInt8]], options: CatalogOptions) throws -> [File] {
        try render(agents: agents(build: build, sources: sources), options: options)
    }

    /// Every catalog file for these agents (pages, data.js, words.js, assets).
    public static func render(agents: [CatalogAgent], options: CatalogOptions) throws -> [File] {
        let box = FileBox()
        try generate(agents: agents, options: options, units: nil) { path, bytes, _ in box.add((path, bytes)) }
        return box.files.sorted { $0.path < $1.path }
    }

    /// Catalog agents for a build's entries; docstrings come from the build's file facts.
    static func agents(build: RegistryBuild, sources: [String: [UInt8]]) -> [CatalogAgent] {
        var docs: [String: String] = [:]
        if build.docstringsRendered { for f in build.facts { docs[f.path] = f.docstringHTML ?? "" } }  // "" = no docstring
        return build.agents.map { e in
            let file = e["_file"]?.stringValue ?? ""
            var a = CatalogAgent(entry: e, source: sources[file])
            a.docstringHTML = docs[file]
            return a
        }
    }

    /// Directories `generate` writes into (relative, parents first).
    static func directories(agents: [CatalogAgent], pageSize: Int) -> [String] {
        var dirs: Set<String> = ["catalog", assetsDir, "catalog/page", "catalog/category"]
        for a in agents { dirs.insert(BuildSupport.parent(a.pagePath)) }
        var perPublisher: [String: Int] = [:], perCategory: [String: Int] = [:]
        for a in agents { perPublisher[a.publisher, default: 0] += 1; perCategory[a.category, default: 0] += 1 }
        for (p, n) in perPublisher {
            dirs.insert(BuildSupport.parent(publisherPagePath(p)))
            if n > pageSize { dirs.insert(BuildSupport.parent(publisherPagePath(p, page: 2))) }
        }
        for (c, n) in perCategory where n > pageSize { dirs.insert(BuildSupport.parent(categoryPagePath(c, page: 2))) }
        return dirs.sorted()
    }

    /// Render everything, calling `emit` (possibly from several threads at once) per file, with
    /// whether the file is a render unit (a page) rather than a shared file. Pages `units` holds
    /// unchanged from an earlier build are not rendered again; returns how many.
    /// Agent pages whose paths collide get `-2`, `-3`, … in name order.
    @discardableResult
    static func generate(agents input: [CatalogAgent], options: CatalogOptions, units: OutputUnits?,
                         emit: @escaping @Sendable (String, [UInt8], Bool) -> Void) throws -> Int {
        let site = try CatalogSite.load(options.siteDir)
        // Code-point order is UTF-8 byte order.
        var agents = BuildSupport.sorted(input) { Array($0.name.utf8) }
        var taken: Set<String> = []
        taken.reserveCapacity(agents.count * 2)
        for p in Set(agents.map(\.publisher)) { taken.insert(publisherPagePath(p).lowercased()) }
        for i in agents.indices {
            var path = agents[i].pagePath
            var n = 2
            while taken.contains(path.lowercased()) {
                path = String(agents[i].pagePath.dropLast(5)) + "-\(n).html"
                n += 1
            }
            taken.insert(path.lowercased())
            agents[i].pagePath = path
        }
        let ctx = Context(site: site, options: options, agents: agents, units: units)

        for (name, bytes) in site.assets where options.live || name != "live.js" { emit("\(assetsDir)/\(name)", bytes, false) }
        let (data, spans) = dataScriptWithSpans(agents: agents)
        emit(dataScriptPath, data, false)
        emit(wordsScriptPath, wordsScript(), false)
        // Where things went, for a later patch build: recorded beside the page jobs below.
        let layoutJob = options.layout.map { layout in
            BackgroundJob { [agents] () -> Void in
                layout.dataSpans.reserveCapacity(agents.count)
                layout.pagePaths.reserveCapacity(agents.count)
                layout.listings.reserveCapacity(agents.count)
                for (a, span) in zip(BuildSupport.sorted(agents) { Array($0.sortKey.utf8) }, spans) { layout.dataSpans[a.name] = span }
                for a in agents { layout.pagePaths[a.name] = a.pagePath }
                func note(_ rows: [Row]) {
                    for (i, r) in rows.enumerated() { layout.listings[r.name, default: []].append(i / ctx.pageSize + 1) }
                }
                note(ctx.sortedRows)
                for (_, members) in ctx.byPublisher { note(members) }
                for (_, members) in ctx.byCategory { note(members) }
            }
        }

        // Every page is a job (nil: unchanged, left in place); the jobs run in parallel and write as they finish.
        var jobs: [(String, () throws -> [UInt8]?)] = []
        jobs.append((resolvePagePath, { try ctx.resolvePage() }))
        if options.live { jobs.append((accountPagePath, { try ctx.accountPage() })) }
        for p in 1...ctx.pageCount(ctx.sortedRows.count) { jobs.append((indexPagePath(page: p), { try ctx.indexPage(page: p) })) }
        for (pub, members) in ctx.byPublisher {
            let facets = Context.facets(members, by: \.category, href: { categoryPagePath($0) })
            for p in 1...ctx.pageCount(members.count) { jobs.append((publisherPagePath(pub, page: p), { try ctx.publisherPage(pub, members, page: p, facets: facets) })) }
        }
        for (cat, members) in ctx.byCategory {
            let facets = Context.facets(members, by: \.publisher, href: { publisherPagePath($0) })
            for p in 1...ctx.pageCount(members.count) { jobs.append((categoryPagePath(cat, page: p), { try ctx.categoryPage(cat, members, page: p, facets: facets) })) }
        }
        for a in agents {
            guard options.memo != nil || units != nil else { jobs.append((a.pagePath, { try ctx.agentPage(a) })); continue }
            let id = "page:" + a.pagePath
            jobs.append((a.pagePath, {
                // An agent page reads only its agent, the site and these options (its key is
                // made in the job, on the job's core).
                let versions = a.versions.map { [$0.version, $0.sha256 ?? "", $0.publishedAt ?? "", $0.yanked ? "y" : "", $0.yankReason ?? ""].joined(separator: "\u{1}") }
                let digest = a.sourceDigest ?? a.source.map { BuildSupport.sha256Hex($0) } ?? ""
                let key = RenderMemo.key(["page", site.fingerprint, options.title, options.live ? "live" : "static", a.pagePath, a.cardPath ?? "", a.downloadPath ?? "",
                                          a.deprecated.map { "d" + $0 } ?? "", a.docstring ?? "\u{0}", digest,
                                          a.entry.serialized(.compact)] + versions)
                if units?.reuse(id, key: key) != nil { return nil }
                defer { units?.record(id, key: key, paths: [a.pagePath]) }
                if let hit = options.memo?.lookup(id, key: key) { return hit[0].1 }
                var a = a
                if a.source == nil, let load = a.loadSource {
                    guard let src = load() else { throw CatalogError.site("cannot read \(a.downloadPath ?? a.name)") }
                    a.source = src
                }
                let page = try ctx.agentPage(a)
                options.memo?.store(id, key: key, files: [(a.pagePath, page)])
                return page
            }))
        }
        let failures = FailureBox()
        let all = jobs
        let unchanged = ParallelMap.map(Array(all.indices)) { i -> Int in
            do {
                guard let page = try all[i].1() else { return 1 }
                // The front page changes every build (its build time): a plain file, not a unit.
                emit(all[i].0, page, all[i].0 != indexPagePath(page: 1) || options.generated == nil)
            } catch { failures.add("\(all[i].0): \(error)") }
            return 0
        }
        try layoutJob?.wait()
        if let bad = failures.first { throw CatalogError.site("cannot render \(bad)") }
        ExitReclaim.hold((ctx, all))
        return unchanged.reduce(0, +)
    }

    // MARK: single pages (for a server holding agents in a database)

    /// Page `page` of the index (1 = `index.html`, with search, filters and the incantation box).
    public static func indexPage(agents: [CatalogAgent], page: Int = 1, options: CatalogOptions) throws -> [UInt8] {
        try Context(site: CatalogSite.load(options.siteDir), options: options, agents: agents).indexPage(page: page).orThrow()
    }

    /// One agent's page.
    public static func agentPage(_ agent: CatalogAgent, options: CatalogOptions) throws -> [UInt8] {
        try Context(site: CatalogSite.load(options.siteDir), options: options, agents: []).agentPage(agent)
    }

    /// Page `page` of a publisher's listing (pass that publisher's agents; others are ignored).
    public static func publisherPage(_ publisher: String, agents: [CatalogAgent], page: Int = 1, options: CatalogOptions) throws -> [UInt8] {
        let ctx = try Context(site: CatalogSite.load(options.siteDir), options: options, agents: agents.filter { $0.publisher == publisher })
        return try ctx.publisherPage(publisher, ctx.sortedRows, page: page).orThrow()
    }

    /// Page `page` of a category's listing (pass that category's agents; others are ignored).
    public static func categoryPage(_ category: String, agents: [CatalogAgent], page: Int = 1, options: CatalogOptions) throws -> [UInt8] {
        let ctx = try Context(site: CatalogSite.load(options.siteDir), options: options, agents: agents.filter { $0.category == category })
        return try ctx.categoryPage(category, ctx.sortedRows, page: page).orThrow()
    }

    /// The incantation resolver (`catalog/resolve.html`); `agents` only supply an example.
    public static func resolvePage(agents: [CatalogAgent] = [], options: CatalogOptions) throws -> [UInt8] {
        try Context(site: CatalogSite.load(options.siteDir), options: options, agents: Array(agents.prefix(1))).resolvePage().orThrow()
    }

    /// Live mode's account page (namespaces and publish form).
    public static func accountPage(options: CatalogOptions) throws -> [UInt8] {
        try Context(site: CatalogSite.load(options.siteDir), options: options, agents: []).accountPage().orThrow()
    }

    /// A static asset (`site.css`, `catalog.js`, `live.js`, …) by name, or nil.
    public static func asset(named name: String, options: CatalogOptions) throws -> [UInt8]? {
        try CatalogSite.load(options.siteDir).assets.first { $0.name == name }?.bytes
    }

    /// Every asset as `catalog/assets/<name>`.
    public static func assets(options: CatalogOptions) throws -> [File] {
        try CatalogSite.load(options.siteDir).assets.map { ("\(assetsDir)/\($0.name)", $0.bytes) }
    }

    /// `catalog/data.js`: `window.RAR_CATALOG = {...}`, one compact record per agent, for
    /// search and incantation lookups (a script, not JSON, so it loads from file://).
    public static func dataScript(agents: [CatalogAgent]) -> [UInt8] { dataScriptWithSpans(agents: agents).bytes }

    /// `dataScript` plus each record's byte range, in record order (by sort key).
    static func dataScriptWithSpans(agents: [CatalogAgent]) -> (bytes: [UInt8], spans: [Range<Int>]) {
        let sorted = BuildSupport.sorted(agents) { Array($0.sortKey.utf8) }
        // Written piece by piece (same bytes as the whole document): "</" never straddles a
        // record boundary, so escaping each piece is escaping the whole.
        var out = Array("window.RAR_CATALOG=".utf8)
        let head = JSONValue.object([("schema", "rar-catalog-data/1"), ("count", .int(sorted.count))]).serializedBytes(dataJSON)
        scriptSafe(head.dropLast(), into: &out)
        out += Array(",\"agents\":[".utf8)
        var spans: [Range<Int>] = []
        spans.reserveCapacity(sorted.count)
        // Records are made on every core, then joined in order.
        let records = ParallelMap.map(sorted, dataRecordBytes)
        out.reserveCapacity(out.count + records.reduce(0) { $0 + $1.count + 1 } + 4)
        for (i, r) in records.enumerated() {
            if i > 0 { out.append(0x2C) }
            let at = out.count
            out += r
            spans.append(at..<out.count)
        }
        out += Array("]};\n".utf8)
        return (out, spans)
    }

    static let dataJSON = JSONWriteOptions(ensureASCII: true, spacedSeparators: false)

    /// One agent's record in `data.js`, script-safe.
    static func dataRecordBytes(_ a: CatalogAgent) -> [UInt8] {
        var o: [(String, JSONValue)] = [
            ("n", .string(a.name)), ("d", .string(a.displayName)), ("s", .string(String(a.descriptionText.prefix(600)))),
            ("t", .array(a.tags.map { .string($0) })), ("c", .string(a.category)), ("q", .string(a.tier)),
            ("p", .string(a.publisher)), ("y", .string(a.type)), ("v", .string(a.version)), ("h", .string(a.pagePath)),
        ]
        if let i = a.incantation { o.append(("i", .string(i))) }
        let aliases = a.aliasIncantations
        if !aliases.isEmpty { o.append(("a", .array(aliases.map { .string($0) }))) }
        if a.deprecated != nil { o.append(("x", .bool(true))) }
        var out: [UInt8] = []
        scriptSafe(JSONValue.object(o).serializedBytes(dataJSON)[...], into: &out)
        return out
    }

    /// ASCII-only JSON (no U+2028/U+2029 surprises) with "</" written "<\/", so no "</script" appears.
    static func scriptSafe(_ json: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var previous: UInt8 = 0
        for c in json {
            if c == 0x2F && previous == 0x3C { out.append(0x5C) }
            out.append(c)
            previous = c
        }
    }

    /// `catalog/words.js`: the 1024 incantation words, space-separated, index order.
    public static func wordsScript() -> [UInt8] {
        Array(("window.RAR_WORDS=\"" + Incantation.words.joined(separator: " ") + "\";\n").utf8)
    }
}

extension Optional where Wrapped == [UInt8] {
    /// A page rendered without output units is never left out.
    func orThrow() throws -> [UInt8] {
        guard let p = self else { throw CatalogError.site("page left unrendered") }
        return p
    }
}

final class FileBox: @unchecked Sendable {
    private var items: [Catalog.File] = []
    private let lock = NSLock()
    func add(_ f: Catalog.File) { lock.lock(); items.append(f); lock.unlock() }
    var files: [Catalog.File] { lock.lock(); defer { lock.unlock() }; return items }
}
