import Foundation

extension Catalog {
    /// One agent as the listing templates see it.
    struct Row {
        var name: String
        var publisher: String
        var category: String
        var tier: String
        var type: String
        var sortKey: String
        var dict: [String: Any]
        /// The row partial rendered once, with `Context.rootMarker` for the page's root.
        var html: RowHTML = RowHTML()
    }

    /// A row's rendering and memo-key text, each made on first use and shared by the listings
    /// that show the row.
    final class RowHTML: @unchecked Sendable {
        private var bytes: [UInt8]?
        private var text: String?
        private let lock = NSLock()
        func get(_ make: () throws -> [UInt8]) rethrows -> [UInt8] { try once(\.bytes, make) }
        func described(_ make: () -> String) -> String { once(\.text, make) }

        private func once<T>(_ slot: ReferenceWritableKeyPath<RowHTML, T?>, _ make: () throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            if let v = self[keyPath: slot] { return v }
            let v = try make()
            self[keyPath: slot] = v
            return v
        }
    }

    /// Everything pages share: the compiled site, options, and the agents' listing rows.
    struct Context {
        let site: CatalogSite
        let options: CatalogOptions
        let sortedRows: [Row]
        let byPublisher: [(String, [Row])]
        let byCategory: [(String, [Row])]
        let exampleIncantation: String?
        let agentCount: Int
        /// Pages an earlier build left in place (nil: render every page).
        let units: OutputUnits?

        init(site: CatalogSite, options: CatalogOptions, agents: [CatalogAgent], units: OutputUnits? = nil) {
            self.site = site
            self.options = options
            self.units = units
            let rows = BuildSupport.sorted(agents.map(Context.row)) { Array($0.sortKey.utf8) }
            sortedRows = rows
            agentCount = agents.count
            func group(_ key: (Row) -> String) -> [(String, [Row])] {
                var order: [String] = []
                var g: [String: [Row]] = [:]
                for r in rows { let k = key(r); if g[k] == nil { order.append(k) }; g[k, default: []].append(r) }
                return order.sorted { $0.lowercased() != $1.lowercased() ? $0.lowercased() < $1.lowercased() : $0 < $1 }.map { ($0, g[$0]!) }
            }
            byPublisher = group(\.publisher)
            byCategory = group(\.category)
            exampleIncantation = agents.min { JSONValue.codePointLess($0.name, $1.name) }?.incantation
        }

        static func tierClass(_ t: String) -> String {
            ["official", "verified", "community", "experimental", "frontier", "private"].contains(t) ? t : "other"
        }

        static func row(_ a: CatalogAgent) -> Row {
            var d: [String: Any] = [
                "display_name": a.displayName, "name": a.name, "href": a.pagePath, "description": a.descriptionText,
                "version": a.version, "tier": a.tier, "tier_class": tierClass(a.tier), "category": a.category,
                "is_stub": a.type == "stub",
            ]
            if a.deprecated != nil { d["deprecated"] = true }
            return Row(name: a.name, publisher: a.publisher, category: a.category, tier: a.tier, type: a.type, sortKey: a.sortKey, dict: d)
        }

        /// Keys every page has.
        /// Only the front page shows the registry-wide count and build time, so the other pages
        /// change only with what they list (and can be reused between renders).
        func common(path: String, kind: String, title: String, description: String) -> [String: Any] {
            var d: [String: Any] = [
                "root": Catalog.root(for: path), "site_title": options.title, "live": options.live, "page_kind": kind,
                "page_title": title.isEmpty ? options.title : "\(title) · \(options.title)",
                "meta_description": String(description.prefix(200)), "tool_version": RARVersion.current,
            ]
            if path == Catalog.indexPagePath(page: 1) {
                if agentCount > 0 { d["agent_count"] = agentCount }
                if let g = options.generated { d["generated"] = g }
            }
            return d
        }

