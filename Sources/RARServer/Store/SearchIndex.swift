import Foundation
import RARCore

/// One agent as search sees it, as the store hands it over.
public struct SearchEntry: Sendable {
    public var id: Int64
    public var publisher: String
    /// What a result shows (score 0). `latest` nil: no live version, the agent leaves the index.
    public var hit: SearchHit
    /// Searchable text by weight: name and display name; description and tags; docstring.
    public var textA: String
    public var textB: String
    public var textC: String
}

/// The agents that changed after a generation (all of them when asked from nil), read in one
/// snapshot together with the generation they bring the index to.
public struct SearchFeed: Sendable {
    public var generation: Int64
    public var entries: [SearchEntry]
    public init(generation: Int64, entries: [SearchEntry]) { self.generation = generation; self.entries = entries }
}

/// Full-text search over every live agent, in memory: an inverted index kept current from the
/// store's change feed. Every query word must match a word of the agent as a prefix (a query word
/// with a plural or -ing/-ed ending also matches by its stem); results rank by BM25 over three
/// weighted fields, then installs, then name. Not thread-safe: `SearchService` guards it.
final class SearchIndex {
    static let weights: (a: Float, b: Float, c: Float) = (10, 4, 1)
    /// Text indexed per field (bytes of words), whatever the file holds.
    static let caps = (a: 16_384, b: 65_536, c: 131_072)
    static let facetNames = ["category", "tier", "publisher", "type"]

    struct Doc {
        /// As the feed gave it (installs and score come from the query).
        var hit: SearchHit
        var terms: [Int32]
    }

    struct Postings {
        var slots: ContiguousArray<Int32> = []
        var tf: ContiguousArray<Float> = []
    }

    private(set) var generation: Int64 = -1
    private(set) var docs: [Doc] = []
    // What queries read per slot, kept apart from the documents so the loops stay cheap.
    private var alive: [Bool] = []
    private var lengths: [Float] = []
    private var facetOf: [SIMD4<Int32>] = []
    private var installs: [Int] = []
    private var nameKeys: [[UInt8]] = []
    private var slotOf: [Int64: Int32] = [:]
    private var termID: [String: Int32] = [:]
    private var termBytes: [[UInt8]] = []
    private var postings: [Postings] = []
    private var df: [Int32] = []
    /// Term ids in byte order of their text (prefix ranges are contiguous).
    private var sortedTerms: [Int32] = []
    private var unsortedTerms: [Int32] = []
    private var facetValues: [[String]] = [[], [], [], []]
    private var facetIDs: [[String: Int32]] = [[:], [:], [:], [:]]
    private(set) var liveCount = 0
    private(set) var deadCount = 0
    private var totalLength: Double = 0

    /// Enough dead slots that rebuilding from a full feed is cheaper than carrying them.
    var wantsRebuild: Bool { deadCount > max(4096, liveCount / 4) }

    func apply(_ feed: SearchFeed) {
        for e in feed.entries { upsert(e) }
        if !unsortedTerms.isEmpty { mergeNewTerms() }
        generation = max(generation, feed.generation)
    }

    /// Current install totals by agent id.
    func setInstalls(_ totals: [Int64: Int]) {
        for (id, n) in totals { if let s = slotOf[id] { installs[Int(s)] = n } }
    }

    private func upsert(_ e: SearchEntry) {
        if let old = slotOf.removeValue(forKey: e.id) { retire(old) }
        let h = e.hit
        guard h.latest != nil else { return }
        let slot = Int32(docs.count)
        var tfs: [Int32: Float] = [:]
        var length: Float = 0
        for (text, w, cap) in [(e.textA, Self.weights.a, Self.caps.a), (e.textB, Self.weights.b, Self.caps.b), (e.textC, Self.weights.c, Self.caps.c)] {
            for word in Self.words(text, capBytes: cap) {
                tfs[intern(word), default: 0] += w
                length += w
            }
        }
        let terms = tfs.keys.sorted()
        for t in terms {
            postings[Int(t)].slots.append(slot)
            postings[Int(t)].tf.append(tfs[t]!)
            df[Int(t)] += 1
        }
        docs.append(Doc(hit: h, terms: terms))
        alive.append(true)
        lengths.append(length)
        facetOf.append(SIMD4(facet(0, h.category), facet(1, h.tier), facet(2, e.publisher), facet(3, h.type)))
        installs.append(h.installs)
        nameKeys.append(Array(h.name.utf8))
        slotOf[e.id] = slot
        liveCount += 1
        totalLength += Double(length)
    }

