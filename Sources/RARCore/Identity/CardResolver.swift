// resolve_card_from_seed and the mint/resolve enrichment (cards.md §7, §8).

public struct CardStats: Equatable, Sendable {
    public var hp, atk, def, spd, int: Int
}

public struct CardAbility: Equatable, Sendable {
    public var name: String
    public var text: String
    public var cost: Int
    public var damage: Int
}

/// How the `seed` key is written. Fixtures use decimal strings; the reference emits a JSON number.
public enum CardSeedStyle: Sendable {
    case string
    case number
}

/// A card decoded from seed DNA alone (the 22-key reference object).
public struct AgentCard: Equatable, Sendable {
    /// The value echoed in `seed`, as decimal text (bits ≥ 66 kept; the name-seed preview
    /// echoes the shifted value, which may exceed 128 bits).
    public var seedText: String
    public var displayName: String
    public var tier: CardTier
    public var types: [AgentType]
    public var stats: CardStats
    public var abilities: [CardAbility]
    public var retreatCost: Int
    public var category: String
    public var typeLine: String
    public var flavor: String
    public var nameSeed: UInt32

    public var primary: AgentType { types[0] }
    public var hp: Int { stats.hp }
    public var weakness: AgentType { primary.weakness }
    public var resistance: AgentType { primary.resistance }

    /// Decode `seed` as full card DNA (full_seed=True).
    public init(seed: CardSeed) {
        self.init(dna: seed, seedText: String(seed))
    }

    init(dna seed: CardSeed, seedText: String) {
        let f = SeedFields(seed: seed)
        self.seedText = seedText
        let cat: CardCategory
        if f.extendedCategory {
            cat = f.categoryIndex < CardCategory.extended.count
                ? CardCategory.extended[f.categoryIndex] : CardCategory.base[CardCategory.generalIndex]
        } else {
            cat = f.categoryIndex < CardCategory.base.count
                ? CardCategory.base[f.categoryIndex] : CardCategory.base[CardCategory.generalIndex]
        }
        category = cat.name
        let primary = cat.primary
        tier = f.frontier ? .frontier : CardTier.byIndex[f.tierIndex]
        types = [primary]
        if f.secondaryIndex < 7, let sec = AgentType(rawValue: f.secondaryIndex), sec != primary {
            types.append(sec)
        }

        // Stats: Double arithmetic in the reference's order, then int() truncation and clamp.
        var rng = Mulberry32(seed: f.nameHash ^ 0x5741_5453)
        let base = tier.statBase
        let tagBonus = min(20, f.tagCount * 3)
        let depPenalty = min(20, f.depCount * 5)
        let clamp = clampStat
        let hp = clamp(Double(base + tagBonus) + rng.next() * 25)
        let atk = clamp(Double(base + tagBonus) + rng.next() * 30)
        let def = clamp(Double(base) + rng.next() * 20)
        let spd = clamp(Double(base + 20 - depPenalty) + rng.next() * 25)
        let int = clamp(Double(base + tagBonus) + rng.next() * 20)
        stats = CardStats(hp: hp, atk: atk, def: def, spd: spd, int: int)

        // Abilities: OR (not XOR) of tag_hash with the name hash's second byte.
        let pool = primary.abilityPool
        var abRng = Mulberry32(seed: UInt32(f.tagHash) | (f.nameHash & 0xFF00))
        var used: [Bool] = Array(repeating: false, count: pool.count)
        var usedCount = 0
        var abilities: [CardAbility] = []
        for _ in 0..<min(tier.abilityCount, pool.count) {
            var idx = Int(abRng.next() * Double(pool.count))
            while used[idx] && usedCount < pool.count { idx = (idx + 1) % pool.count }
            if !used[idx] { used[idx] = true; usedCount += 1 }
            let cost = Int(abRng.next() * 3) + 1
            let damage = pool[idx].damage + Int(abRng.next() * 15)
            abilities.append(CardAbility(name: pool[idx].name, text: "", cost: cost, damage: damage))
        }
        self.abilities = abilities
        retreatCost = min(4, f.depCount)

        // Flavor: XOR here.
        var flavorRng = Mulberry32(seed: f.nameHash ^ UInt32(f.tagHash))
        flavor = CardFlavor.fragments[Int(flavorRng.next() * Double(CardFlavor.fragments.count))]

        var line = cat.prefix + " Agent \u{2014} " + primary.label
        if types.count > 1 { line += " / " + types[1].label }
        typeLine = line
        displayName = "Agent #" + hex4(f.nameHash & 0xFFFF)
        nameSeed = f.nameHash
    }

