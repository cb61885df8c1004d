// Throughput of the identity math, for bench/identity.sh. The synthetic inputs and the
// checksums are defined identically in the script's Python side, so both implementations
// are timed on the same work and the checksums prove they computed the same results.

public enum IdentityBenchmark {
    public struct Result: Sendable {
        public var count: Int
        public var forgeSeconds: Double
        public var resolveSeconds: Double
        public var incantationSeconds: Double
        /// XOR of all forged seeds.
        public var forgeChecksum: CardSeed
        /// Sum over resolved cards of hp + atk + def + spd + int + every ability's damage.
        public var resolveChecksum: Int
        /// XOR of all seeds decoded back from their incantations.
        public var incantationChecksum: CardSeed

        public func json() -> JSONValue {
            func rate(_ s: Double) -> JSONValue { .int(s > 0 ? Int((Double(count) / s).rounded()) : 0) }
            return .object([
                ("impl", "swift"),
                ("count", .int(count)),
                ("forge_per_s", rate(forgeSeconds)),
                ("resolve_per_s", rate(resolveSeconds)),
                ("incantation_roundtrip_per_s", rate(incantationSeconds)),
                ("forge_checksum", .string(String(forgeChecksum))),
                ("resolve_checksum", .int(resolveChecksum)),
                ("incantation_checksum", .string(String(incantationChecksum))),
            ])
        }
    }

    /// Agent i: name "@bench/agent_<i>", category i mod 25 (19 base, 5 extended, "mystery"),
    /// tier i mod 6 (…, frontier, private), i mod 6 tags from a fixed pool, i mod 4 deps.
    public static func inputs(count: Int) -> [CardForgeInput] {
        let categories = CardCategory.base.map(\.name) + CardCategory.extended.map(\.name) + ["mystery"]
        let tiers = ["experimental", "community", "verified", "official", "frontier", "private"]
        let pool = ["ai", "data", "chat", "security", "inventory", "patient", "sales", "email", "html", "forecast", "misc", "ops"]
        return (0..<count).map { i in
            let tags = (0..<(i % 6)).map { j in pool[(i * 7 + j) % pool.count] }
            return CardForgeInput(name: "@bench/agent_\(i)", category: categories[i % categories.count],
                                  tier: tiers[i % tiers.count], tags: tags,
                                  dependencies: Array(repeating: "d", count: i % 4))
        }
    }

    public static func run(count: Int) -> Result {
        let inputs = inputs(count: count)
        let clock = ContinuousClock()

        var seeds: [CardSeed] = []
        seeds.reserveCapacity(count)
        let t0 = clock.now
        for x in inputs {
            seeds.append(CardIdentity.forgeSeed(name: x.name, category: x.category, tier: x.tier, tags: x.tags, dependencyCount: x.dependencyCount))
        }
        let t1 = clock.now
        var resolveSum = 0
        for s in seeds {
            // Full reference object, as resolve_card_from_seed returns.
            let card = CardIdentity.resolveCard(seed: s)
            resolveSum &+= checksum(card)
        }
        let t2 = clock.now
        var incXor: CardSeed = 0
        for s in seeds {
            let words = (try? Incantation.encode(s)) ?? ""
            incXor ^= (try? Incantation.decodeStrict(words)) ?? 0
        }
        let t3 = clock.now

        return Result(
            count: count,
            forgeSeconds: seconds(t1 - t0), resolveSeconds: seconds(t2 - t1), incantationSeconds: seconds(t3 - t2),
            forgeChecksum: seeds.reduce(0, ^), resolveChecksum: resolveSum, incantationChecksum: incXor)
    }

    static func checksum(_ card: JSONValue) -> Int {
        var sum = 0
        if let st = card["stats"]?.objectValue { for (_, v) in st { sum += v.intValue ?? 0 } }
        for a in card["abilities"]?.arrayValue ?? [] { sum += a["damage"]?.intValue ?? 0 }
        return sum
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
