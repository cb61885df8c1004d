import Foundation
import Testing
@testable import RARCore

/// Reference fixtures from ../shared/conformance (relative to the project root).
enum IdentityFixtures {
    static let conformanceDir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RARCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // project root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/conformance")

    static func load(_ file: String) -> JSONValue {
        let url = conformanceDir.appendingPathComponent(file)
        do {
            return try JSONParser().parse(Data(contentsOf: url))
        } catch {
            Issue.record("cannot load fixture \(url.path): \(error)")
            return .null
        }
    }

    static let seeds = load("seeds.json")
    static let edge = load("edge_seeds.json")
    static let words = load("words.json")
    static let manifests = load("manifests.json")

    /// A registry rebuilt from seeds.json (same agents, same order) with display_name, version,
    /// description and author taken from the real agent files in manifests.json.
    static let registryAgents: [JSONValue] = {
        var meta: [String: JSONValue] = [:]
        for f in manifests["files"]?.arrayValue ?? [] {
            guard f["in_registry_json"] == .bool(true), let m = f["manifest"], case .string(let n)? = m["name"] else { continue }
            if meta[n] == nil { meta[n] = m }
        }
        return (seeds["agents"]?.arrayValue ?? []).map { a in
            let defaulted = Set((a["defaults_applied"]?.arrayValue ?? []).compactMap(\.stringValue))
            var pairs: [(String, JSONValue)] = [("name", a["name"]!)]
            let m = meta[a["name"]!.stringValue!]
            for k in ["display_name", "version", "description", "author"] { if let v = m?[k] { pairs.append((k, v)) } }
            for k in ["category", "quality_tier", "tags", "dependencies"] where !defaulted.contains(k) {
                pairs.append((k, a[k]!))
            }
            return .object(pairs)
        }
    }()
}

extension IdentityFixtures {
    /// First difference between two JSON values (key order included), or nil when equal.
    static func jsonDiff(_ got: JSONValue, _ want: JSONValue, path: String = "$") -> String? {
        switch (got, want) {
        case let (.object(g), .object(w)):
            let gk = g.map(\.0), wk = w.map(\.0)
            if gk != wk { return "\(path): keys \(gk) != expected \(wk)" }
            for ((k, gv), (_, wv)) in zip(g, w) {
                if let d = jsonDiff(gv, wv, path: path + "." + k) { return d }
            }
            return nil
        case let (.array(g), .array(w)):
            if g.count != w.count { return "\(path): \(g.count) items != expected \(w.count)" }
            for (i, (gv, wv)) in zip(g, w).enumerated() {
                if let d = jsonDiff(gv, wv, path: "\(path)[\(i)]") { return d }
            }
            return nil
        default:
            return got == want ? nil : "\(path): \(got.serialized()) != expected \(want.serialized())"
        }
    }

    /// Collects every mismatch of one fixture case and records them as ONE issue tagged with
    /// the case id; counts passing cases per group for the summary line.
    struct CaseCheck {
        let id: String
        var problems: [String] = []
        init(_ id: String) { self.id = id }

        mutating func eq<T: Equatable>(_ what: String, _ got: T, _ want: T) {
            if got != want { problems.append("\(what): got \(got), expected \(want)") }
        }
        mutating func json(_ what: String, _ got: JSONValue, _ want: JSONValue?) {
            guard let want else { problems.append("\(what): fixture value missing"); return }
            if let d = IdentityFixtures.jsonDiff(got, want) { problems.append("\(what) \(d)") }
        }
        mutating func fail(_ what: String) { problems.append(what) }

        /// Records the issue (if any); returns true when the case passed.
        @discardableResult
        func finish(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
            if problems.isEmpty { return true }
            Issue.record("[\(id)] \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
            return false
        }
    }

    /// Runs `body` per case; prints "<group>: passed/total".
    static func run(_ group: String, _ cases: [JSONValue], expected: Int, id: (Int, JSONValue) -> String,
                    sourceLocation: SourceLocation = #_sourceLocation, _ body: (JSONValue, inout CaseCheck) throws -> Void) {
        #expect(cases.count == expected, "\(group): \(cases.count) cases, expected \(expected)", sourceLocation: sourceLocation)
        var passed = 0
        for (i, c) in cases.enumerated() {
            var check = CaseCheck(group + " " + id(i, c))
            do { try body(c, &check) } catch { check.fail("threw \(error)") }
            if check.finish(sourceLocation: sourceLocation) { passed += 1 }
        }
        print("\(group): \(passed)/\(cases.count) passed")
    }

