// What a renderer needs from a card object (seed-only or enriched), read tolerantly so any
// card JSON the CLI holds can be drawn. Shared by CardSVG and CardTerminal.

public struct CardFace: Sendable {
    public struct Ability: Equatable, Sendable {
        public var name: String
        public var text: String
        public var cost: Int
        public var damage: Int
    }

    public var displayName: String
    /// Registry/manifest name when the card is enriched (mint/resolve), else nil.
    public var name: String?
    public var version: String?
    public var author: String?
    public var description: String?
    public var typeLine: String
    public var types: [AgentType]
    /// Colours parallel to `types` (from `type_colors`, falling back to the type table).
    public var typeColors: [String]
    public var hp: Int
    /// HP, ATK, DEF, SPD, INT in that order.
    public var stats: [(label: String, value: Int)]
    public var abilities: [Ability]
    public var weakness: AgentType?
    public var resistance: AgentType?
    public var retreatCost: Int
    public var tier: String
    public var rarity: String
    public var rarityLabel: String
    public var evolutionStage: Int
    public var evolutionLabel: String
    public var category: String
    public var flavor: String
    public var floorPoints: Int
    public var seedText: String
    /// Seven words for the seed, or nil when the seed is not encodable.
    public var incantation: String?

    public init(card: JSONValue) {
        func text(_ v: JSONValue?) -> String {
            switch v {
            case nil, .null?: return ""
            case .string(let s)?: return s
            case let other?: return other.serialized()
            }
        }
        func int(_ v: JSONValue?) -> Int {
            switch v {
            case .int(let i)?: return i
            case .double(let d)? where d.isFinite && abs(d) < 1e15: return Int(d)
            default: return 0
            }
        }
        displayName = text(card["display_name"])
        name = card["name"].map { text($0) }
        version = card["version"].map { text($0) }
        author = card["author"].map { text($0) }
        description = card["description"].map { text($0) }
        typeLine = text(card["type_line"])
        let typeNames = card["types"]?.arrayValue ?? []
        types = typeNames.compactMap { $0.stringValue.flatMap(AgentType.init(name:)) }
        let colors = (card["type_colors"]?.arrayValue ?? []).compactMap(\.stringValue)
        typeColors = types.enumerated().map { i, t in i < colors.count && CardFace.isHexColor(colors[i]) ? colors[i] : t.color }
        hp = int(card["hp"])
        let s = card["stats"]
        stats = [("HP", int(s?["hp"])), ("ATK", int(s?["atk"])), ("DEF", int(s?["def"])), ("SPD", int(s?["spd"])), ("INT", int(s?["int"]))]
        abilities = (card["abilities"]?.arrayValue ?? []).map {
            Ability(name: text($0["name"]), text: text($0["text"]), cost: int($0["cost"]), damage: int($0["damage"]))
        }
        weakness = card["weakness"]?.stringValue.flatMap(AgentType.init(name:))
        resistance = card["resistance"]?.stringValue.flatMap(AgentType.init(name:))
        retreatCost = int(card["retreat_cost"])
        tier = text(card["tier"])
        rarity = text(card["rarity"])
        rarityLabel = text(card["rarity_label"])
        evolutionStage = int(card["evolution"]?["stage"])
        evolutionLabel = text(card["evolution"]?["label"])
        category = text(card["category"])
        flavor = text(card["flavor"])
        floorPoints = int(card["floor_pts"])
        switch card["seed"] {
        case .string(let t)?: seedText = t
        case .int(let i)?: seedText = String(i)
        case .bigInt(let t)?: seedText = t
        default: seedText = ""
        }
        incantation = (try? CardIdentity.parseSeed(seedText)).flatMap { try? Incantation.encode($0) }
    }

    public init(_ card: AgentCard) { self.init(card: card.json()) }

    static func isHexColor(_ s: String) -> Bool {
        let u = s.utf8
        return u.count == 7 && u.first == UInt8(ascii: "#") && u.dropFirst().allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46)
        }
    }

    /// (r, g, b) of "#rrggbb"; grey on malformed input.
    static func rgb(_ hex: String) -> (Int, Int, Int) {
        guard isHexColor(hex) else { return (128, 128, 128) }
        var v = 0
        for b in hex.utf8.dropFirst() {
            v = v << 4 | Int(b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10)
        }
        return ((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
    }
}