        /// Render, or reuse the page an earlier render made from the same template and values
        /// (nil: the page an earlier build wrote at `path` is unchanged). A listing's `rows` enter
        /// the key through their values (as `agents`) and are rendered only when the page is.
        func render(_ template: String, _ d: [String: Any], path: String, rows: ArraySlice<Row>? = nil) throws -> [UInt8]? {
            func page() throws -> [UInt8] {
                guard let rows else { return try site.render(template, d) }
                var full = d
                full["rows_html"] = try rowsHTML(rows, path: path)
                return try site.render(template, full)
            }
            guard options.memo != nil || units != nil else { return try page() }
            var keyed = d
            if let rows { keyed["agents"] = Array(rows) }
            var text = ""
            Context.describe(keyed, into: &text)
            let key = RenderMemo.key([template, site.fingerprint, text])
            let id = "page:" + path
            if units?.reuse(id, key: key) != nil { return nil }
            defer { units?.record(id, key: key, paths: [path]) }
            if let hit = options.memo?.lookup(key, key: key) { return hit[0].1 }
            let rendered = try page()
            options.memo?.store(key, key: key, files: [("", rendered)])
            return rendered
        }

        /// A deterministic text of template values (dictionary keys sorted), for memo keys.
        static func describe(_ v: Any, into out: inout String) {
            switch v {
            case let s as String: out += "s\(s.utf8.count):"; out += s
            case let b as Bool: out += b ? "T" : "F"
            // A listing row: its values' text, made once and shared by the listings that show it.
            case let r as Row: out += r.html.described { var t = ""; describe(r.dict, into: &t); return t }
            case let i as Int: out += "i\(i);"
            case let d as [String: Any]:
                out += "{"
                for k in d.keys.sorted() { out += "\(k.utf8.count):\(k)"; describe(d[k]!, into: &out) }
                out += "}"
            case let a as [Any]:
                out += "["
                for x in a { describe(x, into: &out) }
                out += "]"
            default: out += "?\(type(of: v)):\(v);"
            }
        }

        var pageSize: Int { max(1, options.pageSize) }
        func pageCount(_ n: Int) -> Int { max(1, (n + pageSize - 1) / pageSize) }

        /// Counts of `key` over `rows`, sorted by value, for a listing's facet links (computed once
        /// per listing, not per page).
        static func facets(_ rows: [Row], by key: KeyPath<Row, String>, href: (String) -> String) -> [[String: Any]] {
            var n: [String: Int] = [:]
            for r in rows { n[r[keyPath: key], default: 0] += 1 }
            return n.keys.sorted().map { ["value": $0, "count": n[$0]!, "href": href($0)] }
        }

        func facets(_ groups: [(String, [Row])], href: (String) -> String) -> [[String: Any]] {
            groups.map { ["value": $0.0, "count": $0.1.count, "href": href($0.0)] }
        }

        func pagination(page: Int, pages: Int, total: Int, first: Int, last: Int, path: (Int) -> String) -> [String: Any]? {
            guard total > 0 else { return nil }
            var p: [String: Any] = ["page": page, "pages": pages, "total": total, "first": first, "last": last]
            if page > 1 { p["prev"] = path(page - 1) }
            if page < pages { p["next"] = path(page + 1) }
            return p
        }

        // MARK: pages