    /// The reference object: 22 keys in reference order. `evolution` is a fresh copy.
    public func json(seedStyle: CardSeedStyle = .string) -> JSONValue {
        let seedValue: JSONValue = seedStyle == .string ? .string(seedText) : .integer(seedText)
        return .object([
            ("seed", seedValue),
            ("display_name", .string(displayName)),
            ("tier", .string(tier.rawValue)),
            ("rarity", .string(tier.rarity)),
            ("rarity_label", .string(tier.rarityLabel)),
            ("types", .array(types.map { .string($0.name) })),
            ("type_colors", .array(types.map { .string($0.color) })),
            ("hp", .int(stats.hp)),
            ("stats", .object([
                ("hp", .int(stats.hp)), ("atk", .int(stats.atk)), ("def", .int(stats.def)),
                ("spd", .int(stats.spd)), ("int", .int(stats.int)),
            ])),
            ("abilities", .array(abilities.map {
                .object([("name", .string($0.name)), ("text", .string($0.text)), ("cost", .int($0.cost)), ("damage", .int($0.damage))])
            })),
            ("weakness", .string(weakness.name)),
            ("weakness_label", .string(weakness.label)),
            ("resistance", .string(resistance.name)),
            ("resistance_label", .string(resistance.label)),
            ("retreat_cost", .int(retreatCost)),
            ("evolution", .object([
                ("stage", .int(tier.evolution.stage)), ("label", .string(tier.evolution.label)), ("icon", .string(tier.evolution.icon)),
            ])),
            ("category", .string(category)),
            ("type_line", .string(typeLine)),
            ("flavor", .string(flavor)),
            ("floor_pts", .int(tier.floorPoints)),
            ("name_seed", .int(Int(nameSeed))),
            ("_resolved_from", .string("seed")),
        ])
    }
}

private func hex4(_ v: UInt32) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((v >> UInt32(shift)) & 0xF)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Values the reference reads from a manifest or registry entry, with its defaults applied
/// and Python's iteration semantics (a string iterates code points, a dict its keys).
public struct CardForgeInput: Sendable {
    public var name: String
    /// nil = a non-string, hashable category (null, number, bool): encodes as general.
    public var category: String?
    /// nil = a non-string, hashable tier: encodes as community.
    public var tier: String?
    public var tags: [String]
    public var dependencyCount: Int
    /// The raw `tags` value, echoed by enrichment.
    public var rawTags: JSONValue

    public var seed: CardSeed {
        CardIdentity.forgeSeed(name: name, category: category, tier: tier, tags: tags, dependencyCount: dependencyCount)
    }

    /// Read from a manifest / registry entry. `name` is the already-chosen name.
    /// Throws where the reference raises (unhashable category/tier, non-iterable tags/deps,
    /// non-string tags).
    public init(entry: JSONValue, name: String) throws(CardInputError) {
        guard case .object = entry else { throw CardInputError("manifest is not a dict") }
        self.name = name
        category = try Self.hashableString(entry["category"] ?? .string("general"), field: "category")
        tier = try Self.hashableString(entry["quality_tier"] ?? .string("community"), field: "quality_tier")
        let rawTags = entry["tags"] ?? .array([])
        self.rawTags = rawTags
        let items = try Self.pythonIterate(rawTags, field: "tags")
        var tags: [String] = []
        tags.reserveCapacity(items.count)
        for t in items {
            guard case .string(let s) = t else { throw CardInputError("tags must be strings") }
            tags.append(s)
        }
        self.tags = tags
        dependencyCount = try Self.pythonIterate(entry["dependencies"] ?? .array([]), field: "dependencies").count
    }

    public init(name: String, category: String, tier: String, tags: [String], dependencies: [String]) {
        self.name = name
        self.category = category
        self.tier = tier
        self.tags = tags
        dependencyCount = dependencies.count
        rawTags = .array(tags.map { .string($0) })
    }

    private static func hashableString(_ v: JSONValue, field: String) throws(CardInputError) -> String? {
        switch v {
        case .string(let s): return s
        case .array, .object: throw CardInputError("\(field) must be hashable, got \(v.serialized())")
        default: return nil
        }
    }

    /// `for x in v` / `len(v)` as Python would see the value.
    private static func pythonIterate(_ v: JSONValue, field: String) throws(CardInputError) -> [JSONValue] {
        switch v {
        case .array(let a): return a
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .object(let pairs): return uniqueKeys(pairs).map { .string($0) }
        default: throw CardInputError("\(field) must be a list, got \(v.serialized())")
        }
    }

    /// Python dicts keep one entry per key (first position, last value).
    private static func uniqueKeys(_ pairs: [(String, JSONValue)]) -> [String] {
        var seen = Set<[UInt32]>()
        var keys: [String] = []
        for (k, _) in pairs where seen.insert(k.unicodeScalars.map(\.value)).inserted { keys.append(k) }
        return keys
    }
}

extension CardIdentity {
    /// Decode a seed as full DNA → the 22-key reference card.
    public static func resolveCard(seed: CardSeed, seedStyle: CardSeedStyle = .string) -> JSONValue {
        AgentCard(seed: seed).json(seedStyle: seedStyle)
    }

