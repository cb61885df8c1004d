// Protocol tables for card identity (spec: shared/reference/cards.md §4).
// Array order is protocol: indices are stored in seeds, so never reorder or insert.

/// The seven agent types. `rawValue` is the 3-bit secondary index stored in seeds (7 = none).
public enum AgentType: Int, CaseIterable, Sendable {
    case logic = 0, data, social, shield, craft, heal, wealth

    /// Upper-case protocol name, e.g. "LOGIC".
    public var name: String {
        switch self {
        case .logic: "LOGIC"
        case .data: "DATA"
        case .social: "SOCIAL"
        case .shield: "SHIELD"
        case .craft: "CRAFT"
        case .heal: "HEAL"
        case .wealth: "WEALTH"
        }
    }

    public var label: String {
        switch self {
        case .logic: "Logic"
        case .data: "Data"
        case .social: "Social"
        case .shield: "Shield"
        case .craft: "Craft"
        case .heal: "Heal"
        case .wealth: "Wealth"
        }
    }

    /// Hex colour as emitted in `type_colors`.
    public var color: String {
        switch self {
        case .logic: "#58a6ff"
        case .data: "#3fb950"
        case .social: "#d29922"
        case .shield: "#f0f0f0"
        case .craft: "#f85149"
        case .heal: "#ff7eb3"
        case .wealth: "#bc8cff"
        }
    }

    /// Icon name from the reference table (never emitted on cards).
    public var icon: String {
        switch self {
        case .logic: "brain"
        case .data: "stream"
        case .social: "people"
        case .shield: "shield"
        case .craft: "gear"
        case .heal: "heart"
        case .wealth: "coin"
        }
    }

    public var weakness: AgentType {
        switch self {
        case .logic: .wealth
        case .data: .logic
        case .social: .data
        case .shield: .social
        case .craft: .shield
        case .heal: .craft
        case .wealth: .heal
        }
    }

    public var resistance: AgentType {
        switch self {
        case .logic: .data
        case .data: .social
        case .social: .shield
        case .shield: .craft
        case .craft: .heal
        case .heal: .wealth
        case .wealth: .logic
        }
    }

    /// Tag keywords that make this type the secondary (plain substring match, lower-cased tags).
    public var tagKeywords: [String] {
        switch self {
        case .logic: ["ai", "ml", "algorithm", "compute", "analysis", "ast", "parse", "model", "intelligence"]
        case .data: ["data", "pipeline", "etl", "sync", "migration", "import", "export", "extract", "transform"]
        case .social: ["email", "chat", "meeting", "communication", "demo", "presentation", "coach", "assistant"]
        case .shield: ["compliance", "security", "audit", "governance", "risk", "regulatory", "permit", "license"]
        case .craft: ["inventory", "supply", "maintenance", "production", "manufacturing", "field", "dispatch"]
        case .heal: ["patient", "clinical", "care", "health", "wellness", "staff", "credentialing", "intake"]
        case .wealth: ["sales", "revenue", "pricing", "deal", "proposal", "billing", "financial", "portfolio"]
        }
    }

    /// Seed-path ability pool: (name, base damage). Index order is protocol.
    public var abilityPool: [(name: String, damage: Int)] {
        switch self {
        case .logic: [("Analyze", 30), ("Compute", 25), ("Parse", 20), ("Reason", 35)]
        case .data: [("Extract", 20), ("Transform", 30), ("Sync", 25), ("Pipeline", 35)]
        case .social: [("Assist", 15), ("Draft", 25), ("Coach", 30), ("Present", 20)]
        case .shield: [("Audit", 25), ("Enforce", 35), ("Monitor", 20), ("Certify", 30)]
        case .craft: [("Build", 30), ("Optimize", 35), ("Schedule", 20), ("Dispatch", 25)]
        case .heal: [("Triage", 25), ("Screen", 20), ("Support", 15), ("Track", 30)]
        case .wealth: [("Prospect", 20), ("Forecast", 30), ("Negotiate", 35), ("Close", 40)]
        }
    }

    /// Look up by protocol name ("LOGIC"...), exact match.
    public init?(name: String) {
        guard let t = AgentType.allCases.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) else { return nil }
        self = t
    }

    /// Keyword lists as UTF-8 bytes, in type order (hot path of `deriveTypes`).
    static let keywordBytes: [[[UInt8]]] = AgentType.allCases.map { $0.tagKeywords.map { Array($0.utf8) } }
}

/// A category row: name, primary type, type-line prefix.
public struct CardCategory: Sendable {
    public let name: String
    public let primary: AgentType
    public let prefix: String

