import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import RARCore

@Suite struct IdentityIncantationTests {
    static let canonical = "DISMISS HUSK WIELD BINDER EFFACE MOON SHARD"
    static let seed: CardSeed = 4_997_715_477_691_771_520

    @Test func forgivingAcceptsCaseAndSeparators() {
        let inputs = [
            "dismiss husk wield binder efface moon shard",
            "Dismiss Husk Wield Binder Efface Moon Shard",
            "dismiss-husk-wield-binder-efface-moon-shard",
            "DISMISS_HUSK_WIELD_BINDER_EFFACE_MOON_SHARD",
            "dismiss, husk, wield, binder, efface, moon, shard",
            "  dismiss   husk\twield -- binder,efface _ moon   shard  ",
            "dismiss\u{2013}husk\u{2014}wield binder efface moon shard",
            "\"DISMISS HUSK WIELD BINDER EFFACE MOON SHARD\"",
            "ＤＩＳＭＩＳＳ husk wield binder efface moon shard",
        ]
        for s in inputs {
            #expect((try? Incantation.decodeForgiving(s).get()) == Self.seed, "\(s)")
        }
    }

    @Test func strictIsTheReference() throws {
        #expect(try Incantation.decodeStrict(Self.canonical) == Self.seed)
        #expect(try Incantation.decodeStrict("dismiss-husk-wield-binder-efface-moon-shard") == Self.seed)
        // Underscores and commas are not reference separators.
        #expect(throws: IncantationError(kind: .wordCount(1))) { try Incantation.decodeStrict("DISMISS_HUSK_WIELD_BINDER_EFFACE_MOON_SHARD") }
        #expect(throws: IncantationError(kind: .unknownWord("DISMISS,"))) { try Incantation.decodeStrict("DISMISS, HUSK WIELD BINDER EFFACE MOON SHARD") }
        // KELVIN SIGN is canonically equivalent to "K" in Swift, but not the same code point.
        #expect(throws: IncantationError(kind: .unknownWord("\u{212A}NELL"))) { try Incantation.decodeStrict("\u{212A}NELL FORGE FORGE FORGE FORGE FORGE FORGE") }
        // Python 3.11–3.13 has no upper-case for U+019B (Unicode 16 added one); ß → SS as in Python.
        #expect(throws: IncantationError(kind: .unknownWord("\u{19B}X"))) { try Incantation.decodeStrict("\u{19B}x a b c d e f") }
        #expect(throws: IncantationError(kind: .unknownWord("STRASSE"))) { try Incantation.decodeStrict("stra\u{DF}e a b c d e f") }
        #expect(try Incantation.encode(Self.seed) == Self.canonical)
        #expect(throws: IncantationError(kind: .seedTooLarge)) { try Incantation.encode(Incantation.maxSeed + 1) }
    }

    @Test func oneTypoSuggestsTheRightWordAndNeverResolves() throws {
        let typo = "DISMISS HUSK WEILD BINDER EFFACE MOON SHARD"  // transposed I/E
        let result = Incantation.decodeForgiving(typo)
        guard case .failure(let problem) = result else {
            Issue.record("a misspelled incantation must not resolve")
            return
        }
        #expect(problem.tokenCount == 7)
        #expect(problem.unknownWords.count == 1)
        let u = try #require(problem.unknownWords.first)
        #expect(u.position == 3)
        #expect(u.token == "WEILD")
        #expect(u.suggestions.contains("WIELD"))
        #expect(u.suggestions.count <= 3)
        #expect(problem.description.contains("did you mean"))
        #expect(Incantation.suggestions(for: "froge").first == "FORGE")
        #expect(Incantation.suggestions(for: "anvl") == ["ANVIL"])
        #expect(Incantation.suggestions(for: "qqqqqqqq") == [])
    }

