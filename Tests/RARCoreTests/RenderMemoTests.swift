import Foundation
@testable import RARCore
import Testing

@Suite("render memo: incremental re-renders")
struct RenderMemoTests {
    static func sampleTree() throws -> [String: [UInt8]] {
        var tree: [String: [UInt8]] = [:]
        let base = TestPaths.root.appendingPathComponent("registry").path
        for rel in ["agents/@acme/release_notes_agent.py", "agents/@rar-samples/json_lint_agent.py", "agents/@rar-samples/unit_convert_agent.py", "agents/@rar-samples/word_count_agent.py"] {
            tree[rel] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: base + "/" + rel)))
        }
        return tree
    }

    static func render(_ tree: [String: [UInt8]], at seconds: Double, memo: RenderMemo?) throws -> [String: [UInt8]] {
        var opt = BuildOptions(root: "/nonexistent")
        opt.tree = tree
        opt.keepGoing = true
        opt.generatedAt = Date(timeIntervalSince1970: seconds)
        let build = try RegistryBuilder.build(opt)
        var api = StaticAPI.Options()
        api.memo = memo
        var catalog = CatalogOptions()
        catalog.live = true
        api.catalog = catalog
        let files = try StaticAPI.render(build, sources: tree, options: api)
        memo?.sweep()
        return files
    }

    @Test func reusedOutputsEqualAFreshRender() throws {
        let memo = RenderMemo()
        var tree = try Self.sampleTree()
        #expect(try Self.render(tree, at: 1_700_000_000, memo: memo) == Self.render(tree, at: 1_700_000_000, memo: nil))
        func held(_ prefix: String) -> [String] { memo.ids.filter { $0.hasPrefix(prefix) }.sorted() }
        #expect(held("api:").count == tree.count && held("page:").count == tree.count)  // API documents and the page, per agent
        #expect(memo.ids.count > 2 * tree.count)  // and the listing pages

        // One agent changes, one leaves, the build time moves: the memo's output still equals a fresh one.
        let wc = "agents/@rar-samples/word_count_agent.py"
        tree[wc] = Array(String(decoding: tree[wc]!, as: UTF8.self).replacingOccurrences(of: "\"version\": \"", with: "\"version\": \"9").utf8)
        tree["agents/@rar-samples/json_lint_agent.py"] = nil
        let again = try Self.render(tree, at: 1_800_000_000, memo: memo)
        #expect(again == (try Self.render(tree, at: 1_800_000_000, memo: nil)))
        #expect(held("api:") == ["api:@acme/release_notes", "api:@rar-samples/unit_convert", "api:@rar-samples/word_count"])  // the departed agent is forgotten
        #expect(held("page:").count == tree.count)
        #expect(String(decoding: again["registry.json"] ?? [], as: UTF8.self).contains("\"version\": \"9"))
    }
}

@Suite("render by shape: skeletons filled per page")
struct ShapeRenderTests {
    /// Strings that an escaping or placeholder slip would show: markup, entities, the
    /// placeholder's own bytes, NUL, digits, non-ASCII.
    static let atoms = ["a", "<b>", "&", "&amp;", "\"", "'", "\u{1}", "\u{1}0&\u{2}", "\u{1}3&amp;\u{2}", "\u{2}", "\u{0}", "7", "é", "😀", " ", ""]

    static func text(_ rng: inout SplitMix64) -> String {
        (0..<Int(rng.next() % 6)).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
    }

    /// An agent page's values with random strings, numbers, flags, lists and absent keys.
    static func context(_ rng: inout SplitMix64) -> [String: Any] {
        var d: [String: Any] = [:]
        for k in ["root", "name", "publisher", "slug", "display_name", "description", "version", "tier", "tier_class", "category",
                  "category_href", "publisher_href", "install_command", "sha256", "file_path", "file_name", "install_filename",
                  "size_kb", "lines", "page_title", "meta_description", "site_title", "manifest_rows_html", "detail_rows_html"] {
            d[k] = text(&rng)
        }
        for k in ["deprecated", "download_href", "stub_source", "card_href", "seed", "incantation", "docstring_html", "source_html", "generated"]
        where rng.next() % 2 == 0 {
            d[k] = text(&rng)
        }
        for k in ["is_stub", "has_source", "has_incantation", "live", "nav_agents"] where rng.next() % 3 != 0 { d[k] = rng.next() % 2 == 0 }
        if rng.next() % 2 == 0 { d["agent_count"] = Int(rng.next() % 1000) - 10 }
        d["tags"] = (0..<Int(rng.next() % 4)).map { _ in text(&rng) }
        d["incantation_words"] = (0..<Int(rng.next() % 8)).map { _ in Substring(text(&rng)) }
        d["versions"] = (0..<Int(rng.next() % 3)).map { _ -> [String: Any] in
            ["version": text(&rng), "sha256": text(&rng), "sha256_short": text(&rng), "published": text(&rng), "yanked": rng.next() % 2 == 0]
        }
        return d
    }

    @Test func shapeRenderingEqualsRendering() throws {
        let site = try CatalogSite.load(nil)
        #expect(site.shapes.enabled)
        var rng = SplitMix64(state: 0x5EA9E)
        for n in 0..<400 {
            let first = Self.context(&rng)
            // The same shape with other strings: the second is filled from the first's skeleton.
            for (k, d) in [first, Self.restring(first, &rng) as! [String: Any]].enumerated() {
                for template in ["agent", "agent-row"] {
                    let want = try site.render(template, d)
                    let got = try site.renderByShape(template, d)
                    #expect(got == want, "context \(n).\(k), \(template)")
                }
            }
        }
    }

    /// `v` with every string and number replaced by a new random one.
    static func restring(_ v: Any, _ rng: inout SplitMix64) -> Any {
        switch v {
        case is String: return text(&rng)
        case is Substring: return Substring(text(&rng))
        case is Bool: return v
        case is Int: return Int(rng.next() % 100_000)
        case let d as [String: Any]: return d.mapValues { restring($0, &rng) }
        case let a as [Any]: return a.map { restring($0, &rng) }
        default: return v
        }
    }

    @Test func placeholdersStayOffWhereTemplatesCouldSeeThem() {
        #expect(ShapeMemo.hasTransform(Array("<p>{{uppercased(name)}}</p>".utf8)))
        #expect(!ShapeMemo.hasTransform(Array("<p>({{name}})</p>{{#a}}(x){{/a}}".utf8)))
        #expect(!ShapeMemo(templates: [Array("x\u{1}y".utf8)]).enabled)
        #expect(!ShapeMemo(templates: [Array("{{ lowercased(a) }}".utf8)]).enabled)
        #expect(ShapeMemo(templates: [Array("{{a}} (b)".utf8)]).enabled)
        // A malformed placeholder is refused, never filled with a guess.
        #expect(ShapeMemo.fill(Array("a\u{1}9&\u{2}".utf8), ["x"]) == nil)
        #expect(ShapeMemo.fill(Array("a\u{1}&\u{2}".utf8), ["x"]) == nil)
        #expect(ShapeMemo.fill(Array("a\u{1}0&\u{2}b\u{1}0&amp;\u{2}".utf8), ["<&>"]) == Array("a<&>b&lt;&amp;&gt;".utf8))
    }
}
