import Foundation
@testable import RARServer
import Testing

@Suite("search index")
struct SearchIndexTests {
    static func entry(_ id: Int64, _ name: String, display: String = "", description: String = "", tags: String = "", doc: String = "",
                      category: String = "core", tier: String = "community", installs: Int = 0, latest: String? = "1.0.0") -> SearchEntry {
        let publisher = String(name.split(separator: "/")[0])
        let hit = SearchHit(name: name, tier: tier, category: category, type: "agent", displayName: display, description: description,
                            latest: latest, deprecated: nil, installs: installs, score: 0)
        return SearchEntry(id: id, publisher: publisher, hit: hit, textA: name + " " + display, textB: description + " " + tags, textC: doc)
    }

    static func names(_ index: SearchIndex, _ text: String, configure: (inout SearchQuery) -> Void = { _ in }) -> [String] {
        var q = SearchQuery()
        q.text = text
        q.perPage = 100
        configure(&q)
        return index.search(q).page.map { index.docs[Int($0.slot)].hit.name }
    }

    static func sample() -> SearchIndex {
        let index = SearchIndex()
        index.apply(SearchFeed(generation: 3, entries: [
            entry(1, "@acme/forecast", display: "Forecast", description: "Weather forecasts for any city.", tags: "weather", category: "analysis"),
            entry(2, "@acme/notes", display: "Notes", description: "Meeting notes; mentions weather once.", category: "productivity", installs: 5),
            entry(3, "@beta/cafe_finder", display: "Café finder", description: "Finds a café nearby.", doc: "Uses the weather too."),
            entry(4, "@beta/libraries", display: "Library search", description: "Searches public libraries."),
        ]))
        return index
    }

    @Test func everyWordMustMatchAsAPrefixOrByItsStem() {
        let index = Self.sample()
        #expect(Self.names(index, "forecas") == ["@acme/forecast"])
        #expect(Self.names(index, "forecasting") == ["@acme/forecast"])
        #expect(Self.names(index, "weather city") == ["@acme/forecast"])
        #expect(Self.names(index, "weather nowhere").isEmpty)
        #expect(Self.names(index, "CAFE") == ["@beta/cafe_finder"])
        #expect(Self.names(index, "café").count == 1)
        #expect(Self.names(index, "libraries") == ["@beta/libraries"])
        #expect(Self.names(index, "\"weather OR * NEAR(").isEmpty)
        #expect(Self.names(index, "   ").count == 4)
    }

    @Test func fieldsWeighTheRanking() {
        // Name and tags outrank a description, which outranks a docstring.
        #expect(Self.names(Self.sample(), "weather") == ["@acme/forecast", "@acme/notes", "@beta/cafe_finder"])
    }

    @Test func filtersFacetsAndPaging() {
        let index = Self.sample()
        var q = SearchQuery()
        q.text = "weather"
        let r = index.search(q)
        #expect(r.total == 3)
        #expect(r.facets["publisher"]?.map(\.0) == ["@acme", "@beta"] && r.facets["publisher"]?.map(\.1) == [2, 1])
        #expect(Self.names(index, "weather") { $0.category = "productivity" } == ["@acme/notes"])
        #expect(Self.names(index, "weather") { $0.category = "nothing" }.isEmpty)
        #expect(Self.names(index, "") { $0.publisher = "@beta" } == ["@beta/cafe_finder", "@beta/libraries"])
        // Pages of one query concatenate to its full ranking.
        let all = Self.names(index, "")
        #expect(all == ["@acme/notes", "@acme/forecast", "@beta/cafe_finder", "@beta/libraries"])  // no words: installs, then name
        var paged: [String] = []
        for page in 1...3 {
            paged += Self.names(index, "") { $0.perPage = 2; $0.page = page }
        }
        #expect(paged == all)
    }

    @Test func changesReplaceAndRemove() {
        let index = Self.sample()
        index.apply(SearchFeed(generation: 4, entries: [Self.entry(1, "@acme/forecast", description: "Tide tables.")]))
        #expect(Self.names(index, "tide") == ["@acme/forecast"])
        #expect(!Self.names(index, "weather").contains("@acme/forecast"))
        index.apply(SearchFeed(generation: 5, entries: [Self.entry(2, "@acme/notes", latest: nil)]))
        #expect(Self.names(index, "notes").isEmpty)
        #expect(index.generation == 5 && index.liveCount == 3)
        // Retired slots pile up until a rebuild is due.
        for round in 0..<3000 {
            index.apply(SearchFeed(generation: 6 + Int64(round), entries: [Self.entry(9, "@gamma/churn", description: "round \(round)")]))
        }
        #expect(Self.names(index, "churn") == ["@gamma/churn"])
        #expect(Self.names(index, "2999") == ["@gamma/churn"])
        #expect(index.wantsRebuild == false)
        for round in 3000..<5000 {
            index.apply(SearchFeed(generation: 6 + Int64(round), entries: [Self.entry(9, "@gamma/churn", description: "round \(round)")]))
        }
        #expect(index.wantsRebuild)
    }

    @Test func wordsAreBoundedPerField() {
        let index = SearchIndex()
        let filler = (0..<100_000).map { "w" + String($0, radix: 36) }.joined(separator: " ")
        index.apply(SearchFeed(generation: 1, entries: [Self.entry(1, "@acme/huge", doc: "quokka " + filler)]))
        #expect(Self.names(index, "quokka") == ["@acme/huge"])
        #expect(Self.names(index, "w1a") == ["@acme/huge"])
        #expect(Self.names(index, "w255r").isEmpty)  // past the docstring's cap
        #expect(SearchIndex.words("Café  forecasts, @acme/word_count! V2") == ["cafe", "forecasts", "acme", "word", "count", "v2"])
    }
}