    static func seedValue(_ v: JSONValue?) -> CardSeed? {
        guard let s = v?.stringValue else { return nil }
        return try? CardIdentity.parseSeed(s)
    }

    static func fieldsJSON(_ f: SeedFields) -> JSONValue {
        .object([
            ("bit66_and_up", .string(String(f.highBits))),
            ("extended_category_bit65", .int(f.extendedCategory ? 1 : 0)),
            ("frontier_bit64", .int(f.frontier ? 1 : 0)),
            ("name_hash", .int(Int(f.nameHash))),
            ("cat_idx", .int(f.categoryIndex)),
            ("secondary_idx", .int(f.secondaryIndex)),
            ("tier_idx", .int(f.tierIndex)),
            ("tag_count", .int(f.tagCount)),
            ("dep_count", .int(f.depCount)),
            ("tag_hash", .int(f.tagHash)),
        ])
    }

    static func strings(_ v: JSONValue?) -> [String] { (v?.arrayValue ?? []).compactMap(\.stringValue) }

    /// Copy of an object with some top-level values replaced (key order kept).
    static func replacing(_ v: JSONValue, _ values: [String: JSONValue]) -> JSONValue {
        guard case .object(let pairs) = v else { return v }
        return .object(pairs.map { (k, x) in (k, values[k] ?? x) })
    }
}

@Suite struct IdentityConformanceTests {
    typealias Fx = IdentityFixtures

    static func caseID(_ i: Int, _ c: JSONValue) -> String { c["id"]?.stringValue ?? "#\(i)" }

    @Test func wordListMatchesFixture() {
        let w = Fx.strings(Fx.words["words"])
        #expect(w.count == 1024)
        #expect(Incantation.words == w)
        #expect(Set(Incantation.words).count == 1024)
    }

    /// seeds.json: all 307 registry agents — forge, incantation round trip, full card.
    @Test func registrySeeds() {
        Fx.run("seeds.json", Fx.seeds["agents"]?.arrayValue ?? [], expected: 307, id: { _, a in a["name"]?.stringValue ?? "?" }) { a, check in
            let name = a["name"]!.stringValue!
            let seed = CardIdentity.forgeSeed(
                name: name, category: a["category"]!.stringValue!, tier: a["quality_tier"]!.stringValue!,
                tags: Fx.strings(a["tags"]), dependencies: Fx.strings(a["dependencies"]))
            check.eq("seed", String(seed), a["seed"]?.stringValue ?? "")
            // The dict path (registry entry with absent fields defaulted) must agree.
            let entry = Fx.registryAgents.first { $0["name"] == a["name"] }!
            check.eq("entry seed", try CardForgeInput(entry: entry, name: name).seed, seed)
            let words = try Incantation.encode(seed)
            check.eq("incantation", words, a["incantation"]?.stringValue ?? "")
            check.eq("words round trip", try Incantation.decodeStrict(words), seed)
            check.json("card", CardIdentity.resolveCard(seed: seed), a["card"])
        }
    }

    @Test func forgeCases() {
        Fx.run("forge_cases", Fx.edge["forge_cases"]?.arrayValue ?? [], expected: 82, id: Self.caseID) { c, check in
            let input = c["input"]!, exp = c["expected"]!
            let name = input["name"]!.stringValue!, category = input["category"]!.stringValue!
            let seed = CardIdentity.forgeSeed(
                name: name, category: category, tier: input["quality_tier"]!.stringValue!,
                tags: Fx.strings(input["tags"]), dependencies: Fx.strings(input["dependencies"]))
            check.eq("seed", String(seed), exp["seed"]?.stringValue ?? "")
            check.json("fields", Fx.fieldsJSON(SeedFields(seed: seed)), exp["fields"])
            check.json("seed_hash(name)", .int(Int(CardIdentity.seedHash(name))), exp["seed_hash_name"])
            check.eq("derive_types", CardIdentity.deriveTypes(category: category, tags: Fx.strings(input["tags"])).map(\.name), Fx.strings(exp["derive_types"]))
            check.eq("incantation", try Incantation.encode(seed), exp["incantation"]?.stringValue ?? "")
            check.json("card", CardIdentity.resolveCard(seed: seed), exp["card"])
        }
    }

