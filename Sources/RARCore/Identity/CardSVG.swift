// Deterministic SVG rendering of a card: same card JSON → byte-identical SVG. No dates, no
// randomness beyond the seed-driven art, no locale-dependent number formatting.

public enum CardSVG {
    public static let width = 360
    public static let height = 504

    /// Render any card object (seed-only or enriched).
    public static func render(card: JSONValue) -> String { render(CardFace(card: card)) }

    public static func render(_ c: CardFace) -> String { String(decoding: renderBytes(c), as: UTF8.self) }

    /// The SVG as UTF-8 bytes (what a card file holds).
    public static func renderBytes(card: JSONValue) -> [UInt8] { renderBytes(CardFace(card: card)) }

    public static func renderBytes(_ c: CardFace) -> [UInt8] {
        let primary = c.typeColors.first ?? "#8b949e"
        let secondary = c.typeColors.count > 1 ? c.typeColors[1] : mix(primary, "#000000", 0.25)
        let uid = idSuffix(c.seedText)
        // Bars and pips need contrast on the light body: darken very light types (SHIELD).
        let accent = luminance(primary) > 200 ? mix(primary, "#57606a", 0.75) : mix(primary, "#000000", 0.15)
        let frame = frameColors(c.rarity, tier: c.tier)
        var s = SVGBuilder()

        s.line("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"\(sans)\" role=\"img\" aria-label=\"\(esc: c.displayName)\">")
        s.line("<title>\(esc: c.displayName)</title>")
        s.line("<defs>")
        s.line("<linearGradient id=\"frame\(uid)\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\"><stop offset=\"0\" stop-color=\"\(frame.0)\"/><stop offset=\"0.5\" stop-color=\"\(frame.1)\"/><stop offset=\"1\" stop-color=\"\(frame.2)\"/></linearGradient>")
        s.line("<linearGradient id=\"body\(uid)\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\"><stop offset=\"0\" stop-color=\"\(mix(primary, "#ffffff", 0.72))\"/><stop offset=\"1\" stop-color=\"\(mix(secondary, "#ffffff", 0.62))\"/></linearGradient>")
        s.line("<radialGradient id=\"art\(uid)\" cx=\"0.5\" cy=\"0.45\" r=\"0.75\"><stop offset=\"0\" stop-color=\"\(mix(primary, "#0d1117", 0.35))\"/><stop offset=\"0.6\" stop-color=\"\(mix(secondary, "#0d1117", 0.72))\"/><stop offset=\"1\" stop-color=\"#0d1117\"/></radialGradient>")
        s.line("<linearGradient id=\"sigil\(uid)\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\"><stop offset=\"0\" stop-color=\"\(mix(primary, "#ffffff", 0.2))\"/><stop offset=\"1\" stop-color=\"\(secondary)\"/></linearGradient>")
        let holo = c.rarity == "mythic" || c.rarity == "rare"
        if holo {
            s.line("<linearGradient id=\"holo\(uid)\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\"><stop offset=\"0\" stop-color=\"#ffffff\" stop-opacity=\"0\"/><stop offset=\"0.45\" stop-color=\"#ffffff\" stop-opacity=\"0\"/><stop offset=\"0.5\" stop-color=\"#ffffff\" stop-opacity=\"0.35\"/><stop offset=\"0.55\" stop-color=\"#ffffff\" stop-opacity=\"0\"/><stop offset=\"1\" stop-color=\"#ffffff\" stop-opacity=\"0\"/></linearGradient>")
        }
        s.line("<clipPath id=\"artclip\(uid)\"><rect x=\"24\" y=\"62\" width=\"312\" height=\"142\" rx=\"8\"/></clipPath>")
        s.line("</defs>")

        // Frame and body.
        s.line("<rect x=\"0.5\" y=\"0.5\" width=\"359\" height=\"503\" rx=\"18\" fill=\"url(#frame\(uid))\" stroke=\"#1b1f24\" stroke-width=\"1\"/>")
        s.line("<rect x=\"12\" y=\"12\" width=\"336\" height=\"480\" rx=\"12\" fill=\"url(#body\(uid))\" stroke=\"\(mix(frame.2, "#000000", 0.3))\" stroke-width=\"1.5\"/>")

        // Header: stage, name, HP.
        let stage = "STAGE \(c.evolutionStage) \u{00B7} \(c.evolutionLabel.uppercased())"
        s.text(stage, x: 26, y: 30, size: 8.5, maxWidth: 150, attrs: "font-weight=\"700\" letter-spacing=\"0.8\" fill=\"\(mix(primary, "#1b1f24", 0.6))\"")
        if let n = c.name, !n.isEmpty {
            let v = (c.version ?? "").isEmpty ? "" : " v" + c.version!
            s.text(n + v, x: 334, y: 30, size: 8, maxWidth: 150, anchor: "end", attrs: "fill=\"#57606a\"")
        }
        s.text(c.displayName, x: 26, y: 51, size: 19, maxWidth: 236, bold: true, attrs: "font-weight=\"700\" fill=\"#1b1f24\"")
        s.line("<text x=\"334\" y=\"51\" text-anchor=\"end\" fill=\"#b42318\"><tspan font-size=\"10\" font-weight=\"700\">HP </tspan><tspan font-size=\"24\" font-weight=\"800\">\(c.hp)</tspan></text>")

        // Art window with seed-driven sigil.
        s.line("<g clip-path=\"url(#artclip\(uid))\">")
        s.line("<rect x=\"24\" y=\"62\" width=\"312\" height=\"142\" fill=\"url(#art\(uid))\"/>")
        art(into: &s, face: c, primary: primary, secondary: secondary, uid: uid)
        if holo {
            s.line("<rect x=\"24\" y=\"62\" width=\"312\" height=\"142\" fill=\"url(#holo\(uid))\"/>")
        }
        s.line("</g>")
        s.line("<rect x=\"24\" y=\"62\" width=\"312\" height=\"142\" rx=\"8\" fill=\"none\" stroke=\"\(mix(frame.2, "#000000", 0.2))\" stroke-width=\"2\"/>")
        // Rarity pill on the art.
        let rl = c.rarityLabel.uppercased()
        let rw = max(44.0, estimateWidth(rl, size: 8.5, bold: true) + 16)
        s.line("<rect x=\"\(num: 330 - rw)\" y=\"68\" width=\"\(num: rw)\" height=\"15\" rx=\"7.5\" fill=\"#0d1117\" fill-opacity=\"0.7\" stroke=\"\(frame.1)\" stroke-width=\"1\"/>")
        s.text(rl, x: 330 - rw / 2, y: 78.8, size: 8.5, maxWidth: rw - 8, bold: true, anchor: "middle", attrs: "font-weight=\"700\" letter-spacing=\"0.8\" fill=\"\(frame.1)\"")

        // Type line bar with type pills on the right.
        s.line("<rect x=\"24\" y=\"209\" width=\"312\" height=\"21\" rx=\"6\" fill=\"#ffffff\" fill-opacity=\"0.65\" stroke=\"\(mix(primary, "#000000", 0.2))\" stroke-opacity=\"0.5\"/>")
        var pillX = 330.0
        var pills: [SVGLine] = []
        for (t, color) in zip(c.types, c.typeColors).reversed() {
            let w = estimateWidth(t.label, size: 9, bold: true) + 14
            pillX -= w
            pills.insert("<rect x=\"\(num: pillX)\" y=\"213\" width=\"\(num: w)\" height=\"13\" rx=\"6.5\" fill=\"\(color)\" stroke=\"#1b1f24\" stroke-opacity=\"0.35\"/><text x=\"\(num: pillX + w / 2)\" y=\"222.6\" text-anchor=\"middle\" font-size=\"9\" font-weight=\"700\" fill=\"\(ink(on: color))\">\(esc: t.label)</text>", at: 0)
            pillX -= 4
        }
        s.text(c.typeLine, x: 32, y: 223.5, size: 10.5, maxWidth: pillX - 36, attrs: "font-style=\"italic\" fill=\"#1b1f24\"")
        pills.forEach { s.line($0) }

        // Stats: five columns of label, value and bar, grouped by look (nothing overlaps, and
        // each bar's track is still drawn under its fill).
        let columns = c.stats.enumerated().map { (x: 30.0 + Double($0.offset) * 61, stat: $0.element) }
        s.line("<g font-size=\"8.5\" font-weight=\"700\" letter-spacing=\"0.6\" fill=\"#57606a\">")
        for col in columns { s.line("<text x=\"\(num: col.x)\" y=\"246\">\(col.stat.label)</text>") }
        s.line("</g>")
        s.line("<g font-size=\"16\" font-weight=\"800\" fill=\"#1b1f24\">")
        for col in columns { s.line("<text x=\"\(num: col.x)\" y=\"264\">\(col.stat.value)</text>") }
        s.line("</g>")
        s.line("<g fill=\"#1b1f24\" fill-opacity=\"0.15\">")
        for col in columns { s.line("<rect x=\"\(num: col.x)\" y=\"269\" width=\"52\" height=\"4\" rx=\"2\"/>") }
        s.line("</g>")
        s.line("<g fill=\"\(accent)\">")
        for col in columns {
            let frac = Double(max(0, min(100, col.stat.value))) / 100
            s.line("<rect x=\"\(num: col.x)\" y=\"269\" width=\"\(num: 52 * frac)\" height=\"4\" rx=\"2\"/>")
        }
        s.line("</g>")

        // Abilities: cost pips, name, damage. Free rows hold the description (enriched cards),
        // otherwise the rows are centred in the block.
        let shown = Array(c.abilities.prefix(3))
        let desc = (c.description ?? "").trimmingASCIIWhitespace()
        let descLines = desc.isEmpty ? [] : wrap(desc, size: 10, maxWidth: 304, maxLines: (3 - shown.count) * 2)
        let top = 283.0 + (descLines.isEmpty ? Double(3 - shown.count) * 15.5 : 0)
        for (i, l) in descLines.enumerated() {
            let y = top + Double(shown.count) * 31 + 12 + Double(i) * 13
            s.line("<text x=\"26\" y=\"\(num: y)\" font-size=\"10\" fill=\"#32383f\">\(esc: l)</text>")
        }
        for (i, a) in shown.enumerated() {
            let y = top + Double(i) * 31
            s.line("<rect x=\"24\" y=\"\(num: y)\" width=\"312\" height=\"27\" rx=\"6\" fill=\"#ffffff\" fill-opacity=\"0.55\"/>")
            let pips = max(0, min(5, a.cost))
            for p in 0..<pips {
                let cx = 38.0 + Double(p) * 13
                s.line("<circle cx=\"\(num: cx)\" cy=\"\(num: y + 13.5)\" r=\"5.5\" fill=\"\(accent)\" stroke=\"#1b1f24\" stroke-opacity=\"0.5\"/>")
            }
            let nameX = 38.0 + Double(max(pips, 1)) * 13 + 2
            s.text(a.name, x: nameX, y: y + 18.5, size: 14, maxWidth: 290 - nameX, bold: true, attrs: "font-weight=\"700\" fill=\"#1b1f24\"")
            s.line("<text x=\"328\" y=\"\(num: y + 19.5)\" text-anchor=\"end\" font-size=\"17\" font-weight=\"800\" fill=\"#1b1f24\">\(a.damage)</text>")
        }

        // Weakness / resistance / retreat.
        let colX = [30.0, 134.0, 238.0]
        let heads = ["WEAKNESS", "RESISTANCE", "RETREAT"]
        s.line("<g font-size=\"7.5\" font-weight=\"700\" letter-spacing=\"0.8\" fill=\"#57606a\">")
        for (i, h) in heads.enumerated() { s.line("<text x=\"\(num: colX[i])\" y=\"386\">\(h)</text>") }
        s.line("</g>")
        for (i, t) in [c.weakness, c.resistance].enumerated() {
            guard let t else { continue }
            let x = colX[i]
            s.line("<circle cx=\"\(num: x + 6)\" cy=\"397\" r=\"6\" fill=\"\(t.color)\" stroke=\"#1b1f24\" stroke-opacity=\"0.5\"/>")
            s.line("<text x=\"\(num: x + 16)\" y=\"401\" font-size=\"11\" font-weight=\"700\" fill=\"#1b1f24\">\(esc: t.label)</text>")
        }
        if c.retreatCost <= 0 {
            s.line("<text x=\"238\" y=\"401\" font-size=\"11\" font-weight=\"700\" fill=\"#1b1f24\">Free</text>")
        } else {
            for p in 0..<min(c.retreatCost, 6) {
                s.line("<circle cx=\"\(num: 244 + Double(p) * 14)\" cy=\"397\" r=\"5.5\" fill=\"#d0d7de\" stroke=\"#1b1f24\" stroke-opacity=\"0.6\"/>")
            }
        }

        // Flavor.
        s.line("<line x1=\"26\" y1=\"410\" x2=\"334\" y2=\"410\" stroke=\"#1b1f24\" stroke-opacity=\"0.2\"/>")
        for (i, l) in wrap(c.flavor, size: 10, maxWidth: 304, maxLines: 2).enumerated() {
            s.line("<text x=\"26\" y=\"\(num: 424 + Double(i) * 13)\" font-family=\"\(serif)\" font-size=\"10\" font-style=\"italic\" fill=\"#32383f\">\(esc: l)</text>")
        }

        // Footer: rarity mark, floor points, seed, incantation.
        s.line("<line x1=\"26\" y1=\"451\" x2=\"334\" y2=\"451\" stroke=\"#1b1f24\" stroke-opacity=\"0.2\"/>")
        s.line(rarityMark(c.rarity, x: 31, y: 462, color: frame.2))
        s.text("\(c.rarityLabel) \u{00B7} \(c.floorPoints) pts", x: 40, y: 465, size: 8.5, maxWidth: 120, bold: true, attrs: "font-weight=\"700\" fill=\"#1b1f24\"")
        if !c.seedText.isEmpty {
            s.text("seed \(c.seedText)", x: 334, y: 465, size: 8, maxWidth: 170, anchor: "end", mono: true, attrs: "fill=\"#57606a\"")
        }
        if let inc = c.incantation {
            s.text(inc, x: 180, y: 482, size: 8.5, maxWidth: 304, bold: true, anchor: "middle", mono: true, attrs: "font-weight=\"700\" letter-spacing=\"0.4\" fill=\"\(mix(primary, "#1b1f24", 0.7))\"")
        }
        s.line("</svg>")
        return s.out
    }

    // MARK: art

    /// Seed-driven sigil: starfield, nested polygons, a star, orbit dots (one per stage).
    static func art(into s: inout SVGBuilder, face c: CardFace, primary: String, secondary: String, uid: String) {
        let seed = (try? CardIdentity.parseSeed(c.seedText)) ?? 0
        var rng = Mulberry32(seed: UInt32(truncatingIfNeeded: seed >> 32) ^ UInt32(truncatingIfNeeded: seed) ^ 0x5347_494C)
        let cx = 180.0, cy = 133.0
        s.line("<g fill=\"#ffffff\">")
        for _ in 0..<26 {
            let x = 26 + rng.next() * 308, y = 64 + rng.next() * 138
            let r = 0.5 + rng.next() * 1.3, o = 0.25 + rng.next() * 0.6
            s.line("<circle cx=\"\(num: x)\" cy=\"\(num: y)\" r=\"\(num: r)\" fill-opacity=\"\(num: o)\"/>")
        }
        s.line("</g>")
        let rings: [(Double, String, Double)] = [(60, primary, 0.9), (44, secondary, 0.8), (28, primary, 0.7)]
        for (radius, color, op) in rings {
            let sides = 3 + Int(rng.next() * 6)
            let rot = rng.next() * 360
            s.line("<polygon points=\"\(points: polygon(cx, cy, radius, sides: sides, rotation: rot))\" fill=\"\(color)\" fill-opacity=\"0.08\" stroke=\"\(color)\" stroke-opacity=\"\(num: op)\" stroke-width=\"1.6\"/>")
        }
        s.line("<circle cx=\"\(num: cx)\" cy=\"\(num: cy)\" r=\"66\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.18\" stroke-dasharray=\"2 5\"/>")
        let points = 5 + Int(rng.next() * 5)
        s.line("<polygon points=\"\(points: star(cx, cy, outer: 20, inner: 8.5, points: points, rotation: rng.next() * 360))\" fill=\"url(#sigil\(uid))\" stroke=\"#ffffff\" stroke-opacity=\"0.7\" stroke-width=\"1\"/>")
        let dots = max(1, c.evolutionStage + 1)
        let start = rng.next() * 360
        for d in 0..<dots {
            let a = (start + Double(d) * 360 / Double(dots)) * Double.pi / 180
            s.line("<circle cx=\"\(num: cx + 66 * Trig.cos(a))\" cy=\"\(num: cy + 66 * Trig.sin(a))\" r=\"3.2\" fill=\"\(secondary)\" stroke=\"#ffffff\" stroke-width=\"1\"/>")
        }
    }

    /// Polygon vertices as `x,y` pairs.
    static func polygon(_ cx: Double, _ cy: Double, _ r: Double, sides: Int, rotation: Double) -> [(Double, Double)] {
        (0..<sides).map { i in
            let a = (rotation + Double(i) * 360 / Double(sides)) * Double.pi / 180
            return (cx + r * Trig.cos(a), cy + r * Trig.sin(a))
        }
    }

    static func star(_ cx: Double, _ cy: Double, outer: Double, inner: Double, points: Int, rotation: Double) -> [(Double, Double)] {
        (0..<(points * 2)).map { i in
            let r = i % 2 == 0 ? outer : inner
            let a = (rotation + Double(i) * 180 / Double(points)) * Double.pi / 180
            return (cx + r * Trig.cos(a), cy + r * Trig.sin(a))
        }
    }

    static func rarityMark(_ rarity: String, x: Double, y: Double, color: String) -> SVGLine {
        switch rarity {
        case "starter":
            return "<circle cx=\"\(num: x)\" cy=\"\(num: y)\" r=\"3.5\" fill=\"\(color)\" stroke=\"#1b1f24\" stroke-width=\"0.8\"/>"
        case "core":
            return "<polygon points=\"\(points: polygon(x, y, 4.5, sides: 4, rotation: -90))\" fill=\"\(color)\" stroke=\"#1b1f24\" stroke-width=\"0.8\"/>"
        default:
            return "<polygon points=\"\(points: star(x, y, outer: 5, inner: 2.2, points: 5, rotation: -90))\" fill=\"\(color)\" stroke=\"#1b1f24\" stroke-width=\"0.8\"/>"
        }
    }

    /// Frame gradient stops by rarity (frontier gets its own teal).
    static func frameColors(_ rarity: String, tier: String) -> (String, String, String) {
        if tier == "frontier" { return ("#99f6e4", "#5eead4", "#0f766e") }
        switch rarity {
        case "mythic": return ("#fff1a8", "#f5c542", "#9a6b00")
        case "rare": return ("#f4f7fb", "#c3d0e0", "#6b7f99")
        case "core": return ("#f0d9c0", "#c99a6b", "#7a5230")
        default: return ("#e5e9ee", "#aab4bf", "#59636e")
        }
    }

    // MARK: text helpers

    static let sans = "DejaVu Sans, Verdana, Arial, sans-serif"
    static let serif = "DejaVu Serif, Georgia, serif"
    static let mono = "DejaVu Sans Mono, Menlo, Consolas, monospace"

    /// XML-escape text for element content and attribute values. Characters XML 1.0 cannot
    /// carry (NUL, most C0 controls, U+FFFE/U+FFFF) become U+FFFD; line breaks become spaces.
    public static func esc(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        appendEscaped(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A string's UTF-8 bytes, copied in one go when they are contiguous (native strings).
    @inline(__always)
    static func appendUTF8(_ s: String, to out: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil { out.append(contentsOf: s.utf8) }
    }

    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        for u in s.unicodeScalars {
            switch u {
            case "&": out.append(contentsOf: "&amp;".utf8)
            case "<": out.append(contentsOf: "&lt;".utf8)
            case ">": out.append(contentsOf: "&gt;".utf8)
            case "\"": out.append(contentsOf: "&quot;".utf8)
            case "'": out.append(contentsOf: "&apos;".utf8)
            case "\t", "\n", "\r": out.append(0x20)
            default:
                let v = u.value
                if v < 0x80 { if v < 0x20 { out.append(contentsOf: [0xEF, 0xBF, 0xBD]) } else { out.append(UInt8(v)) } }
                else if v == 0xFFFE || v == 0xFFFF { out.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
                else { out.append(contentsOf: UTF8.encode(u)!) }
            }
        }
    }

    /// Fixed two-decimal formatting without locale: "12", "12.5", "-3.25".
    static func appendNumber(_ v: Double, to out: inout [UInt8]) {
        guard v.isFinite else { out.append(0x30); return }
        let n = Int((v * 100).rounded())
        if n < 0 { out.append(0x2D) }
        let a = abs(n)
        let whole = a / 100, frac = a % 100
        appendInt(whole, to: &out)
        if frac == 0 { return }
        out.append(0x2E)
        if frac % 10 == 0 { out.append(0x30 + UInt8(frac / 10)); return }
        out.append(0x30 + UInt8(frac / 10)); out.append(0x30 + UInt8(frac % 10))
    }

    static func appendInt(_ v: Int, to out: inout [UInt8]) {
        if v < 0 { out.append(0x2D) }
        var m = v.magnitude
        if m < 10 { out.append(0x30 + UInt8(m)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while m > 0 { d[n] = 0x30 + UInt8(m % 10); m /= 10; n += 1 }
            for k in stride(from: n - 1, through: 0, by: -1) { out.append(d[k]) }
        }
    }

    /// Rough advance width (DejaVu-like proportions) used to fit and wrap text.
    static func estimateWidth(_ s: String, size: Double, bold: Bool = false, mono: Bool = false) -> Double {
        var em = 0.0
        for u in s.unicodeScalars { em += advance(u, mono: mono) }
        return em * size * (bold ? 1.08 : 1)
    }

    /// One scalar's advance in em.
    @inline(__always)
    static func advance(_ u: Unicode.Scalar, mono: Bool) -> Double {
        if mono { return isWide(u) ? 1.2 : 0.602 }
        let v = u.value
        switch v {
        case 0x20: return 0.32
        case 0x69, 0x6A, 0x6C, 0x2E, 0x2C, 0x3A, 0x3B, 0x21, 0x27, 0x7C, 0x49: return 0.3
        case 0x66, 0x72, 0x74: return 0.42
        case 0x4D, 0x57, 0x6D, 0x77: return 0.9
        case 0x41...0x5A: return 0.7
        case 0x30...0x39: return 0.64
        case 0x61...0x7A: return 0.6
        case 0x300...0x36F, 0x200B...0x200F: return 0  // combining / zero-width
        default: return isWide(u) ? 1.0 : 0.64
        }
    }

    static func isWide(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// Greedy word wrap; the last line gets an ellipsis when text remains.
    static func wrap(_ text: String, size: Double, maxWidth: Double, maxLines: Int) -> [String] {
        guard maxLines > 0 else { return [] }
        // In ASCII every space is a grapheme of its own, so splitting the bytes is the same split.
        let words: [String] = text.utf8.allSatisfy({ $0 < 0x80 })
            ? text.utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            : text.split(separator: " ").map(String.init)
        var lines: [String] = []
        var cur = ""
        // The line's width in em, summed scalar by scalar in order (as estimateWidth sums).
        var curEm = 0.0
        var i = 0
        while i < words.count {
            var candEm = cur.isEmpty ? 0.0 : curEm + advance(" ", mono: false)
            for u in words[i].unicodeScalars { candEm += advance(u, mono: false) }
            if candEm * size * 1 <= maxWidth || cur.isEmpty {
                cur = cur.isEmpty ? words[i] : cur + " " + words[i]
                curEm = candEm
                i += 1
            } else {
                lines.append(cur)
                cur = ""
                curEm = 0
                if lines.count == maxLines { break }
            }
        }
        if !cur.isEmpty && lines.count < maxLines { lines.append(cur) }
        if i < words.count, var last = lines.popLast() {
            while !last.isEmpty && estimateWidth(last + "\u{2026}", size: size) > maxWidth { last.removeLast() }
            lines.append(last + "\u{2026}")
        }
        return lines.map { truncate($0, size: size, maxWidth: maxWidth * 1.3) }
    }

    /// Cut to about `maxWidth`, by grapheme, adding an ellipsis.
    static func truncate(_ s: String, size: Double, bold: Bool = false, mono: Bool = false, maxWidth: Double) -> String {
        guard estimateWidth(s, size: size, bold: bold, mono: mono) > maxWidth else { return s }
        var t = s
        while !t.isEmpty && estimateWidth(t + "\u{2026}", size: size, bold: bold, mono: mono) > maxWidth { t.removeLast() }
        return t + "\u{2026}"
    }

    /// Blend two "#rrggbb" colours: t = 0 → a, 1 → b.
    static func mix(_ a: String, _ b: String, _ t: Double) -> String {
        let (r1, g1, b1) = CardFace.rgb(a), (r2, g2, b2) = CardFace.rgb(b)
        func m(_ x: Int, _ y: Int) -> Int { Int((Double(x) + (Double(y) - Double(x)) * t).rounded()) }
        return hex(m(r1, r2), m(g1, g2), m(b1, b2))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        var out: [UInt8] = [UInt8(ascii: "#")]
        out.reserveCapacity(7)
        for c in [r, g, b] { let v = max(0, min(255, c)); out.append(hexDigits[v >> 4]); out.append(hexDigits[v & 15]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Dark or light ink, whichever reads better on `background`.
    static func ink(on background: String) -> String {
        luminance(background) > 140 ? "#1b1f24" : "#ffffff"
    }

    /// Perceived brightness 0–255.
    static func luminance(_ hex: String) -> Double {
        let (r, g, b) = CardFace.rgb(hex)
        return 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
    }

    /// Gradient/clip ids unique per seed, so several cards can share one HTML page.
    static func idSuffix(_ seedText: String) -> String {
        "-" + String(CardIdentity.seedHash(seedText), radix: 36)
    }
}

/// Line-oriented SVG writer over UTF-8 bytes, with text fitting.
struct SVGBuilder {
    var out: [UInt8] = []

    init() { out.reserveCapacity(12 * 1024) }

    mutating func line(_ l: SVGLine) {
        out.append(contentsOf: l.bytes)
        out.append(0x0A)
    }

    /// A text element that never overflows `maxWidth`: long text is truncated to ~1.3× and
    /// then squeezed with textLength.
    mutating func text(_ content: String, x: Double, y: Double, size: Double, maxWidth: Double, bold: Bool = false,
                       anchor: String = "start", mono: Bool = false, attrs: String = "") {
        let t = CardSVG.truncate(content, size: size, bold: bold, mono: mono, maxWidth: maxWidth * 1.3)
        let w = CardSVG.estimateWidth(t, size: size, bold: bold, mono: mono)
        var e: SVGLine = "<text x=\"\(num: x)\" y=\"\(num: y)\""
        if anchor != "start" { e.append(" text-anchor=\"\(anchor)\"") }
        // The root element sets the sans family; only monospace text names its own.
        if mono { e.append(" font-family=\"\(CardSVG.mono)\"") }
        e.append(" font-size=\"\(num: size)\"")
        if !attrs.isEmpty { e.append(" \(attrs)") }
        if w > maxWidth { e.append(" textLength=\"\(num: maxWidth)\" lengthAdjust=\"spacingAndGlyphs\"") }
        e.append(">\(esc: t)</text>")
        line(e)
    }
}

/// One piece of SVG written straight to bytes by string interpolation: `\(num: x)` is a
/// two-decimal number, `\(esc: s)` escaped text, `\(points: p)` an `x,y x,y …` list.
struct SVGLine: ExpressibleByStringInterpolation {
    var bytes: [UInt8]

    init(stringLiteral s: StaticString) { bytes = s.withUTF8Buffer { Array($0) } }
    init(stringInterpolation i: Interpolation) { bytes = i.bytes }

    mutating func append(_ l: SVGLine) { bytes.append(contentsOf: l.bytes) }

    struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []
        init(literalCapacity: Int, interpolationCount: Int) { bytes.reserveCapacity(literalCapacity + interpolationCount * 8) }
        // Literal segments as static UTF-8: one copy, no String.
        mutating func appendLiteral(_ s: StaticString) { s.withUTF8Buffer { bytes.append(contentsOf: $0) } }
        mutating func appendInterpolation(_ s: String) { CardSVG.appendUTF8(s, to: &bytes) }
        mutating func appendInterpolation(_ v: Int) { CardSVG.appendInt(v, to: &bytes) }
        mutating func appendInterpolation(num v: Double) { CardSVG.appendNumber(v, to: &bytes) }
        mutating func appendInterpolation(esc s: String) { CardSVG.appendEscaped(s, to: &bytes) }
        mutating func appendInterpolation(_ l: SVGLine) { bytes.append(contentsOf: l.bytes) }
        mutating func appendInterpolation(points: [(Double, Double)]) {
            for (k, p) in points.enumerated() {
                if k > 0 { bytes.append(0x20) }
                CardSVG.appendNumber(p.0, to: &bytes)
                bytes.append(0x2C)
                CardSVG.appendNumber(p.1, to: &bytes)
            }
        }
    }
}

/// sin/cos from + − × ÷ only, so the SVG bytes do not depend on the platform's libm.
enum Trig {
    static func sin(_ x: Double) -> Double {
        // Reduce to [-π, π], then an odd Taylor series (error < 1e-12 there).
        let twoPi = 2 * Double.pi
        var r = x - (x / twoPi).rounded(.down) * twoPi
        if r > Double.pi { r -= twoPi }
        let r2 = r * r
        var term = r, sum = r
        var n = 1.0
        for _ in 0..<14 {
            term = -term * r2 / ((n + 1) * (n + 2))
            sum += term
            n += 2
        }
        return sum
    }

    static func cos(_ x: Double) -> Double { sin(x + Double.pi / 2) }
}
