import Foundation
import Testing
@testable import RARCore

/// Builds of the sample registry (registry/) with the HTML catalog, shared by the suites.
enum CatalogFixture {
    static func tempDir(_ tag: String) -> String {
        let d = NSTemporaryDirectory() + "rar-catalog-\(tag)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// registry/ built into a fresh directory (static mode unless `catalog` says otherwise).
    static func buildSample(catalog: CatalogOptions = CatalogOptions()) throws -> String {
        let root = TestPaths.root.appendingPathComponent("registry").path
        var o = BuildOptions(root: root)
        o.generatedAt = Date(timeIntervalSince1970: 1_700_000_000)
        o.useCache = false
        let build = try RegistryBuilder.build(o)
        let out = tempDir("site") + "/out"
        var api = StaticAPI.Options()
        api.catalog = catalog
        try StaticAPI.write(build, root: root, out: out, options: api)
        return out
    }

    /// Remove a `buildSample` output and its temp parent.
    static func remove(_ out: String) {
        try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent)
    }

    static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Every `href="…"` / `src="…"` / `action="…"` value in an HTML text (entities decoded).
    static func links(_ html: String) -> [String] {
        var out: [String] = []
        for attr in ["href=\"", "src=\"", "action=\""] {
            var rest = html[...]
            while let r = rest.range(of: attr) {
                let after = rest[r.upperBound...]
                guard let end = after.firstIndex(of: "\"") else { break }
                out.append(String(after[..<end]).replacingOccurrences(of: "&amp;", with: "&"))
                rest = after[end...]
            }
        }
        return out
    }

