// Seed arithmetic: string hash, the reference PRNG variant, type derivation, forge_seed.
// Spec: shared/reference/cards.md §2, §3, §5, §6.

/// Card seeds: 64 legacy bits + frontier (64) + extended-category (65). Incantations carry 70 bits.
public typealias CardSeed = UInt128

/// Errors for inputs the reference would crash on or silently wrap.
public struct CardInputError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The reference's PRNG. NOT standard mulberry32: step 3 has no "+ t" / "^ t" and the
/// output divides by 2^32 - 1, so it lies in [0, 1) but differs from every JS copy.
public struct Mulberry32: Sendable {
    public private(set) var state: UInt32

    public init(seed: UInt32) { state = seed }

    /// Python masks any int seed to 32 bits.
    public init(maskingSeed seed: CardSeed) { state = UInt32(truncatingIfNeeded: seed) }

    public mutating func nextUInt32() -> UInt32 {
        state &+= 0x6D2B_79F5
        var z = state
        z = (z ^ (z >> 15)) &* (z | 1)
        z = (z ^ (z >> 7)) &* (z | 61)
        return z ^ (z >> 14)
    }

    /// The reference float: z / 4294967295.0.
    public mutating func next() -> Double { Double(nextUInt32()) / 4_294_967_295.0 }
}

/// Decoded seed fields (§6 bit layout).
public struct SeedFields: Equatable, Sendable {
    /// Bits 66 and up: ignored by decoding, echoed in `seed`.
    public var highBits: CardSeed
    public var extendedCategory: Bool
    public var frontier: Bool
    public var nameHash: UInt32
    public var categoryIndex: Int
    public var secondaryIndex: Int
    public var tierIndex: Int
    public var tagCount: Int
    public var depCount: Int
    public var tagHash: Int

    public init(seed: CardSeed) {
        highBits = seed >> 66
        extendedCategory = (seed >> 65) & 1 == 1
        frontier = (seed >> 64) & 1 == 1
        let p = UInt64(truncatingIfNeeded: seed)
        nameHash = UInt32(truncatingIfNeeded: p >> 32)
        categoryIndex = Int((p >> 27) & 0x1F)
        secondaryIndex = Int((p >> 24) & 0x7)
        tierIndex = Int((p >> 22) & 0x3)
        tagCount = Int((p >> 17) & 0x1F)
        depCount = Int((p >> 13) & 0xF)
        tagHash = Int(p & 0x1FFF)
    }
}

public enum CardIdentity {
    /// 32-bit hash over Unicode code points: h = 31h + c (mod 2^32). No normalization.
    public static func seedHash(_ s: String) -> UInt32 {
        var h: UInt32 = 0
        for u in s.unicodeScalars { h = h &* 31 &+ u.value }
        return h
    }

    /// Primary type, plus the first other type (in type-table order) with a keyword that is a
    /// substring of the lower-cased tags joined by spaces. Matching is on code points / UTF-8
    /// bytes, never on Characters (Swift would miss "care"+U+0301 and "ai"+U+0307).
    /// `category == nil` stands for a non-string category value (primary SOCIAL).
    public static func deriveTypes(category: String?, tags: [String]) -> [AgentType] {
        let primary = CardCategory.primaryType(of: category)
        guard !tags.isEmpty else { return [primary] }
        var hay: [UInt8] = []
        for (i, tag) in tags.enumerated() {
            if i > 0 { hay.append(0x20) }
            appendLowercased(tag, to: &hay)
        }
        for t in AgentType.allCases where t != primary {
            for kw in AgentType.keywordBytes[t.rawValue] where contains(hay, kw) {
                return [primary, t]
            }
        }
        return [primary]
    }

    public static func deriveTypes(category: String, tags: [String]) -> [AgentType] {
        deriveTypes(category: Optional(category), tags: tags)
    }