    private func retire(_ slot: Int32) {
        let s = Int(slot)
        guard alive[s] else { return }
        for t in docs[s].terms { df[Int(t)] -= 1 }
        alive[s] = false
        docs[s].terms = []
        liveCount -= 1
        deadCount += 1
        totalLength -= Double(lengths[s])
    }

    private func intern(_ word: String) -> Int32 {
        if let id = termID[word] { return id }
        let id = Int32(termBytes.count)
        termID[word] = id
        termBytes.append(Array(word.utf8))
        postings.append(Postings())
        df.append(0)
        unsortedTerms.append(id)
        return id
    }

    private func facet(_ f: Int, _ value: String) -> Int32 {
        if let id = facetIDs[f][value] { return id }
        let id = Int32(facetValues[f].count)
        facetIDs[f][value] = id
        facetValues[f].append(value)
        return id
    }

    private func mergeNewTerms() {
        let fresh = unsortedTerms.sorted { Self.less(termBytes[Int($0)], termBytes[Int($1)]) }
        unsortedTerms = []
        var merged: [Int32] = []
        merged.reserveCapacity(sortedTerms.count + fresh.count)
        var i = 0, j = 0
        while i < sortedTerms.count, j < fresh.count {
            if Self.less(termBytes[Int(fresh[j])], termBytes[Int(sortedTerms[i])]) { merged.append(fresh[j]); j += 1 } else { merged.append(sortedTerms[i]); i += 1 }
        }
        merged += sortedTerms[i...]
        merged += fresh[j...]
        sortedTerms = merged
    }

    // MARK: words