    /// Every tag in `html` is one the templates write: no event-handler attributes, no
    /// `javascript:` URLs, scripts only from catalog/, images only the card. (User text is
    /// always escaped, so every raw `<` starts a real tag.)
    static func expectOnlyOwnMarkup(_ html: String, depth: String, context: String) {
        let u = Array(html.utf8)
        var i = 0
        while i < u.count {
            defer { i += 1 }
            guard u[i] == 0x3C, i + 1 < u.count else { continue }
            let next = u[i + 1]
            guard (next >= 0x61 && next <= 0x7A) || (next >= 0x41 && next <= 0x5A) else { continue }
            guard let close = u[i...].firstIndex(of: 0x3E) else { Issue.record("\(context): unclosed tag"); return }
            let tag = String(decoding: u[(i + 1)..<close], as: UTF8.self)
            let name = String(tag.prefix(while: { $0.isLetter || $0.isNumber })).lowercased()
            // Attribute names: words followed by '=' outside quoted values.
            var inQuote = false
            var word = ""
            for ch in tag.dropFirst(name.count) {
                if ch == "\"" { inQuote.toggle(); word = ""; continue }
                if inQuote { continue }
                if ch == "=" {
                    #expect(!word.lowercased().hasPrefix("on"), "\(context): <\(tag)> has an event handler")
                    word = ""
                } else if ch == " " || ch == "\n" { word = "" } else { word.append(ch) }
            }
            #expect(!inQuote, "\(context): <\(tag)> has an open quote")
            #expect(!tag.lowercased().contains("javascript:"), "\(context): <\(tag)>")
            if name == "script" { #expect(tag.hasPrefix("script src=\"\(depth)catalog/"), "\(context): unexpected <\(tag)>") }
            if name == "img" { #expect(tag.hasPrefix("img src=\"\(depth)cards/"), "\(context): unexpected <\(tag)>") }
            #expect(!["iframe", "object", "embed", "style", "base", "form action=\"javascript"].contains(name), "\(context): <\(tag)>")
        }
    }

    /// A hostile agent: markup in every string the page shows.
    static var hostile: CatalogAgent {
        let x = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
        let entry: JSONValue = .object([
            ("schema", "rapp-agent/1.0"), ("name", .string("@evil/x\"><script>alert(3)</script>")), ("version", "1.0.0"),
            ("display_name", .string("Evil " + x)), ("description", .string("Desc " + x)), ("author", .string(x)),
            ("tags", .array([.string(x), "ok"])), ("category", .string("cat" + x)), ("quality_tier", .string("tier" + x)),
            ("extra", .object([("k", .string(x))])), ("_file", .string("agents/@evil/x\"><script>_agent.py")),
            ("_sha256", .string("ab" + x)), ("_seed", .int(12345)), ("_added_at", .string(x)),
            ("_source", .object([("repo", .string(x)), ("path", .string(x))])),
        ])
        var a = CatalogAgent(entry: entry, source: Array("\"\"\"Doc\"\"\"\nx = '</code></pre><script>alert(4)</script>'  # <b>\n".utf8))
        a.docstring = """
            Hostile docstring <script>alert(5)</script> and <p onclick="x">html</p>.

            [click](javascript:alert(6)) [attr](a"onmouseover="alert(7)) ![img](http://evil.example/x.png" onerror="alert(8))

            ```js" onclick="alert(9)
            code <script>alert(10)</script>
            ```

            `inline <b>` and &lt;entity&gt; and [ok](https://example.com/?a=1&b=<2>)
            """
        a.deprecated = "Use " + x
        a.versions = [CatalogVersion(version: "1.0.0", sha256: x, publishedAt: x, yanked: true, yankReason: x)]
        return a
    }
}

@Suite struct CatalogTests {
    @Test func sampleRegistryPagesRender() throws {
        let out = try CatalogFixture.buildSample()
        defer { CatalogFixture.remove(out) }
        let fm = FileManager.default
        for rel in ["index.html", "catalog/resolve.html", "catalog/data.js", "catalog/words.js", "catalog/assets/site.css",
                    "catalog/assets/catalog.js", "catalog/@acme/index.html", "catalog/@acme/release_notes.html",
                    "catalog/@rar-samples/word_count.html", "catalog/category/devtools.html"] {
            #expect(fm.fileExists(atPath: out + "/" + rel), "missing \(rel)")
        }
        #expect(!fm.fileExists(atPath: out + "/catalog/account.html"))  // live mode only
        #expect(!fm.fileExists(atPath: out + "/catalog/assets/live.js"))
        let index = CatalogFixture.read(out + "/index.html")
        for name in ["@acme/release_notes", "@rar-samples/json_lint", "@rar-samples/unit_convert", "@rar-samples/word_count"] {
            #expect(index.contains("<code>\(name)</code>"), "index lists \(name)")
        }
        #expect(index.contains("catalog/data.js") && index.contains("catalog/words.js"))
        // Without JavaScript: search is hidden (and explained); every agent is a plain link.
        #expect(index.contains("method=\"get\" data-js-only hidden>") && index.contains("<noscript>"))
        #expect(CatalogFixture.links(index).filter { $0.hasPrefix("catalog/@") && !$0.hasSuffix("/index.html") }.count == 4)
        #expect(!index.contains("signin") && !index.contains("live.js"))

        // The agent page: install command, sha256, incantation, card, docstring, highlighted source.
        let registry = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: out + "/registry.json")))
        let entry = try #require(registry["agents"]?.arrayValue?.first { $0["name"]?.stringValue == "@acme/release_notes" })
        let page = CatalogFixture.read(out + "/catalog/@acme/release_notes.html")
        #expect(page.contains("rar install @acme/release_notes@2.0.1"))
        #expect(page.contains(try #require(entry["_sha256"]?.stringValue)))
        let seed = try #require(entry["_seed"].flatMap(BuildSupport.seedValue))
        let words = try Incantation.words(for: seed)
        #expect(page.contains("<li>" + words.joined(separator: "</li><li>") + "</li>"))
        #expect(page.contains("src=\"../../cards/\(seed).svg\""))
        #expect(fm.fileExists(atPath: out + "/cards/\(seed).svg"))
        #expect(page.contains("<p>Release Notes — turns a list of commit subjects into grouped release notes.</p>"))
        #expect(page.contains(#"<span class="sx-k">class</span> <span class="sx-f">ReleaseNotesAgent</span>"#))
        #expect(page.contains(#"<span class="sx-u">__manifest__</span>"#))
        #expect(page.contains("href=\"../../agents/@acme/release_notes_agent.py\""))