        func indexPage(page requested: Int) throws -> [UInt8]? {
            let size = pageSize
            let pages = pageCount(sortedRows.count)
            let page = min(max(1, requested), pages)
            let slice = sortedRows.dropFirst((page - 1) * size).prefix(size)
            let path = Catalog.indexPagePath(page: page)
            let lead = "\(sortedRows.count) agents from \(byPublisher.count) publishers."
            var d = common(path: path, kind: page == 1 ? "index" : "listing", title: page == 1 ? "" : "All agents, page \(page)", description: lead)
            d["pagination"] = pagination(page: page, pages: pages, total: sortedRows.count, first: (page - 1) * size + 1,
                                         last: (page - 1) * size + slice.count, path: Catalog.indexPagePath)
            if page > 1 {
                d["has_facets"] = false
                d["kind_label"] = "All agents"
                d["heading"] = "All agents, page \(page) of \(pages)"
                d["intro"] = lead + " Sorted by name."
                return try render("listing", d, path: path, rows: slice)
            }
            d["nav_agents"] = true
            // The front page is rendered every build (not through `render`).
            d["rows_html"] = try rowsHTML(slice, path: path)
            d["stats"] = ["agents": sortedRows.count, "publishers": byPublisher.count, "categories": byCategory.count]
            d["categories"] = facets(byCategory, href: { Catalog.categoryPagePath($0) })
            d["publishers"] = facets(byPublisher, href: { Catalog.publisherPagePath($0) })
            var tiers: [String: Int] = [:], types: [String: Int] = [:]
            for r in sortedRows { tiers[r.tier, default: 0] += 1; types[r.type, default: 0] += 1 }
            let tierOrder = ["official", "verified", "community", "experimental", "frontier", "private"]
            d["tiers"] = tiers.keys.sorted { (tierOrder.firstIndex(of: $0) ?? 99, $0) < (tierOrder.firstIndex(of: $1) ?? 99, $1) }
                .map { ["value": $0, "count": tiers[$0]!] }
            d["types"] = types.keys.sorted().map { ["value": $0, "label": $0 == "stub" ? "gated (stub)" : $0, "count": types[$0]!] }
            d["page_size"] = size
            d["scripts"] = [Catalog.dataScriptPath, Catalog.wordsScriptPath]
            d["incant_id"] = "incantation"
            d["example_incantation"] = exampleIncantation ?? "forge anvil blade rune shard smelt temper"
            // The front page shows the build time, so it changes every build: rendered each time
            // with a placeholder there (kept by a layout, for patching), never reused as a unit.
            guard let stamp = options.generated else { return try site.render("index", d) }
            d["generated"] = Context.generatedPlaceholder
            let template = try site.render("index", d)
            options.layout?.front = template
            return Context.fillGenerated(template, placeholder: Array(Context.generatedPlaceholder.utf8), stamp)
        }

        /// A publisher or category listing, paginated like the index.
        func listingPage(kind: String, label: String, heading: String, intro: String, rows: [Row], page requested: Int,
                         path: (Int) -> String, facetLabel: String, facets: [[String: Any]]) throws -> [UInt8]? {
            let pages = pageCount(rows.count)
            let page = min(max(1, requested), pages)
            let slice = rows.dropFirst((page - 1) * pageSize).prefix(pageSize)
            var d = common(path: path(page), kind: kind, title: page == 1 ? heading : "\(heading), page \(page)", description: intro)
            d["kind_label"] = label
            d["heading"] = heading
            d["intro"] = intro
            d["facet_label"] = facetLabel
            d["facets"] = facets
            d["has_facets"] = facets.count > 1
            if pages > 1 {
                d["pagination"] = pagination(page: page, pages: pages, total: rows.count, first: (page - 1) * pageSize + 1,
                                             last: (page - 1) * pageSize + slice.count, path: path)
            }
            return try render("listing", d, path: path(page), rows: slice)
        }

        func publisherPage(_ publisher: String, _ rows: [Row], page: Int = 1, facets: [[String: Any]]? = nil) throws -> [UInt8]? {
            let facets = facets ?? Context.facets(rows, by: \.category, href: { Catalog.categoryPagePath($0) })
            let n = rows.count
            return try listingPage(kind: "publisher", label: "Publisher", heading: publisher,
                                   intro: "\(n) \(n == 1 ? "agent" : "agents") published by \(publisher).", rows: rows, page: page,
                                   path: { Catalog.publisherPagePath(publisher, page: $0) }, facetLabel: "Categories", facets: facets)
        }

        func categoryPage(_ category: String, _ rows: [Row], page: Int = 1, facets: [[String: Any]]? = nil) throws -> [UInt8]? {
            let facets = facets ?? Context.facets(rows, by: \.publisher, href: { Catalog.publisherPagePath($0) })
            let n = rows.count
            return try listingPage(kind: "category", label: "Category", heading: category,
                                   intro: "\(n) \(n == 1 ? "agent" : "agents") in \(category).", rows: rows, page: page,
                                   path: { Catalog.categoryPagePath(category, page: $0) }, facetLabel: "Publishers", facets: facets)
        }

        /// One agent's row as the listing page at `path` shows it (the row partial alone).
        func rowHTML(_ a: CatalogAgent, path: String) throws -> [UInt8] {
            try rowBytes(Context.row(a), root: Catalog.root(for: path))
        }

