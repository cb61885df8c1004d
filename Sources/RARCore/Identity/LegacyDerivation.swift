// Legacy manifest-based stats/abilities (cards.md §10). NOT the seed path: the reference uses
// these for cards/holo_cards.json (what its web store shows). Kept for parity checks.

public enum LegacyCardDerivation {
    /// Legacy ability texts by primary type, same names and order as the seed-path pools.
    static func pool(_ t: AgentType) -> [(name: String, text: String)] {
        switch t {
        case .logic: [
            ("Analyze", "Inspect target data source. Draw insight."),
            ("Compute", "Process input through algorithm. Return structured result."),
            ("Parse", "Decompose complex input into structured components."),
            ("Reason", "Apply chain-of-thought to derive conclusion."),
        ]
        case .data: [
            ("Extract", "Pull data from connected source into working memory."),
            ("Transform", "Reshape data to match target schema."),
            ("Sync", "Synchronize state between two systems."),
            ("Pipeline", "Execute multi-step data flow. Each stage feeds the next."),
        ]
        case .social: [
            ("Assist", "Guide user through task with context-aware suggestions."),
            ("Draft", "Compose human-quality text for target audience."),
            ("Coach", "Observe performance and provide actionable feedback."),
            ("Present", "Format findings into presentation-ready output."),
        ]
        case .shield: [
            ("Audit", "Scan target for compliance violations. Report findings."),
            ("Enforce", "Apply policy rules. Block non-compliant actions."),
            ("Monitor", "Continuously watch for anomalies. Alert on deviation."),
            ("Certify", "Validate against standards. Issue compliance attestation."),
        ]
        case .craft: [
            ("Build", "Assemble components into deployable artifact."),
            ("Optimize", "Tune process parameters for maximum throughput."),
            ("Schedule", "Allocate resources across timeline. Minimize conflicts."),
            ("Dispatch", "Route work to available capacity. Track completion."),
        ]
        case .heal: [
            ("Triage", "Assess priority and route to appropriate handler."),
            ("Screen", "Evaluate against criteria. Flag items needing attention."),
            ("Support", "Provide contextual guidance through complex process."),
            ("Track", "Monitor progress against care plan. Alert on gaps."),
        ]
        case .wealth: [
            ("Prospect", "Identify and qualify potential opportunities."),
            ("Forecast", "Project future values from historical patterns."),
            ("Negotiate", "Propose terms optimized for mutual value."),
            ("Close", "Execute final steps of value exchange. Confirm settlement."),
        ]
        }
    }

    static func tierBase(_ tier: String) -> Int {
        switch tier {
        case "frontier": 10
        case "experimental": 15
        case "verified": 50
        case "official": 70
        default: 30
        }
    }

    /// `_derive_stats`: stream mulberry32(seed_hash(name + ":stats")).
    public static func stats(name: String, tier: String, tagCount: Int, depCount: Int, envCount: Int,
                             version: String, description: String) -> CardStats {
        var rng = Mulberry32(seed: CardIdentity.seedHash(name + ":stats"))
        let base = tierBase(tier)
        let vBonus = versionBonus(version)
        let tb = min(20, tagCount * 3)
        let dp = min(20, depCount * 5)
        let eb = min(15, envCount * 5)
        let words = Incantation.split(description, isSeparator: Incantation.isPythonWhitespace).count
        let db = min(10, words / 5)
        let hp = clampStat(Double(base + vBonus + tb) + rng.next() * 25)
        let atk = clampStat(Double(base + tb + db) + rng.next() * 30)
        let def = clampStat(Double(base + eb + vBonus) + rng.next() * 20)
        let spd = clampStat(Double(base + 20 - dp) + rng.next() * 25)
        let int = clampStat(Double(base + db + tb) + rng.next() * 20)
        return CardStats(hp: hp, atk: atk, def: def, spd: spd, int: int)
    }

    /// `_derive_abilities`: stream mulberry32(seed_hash(name + ":abilities")); no base damage.
    public static func abilities(name: String, category: String, tier: String) -> [CardAbility] {
        var rng = Mulberry32(seed: CardIdentity.seedHash(name + ":abilities"))
        let pool = pool(CardCategory.primaryType(of: category))
        let count: Int
        switch tier {
        case "frontier", "experimental": count = 1
        case "verified", "official": count = 3
        default: count = 2
        }
        var used = Set<Int>()
        var out: [CardAbility] = []
        for _ in 0..<count {
            var idx = Int(rng.next() * Double(pool.count))
            var attempts = 0
            while used.contains(idx) && attempts < pool.count {
                idx = (idx + 1) % pool.count
                attempts += 1
            }
            used.insert(idx)
            let cost = Int(rng.next() * 3) + 1
            let damage = Int(rng.next() * 40) + 10
            out.append(CardAbility(name: pool[idx].name, text: pool[idx].text, cost: cost, damage: damage))
        }
        return out
    }

    /// min(15, 3·major + minor) with Python `int()` per "."-part; any failure → 0.
    static func versionBonus(_ version: String) -> Int {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var values: [Int128] = []
        for p in parts {
            guard let v = pythonInt(p) else { return 0 }
            values.append(v)
        }
        guard values.count >= 2 else { return 0 }
        let bonus = min(15, values[0] * 3 + values[1])
        return Int(max(bonus, -1_000_000))  // only ever compared against small numbers
    }

    /// Python `int(str)`: surrounding whitespace, optional sign, decimal digits (any script)
    /// with single underscores between digits. Saturates far beyond anything that matters.
    static func pythonInt(_ s: String) -> Int128? {
        let scalars = Array(s.unicodeScalars)
        var lo = 0, hi = scalars.count
        while lo < hi && Incantation.isPythonWhitespace(scalars[lo]) { lo += 1 }
        while hi > lo && Incantation.isPythonWhitespace(scalars[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        var negative = false
        if scalars[lo] == "+" || scalars[lo] == "-" { negative = scalars[lo] == "-"; lo += 1 }
        guard lo < hi else { return nil }
        let cap: Int128 = 1_000_000_000_000_000_000_000_000_000
        var value: Int128 = 0
        var prevUnderscore = true  // forbids a leading underscore
        for u in scalars[lo..<hi] {
            if u == "_" {
                if prevUnderscore { return nil }
                prevUnderscore = true
                continue
            }
            guard u.properties.numericType == .decimal, let d = u.properties.numericValue else { return nil }
            value = min(cap, value * 10 + Int128(d))
            prevUnderscore = false
        }
        if prevUnderscore { return nil }  // trailing underscore
        return negative ? -value : value
    }
}

/// clamp(int(v)) to [10, 100] without trapping on huge doubles.
func clampStat(_ v: Double) -> Int {
    if !(v >= 10) { return 10 }
    if v >= 100 { return 100 }
    return Int(v)
}