        // data.js is a script assigning JSON; every agent is there with its page and incantation.
        let data = CatalogFixture.read(out + "/catalog/data.js")
        #expect(data.hasPrefix("window.RAR_CATALOG=") && data.hasSuffix(";\n"))
        let json = try JSONParser().parse(String(data.dropFirst("window.RAR_CATALOG=".count).dropLast(2)))
        let rec = try #require(json["agents"]?.arrayValue?.first { $0["n"]?.stringValue == "@acme/release_notes" })
        #expect(rec["h"]?.stringValue == "catalog/@acme/release_notes.html")
        #expect(rec["i"]?.stringValue == words.joined(separator: "-").lowercased())
        #expect(CatalogFixture.read(out + "/catalog/words.js") == "window.RAR_WORDS=\"" + Incantation.words.joined(separator: " ") + "\";\n")
    }

    @Test func relativeLinksResolveToFilesInTheOutput() throws {
        let out = try CatalogFixture.buildSample()
        defer { CatalogFixture.remove(out) }
        var pages: [String] = []
        let e = FileManager.default.enumerator(atPath: out)
        while let rel = e?.nextObject() as? String { if rel.hasSuffix(".html") { pages.append(rel) } }
        #expect(pages.count >= 10)
        var checked = 0
        for page in pages {
            let html = CatalogFixture.read(out + "/" + page)
            let dir = (page as NSString).deletingLastPathComponent
            for link in CatalogFixture.links(html) {
                if link.hasPrefix("#") || link.hasPrefix("http://") || link.hasPrefix("https://") || link.hasPrefix("mailto:") { continue }
                #expect(!link.hasPrefix("/"), "\(page): absolute link \(link)")
                var target = link
                if let cut = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = String(target[..<cut]) }
                let resolved = URL(fileURLWithPath: out + "/" + (dir.isEmpty ? "" : dir + "/") + target).standardizedFileURL.path
                #expect(resolved.hasPrefix(URL(fileURLWithPath: out).standardizedFileURL.path), "\(page): \(link) leaves the site")
                #expect(FileManager.default.fileExists(atPath: resolved), "\(page): \(link) → \(resolved) is missing")
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    @Test func largeListingsArePaginated() throws {
        let agents = (0..<7).map { i -> CatalogAgent in
            CatalogAgent(entry: .object([
                ("name", .string("@p\(i % 2)/agent_\(i)")), ("version", "1.0.0"), ("display_name", .string("Agent \(i)")),
                ("description", "d"), ("category", "core"), ("_seed", .int(1000 + i)), ("_file", .string("agents/a\(i).py")),
            ]))
        }
        var options = CatalogOptions()
        options.pageSize = 3
        let files = try Catalog.render(agents: agents, options: options)
        let paths = Set(files.map(\.path))
        for p in ["index.html", "catalog/page/2.html", "catalog/page/3.html", "catalog/@p0/index.html", "catalog/@p0/pages/2.html",
                  "catalog/category/core.html", "catalog/category/core/2.html", "catalog/category/core/3.html"] {
            #expect(paths.contains(p), "missing \(p)")
        }
        #expect(!paths.contains("catalog/page/4.html") && !paths.contains("catalog/@p1/pages/2.html"))
        // Every relative link between catalog pages lands on a rendered page (agents/ and cards/
        // belong to the JSON build, not to Catalog.render).
        for f in files where f.path.hasSuffix(".html") {
            let dir = (f.path as NSString).deletingLastPathComponent
            for link in CatalogFixture.links(String(decoding: f.bytes, as: UTF8.self)) where !link.hasPrefix("#") {
                var target = link
                if let cut = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = String(target[..<cut]) }
                let resolved = String(URL(fileURLWithPath: "/site/" + (dir.isEmpty ? "" : dir + "/") + target).standardizedFileURL.path.dropFirst(6))
                if resolved.hasPrefix("agents/") || resolved.hasPrefix("cards/") || resolved.hasPrefix("api/") || resolved.hasSuffix(".json") { continue }
                #expect(paths.contains(resolved), "\(f.path): \(link) → \(resolved)")
            }
        }
        let page2 = String(decoding: try #require(files.first { $0.path == "catalog/page/2.html" }).bytes, as: UTF8.self)
        #expect(page2.contains("Page 2 of 3") && page2.contains("href=\"../../index.html\" rel=\"prev\"") && page2.contains("href=\"../../catalog/page/3.html\" rel=\"next\""))
    }

    @Test func hostileStringsAreEscaped() throws {
        var options = CatalogOptions()
        options.live = true
        let a = CatalogFixture.hostile
        let page = String(decoding: try Catalog.agentPage(a, options: options), as: UTF8.self)
        CatalogFixture.expectOnlyOwnMarkup(page, depth: "../../", context: "agent page")
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))  // shown as text
        #expect(page.contains(#"<a href="https://example.com/?a=1&amp;b=&lt;2&gt;" rel="nofollow noopener noreferrer">ok</a>"#))
        #expect(page.contains("<code>inline &lt;b&gt;</code>"))
        #expect(page.contains("code &lt;script&gt;alert(10)&lt;/script&gt;"))

        // Listing pages and data.js.
        let files = try Catalog.render(agents: [a], options: options)
        for f in files where f.path.hasSuffix(".html") {
            CatalogFixture.expectOnlyOwnMarkup(String(decoding: f.bytes, as: UTF8.self), depth: Catalog.root(for: f.path), context: f.path)
        }
        let data = String(decoding: try #require(files.first { $0.path == Catalog.dataScriptPath }).bytes, as: UTF8.self)
        #expect(!data.contains("</"))
        #expect(data.unicodeScalars.allSatisfy { $0.isASCII })
        let parsed = try JSONParser().parse(String(data.dropFirst("window.RAR_CATALOG=".count).dropLast(2)))
        #expect(parsed["agents"]?.arrayValue?.first?["d"]?.stringValue == "Evil <script>alert(1)</script>\"'><img src=x onerror=alert(2)>")
        // Path segments stay inside catalog/.
        #expect(files.allSatisfy { !$0.path.contains("..") && !$0.path.contains("\"") && !$0.path.contains("<") })
    }

    @Test func docstringMarkdownIsSafe() {
        func html(_ s: String) -> String { DocstringHTML.render(s) }
        #expect(html("Hello *world* and **bold**") == "<p>Hello <em>world</em> and <strong>bold</strong></p>")
        #expect(html("# Title\n\nText") == "<h3>Title</h3><p>Text</p>")
        #expect(html("[a](javascript:alert(1))") == "<p>a</p>")
        #expect(html("[a](/x?y=1&z=2)") == #"<p><a href="/x?y=1&amp;z=2" rel="nofollow noopener noreferrer">a</a></p>"#)
        #expect(html("See ![pic](https://e.example/p.png)") == #"<p>See <a href="https://e.example/p.png" rel="nofollow noopener noreferrer">pic</a></p>"#)
        #expect(html("a < b && c > d") == "<p>a &lt; b &amp;&amp; c &gt; d</p>")
        #expect(html("```py\nif a < b:\n    pass\n```") == "<pre><code>if a &lt; b:\n    pass</code></pre>")
        // Docstring layout: indented blocks and doctests stay as written; list items stay lists.
        #expect(html("Actions:\n  shape   run it\n  serve   serve <it>\n\nDone.") == "<p>Actions:</p><pre><code>shape   run it\nserve   serve &lt;it&gt;</code></pre><p>Done.</p>")
        #expect(html("Example:\n\n>>> f(1)\n2\n\nEnd") == "<p>Example:</p><pre><code>&gt;&gt;&gt; f(1)\n2</code></pre><p>End</p>")
        #expect(html("Items:\n- one\n  more\n- two") == "<p>Items:</p><ul><li>one more</li><li>two</li></ul>")
        // Inputs that crash or hang the Markdown library itself.
        #expect(html("---\n\n\n") == "")
        #expect(html("---\nkey: value") == "<p>key: value</p>")
        #expect(html("Line 1\n\n<p\n\nLine 2") == "<p>Line 1</p><p>&lt;p</p><p>Line 2</p>")
        // Random markdown-ish noise: always terminates and passes the allow-list.
        var rng = SplitMix64(state: 0xCA7A_106)
        let atoms = ["-", "---", "*", "**", "_", "`", "```", "#", " ", "\n", "\n\n", "[", "]", "(", ")", "!", "|", ">", "<",
                     "1.", "&", ";", "\\", "a", "word", "\t", ":", "~~", "    ", "\"", "javascript:", "<p", "<script>", "&lt;"]
        for _ in 0..<3000 {
            let n = Int(rng.next() % 30) + 1
            let s = (0..<n).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            let out = html(s)
            #expect(DocstringHTML.isSafe(out) || out.hasPrefix("<p class=\"plain\">"), "\(s.debugDescription) → \(out)")
            #expect(!out.contains("<script") && !out.contains("<p ") || out.hasPrefix("<p class=\"plain\">"))
        }
    }

    /// A plain line skips the Markdown parser; the parser gives the same HTML for it.
    @Test func docstringPlainLinesMatchMarkdown() {
        var rng = SplitMix64(state: 0x91A1)
        let atoms = ["word", "Agent", "a", "X", "42", "7", " ", ".", ",", ":", ";", "(", ")", "/", "?", "%", "-", "--", "e.g.", "v1.2.3",
                     "http://example.com/x", "1.", "2)", "A.", "-x", "a-b", "(c)", "50%", ":)", "x:y"]
        var plain = 0
        for _ in 0..<4000 {
            let s = (0..<Int(rng.next() % 12) + 1).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            guard DocstringHTML.isPlainLine(s) else { continue }
            plain += 1
            #expect(DocstringHTML.render(s) == DocstringHTML.renderMarkdown(s), "\(s.debugDescription)")
        }
        #expect(plain > 1000)
        #expect(DocstringHTML.isPlainLine("Synthetic agent 7: does things (fast).") && !DocstringHTML.isPlainLine("1. item")
                && !DocstringHTML.isPlainLine("- item") && !DocstringHTML.isPlainLine("a *b*") && !DocstringHTML.isPlainLine("two\nlines"))
    }

    /// Setting code bodies and quiet paragraphs aside gives the parser's own HTML, on text made
    /// to sit near every rule's edge (and a nil, never a different answer, when it cannot).
    @Test func docstringSetAsideMatchesParser() {
        var rng = SplitMix64(state: 0x5E7A_51DE)
        let starts = ["Word", "agent", "Zeta", "x", "1. item", "- item", "* item", "# Head", "> quote", "`code`", "  indented", "    deeper",
                      ">>> f(1)", "```", "```py", "~~~", "[ref]: https://e.example", "| a | b |", "---", "<p", "&", "é", "\\", "Ünï", " lead", "   ", "-x", "#x", "<x", "_x", "a_"]
        let words = ["word", "and", "x", "a > b", "R&D", "a < b", "&amp;", "e.g.", "(see)", "1.", "50%", "—", "|", "#", "+", "=", ":", "'",
                     "a_b", "_", "x_y_z", "`c`", "`a_b`", "``", "`", "~", "`*x*`", "`&`", "`<p`", "e\u{301}", "\u{A0}", "\u{2028}", "*em*", "_u_", "~~s~~", "`c`", "[l](https://e.example)", "!", "\\", "\"q\"", "🙂", "\t", "\r", "__m__", "_*", "~~", "`\u{301}"]
        let quiet = 29  // words before this index are quiet
        let ends = ["", "", "", "", "", "", " ", "  ", "   ", "\\", "\r"]
        var fast = 0, paragraphs = 0
        for _ in 0..<6000 {
            var lines: [String] = []
            for _ in 0..<Int(rng.next() % 9) + 1 {
                switch rng.next() % 4 {
                case 0: lines.append("")
                default:
                    var l = starts[Int(rng.next() % UInt64(starts.count))]
                    if rng.next() % 3 != 0 { l = ["Word", "Text", "plain", "Some"][Int(rng.next() % 4)] }
                    for _ in 0..<Int(rng.next() % 6) { l += (rng.next() % 3 == 0 ? "  " : " ") + words[Int(rng.next() % UInt64(rng.next() % 4 == 0 ? words.count : quiet))] }
                    lines.append(l + ends[Int(rng.next() % UInt64(ends.count))])
                }
            }
            let s = DocstringHTML.trimBlankLines(lines.joined(separator: "\n"))
            guard !s.isEmpty else { continue }
            let full = DocstringHTML.markdown(DocstringHTML.fenceIndentedBlocks(s))
            var aside: [[UInt8]] = []
            _ = QuietParagraph.setAside(DocstringHTML.preEscape(s), into: &aside)
            guard let quick = DocstringHTML.markdownWithSetAside(s) else { continue }
            fast += 1
            paragraphs += aside.count
            #expect(quick == full, "\(s.debugDescription)")
        }
        #expect(fast > 1000 && paragraphs > 1000, "\(fast) set aside, \(paragraphs) paragraphs")
    }

    /// Dropping leading rule lines over UTF-8 is the Character-by-Character drop it replaces.
    @Test func docstringLeadingRulesDropAsCharactersDo() {
        func reference(_ s: String) -> String {
            var rest = Substring(s)
            while !rest.isEmpty {
                let line = rest.prefix(while: { $0 != "\n" })
                guard line.allSatisfy({ $0 == "-" || $0 == " " || $0 == "\t" || $0 == "\r" }) else { break }
                rest = rest.dropFirst(line.count)
                if rest.first == "\n" { rest = rest.dropFirst() }
            }
            return String(rest)
        }
        var rng = SplitMix64(state: 0xD405)
        let atoms = ["-", "---", " ", "\t", "\r", "\n", "\r\n", "\u{301}", "a", "é", "-\u{301}", "\n\u{301}"]
        for _ in 0..<4000 {
            let s = (0..<Int(rng.next() % 12)).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            #expect(DocstringHTML.dropLeadingRules(s) == reference(s), "\(s.debugDescription)")
        }
    }

    /// Line splitting on UTF-8 is the Character split it replaces, and the pre-escape round-trips.
    @Test func docstringLinesSplitAsCharactersDo() {
        var rng = SplitMix64(state: 0x5E1F)
        let atoms = ["a", "\n", "\n\n", "\r", "\r\n", "\u{301}", "é", "&", "&amp;", "<", "&lt;", "\u{0}", " ", "😀"]
        for _ in 0..<3000 {
            let s = (0..<Int(rng.next() % 20)).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            for omit in [true, false] {
                #expect(DocstringHTML.splitLines(s, omittingEmpty: omit).map(String.init) == s.split(separator: "\n", omittingEmptySubsequences: omit).map(String.init), "\(s.debugDescription)")
            }
            var zeroFree = ""
            zeroFree.unicodeScalars.append(contentsOf: s.unicodeScalars.filter { $0 != "\u{0}" })
            #expect(DocstringHTML.unPreEscape(Substring(DocstringHTML.preEscape(zeroFree))) == zeroFree, "\(s.debugDescription)")
        }
    }

    /// `inspect.cleandoc` as CPython 3.11 computes it (expected values printed by CPython):
    /// code-point columns, `str.isspace` indentation, tab stops that restart after `\r`.
    @Test func cleandocCountsAsPythonDoes() {
        let cases: [(String, String)] = [
            ("  Hello\n    world\n      x\n", "Hello\nworld\n  x"),
            ("\tA\n\tb\n\t\tc", "A\nb\n        c"),
            ("x\n\u{A0}\u{A0} y\n   z", "x\ny\nz"),
            ("\n\n  \n  a\n  b\n\n", "a\nb"),
            ("e\u{301}\tz\n  \u{3000}w\n   v", "e\u{301}      z\nw\nv"),
            ("a\r\tb\n\t c", "a\r        b\nc"),
            ("", ""), ("   ", ""), ("\n  ", "  "), ("one", "one"),
        ]
        for (doc, want) in cases {
            let got = AgentFile.cleandoc(doc)
            #expect(Array(got.unicodeScalars) == Array(want.unicodeScalars), "\(doc.debugDescription) → \(got.debugDescription)")
        }
    }

    @Test func highlighterEscapesAndKeepsLines() {
        let src = "# c <b>\n@dec\ndef f(x=1.5e-3):\n    s = rb'''a\n</span>'''\n    return \"\\\"\" + x\n"
        let html = PythonHighlighter.html(Array(src.utf8))
        #expect(html.components(separatedBy: "<span class=\"l\">").count - 1 == 6)
        #expect(html.contains(#"<span class="sx-c"># c &lt;b&gt;</span>"#))
        #expect(html.contains(#"<span class="sx-d">@dec</span>"#))
        #expect(html.contains(#"<span class="sx-k">def</span> <span class="sx-f">f</span>(x=<span class="sx-n">1.5e-3</span>)"#))
        #expect(html.contains(#"<span class="sx-s">rb&#39;&#39;&#39;a</span>"#))
        #expect(html.contains(#"<span class="sx-s">&lt;/span&gt;&#39;&#39;&#39;</span>"#))
        #expect(html.contains(#"<span class="sx-s">&quot;\&quot;&quot;</span>"#))
        // Never fails: invalid UTF-8, NUL, lone CR, unterminated strings.
        let odd = PythonHighlighter.html([0x78, 0xFF, 0x00, 0x0D, 0x27, 0x61, 0x0A, 0x22, 0x22, 0x22, 0x62])
        #expect(odd.contains("\u{FFFD}") && !odd.contains("\0"))
        #expect(PythonHighlighter.html([]) == "<span class=\"l\"></span>")
        // Spliced into a page: the page around it, the same highlighting inside.
        let marker = Array("\u{1}M\u{1}".utf8)
        for source in [Array(src.utf8), [0x78, 0xFF, 0x0A], []] {
            let page = Array("<pre>".utf8) + marker + Array("</pre>\u{1}M\u{1}".utf8)
            #expect(PythonHighlighter.splice(page, marker: marker, source: source)
                    == Array("<pre>".utf8) + PythonHighlighter.bytes(source) + Array("</pre>\u{1}M\u{1}".utf8))
        }
        #expect(PythonHighlighter.splice(Array("no marker".utf8), marker: marker, source: [0x41]) == Array("no marker".utf8))
    }

    @Test func livePagesCarryTheSignInAndOwnerTools() throws {
        var options = CatalogOptions()
        options.live = true
        let out = try CatalogFixture.buildSample(catalog: options)
        defer { CatalogFixture.remove(out) }
        let page = CatalogFixture.read(out + "/catalog/@acme/release_notes.html")
        for needle in ["id=\"signin-form\"", "type=\"password\"", "id=\"owner-tools\"", "id=\"yank-form\"", "id=\"deprecate-form\"",
                       "catalog/assets/live.js", "data-live=\"1\"", "id=\"live-status\""] {
            #expect(page.contains(needle), "live page lacks \(needle)")
        }
        let account = CatalogFixture.read(out + "/catalog/account.html")
        #expect(account.contains("id=\"publish-form\"") && account.contains("id=\"ns-list\""))
        let live = CatalogFixture.read(out + "/catalog/assets/live.js")
        for api in ["/api/v1/whoami", "/api/v1/publish", "'/api/v1/agents/'", "/deprecate", "'Bearer '", "text/x-python"] {
            #expect(live.contains(api), "live.js lacks \(api)")
        }
    }

    @Test func singlePageFunctionsMatchTheBuild() throws {
        let out = try CatalogFixture.buildSample()
        defer { CatalogFixture.remove(out) }
        let registry = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: out + "/registry.json")))
        let root = TestPaths.root.appendingPathComponent("registry").path
        let agents = try (registry["agents"]?.arrayValue ?? []).map { e -> CatalogAgent in
            let file = try #require(e["_file"]?.stringValue)
            return CatalogAgent(entry: e, source: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + file))))
        }
        var options = CatalogOptions()
        options.generated = "2023-11-14T22:13:20Z"
        let release = try #require(agents.first { $0.name == "@acme/release_notes" })
        let single = String(decoding: try Catalog.agentPage(release, options: options), as: UTF8.self)
        // An agent page depends on its agent only: no registry-wide count or build time, so the
        // page rendered alone is the page the build wrote.
        #expect(single.contains("<p>RAR registry</p>"))
        #expect(single == CatalogFixture.read(out + "/catalog/@acme/release_notes.html"))
        #expect(CatalogFixture.read(out + "/index.html").contains("<p>RAR registry · 4 agents · built 2023-11-14T22:13:20Z</p>"))
        let pub = String(decoding: try Catalog.publisherPage("@rar-samples", agents: agents, options: options), as: UTF8.self)
        #expect(pub.contains("@rar-samples/word_count") && !pub.contains("@acme/release_notes"))
        #expect(String(decoding: try Catalog.indexPage(agents: agents, options: options), as: UTF8.self) == CatalogFixture.read(out + "/index.html"))
        #expect(Catalog.agentPagePath("@acme/index") == "catalog/@acme/index.agent.html")
        #expect(Catalog.agentPagePath("@a b/../x") == "catalog/@a_b/.._x.html")
        #expect(Catalog.publisherPagePath("@acme") == "catalog/@acme/index.html")
    }

    @Test func siteOverrideDirectoryReplacesFiles() throws {
        let dir = CatalogFixture.tempDir("override")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/assets", withIntermediateDirectories: true)
        try Data("body { color: red }\n".utf8).write(to: URL(fileURLWithPath: dir + "/assets/site.css"))
        try Data("/* extra */\n".utf8).write(to: URL(fileURLWithPath: dir + "/assets/extra.js"))
        var options = CatalogOptions()
        options.siteDir = dir
        let files = try Catalog.assets(options: options)
        #expect(files.first { $0.path == "catalog/assets/site.css" }?.bytes == Array("body { color: red }\n".utf8))
        #expect(files.contains { $0.path == "catalog/assets/extra.js" })
        #expect(files.contains { $0.path == "catalog/assets/catalog.js" })  // the rest stays embedded
        options.siteDir = dir + "/nope"
        #expect(throws: CatalogError.self) { try Catalog.assets(options: options) }
    }

    @Test func embeddedSiteMatchesTheSiteDirectory() throws {
        let site = TestPaths.root.appendingPathComponent("site")
        let onDisk = try CatalogSite.directoryFiles(site.path)
        let embedded = CatalogSite.embeddedFiles()
        #expect(Set(onDisk.keys) == Set(embedded.keys), "site/ and SiteAssets.swift list different files: run python3 site/embed.py")
        for (k, v) in onDisk {
            #expect(embedded[k] == v, "\(k) differs from SiteAssets.swift: run python3 site/embed.py")
        }
    }
}
