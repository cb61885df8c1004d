// Incantations: a seed as 7 words × 10 bits, first word = least-significant bits (cards.md §9).
// Two decoders: `decodeStrict` is the reference's words_to_seed, bit for bit (same errors);
// `decodeForgiving` is ours: looser separators, and "did you mean" for unknown words. Neither
// ever maps a misspelled word to some other word.

/// A reference words_to_seed error; `message` is the reference text exactly.
public struct IncantationError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        case wordCount(Int)
        case unknownWord(String)
        /// seed_to_words input ≥ 2^70 (the reference silently drops the high bits).
        case seedTooLarge
    }
    public let kind: Kind
    public var message: String {
        switch kind {
        case .wordCount(let n): "Mnemonic must be 7 words, got \(n)"
        case .unknownWord(let w): "Unknown word: \(w)"
        case .seedTooLarge: "Seed does not fit in 7 words (must be below 2^70)"
        }
    }
    public var description: String { message }
}

/// Why a forgiving decode failed: a wrong word count and/or unknown words with suggestions.
public struct IncantationProblem: Error, Equatable, CustomStringConvertible, Sendable {
    public struct UnknownWord: Equatable, Sendable {
        /// 1-based position among the tokens.
        public var position: Int
        /// The token as normalised (upper-cased).
        public var token: String
        /// Nearest words by edit distance, closest first (at most 3; may be empty).
        public var suggestions: [String]
    }
    /// Tokens found (7 expected).
    public var tokenCount: Int
    public var unknownWords: [UnknownWord]

    public var description: String {
        var parts: [String] = []
        if tokenCount != Incantation.wordCount { parts.append("expected 7 words, got \(tokenCount)") }
        for u in unknownWords {
            var s = "unknown word '\(u.token)' (word \(u.position))"
            s += u.suggestions.isEmpty ? "; no close match" : "; did you mean " + u.suggestions.joined(separator: ", ") + "?"
            parts.append(s)
        }
        return parts.joined(separator: "; ")
    }
}

public enum Incantation {
    public static let wordCount = 7
    public static let bitsPerWord = 10
    /// Largest seed an incantation can hold: 2^70 − 1.
    public static let maxSeed: CardSeed = (1 << 70) - 1

    /// Word → index; keys are ASCII, so Swift `==` is byte equality here.
    static let indexByWord: [String: Int] = {
        var d: [String: Int] = [:]
        d.reserveCapacity(words.count)
        for (i, w) in words.enumerated() { d[w] = i }
        return d
    }()

    /// Index of an exact (already upper-case) word. Non-ASCII never matches: Swift would
    /// treat KELVIN SIGN as "K" through canonical equivalence, Python does not.
    public static func index(of word: String) -> Int? {
        guard word.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        return indexByWord[word]
    }

    // MARK: encode

    /// seed_to_words as a list. Rejects seeds ≥ 2^70 instead of wrapping.
    public static func words(for seed: CardSeed) throws(IncantationError) -> [String] {
        guard seed <= maxSeed else { throw IncantationError(kind: .seedTooLarge) }
        var out: [String] = []
        out.reserveCapacity(wordCount)
        var rest = seed
        for _ in 0..<wordCount {
            out.append(words[Int(rest & 1023)])
            rest >>= 10
        }
        return out
    }

    /// seed_to_words: 7 upper-case words joined by single spaces.
    public static func encode(_ seed: CardSeed) throws(IncantationError) -> String {
        guard seed <= maxSeed else { throw IncantationError(kind: .seedTooLarge) }
        var out: [UInt8] = []
        out.reserveCapacity(80)
        var rest = seed
        for i in 0..<wordCount {
            if i > 0 { out.append(0x20) }
            out.append(contentsOf: wordBytes[Int(rest & 1023)])
            rest >>= 10
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let wordBytes: [[UInt8]] = words.map { Array($0.utf8) }

    // MARK: strict (reference) decode

    /// words_to_seed exactly: "-" → space, Python `str.split()` whitespace, `upper()`,
    /// count check before lookup, first unknown word reported.
    public static func decodeStrict(_ mnemonic: String) throws(IncantationError) -> CardSeed {
        if let fast = try decodeStrictASCII(mnemonic) { return fast }
        let tokens = split(mnemonic) { $0 == "-" || isPythonWhitespace($0) }.map(PythonCase.upper)
        guard tokens.count == wordCount else { throw IncantationError(kind: .wordCount(tokens.count)) }
        var seed: CardSeed = 0
        for (i, w) in tokens.enumerated() {
            guard let idx = index(of: w) else { throw IncantationError(kind: .unknownWord(w)) }
            seed |= CardSeed(idx) << (10 * i)
        }
        return seed
    }

    /// Same result as the general path for all-ASCII input, without allocating strings.
    /// Returns nil for non-ASCII input (Unicode whitespace and case mapping need the general path).
    static func decodeStrictASCII(_ mnemonic: String) throws(IncantationError) -> CardSeed? {
        let r: Result<CardSeed, IncantationError>?? = mnemonic.utf8.withContiguousStorageIfAvailable { b in
            var keys: [UInt64] = []
            keys.reserveCapacity(wordCount)
            var key: UInt64 = 0, len = 0, inToken = false, packable = true
            for c in b {
                if c >= 0x80 { return nil }
                // ASCII separators of the reference: '-', \t-\r, 0x1C-0x1F, space.
                if c == 0x2D || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) {
                    if inToken { keys.append(packable ? key : .max); key = 0; len = 0; inToken = false; packable = true }
                    continue
                }
                inToken = true
                let u = c >= 0x61 && c <= 0x7A ? c - 0x20 : c
                if u >= 0x41 && u <= 0x5A && len < 12 { key = key << 5 | UInt64(u - 0x40); len += 1 } else { packable = false }
            }
            if inToken { keys.append(packable ? key : .max) }
            guard keys.count == wordCount else { return .failure(IncantationError(kind: .wordCount(keys.count))) }
            var seed: CardSeed = 0
            for (i, k) in keys.enumerated() {
                guard let idx = indexByPackedWord[k] else { return nil }  // unknown: let the general path word the error
                seed |= CardSeed(idx) << (10 * i)
            }
            return .success(seed)
        }
        switch r {
        case .some(.some(.success(let seed))): return seed
        case .some(.some(.failure(let e))): throw e
        default: return nil
        }
    }

    /// Words packed 5 bits per letter (A=1…Z=26); every word is 2–11 letters, so this is unique.
    static let indexByPackedWord: [UInt64: Int] = {
        var d: [UInt64: Int] = [:]
        for (i, w) in words.enumerated() { d[w.utf8.reduce(0) { $0 << 5 | UInt64($1 - 0x40) }] = i }
        return d
    }()

    /// Python's `str.isspace()` set used by `str.split()` (includes U+001C–U+001F, which
    /// Swift's `Character.isWhitespace` does not).
    public static func isPythonWhitespace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    static func split(_ s: String, isSeparator: (Unicode.Scalar) -> Bool) -> [String] {
        var tokens: [String] = []
        var cur = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isSeparator(u) {
                if !cur.isEmpty { tokens.append(String(cur)); cur = String.UnicodeScalarView() }
            } else {
                cur.append(u)
            }
        }
        if !cur.isEmpty { tokens.append(String(cur)) }
        return tokens
    }