    @Test func resolveCases() {
        Fx.run("resolve_cases", Fx.edge["resolve_cases"]?.arrayValue ?? [], expected: 36, id: Self.caseID) { c, check in
            let text = c["seed"]!.stringValue!
            if text.hasPrefix("-") {
                // Reference quirk (Python two's complement); the port rejects negative seeds.
                if (try? CardIdentity.parseSeed(text)) != nil { check.fail("negative seed must be rejected") }
                return
            }
            let seed = try CardIdentity.parseSeed(text)
            let full: Bool? = c["full_seed"]?.boolValue
            let card = CardIdentity.resolveCard(seed: seed, fullSeed: full, registryAgents: Fx.registryAgents)
            check.json("card", card, c["expected_card"])
            if full == true { check.json("fields", Fx.fieldsJSON(SeedFields(seed: seed)), c["fields"]) }
        }
    }

    @Test func aliasCases() {
        Fx.run("alias_cases", Fx.edge["alias_cases"]?.arrayValue ?? [], expected: 4, id: { _, c in c["name"]?.stringValue ?? "?" }) { c, check in
            let alias = try CardIdentity.parseSeed(c["alias"]!.stringValue!), seed = try CardIdentity.parseSeed(c["seed"]!.stringValue!)
            check.json("alias_fields", Fx.fieldsJSON(SeedFields(seed: alias)), c["alias_fields"])
            check.json("seed_fields", Fx.fieldsJSON(SeedFields(seed: seed)), c["seed_fields"])
            check.json("alias_card", CardIdentity.resolveCard(seed: alias), c["alias_card"])
        }
    }

    @Test func deriveTypesCases() {
        Fx.run("derive_types_cases", Fx.edge["derive_types_cases"]?.arrayValue ?? [], expected: 23, id: { i, c in "#\(i) \(c.serialized(.python))" }) { c, check in
            let got = CardIdentity.deriveTypes(category: c["category"]!.stringValue!, tags: Fx.strings(c["tags"]))
            check.eq("types", got.map(\.name), Fx.strings(c["expected"]))
        }
    }

    @Test func seedHashCases() {
        Fx.run("seed_hash_cases", Fx.edge["seed_hash_cases"]?.arrayValue ?? [], expected: 16, id: { i, _ in "#\(i)" }) { c, check in
            let s = c["input"]!.stringValue!
            check.json("hash", .int(Int(CardIdentity.seedHash(s))), c["expected"])
            check.json("code points", .int(s.unicodeScalars.count), c["code_points"])
        }
    }

    @Test func mulberry32Cases() {
        Fx.run("mulberry32_cases", Fx.edge["mulberry32_cases"]?.arrayValue ?? [], expected: 10, id: { _, c in "seed " + (c["seed"]?.stringValue ?? "?") }) { c, check in
            let masked = UInt32(c["seed_masked_u32"]!.intValue!)
            if let s = Fx.seedValue(c["seed"]) { check.eq("masking", Mulberry32(maskingSeed: s).state, masked) }
            var rng = Mulberry32(seed: masked), floatRng = Mulberry32(seed: masked)
            check.json("raw_u32", .array((0..<10).map { _ in .int(Int(rng.nextUInt32())) }), c["raw_u32"])
            check.eq("floats", (0..<10).map { _ in floatRng.next() }, (c["floats"]?.arrayValue ?? []).compactMap(\.doubleValue))
        }
    }

    @Test func incantationCases() {
        Fx.run("incantation_cases", Fx.edge["incantation_cases"]?.arrayValue ?? [], expected: 41, id: Self.caseID) { c, check in
            let input = c["input"]!.stringValue!
            let quirk = c["reference_quirk"] == .bool(true)
            switch c["op"]?.stringValue {
            case "seed_to_words":
                let seed = try? CardIdentity.parseSeed(input)
                if quirk && (seed == nil || seed! > Incantation.maxSeed) {
                    // The reference wraps negatives / ≥ 2^70 silently; the port refuses them.
                    if let seed, (try? Incantation.encode(seed)) != nil { check.fail("should be rejected") }
                    return
                }
                guard let seed else { check.fail("bad seed"); return }
                check.eq("words", try Incantation.encode(seed), c["expected"]?.stringValue ?? "")
                if let rt = c["round_trip_seed"]?.stringValue, let w = c["expected"]?.stringValue {
                    check.eq("round trip", String(try Incantation.decodeStrict(w)), rt)
                }
            case "words_to_seed":
                do throws(IncantationError) {
                    let seed = try Incantation.decodeStrict(input)
                    check.eq("seed", String(seed), c["expected"]?.stringValue ?? "(error expected)")
                    // The forgiving decoder accepts everything the strict one does, same value.
                    check.eq("forgiving", try? Incantation.decodeForgiving(input).get(), seed)
                } catch {
                    check.json("error message", .string(error.message), c["expected_error"]?["error"])
                }
            default:
                check.fail("unknown op")
            }
        }
    }