    /// Python `str.lower()` as UTF-8 bytes. ASCII fast path; otherwise full Unicode mapping.
    private static func appendLowercased(_ s: String, to out: inout [UInt8]) {
        let u = s.utf8
        if u.allSatisfy({ $0 < 0x80 }) {
            for b in u { out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        } else {
            out.append(contentsOf: PythonCase.lower(s).utf8)
        }
    }

    private static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count, m = hay.count
        guard n <= m else { return false }
        let first = needle[0]
        var i = 0
        while i <= m - n {
            if hay[i] == first {
                var j = 1
                while j < n && hay[i + j] == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// forge_seed(name, category, tier, tags, deps). Only the dependency count is used.
    public static func forgeSeed(name: String, category: String, tier: String, tags: [String], dependencies: [String]) -> CardSeed {
        forgeSeed(name: name, category: Optional(category), tier: Optional(tier), tags: tags, dependencyCount: dependencies.count)
    }

    /// Core forge. `category`/`tier` nil = a non-string manifest value (encodes like an
    /// unknown string: general / community).
    public static func forgeSeed(name: String, category: String?, tier: String?, tags: [String], dependencyCount: Int) -> CardSeed {
        let nameHash = CardSeed(seedHash(name))
        var catIdx = CardCategory.generalIndex
        var extended: CardSeed = 0
        if let category {
            if let i = CardCategory.index(of: category, in: CardCategory.base) {
                catIdx = i
            } else if let i = CardCategory.index(of: category, in: CardCategory.extended) {
                catIdx = i
                extended = 1
            }
        }
        let types = deriveTypes(category: category, tags: tags)
        let secondary = types.count > 1 ? types[1].rawValue : 7
        let (tierIdx, frontier) = CardTier.encode(tier)
        let tagCount = min(31, tags.count)
        let depCount = min(15, max(0, dependencyCount))
        let tagHash = tags.isEmpty ? 0 : Int(seedHash(tags.joined(separator: " ")) & 0x1FFF)
        var seed: CardSeed = extended << 65
        if frontier { seed |= 1 << 64 }
        seed |= nameHash << 32
        seed |= CardSeed(catIdx) << 27
        seed |= CardSeed(secondary) << 24
        seed |= CardSeed(tierIdx) << 22
        seed |= CardSeed(tagCount) << 17
        seed |= CardSeed(depCount) << 13
        seed |= CardSeed(tagHash)
        return seed
    }

    // MARK: seed text

    /// Parse a seed from decimal text. Rejects signs, negatives and anything ≥ 2^128.
    /// (The reference accepts negative Python ints; a port should not.)
    public static func parseSeed(_ text: String) throws(CardInputError) -> CardSeed {
        let t = text.trimmingASCIIWhitespace()
        if t.hasPrefix("-") { throw CardInputError("seed must not be negative: \(t)") }
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = CardSeed(t) else {
            throw CardInputError("not a decimal seed: \(text)")
        }
        return v
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        // The whitespace is ASCII, so the cut points fall on scalar boundaries.
        let u = utf8
        let isWS: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 9 && $0 <= 13) }
        guard let a = u.firstIndex(where: { !isWS($0) }), let b = u.lastIndex(where: { !isWS($0) }) else { return "" }
        if a == u.startIndex && u.index(after: b) == u.endIndex { return self }
        return String(decoding: u[a...b], as: UTF8.self)
    }
}

/// Python 3.11–3.13 `str.lower()` / `str.upper()` (full case mapping, no context). Swift's
/// tables are Unicode 16, which added case pairs Python's Unicode 14/15 lacks; those scalars
/// are left unchanged so error messages and tag matching agree with the reference exactly.
enum PythonCase {
    static func isNewerThanPython(_ v: UInt32) -> Bool {
        switch v {
        case 0x19B, 0x264, 0x1C89...0x1C8A, 0xA7CB...0xA7CF, 0xA7D2...0xA7D5, 0xA7DA...0xA7DC,
             0x10D50...0x10D65, 0x10D70...0x10D85, 0x16EA0...0x16EB8, 0x16EBB...0x16ED3:
            return true
        default:
            return false
        }
    }

    static func upper(_ s: String) -> String { map(s, upper: true) }
    static func lower(_ s: String) -> String { map(s, upper: false) }

    private static func map(_ s: String, upper: Bool) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return upper ? s.uppercased() : s.lowercased() }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.value < 0x80 || isNewerThanPython(u.value) {
                if u.value < 0x80, upper, u.value >= 0x61, u.value <= 0x7A { out.append(Unicode.Scalar(u.value - 0x20)!) }
                else if u.value < 0x80, !upper, u.value >= 0x41, u.value <= 0x5A { out.append(Unicode.Scalar(u.value + 0x20)!) }
                else { out.append(u) }
            } else {
                out.append(contentsOf: (upper ? u.properties.uppercaseMapping : u.properties.lowercaseMapping).unicodeScalars)
            }
        }
        return String(out)
    }
}