    /// Lower-cased words of letters and digits, diacritics folded; at most `capBytes` of them.
    static func words(_ text: String, capBytes: Int = .max) -> [String] {
        var out: [String] = []
        var size = 0
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var cur: [UInt8] = []
            func flush() -> Bool {
                guard !cur.isEmpty else { return true }
                size += cur.count + 1
                if size > capBytes { return false }
                out.append(String(decoding: cur, as: UTF8.self))
                cur.removeAll(keepingCapacity: true)
                return true
            }
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): cur.append(b)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): cur.append(b + 32)
                default: if !flush() { return out }
                }
            }
            _ = flush()
            return out
        }
        var cur = ""
        for ch in text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).unicodeScalars {
            if ch.properties.isAlphabetic || ch.properties.numericType != nil {
                cur.unicodeScalars.append(ch)
            } else if !cur.isEmpty {
                size += cur.utf8.count + 1
                if size > capBytes { return out }
                out.append(cur)
                cur = ""
            }
        }
        if !cur.isEmpty, size + cur.utf8.count + 1 <= capBytes { out.append(cur) }
        return out
    }

    /// The prefixes a query word matches by: itself, or its stem when it has a common ending.
    static func prefixes(_ word: String) -> [String] {
        let w = Array(word.utf8)
        func drop(_ n: Int, add: String = "") -> String { String(decoding: w.dropLast(n), as: UTF8.self) + add }
        func ends(_ s: String) -> Bool { w.count > s.utf8.count + 2 && w.suffix(s.utf8.count).elementsEqual(s.utf8) }
        if ends("ies") { return [word, drop(3, add: "y")] }
        if ends("es") && !ends("ses") { return [drop(2)] }
        if ends("s") && !ends("ss") { return [drop(1)] }
        if ends("ing") && w.count > 5 { return [drop(3)] }
        if ends("ed") { return [drop(2)] }
        return [word]
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { BuildSupport.bytesLess(a, b) }

    /// Term ids whose text starts with `prefix`.
    private func expand(_ prefix: String) -> ArraySlice<Int32> {
        let p = Array(prefix.utf8)
        var lo = 0, hi = sortedTerms.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.less(termBytes[Int(sortedTerms[mid])], p) { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < sortedTerms.count, termBytes[Int(sortedTerms[end])].starts(with: p) { end += 1 }
        return sortedTerms[lo..<end]
    }

    // MARK: queries

    struct Match {
        var slot: Int32
        var score: Double
    }

    /// Total, the requested page (slots and scores) and the facets over every match.
    func search(_ q: SearchQuery) -> (total: Int, page: [Match], facets: [String: [(String, Int)]]) {
        let empty = (0, [Match](), Dictionary(uniqueKeysWithValues: Self.facetNames.map { ($0, [(String, Int)]()) }))
        // Filters: a value no agent has matches nothing.
        // Filters as a mask: a slot passes when its facet ids equal the wanted ones where wanted.
        var want = SIMD4<Int32>(repeating: 0), mask = SIMD4<Int32>(repeating: 0)
        for (f, v) in [q.category, q.tier, q.publisher, q.type].enumerated() {
            guard let v, !v.isEmpty else { continue }
            guard let id = facetIDs[f][v] else { return empty }
            want[f] = id
            mask[f] = -1
        }
        let filtered = mask != SIMD4(repeating: 0)
        func passes(_ s: Int) -> Bool { alive[s] && (!filtered || (facetOf[s] & mask) == want) }

        let words = Array(Self.words(String(q.text.unicodeScalars.prefix(512))).prefix(16))
        var matches: [Match] = []
        if words.isEmpty {
            matches.reserveCapacity(liveCount)
            for s in docs.indices where passes(s) { matches.append(Match(slot: Int32(s), score: 0)) }
        } else {
            // Each word's matching terms; the rarest word picks the candidates, the others narrow them.
            var groups: [[Int32]] = []
            for w in words {
                var ids = Set<Int32>()
                for p in Self.prefixes(w) { ids.formUnion(expand(p)) }
                guard !ids.isEmpty else { return empty }
                groups.append(ids.sorted())
            }
            let sizes = groups.map { $0.reduce(0) { $0 + postings[Int($1)].slots.count } }
            let order = groups.indices.sorted { sizes[$0] < sizes[$1] }
            matches = candidates(groups[order[0]])
            for g in order.dropFirst() {
                matches = narrow(matches, by: groups[g], size: sizes[g])
                if matches.isEmpty { return empty }
            }
            if filtered { matches.removeAll { !passes(Int($0.slot)) } }
        }

        var counts = facetValues.map { [Int](repeating: 0, count: $0.count) }
        for m in matches {
            let f = facetOf[Int(m.slot)]
            counts[0][Int(f[0])] += 1; counts[1][Int(f[1])] += 1; counts[2][Int(f[2])] += 1; counts[3][Int(f[3])] += 1
        }
        var facets: [String: [(String, Int)]] = [:]
        for (f, name) in Self.facetNames.enumerated() {
            facets[name] = counts[f].enumerated().filter { $0.element > 0 }.map { (facetValues[f][$0.offset], $0.element) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : Self.less(Array($0.0.utf8), Array($1.0.utf8)) }
        }
        let offset = (q.page - 1) * q.perPage
        let page = offset >= matches.count ? [] : Array(top(matches, offset + q.perPage)[offset...])
        return (matches.count, page, facets)
    }

    static let k1: Float = 1.2, b: Float = 0.75

    private func idf(_ t: Int32) -> Float {
        let n = Double(liveCount), d = Double(df[Int(t)])
        return Float(log(1 + (n - d + 0.5) / (d + 0.5)))
    }

    /// BM25 for one posting, given the term's idf and the mean document length.
    @inline(__always)
    private func contribution(idf: Float, tf: Float, slot: Int, avg: Float) -> Double {
        Double(idf * tf * (Self.k1 + 1) / (tf + Self.k1 * (1 - Self.b + Self.b * lengths[slot] / avg)))
    }

    private var averageLength: Float { liveCount == 0 ? 1 : Float(totalLength / Double(liveCount)) }

    private func candidates(_ terms: [Int32]) -> [Match] {
        let avg = averageLength
        var out: [Match] = []
        for t in terms {
            let idf = idf(t)
            postings[Int(t)].slots.withUnsafeBufferPointer { slots in
                postings[Int(t)].tf.withUnsafeBufferPointer { tf in
                    for i in slots.indices where alive[Int(slots[i])] {
                        out.append(Match(slot: slots[i], score: contribution(idf: idf, tf: tf[i], slot: Int(slots[i]), avg: avg)))
                    }
                }
            }
        }
        guard terms.count > 1 else { return out }
        out.sort { $0.slot < $1.slot }
        var merged: [Match] = []
        merged.reserveCapacity(out.count)
        for m in out {
            if let last = merged.last, last.slot == m.slot { merged[merged.count - 1].score += m.score } else { merged.append(m) }
        }
        return merged
    }

    /// Keep the matches that also hold one of `terms`, adding its score.
    private func narrow(_ current: [Match], by terms: [Int32], size: Int) -> [Match] {
        let avg = averageLength
        // Few candidates: look each one up; many: merge with the word's own list.
        if current.count * terms.count * 16 < size {
            let idfs = terms.map(idf)
            var out: [Match] = []
            for var m in current {
                var hit = false
                for (k, t) in terms.enumerated() {
                    let p = postings[Int(t)]
                    var lo = 0, hi = p.slots.count
                    while lo < hi { let mid = (lo + hi) / 2; if p.slots[mid] < m.slot { lo = mid + 1 } else { hi = mid } }
                    if lo < p.slots.count, p.slots[lo] == m.slot {
                        hit = true
                        m.score += contribution(idf: idfs[k], tf: p.tf[lo], slot: Int(m.slot), avg: avg)
                    }
                }
                if hit { out.append(m) }
            }
            return out
        }
        let other = candidates(terms)
        var out: [Match] = []
        var i = 0, j = 0
        while i < current.count, j < other.count {
            if current[i].slot < other[j].slot { i += 1 } else if current[i].slot > other[j].slot { j += 1 } else {
                out.append(Match(slot: current[i].slot, score: current[i].score + other[j].score))
                i += 1; j += 1
            }
        }
        return out
    }

    /// Ranked first: higher score, then more installs, then name (bytes).
    private func before(_ a: Match, _ b: Match) -> Bool {
        if a.score != b.score { return a.score > b.score }
        let x = Int(a.slot), y = Int(b.slot)
        if installs[x] != installs[y] { return installs[x] > installs[y] }
        return Self.less(nameKeys[x], nameKeys[y])
    }

    /// The first `k` matches in rank order.
    private func top(_ matches: [Match], _ k: Int) -> [Match] {
        guard matches.count > k else { return matches.sorted(by: before) }
        // A bounded max-heap (worst on top) of the best k seen so far.
        var heap: [Match] = []
        heap.reserveCapacity(k)
        func siftUp(_ i0: Int) {
            var i = i0
            while i > 0 { let p = (i - 1) / 2; if before(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { break } }
        }
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var w = i
                if l < heap.count, before(heap[w], heap[l]) { w = l }
                if r < heap.count, before(heap[w], heap[r]) { w = r }
                if w == i { return }
                heap.swapAt(i, w)
                i = w
            }
        }
        for m in matches {
            if heap.count < k { heap.append(m); siftUp(heap.count - 1) } else if before(m, heap[0]) { heap[0] = m; siftDown(0) }
        }
        return heap.sorted(by: before)
    }

    func hit(_ m: Match) -> SearchHit {
        var h = docs[Int(m.slot)].hit
        h.installs = installs[Int(m.slot)]
        h.score = m.score
        return h
    }
}
