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