        /// Stands for the page's root in a row rendered once for every listing.
        static let rootMarker = "rar-root-" + UUID().uuidString.lowercased() + "/"
        static let rootMarkerBytes = Array(rootMarker.utf8)

        /// The row partial for `r` on a page whose root is `root`.
        func rowBytes(_ r: Row, root: String) throws -> [UInt8] {
            let once = try r.html.get {
                var d = r.dict
                d["root"] = Context.rootMarker
                return try site.renderByShape("agent-row", d)
            }
            return Context.replaceAll(once, marker: Context.rootMarkerBytes, with: Array(HTMLEscape.escape(root).utf8))
        }

        /// The listing's rows, rendered (`rows_html` in the index and listing templates).
        func rowsHTML(_ rows: ArraySlice<Row>, path: String) throws -> String {
            let root = Catalog.root(for: path)
            var out: [UInt8] = []
            for r in rows { out.append(contentsOf: try rowBytes(r, root: root)) }
            return String(decoding: out, as: UTF8.self)
        }

        /// `bytes` with every `marker` replaced by `insert`.
        static func replaceAll(_ bytes: [UInt8], marker: [UInt8], with insert: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + insert.count)
            var at = 0
            while let r = BuildSupport.firstRange(of: marker, in: bytes, from: at) {
                out.append(contentsOf: bytes[at..<r.lowerBound])
                out.append(contentsOf: insert)
                at = r.upperBound
            }
            out.append(contentsOf: bytes[at...])
            return out
        }

        func resolvePage() throws -> [UInt8]? {
            var d = common(path: Catalog.resolvePagePath, kind: "resolve", title: "Open by incantation",
                           description: "Open an agent by its seven-word incantation.")
            d["nav_resolve"] = true
            d["scripts"] = [Catalog.dataScriptPath, Catalog.wordsScriptPath]
            d["incant_id"] = "incantation"
            if let e = exampleIncantation { d["example_incantation"] = e }
            return try render("resolve", d, path: Catalog.resolvePagePath)
        }

        func accountPage() throws -> [UInt8]? {
            var d = common(path: Catalog.accountPagePath, kind: "account", title: "My namespaces", description: "Your namespaces and publishing.")
            d["nav_account"] = true
            return try render("account", d, path: Catalog.accountPagePath)
        }