    @Test func suggestionsAreDeterministicAndBounded() {
        let a = Incantation.suggestions(for: "STON")
        #expect(a == Incantation.suggestions(for: "ston"))
        #expect(a.count <= 3 && !a.isEmpty)
        // Sorted by distance, then alphabetically.
        #expect(Incantation.suggestions(for: "BAR", limit: 10) == Incantation.suggestions(for: "BAR", limit: 10).sorted { x, y in
            let dx = Incantation.osaDistance(Array("BAR".unicodeScalars.map(\.value)), x.unicodeScalars.map(\.value), bound: 9)
            let dy = Incantation.osaDistance(Array("BAR".unicodeScalars.map(\.value)), y.unicodeScalars.map(\.value), bound: 9)
            return dx != dy ? dx < dy : x < y
        })
    }

    /// Any single-letter edit that is not itself a list word must fail, across many seeds.
    @Test func mutatedWordsNeverResolve() throws {
        var rng = Mulberry32(seed: 12345)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var tried = 0
        for _ in 0..<400 {
            let seed = CardSeed(rng.nextUInt32()) << 38 | CardSeed(rng.nextUInt32()) << 6 | CardSeed(rng.nextUInt32() & 63)
            var words = try Incantation.words(for: seed)
            let pos = Int(rng.nextUInt32() % 7)
            var chars = Array(words[pos])
            let at = Int(rng.nextUInt32() % UInt32(chars.count))
            switch rng.nextUInt32() % 3 {
            case 0: chars[at] = letters[Int(rng.nextUInt32() % 26)]
            case 1: chars.remove(at: at)
            default: chars.insert(letters[Int(rng.nextUInt32() % 26)], at: at)
            }
            let mutated = String(chars)
            guard !mutated.isEmpty, Incantation.index(of: mutated) == nil else { continue }
            words[pos] = mutated.lowercased()
            tried += 1
            let r = Incantation.decodeForgiving(words.joined(separator: "-"))
            guard case .failure(let p) = r else { Issue.record("resolved a typo: \(words)"); continue }
            #expect(p.unknownWords.map { $0.position } == [pos + 1])
        }
        #expect(tried > 300)
    }

    @Test func wrongCountIsReported() {
        guard case .failure(let p) = Incantation.decodeForgiving("forge anvil blade") else {
            Issue.record("3 words must fail")
            return
        }
        #expect(p.tokenCount == 3 && p.unknownWords.isEmpty)
        #expect(p.description == "expected 7 words, got 3")
    }
}

@Suite struct IdentityAPITests {
    @Test func cardQueryClassification() {
        #expect(CardQuery.parse(["4997715477691771520"]) == .seed(4_997_715_477_691_771_520))
        #expect(CardQuery.parse(["-1"]) == .invalid("seed must not be negative: -1"))
        #expect(CardQuery.parse(["@rapp/basic_agent"]) == .name("@rapp/basic_agent"))
        #expect(CardQuery.parse(["dismiss", "husk", "wield", "binder", "efface", "moon", "shard"]) == .incantation(4_997_715_477_691_771_520))
        #expect(CardQuery.parse(["dismiss-husk-wield-binder-efface-moon-shard"]) == .incantation(4_997_715_477_691_771_520))
        guard case .badIncantation(let p) = CardQuery.parse(["DISMISS HUSK WEILD BINDER EFFACE MOON SHARD"]) else {
            Issue.record("typo must be reported")
            return
        }
        #expect(p.unknownWords.first?.suggestions.contains("WIELD") == true)
        guard case .badIncantation = CardQuery.parse(["DISMISS HUSK WIELD BINDER EFFACE MOON SHARD FORGE"]) else {
            Issue.record("8 words must be reported, not truncated")
            return
        }
        #expect(CardQuery.parse(["basic", "agent"]) == .name("basic agent"))
        #expect(CardIdentity.seed(of: .object([("error", "x")])) == nil)
        #expect(CardIdentity.seed(of: CardIdentity.resolveCard(seed: 42)) == 42)
    }

    @Test func seedParsing() throws {
        #expect(try CardIdentity.parseSeed(" 1180591620717411303424 ") == CardSeed(1) << 70)
        #expect(throws: CardInputError.self) { try CardIdentity.parseSeed("-1") }
        #expect(throws: CardInputError.self) { try CardIdentity.parseSeed("1e5") }
        #expect(throws: CardInputError.self) { try CardIdentity.parseSeed("") }
        #expect(throws: CardInputError.self) { try CardIdentity.parseSeed("999999999999999999999999999999999999999999") }
    }