    /// Base table (bit 65 clear). Order = cat_idx; differs from VALID_CATEGORIES on purpose.
    public static let base: [CardCategory] = [
        .init(name: "core", primary: .logic, prefix: "Foundation"),
        .init(name: "devtools", primary: .logic, prefix: "DevTool"),
        .init(name: "pipeline", primary: .data, prefix: "Pipeline"),
        .init(name: "integrations", primary: .data, prefix: "Integration"),
        .init(name: "productivity", primary: .social, prefix: "Utility"),
        .init(name: "general", primary: .social, prefix: "General"),
        .init(name: "federal_government", primary: .shield, prefix: "Federal"),
        .init(name: "slg_government", primary: .shield, prefix: "Government"),
        .init(name: "it_management", primary: .shield, prefix: "IT Ops"),
        .init(name: "manufacturing", primary: .craft, prefix: "Industrial"),
        .init(name: "energy", primary: .craft, prefix: "Energy"),
        .init(name: "retail_cpg", primary: .craft, prefix: "Retail"),
        .init(name: "healthcare", primary: .heal, prefix: "Healthcare"),
        .init(name: "human_resources", primary: .heal, prefix: "HR"),
        .init(name: "financial_services", primary: .wealth, prefix: "Financial"),
        .init(name: "b2b_sales", primary: .wealth, prefix: "B2B Sales"),
        .init(name: "b2c_sales", primary: .wealth, prefix: "B2C Sales"),
        .init(name: "professional_services", primary: .wealth, prefix: "Professional"),
        .init(name: "software_digital_products", primary: .data, prefix: "Software"),
    ]

    /// Extended table (bit 65 set). Append-only.
    public static let extended: [CardCategory] = [
        .init(name: "analysis", primary: .logic, prefix: "Analysis"),
        .init(name: "creative", primary: .social, prefix: "Creative"),
        .init(name: "meta", primary: .logic, prefix: "Meta"),
        .init(name: "platform", primary: .data, prefix: "Platform"),
        .init(name: "workflow", primary: .data, prefix: "Workflow"),
    ]

    static let generalIndex = 5

    /// Exact, case-sensitive, code-point match (Swift `==` would also equate canonically
    /// equivalent strings, e.g. KELVIN SIGN vs "k"; Python does not).
    static func index(of name: String, in table: [CardCategory]) -> Int? {
        table.firstIndex { $0.name.utf8.elementsEqual(name.utf8) }
    }

    /// Primary type of a category string: base, then extended, else SOCIAL. `nil` = a
    /// non-string category value, which the reference also maps to SOCIAL.
    public static func primaryType(of category: String?) -> AgentType {
        guard let category else { return .social }
        if let i = index(of: category, in: base) { return base[i].primary }
        if let i = index(of: category, in: extended) { return extended[i].primary }
        return .social
    }
}

/// Quality tier as decoded from a seed.
public enum CardTier: String, Sendable, CaseIterable {
    case experimental, community, verified, official, frontier

    /// Decode order for the 2-bit tier_idx.
    static let byIndex: [CardTier] = [.experimental, .community, .verified, .official]

    /// Forge-side: tier_idx and frontier flag for a manifest tier value.
    /// Unknown strings (and non-strings, passed as nil) encode as community.
    static func encode(_ tier: String?) -> (index: Int, frontier: Bool) {
        guard let t = tier?.utf8 else { return (1, false) }
        if t.elementsEqual("frontier".utf8) { return (0, true) }
        if t.elementsEqual("experimental".utf8) { return (0, false) }
        if t.elementsEqual("community".utf8) { return (1, false) }
        if t.elementsEqual("verified".utf8) { return (2, false) }
        if t.elementsEqual("official".utf8) { return (3, false) }
        return (1, false)
    }

    public var rarity: String {
        switch self {
        case .experimental, .frontier: "starter"
        case .community: "core"
        case .verified: "rare"
        case .official: "mythic"
        }
    }

    public var rarityLabel: String {
        switch self {
        case .experimental, .frontier: "Starter"
        case .community: "Core"
        case .verified: "Elite"
        case .official: "Legendary"
        }
    }

    public var floorPoints: Int {
        switch self {
        case .experimental, .frontier: 10
        case .community: 40
        case .verified: 100
        case .official: 200
        }
    }

    var statBase: Int {
        switch self {
        case .frontier: 10
        case .experimental: 15
        case .community: 30
        case .verified: 50
        case .official: 70
        }
    }

    var abilityCount: Int {
        switch self {
        case .frontier, .experimental: 1
        case .community: 2
        case .verified, .official: 3
        }
    }

    public var evolution: CardEvolution {
        switch self {
        case .frontier: .init(stage: 0, label: "Frontier", icon: "compass")
        case .experimental: .init(stage: 0, label: "Seed", icon: "seed")
        case .community: .init(stage: 1, label: "Base", icon: "sprout")
        case .verified: .init(stage: 2, label: "Evolved", icon: "flame")
        case .official: .init(stage: 3, label: "Legendary", icon: "crown")
        }
    }
}

public struct CardEvolution: Equatable, Sendable {
    public let stage: Int
    public let label: String
    public let icon: String
}

enum CardFlavor {
    static let fragments: [String] = [
        "Built for the ecosystem. Ready for the edge.",
        "One file. Infinite possibilities.",
        "Runs anywhere the RAPP runtime breathes.",
        "Forged in the registry. Trusted in production.",
        "A single-file agent. A single promise: perform.",
        "When the network calls, this agent answers.",
        "Data in. Insight out. No drama.",
        "The pipeline starts here.",
        "Born from a manifest. Raised in the registry.",
        "Your code, your agent, your card. Permanent.",
        "Not just code. Identity.",
        "The forge remembers every agent it ever touched.",
    ]
}