        func agentPage(_ a: CatalogAgent) throws -> [UInt8] {
            let e = a.entry
            let path = a.pagePath
            var d = common(path: path, kind: "agent", title: a.displayName, description: a.descriptionText)
            d["name"] = a.name
            d["publisher"] = a.publisher
            d["slug"] = a.slug
            d["display_name"] = a.displayName
            d["description"] = a.descriptionText
            d["version"] = a.version
            d["tier"] = a.tier
            d["tier_class"] = Context.tierClass(a.tier)
            d["category"] = a.category
            d["category_href"] = Catalog.categoryPagePath(a.category)
            d["publisher_href"] = Catalog.publisherPagePath(a.publisher)
            d["tags"] = a.tags
            d["is_stub"] = a.type == "stub"
            if let dep = a.deprecated { d["deprecated"] = dep.isEmpty ? "This agent is deprecated." : dep }
            d["install_command"] = "rar install \(a.name)@\(a.version)"
            d["sha256"] = a.sha256.isEmpty ? "—" : a.sha256
            let file = e["_file"]?.stringValue ?? ""
            d["file_path"] = file
            d["file_name"] = (file as NSString).lastPathComponent
            d["install_filename"] = e["_install_filename"]?.stringValue ?? (file as NSString).lastPathComponent
            if let dl = a.downloadPath { d["download_href"] = dl }
            d["size_kb"] = e["_size_kb"].map(Context.plain) ?? "?"
            d["lines"] = e["_lines"].map(Context.plain) ?? "?"
            if let src = e["_source"], case .object = src {
                d["stub_source"] = [src["repo"]?.stringValue, src["path"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            }
            if let c = a.cardPath { d["card_href"] = c }
            if let seed = a.seed { d["seed"] = String(seed) }
            if let inc = a.incantation {
                d["incantation"] = inc
                d["incantation_words"] = inc.split(separator: "-").map { $0.uppercased() }
                d["has_incantation"] = true
            }
            // Docstring and source (the highlighted source is spliced in after rendering: it is
            // the bulk of the page and need not pass through the template engine's strings).
            var docHTML = a.docstringHTML
            if docHTML == nil {
                var doc = a.docstring
                if doc == nil, let src = a.source { doc = AgentFile(path: file, bytes: src).docstring }
                docHTML = doc.map(DocstringHTML.render)
            }
            if let docHTML, !docHTML.isEmpty { d["docstring_html"] = docHTML }
            if a.source != nil {
                d["has_source"] = true
                d["source_html"] = Context.sourceMarker
            }
            // Manifest: the author's keys in their order; then the build's details.
            var manifest = ""
            for (k, v) in e.objectValue ?? [] where !k.hasPrefix("_") {
                switch v {
                case .string(let s): manifest += Context.tableRow(k, s.isEmpty ? "—" : s, code: k == "name" || k == "schema")
                case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
                    manifest += Context.tableRow(k, items.isEmpty ? "—" : items.compactMap(\.stringValue).joined(separator: ", "), code: false)
                default: manifest += Context.tableRow(k, v.serialized(.compact), code: true)
                }
            }
            d["manifest_rows_html"] = manifest
            var details = ""
            func detail(_ k: String, _ v: String?) { if let v, !v.isEmpty { details += Context.tableRow(k, v, code: true) } }
            detail("file", file)
            detail("install as", e["_install_filename"]?.stringValue)
            detail("seed", a.seed.map { String($0) })
            detail("sha256", a.sha256)
            detail("added", e["_added_at"]?.stringValue)
            detail("commit", e["_latest_commit_sha"]?.stringValue.map { String($0.prefix(12)) })
            detail("capabilities", e["_capabilities"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", "))
            detail("stack", e["_stack"]?.stringValue)
            if !a.aliasIncantations.isEmpty { detail("earlier incantations", a.aliasIncantations.joined(separator: " · ")) }
            d["detail_rows_html"] = details
            // Versions.
            let versions = a.versions.isEmpty
                ? [CatalogVersion(version: a.version, sha256: a.sha256, publishedAt: e["_added_at"]?.stringValue)] : a.versions
            d["versions"] = versions.map { v -> [String: Any] in
                var r: [String: Any] = ["version": v.version, "sha256": v.sha256 ?? "", "sha256_short": String((v.sha256 ?? "").prefix(12)),
                                        "published": v.publishedAt.map { String($0.prefix(10)) } ?? "—", "yanked": v.yanked]
                if let why = v.yankReason { r["yank_reason"] = why }
                return r
            }
            let page = try site.renderByShape("agent", d)  // memoized whole by the caller
            guard let src = a.source else { return page }
            return PythonHighlighter.splice(page, marker: Context.sourceMarkerBytes, source: src)
        }

        /// Stands for the build time in the front page's template (per process, like the source marker).
        static let generatedPlaceholder = "rar-generated-" + UUID().uuidString.lowercased()

        /// One row of the agent page's key/value tables (`<code>` for identifiers and JSON).
        static func tableRow(_ key: String, _ value: String, code: Bool) -> String {
            let v = HTMLEscape.escape(value)
            return "<tr><th scope=\"row\">" + HTMLEscape.escape(key) + "</th><td>" + (code ? "<code class=\"break\">" + v + "</code>" : v) + "</td></tr>"
        }

        /// `template` with every `placeholder` replaced by the (escaped) build time.
        static func fillGenerated(_ template: [UInt8], placeholder: [UInt8], _ stamp: String) -> [UInt8] {
            replaceAll(template, marker: placeholder, with: Array(HTMLEscape.escape(stamp).utf8))
        }

        /// A per-process token: no agent's text can contain it.
        static let sourceMarker = "\u{1}rar-source-" + UUID().uuidString + "\u{1}"
        static let sourceMarkerBytes = Array(sourceMarker.utf8)

        /// A JSON scalar as text (numbers as JSON writes them).
        static func plain(_ v: JSONValue) -> String {
            if let s = v.stringValue { return s }
            return v.serialized(.compact)
        }
    }
}