    @Test func seedStyleNumber() {
        let card = CardIdentity.resolveCard(seed: CardSeed(1) << 65, seedStyle: .number)
        #expect(card["seed"] == .bigInt("36893488147419103232"))
        #expect(CardIdentity.resolveCard(seed: 5, seedStyle: .number)["seed"] == .int(5))
    }

    @Test func mintErrors() {
        #expect(throws: CardInputError("No __manifest__ found in agents/x.py")) { try CardIdentity.mintCard(manifest: nil, path: "agents/x.py") }
        #expect(throws: CardInputError.self) { try CardIdentity.mintCard(manifest: .object([("tags", .array([.int(1)]))]), path: "p") }
        #expect(throws: CardInputError.self) { try CardIdentity.mintCard(manifest: .object([("category", .array([]))]), path: "p") }
        #expect(throws: CardInputError.self) { try CardIdentity.mintCard(manifest: .object([("dependencies", .null)]), path: "p") }
    }

    @Test func mintDefaultsNameToPathAndKeepsRawValues() throws {
        let card = try CardIdentity.mintCard(manifest: .object([("tags", "ab"), ("display_name", .null)]), path: "agents/a.py")
        #expect(card["name"] == "agents/a.py")
        #expect(card["display_name"] == .null)  // present-but-null is echoed, as the reference does
        #expect(card["tags"] == "ab")           // a string iterates code points: 2 tags
        let seed = try CardIdentity.parseSeed(card["seed"]!.stringValue!)
        #expect(SeedFields(seed: seed).tagCount == 2)
    }

    @Test func nameSeedWithoutRegistryIsAPreview() {
        let card = CardIdentity.resolveCard(seed: 123_456_789, fullSeed: nil, registryAgents: nil)
        #expect(card["seed"] == "530242871224172544")
        #expect(card["_resolved_from"] == "seed")
        // Python keeps every bit of seed << 32; so do we, even past 128 bits.
        let big = CardIdentity.resolveCard(seed: CardSeed.max, fullSeed: false, registryAgents: nil)
        #expect(big["seed"] == "1461501637330902918203684832716283019651637575680")
    }

    @Test func evolutionIsACopy() {
        var a = CardIdentity.resolveCard(seed: 0)
        if case .object(var p) = a { p[15].1 = .null; a = .object(p) }
        #expect(CardIdentity.resolveCard(seed: 0)["evolution"]?["label"] == "Seed")
    }

    @Test func jsonDiffSeesKeyOrder() {
        let a: JSONValue = .object([("a", 1), ("b", 2)]), b: JSONValue = .object([("b", 2), ("a", 1)])
        #expect(IdentityFixtures.jsonDiff(a, b) != nil)
        #expect(IdentityFixtures.jsonDiff(a, a) == nil)
    }
}

@Suite struct IdentityRenderTests {
    static let hostile: JSONValue = .object([
        ("name", "@evil/<script>alert(1)</script>"),
        ("display_name", "Tom & \"Jerry\" <b>'x'</b>\u{0}\u{1B}[31m"),
        ("description", "a < b && c > d"),
        ("category", "healthcare"), ("quality_tier", "official"), ("tags", ["billing"]),
    ])

    @Test func svgIsDeterministic() throws {
        for seed: CardSeed in [0, 4_997_715_477_691_771_520, 27_950_782_190_482_898_131, (CardSeed(1) << 70) - 1] {
            let card = CardIdentity.resolveCard(seed: seed)
            let a = CardSVG.render(card: card), b = CardSVG.render(card: CardIdentity.resolveCard(seed: seed))
            #expect(a == b)
            #expect(Array(a.utf8) == Array(b.utf8))
            #expect(a.hasPrefix("<svg ") && a.hasSuffix("</svg>\n"))
        }
        let minted = try CardIdentity.mintCard(manifest: Self.hostile, path: "x.py")
        #expect(CardSVG.render(card: minted) == CardSVG.render(card: minted))
        #expect(CardSVG.render(card: CardIdentity.resolveCard(seed: 1)) != CardSVG.render(card: CardIdentity.resolveCard(seed: 2)))
    }

