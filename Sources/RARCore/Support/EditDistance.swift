/// Levenshtein distance over Unicode scalars, for "did you mean" suggestions.
public enum EditDistance {
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// Up to `limit` candidates within `maxDistance`, nearest first, ties in candidate order.
    public static func suggestions(for word: String, in candidates: [String], maxDistance: Int, limit: Int = 3) -> [String] {
        candidates.enumerated()
            .map { ($0.offset, $0.element, levenshtein(word, $0.element)) }
            .filter { $0.2 <= maxDistance }
            .sorted { ($0.2, $0.0) < ($1.2, $1.0) }
            .prefix(limit).map(\.1)
    }
}