    // MARK: forgiving decode

    /// Separators accepted by the forgiving decoder: Python whitespace, hyphens and dashes,
    /// underscores, commas, semicolons, periods, slashes, bars, plus signs, middle dots, quotes.
    public static func isForgivingSeparator(_ u: Unicode.Scalar) -> Bool {
        if isPythonWhitespace(u) { return true }
        switch u.value {
        case 0x2D, 0x5F, 0x2C, 0x3B, 0x2E, 0x2F, 0x7C, 0x2B, 0x22, 0x27, 0x60, 0xB7,
             0x2010...0x2015, 0x2018...0x201F, 0x2212, 0x30FB, 0xFE58, 0xFE63, 0xFF0C, 0xFF0D, 0xFF0E:
            return true
        default:
            return false
        }
    }

    /// Normalise a token: full-width ASCII → ASCII, then Unicode upper-casing.
    static func normaliseForgiving(_ token: String) -> String {
        var v = String.UnicodeScalarView()
        for u in token.unicodeScalars {
            if (0xFF01...0xFF5E).contains(u.value), let a = Unicode.Scalar(u.value - 0xFEE0) { v.append(a) } else { v.append(u) }
        }
        return PythonCase.upper(String(v))
    }

    /// The words of `text` as the forgiving decoder sees them (normalised, upper-case).
    public static func forgivingTokens(_ text: String) -> [String] {
        split(text, isSeparator: isForgivingSeparator).map(normaliseForgiving)
    }

    /// Case-insensitive; hyphens, underscores, commas and runs of spaces all separate words.
    /// Succeeds only when there are exactly 7 tokens and every one is a list word; otherwise
    /// reports every unknown word with up to 3 suggestions. Never guesses.
    public static func decodeForgiving(_ text: String) -> Result<CardSeed, IncantationProblem> {
        let tokens = forgivingTokens(text)
        var unknown: [IncantationProblem.UnknownWord] = []
        var seed: CardSeed = 0
        for (i, w) in tokens.enumerated() {
            if let idx = index(of: w) {
                if i < wordCount { seed |= CardSeed(idx) << (10 * i) }
            } else {
                unknown.append(.init(position: i + 1, token: w, suggestions: suggestions(for: w)))
            }
        }
        if tokens.count != wordCount || !unknown.isEmpty {
            return .failure(IncantationProblem(tokenCount: tokens.count, unknownWords: unknown))
        }
        return .success(seed)
    }

    /// Up to `limit` list words nearest to `token` (optimal-string-alignment distance, so a
    /// swap of two adjacent letters costs 1). Ordered by distance, then alphabetically.
    /// Only words within a length-dependent bound (1 for ≤4 letters, 2 for ≤7, else 3).
    public static func suggestions(for token: String, limit: Int = 3) -> [String] {
        let t = Array(normaliseForgiving(token).unicodeScalars.map(\.value))
        guard !t.isEmpty else { return [] }
        let bound = t.count <= 4 ? 1 : (t.count <= 7 ? 2 : 3)
        var found: [(d: Int, w: String)] = []
        for w in words {
            let wv = w.unicodeScalars.map(\.value)
            if abs(wv.count - t.count) > bound { continue }
            let d = osaDistance(t, wv, bound: bound)
            if d <= bound { found.append((d, w)) }
        }
        found.sort { $0.d != $1.d ? $0.d < $1.d : $0.w.utf8.lexicographicallyPrecedes($1.w.utf8) }
        return found.prefix(max(0, limit)).map(\.w)
    }

    /// Optimal string alignment distance; returns bound+1 early once every cell exceeds bound.
    static func osaDistance(_ a: [UInt32], _ b: [UInt32], bound: Int) -> Int {
        let n = a.count, m = b.count
        if n == 0 { return m }
        if m == 0 { return n }
        var prev2 = [Int](repeating: 0, count: m + 1)
        var prev = Array(0...m)
        var cur = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...m {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > bound { return bound + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[m]
    }
}