    /// `wrap` sums widths as it goes; it must break exactly where measuring each candidate
    /// line afresh would, for ASCII and for text with combining marks, wide and astral scalars.
    @Test func svgWrapBreaksWhereFreshWidthsWould() {
        func plainWrap(_ text: String, size: Double, maxWidth: Double, maxLines: Int) -> [String] {
            guard maxLines > 0 else { return [] }
            let words = text.split(separator: " ").map(String.init)
            var lines: [String] = [], cur = "", i = 0
            while i < words.count {
                let cand = cur.isEmpty ? words[i] : cur + " " + words[i]
                if CardSVG.estimateWidth(cand, size: size) <= maxWidth || cur.isEmpty { cur = cand; i += 1 } else {
                    lines.append(cur); cur = ""
                    if lines.count == maxLines { break }
                }
            }
            if !cur.isEmpty && lines.count < maxLines { lines.append(cur) }
            if i < words.count, var last = lines.popLast() {
                while !last.isEmpty && CardSVG.estimateWidth(last + "\u{2026}", size: size) > maxWidth { last.removeLast() }
                lines.append(last + "\u{2026}")
            }
            return lines.map { CardSVG.truncate($0, size: size, maxWidth: maxWidth * 1.3) }
        }
        let pieces = ["a", "word", "Wide", "iii", "MMM", " ", "  ", "e\u{301}", " \u{301}x", "\u{4E2D}\u{6587}", "\u{1F600}", "tl;dr", "x\ty", "42"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let width = Double(Int.random(in: 20...320, using: &rng))
            let lines = Int.random(in: 0...4, using: &rng)
            #expect(CardSVG.wrap(text, size: 10, maxWidth: width, maxLines: lines) == plainWrap(text, size: 10, maxWidth: width, maxLines: lines), "\(text.debugDescription) \(width) \(lines)")
        }
    }

    @Test func svgEscapesText() throws {
        let svg = CardSVG.render(card: try CardIdentity.mintCard(manifest: Self.hostile, path: "x.py"))
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("&lt;script&gt;"))
        #expect(svg.contains("Tom &amp; &quot;Jerry&quot; &lt;b&gt;&apos;x&apos;&lt;/b&gt;"))
        #expect(!svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(CardSVG.esc("a&b<c>\"d\"'e'") == "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;")
        #if canImport(FoundationXML) || os(macOS)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "SVG must be well-formed XML: \(String(describing: parser.parserError))")
        #endif
    }

    @Test func svgShowsTheCard() {
        let svg = CardSVG.render(card: CardIdentity.resolveCard(seed: 4_997_715_477_691_771_520))
        for needle in ["Agent #73BF", ">55<", "Wealth", "Logic", "Close", ">52<", "Forecast", "Heal", "DISMISS HUSK WIELD BINDER EFFACE MOON SHARD", "Core", "STAGE 1", "#bc8cff", "#58a6ff"] {
            #expect(svg.contains(needle), "missing \(needle)")
        }
    }

    @Test func terminalColourFlag() throws {
        let card = CardIdentity.resolveCard(seed: 4_997_715_477_691_771_520)
        let plain = CardTerminal.render(card: card, color: false)
        let colored = CardTerminal.render(card: card, color: true)
        #expect(!plain.contains("\u{1B}"))
        #expect(colored.contains("\u{1B}[38;2;188;140;255m"))  // WEALTH #bc8cff
        for needle in ["Agent #73BF", "HP 55", "Wealth", "Close", "52 dmg", "DISMISS HUSK WIELD BINDER EFFACE MOON SHARD", "Retreat"] {
            #expect(plain.contains(needle), "missing \(needle)")
        }
        // Every line has the same width in cells.
        let widths = Set(plain.split(separator: "\n").map { CardTerminal.cells(String($0)) })
        #expect(widths.count == 1)
        #expect(CardTerminal.render(card: card, color: false) == plain)
    }

    @Test func terminalNeutralisesControlCharacters() throws {
        let out = CardTerminal.render(card: try CardIdentity.mintCard(manifest: Self.hostile, path: "x.py"), color: false)
        #expect(!out.contains("\u{1B}"))
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let widths = Set(out.split(separator: "\n").map { CardTerminal.cells(String($0)) })
        #expect(widths.count == 1)
    }
}