    /// resolve_card_from_seed(seed, full_seed:). `fullSeed` nil = the reference default
    /// (full iff seed ≥ 2^32). In name-seed mode the registry's agents are scanned for the
    /// first name whose hash equals the seed; a hit returns the registry-enriched card, a miss
    /// (or any malformed entry, or `registryAgents == nil`) decodes seed·2^32 as a preview.
    public static func resolveCard(seed: CardSeed, fullSeed: Bool?, registryAgents: [JSONValue]?, seedStyle: CardSeedStyle = .string) -> JSONValue {
        let full = fullSeed ?? (seed >= (1 << 32))
        if full { return resolveCard(seed: seed, seedStyle: seedStyle) }
        if let agents = registryAgents, let hit = nameSeedLookup(seed, agents) {
            if let card = try? resolveCard(name: hit, registryAgents: agents, seedStyle: seedStyle) { return card }
        }
        // Python shifts a big int: keep every bit in the echo, decode the low 66.
        let shifted = seed << 32
        return AgentCard(dna: shifted, seedText: decimalShiftedLeft32(seed)).json(seedStyle: seedStyle)
    }

    /// First registry name whose hash equals `seed`. Any malformed entry ends the scan with
    /// no hit, as the reference's try/except does.
    static func nameSeedLookup(_ seed: CardSeed, _ agents: [JSONValue]) -> String? {
        guard seed <= CardSeed(UInt32.max) else { return nil }  // no 32-bit hash can match
        for agent in agents {
            guard case .object = agent, case .string(let name)? = agent["name"] else { return nil }
            if CardSeed(seedHash(name)) == seed { return name }
        }
        return nil
    }

    /// mint_card: forge from the `__manifest__` dict, decode, enrich (`_resolved_from: manifest`).
    /// `path` is the default name when the manifest has none.
    /// `manifest == nil` (the extractor found none) raises the reference's message.
    public static func mintCard(manifest: JSONValue?, path: String, seedStyle: CardSeedStyle = .string) throws(CardInputError) -> JSONValue {
        guard let manifest else { throw CardInputError("No __manifest__ found in \(path)") }
        guard case .object = manifest else { throw CardInputError("__manifest__ in \(path) is not a dict") }
        let nameValue = manifest["name"] ?? .string(path)
        guard case .string(let name) = nameValue else { throw CardInputError("manifest name must be a string") }
        let input = try CardForgeInput(entry: manifest, name: name)
        return enrich(input: input, entry: manifest, source: "manifest", seedStyle: seedStyle)
    }

    /// resolve_card: find the first registry agent whose `name` equals `name` (code points),
    /// forge from its fields, decode, enrich (`_resolved_from: registry`). Not found returns the
    /// reference's `{"error": "Agent '<name>' not found in registry"}` object.
    public static func resolveCard(name: String, registryAgents: [JSONValue], seedStyle: CardSeedStyle = .string) throws(CardInputError) -> JSONValue {
        guard let entry = try registryEntry(named: name, in: registryAgents) else {
            return .object([("error", .string("Agent '\(name)' not found in registry"))])
        }
        let input = try CardForgeInput(entry: entry, name: name)
        return enrich(input: input, entry: entry, source: "registry", seedStyle: seedStyle)
    }

    /// First agent object whose `name` is exactly `name` (scalar comparison, not Swift `==`).
    public static func registryEntry(named name: String, in agents: [JSONValue]) throws(CardInputError) -> JSONValue? {
        for a in agents {
            guard case .object = a else { throw CardInputError("registry agent entry is not an object") }
            if case .string(let n)? = a["name"], n.unicodeScalars.elementsEqual(name.unicodeScalars) { return a }
        }
        return nil
    }

    /// The 22 keys, then name, version, description, author, tags, power, toughness.
    /// display_name / name_seed / _resolved_from are replaced in place.
    static func enrich(input: CardForgeInput, entry: JSONValue, source: String, seedStyle: CardSeedStyle) -> JSONValue {
        let card = AgentCard(seed: input.seed)
        guard case .object(var pairs) = card.json(seedStyle: seedStyle) else { return .null }
        func set(_ key: String, _ value: JSONValue) {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        let name = JSONValue.string(input.name)
        set("name", name)
        set("display_name", entry["display_name"] ?? name)
        set("version", entry["version"] ?? .string("1.0.0"))
        set("description", entry["description"] ?? .string(""))
        set("author", entry["author"] ?? .string(""))
        set("tags", input.rawTags)
        set("power", .int(card.stats.atk))
        set("toughness", .int(card.stats.def))
        set("name_seed", .int(Int(seedHash(input.name))))
        set("_resolved_from", .string(source))
        return .object(pairs)
    }

    /// Decimal text of seed·2^32 (may exceed UInt128).
    static func decimalShiftedLeft32(_ seed: CardSeed) -> String {
        if seed >> 96 == 0 { return String(seed << 32) }
        // Schoolbook: decimal digits × 2^32.
        var digits = String(seed).utf8.map { Int($0) - 48 }
        var carry = 0
        for i in stride(from: digits.count - 1, through: 0, by: -1) {
            let v = digits[i] * 4_294_967_296 + carry
            digits[i] = v % 10
            carry = v / 10
        }
        while carry > 0 { digits.insert(carry % 10, at: 0); carry /= 10 }
        return String(decoding: digits.map { UInt8($0 + 48) }, as: UTF8.self)
    }
}