    @Test func enrichmentCases() {
        Fx.run("enrichment_cases", Fx.edge["enrichment_cases"]?.arrayValue ?? [], expected: 8,
               id: { i, c in "#\(i) \(c["op"]?.stringValue ?? "?") \(c["name"]?.stringValue ?? c["manifest"]?["name"]?.stringValue ?? "")" }) { c, check in
            let card: JSONValue
            if c["op"] == "mint_card" {
                card = try CardIdentity.mintCard(manifest: c["manifest"]!, path: "agents/edge_agent.py")
            } else {
                card = try CardIdentity.resolveCard(name: c["name"]!.stringValue!, registryAgents: Fx.registryAgents)
            }
            check.json("card", card, c["expected_card"])
            if let order = c["expected_key_order"] {
                check.json("key order", .array((card.objectValue ?? []).map { .string($0.0) }), order)
            }
        }
    }

    @Test func legacyDeriveCases() {
        Fx.run("legacy_derive_cases", Fx.edge["legacy_derive_cases"]?.arrayValue ?? [], expected: 8,
               id: { i, c in "#\(i) \(c["input"]?["name"]?.stringValue ?? "?")" }) { c, check in
            let inp = c["input"]!
            let name = inp["name"]!.stringValue!, tier = inp["tier"]!.stringValue!
            let s = LegacyCardDerivation.stats(
                name: name, tier: tier, tagCount: Fx.strings(inp["tags"]).count, depCount: Fx.strings(inp["deps"]).count,
                envCount: Fx.strings(inp["env_vars"]).count, version: inp["version"]!.stringValue!,
                description: inp["description"]!.stringValue!)
            let stats: JSONValue = .object([("hp", .int(s.hp)), ("atk", .int(s.atk)), ("def", .int(s.def)), ("spd", .int(s.spd)), ("int", .int(s.int))])
            check.json("stats", stats, c["expected_stats"])
            let ab = LegacyCardDerivation.abilities(name: name, category: inp["category"]!.stringValue!, tier: tier)
            let abJSON: JSONValue = .array(ab.map { .object([("name", .string($0.name)), ("text", .string($0.text)), ("cost", .int($0.cost)), ("damage", .int($0.damage))]) })
            check.json("abilities", abJSON, c["expected_abilities"])
        }
    }

    /// mint_card over every real agent file in manifests.json: the first 22 keys must be the
    /// registry card from seeds.json (registry stubs, forged with tier "private", excepted).
    @Test func mintRealAgentFiles() {
        var byName: [String: JSONValue] = [:]
        for a in Fx.seeds["agents"]?.arrayValue ?? [] { byName[a["name"]!.stringValue!] = a }
        var stubs: [String] = []
        let files = (Fx.manifests["files"]?.arrayValue ?? []).filter { f in
            guard f["in_registry_json"] == .bool(true), let m = f["manifest"], case .object = m,
                  let n = m["name"]?.stringValue, byName[n] != nil else { return false }
            let entry = Fx.registryAgents.first { $0["name"] == .string(n) }!
            if ["category", "quality_tier", "tags", "dependencies"].contains(where: { m[$0] != entry[$0] }) {
                stubs.append(n)
                return false
            }
            return true
        }
        #expect(stubs.sorted() == ["@kody-w/example_private", "@kody-w/legal_helper"])
        Fx.run("manifests.json mint", files, expected: 305, id: { _, f in f["path"]?.stringValue ?? "?" }) { f, check in
            let m = f["manifest"]!
            let card = try CardIdentity.mintCard(manifest: m, path: f["path"]?.stringValue ?? "")
            let masked: [String: JSONValue] = ["display_name": "x", "name_seed": 0, "_resolved_from": "x"]
            let first22 = JSONValue.object(Array((card.objectValue ?? []).prefix(22)))
            check.json("card", Fx.replacing(first22, masked), Fx.replacing(byName[m["name"]!.stringValue!]!["card"]!, masked))
            check.json("_resolved_from", card["_resolved_from"] ?? .null, "manifest")
            check.json("display_name", card["display_name"] ?? .null, m["display_name"] ?? m["name"]!)
        }
    }
}
