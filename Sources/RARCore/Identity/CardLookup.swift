/// Resolving a seed, incantation or name against a registry's agents (registry.json `agents`).
/// A seed no registry knows gives a preview card, marked as such; aliases resolve to the
/// agent that now owns them.
public struct CardLookup: Sendable {
    public enum Outcome: Sendable {
        /// A registry agent: its enriched card. `viaAlias` when an old seed matched.
        case agent(name: String, card: JSONValue, viaAlias: Bool)
        /// No registry agent has this seed: the card the seed alone describes.
        case preview(card: JSONValue)
        case notFound(String)
    }

    public let agents: [JSONValue]

    public init(agents: [JSONValue]) { self.agents = agents }

    public static func seedValue(_ v: JSONValue?) -> CardSeed? {
        switch v {
        case .string(let t)?, .bigInt(let t)?: return try? CardIdentity.parseSeed(t)
        case .int(let i)? where i >= 0: return CardSeed(i)
        default: return nil
        }
    }

    /// The agent whose current seed, or one of whose `_seed_aliases`, equals `seed`.
    public func agent(forSeed seed: CardSeed) -> (name: String, viaAlias: Bool)? {
        for a in agents {
            if CardLookup.seedValue(a["_seed"]) == seed, let n = a["name"]?.stringValue { return (n, false) }
        }
        for a in agents {
            guard let n = a["name"]?.stringValue else { continue }
            let aliases: [JSONValue]
            switch a["_seed_aliases"] {
            case .array(let items)?: aliases = items
            case .object(let pairs)?: aliases = pairs.map(\.1)
            default: aliases = []
            }
            if aliases.contains(where: { CardLookup.seedValue($0) == seed }) { return (n, true) }
        }
        return nil
    }

    public func resolve(seed: CardSeed, fullSeed: Bool? = nil, seedStyle: CardSeedStyle = .string) -> Outcome {
        if let hit = agent(forSeed: seed), let card = try? CardIdentity.resolveCard(name: hit.name, registryAgents: agents, seedStyle: seedStyle),
           card["error"] == nil {
            return .agent(name: hit.name, card: card, viaAlias: hit.viaAlias)
        }
        let card = CardIdentity.resolveCard(seed: seed, fullSeed: fullSeed, registryAgents: agents, seedStyle: seedStyle)
        if card["_resolved_from"]?.stringValue == "registry", let n = card["name"]?.stringValue {
            return .agent(name: n, card: card, viaAlias: false)
        }
        return .preview(card: card)
    }

    public func resolve(name: String, seedStyle: CardSeedStyle = .string) -> Outcome {
        guard let card = try? CardIdentity.resolveCard(name: name, registryAgents: agents, seedStyle: seedStyle), card["error"] == nil else {
            let known = agents.compactMap { $0["name"]?.stringValue }
            let near = EditDistance.suggestions(for: name, in: known, maxDistance: max(2, name.count / 4))
            let hint = near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"
            return .notFound("Agent '\(name)' not found in registry\(hint)")
        }
        return .agent(name: name, card: card, viaAlias: false)
    }
}
