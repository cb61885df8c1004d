// Terminal rendering of a card: a boxed block. ANSI colour (24-bit) only when `color` is true;
// with colour off the output has no escape sequences at all. Control characters from card
// text are neutralised so a manifest cannot inject terminal escapes.

public enum CardTerminal {
    /// - Parameters:
    ///   - color: emit ANSI colours (type colours, bold name). Off = plain text.
    ///   - width: total width in terminal columns (clamped to 40...120).
    public static func render(card: JSONValue, color: Bool, width: Int = 56) -> String {
        render(CardFace(card: card), color: color, width: width)
    }

    public static func render(_ c: CardFace, color: Bool, width: Int = 56) -> String {
        let inner = max(40, min(120, width)) - 4  // "│ " + content + " │"
        let st = Style(on: color)
        var lines: [String] = []
        func row(_ left: String, _ leftWidth: Int, _ right: String = "", _ rightWidth: Int = 0) {
            let gap = rightWidth == 0 ? max(0, inner - leftWidth) : max(1, inner - leftWidth - rightWidth)
            lines.append("│ " + left + String(repeating: " ", count: gap) + right + " │")
        }
        func plain(_ s: String, _ style: (String) -> String = { $0 }) {
            let t = fit(s, inner)
            row(style(t), cells(t))
        }
        let rule = "├" + String(repeating: "─", count: inner + 2) + "┤"

        lines.append("╭" + String(repeating: "─", count: inner + 2) + "╮")
        // Name + HP.
        let hp = "HP \(c.hp)"
        let name = fit(c.displayName, inner - cells(hp) - 2)
        row(st.bold(name), cells(name), st.bold(hp), cells(hp))
        if let n = c.name, n != c.displayName { plain(n, st.dim) }
        plain(c.typeLine)
        // Type chips + rarity/stage.
        var chips = "", chipsWidth = 0
        for (t, hex) in zip(c.types, c.typeColors) {
            if chipsWidth > 0 { chips += "  "; chipsWidth += 2 }
            chips += st.fg(hex, "■ " + t.label)
            chipsWidth += 2 + cells(t.label)
        }
        let rarity = fit("\(c.rarityLabel) \u{00B7} Stage \(c.evolutionStage) \(c.evolutionLabel)", max(10, inner - chipsWidth - 2))
        row(chips, chipsWidth, rarity, cells(rarity))
        lines.append(rule)

        // Stats with bars.
        let primaryHex = c.typeColors.first ?? "#8b949e"
        let barWidth = max(10, min(30, inner - 10))
        for (label, value) in c.stats {
            let filled = Int((Double(max(0, min(100, value))) / 100 * Double(barWidth)).rounded())
            let head = pad(label, 3) + " " + pad(String(value), 3, right: true) + " "
            let bar = st.fg(primaryHex, String(repeating: "█", count: filled)) + st.dim(String(repeating: "░", count: barWidth - filled))
            row(head + bar, 8 + barWidth)
        }
        lines.append(rule)

        // Abilities.
        for a in c.abilities {
            let pips = String(repeating: "●", count: max(0, min(5, a.cost)))
            let dmg = "\(a.damage) dmg"
            let nm = fit(a.name, inner - cells(pips) - cells(dmg) - 3)
            row(st.fg(primaryHex, pips) + " " + st.bold(nm), cells(pips) + 1 + cells(nm), dmg, cells(dmg))
            if !a.text.isEmpty { plain("  " + a.text, st.dim) }
        }
        if !c.abilities.isEmpty { lines.append(rule) }

        // Weakness / resistance / retreat, flavor.
        var wr = "", wrWidth = 0
        func add(_ label: String, _ t: AgentType?) {
            guard let t else { return }
            if wrWidth > 0 { wr += "   "; wrWidth += 3 }
            wr += label + st.fg(t.color, t.label)
            wrWidth += cells(label) + cells(t.label)
        }
        add("Weak: ", c.weakness)
        add("Resists: ", c.resistance)
        let retreat = "Retreat: " + (c.retreatCost > 0 ? String(repeating: "●", count: min(c.retreatCost, 6)) : "free")
        if wrWidth + 3 + cells(retreat) <= inner {
            row(wr + "   " + retreat, wrWidth + 3 + cells(retreat))
        } else {
            row(wr, wrWidth)
            plain(retreat)
        }
        if !c.flavor.isEmpty {
            for l in wrapCells("\u{201C}" + c.flavor + "\u{201D}", inner) { plain(l, st.italic) }
        }
        lines.append(rule)

        // Incantation and seed.
        if let inc = c.incantation { plain(inc, st.bold) }
        if !c.seedText.isEmpty { plain("seed " + c.seedText, st.dim) }
        lines.append("╰" + String(repeating: "─", count: inner + 2) + "╯")
        return lines.joined(separator: "\n") + "\n"
    }

    struct Style {
        let on: Bool
        func wrap(_ code: String, _ s: String) -> String { on && !s.isEmpty ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }
        func bold(_ s: String) -> String { wrap("1", s) }
        func dim(_ s: String) -> String { wrap("2", s) }
        func italic(_ s: String) -> String { wrap("3", s) }
        func fg(_ hex: String, _ s: String) -> String {
            let (r, g, b) = CardFace.rgb(hex)
            return wrap("38;2;\(r);\(g);\(b)", s)
        }
    }

    /// Terminal cells of a (sanitised) string: wide East Asian / emoji = 2, combining = 0.
    static func cells(_ s: String) -> Int {
        var n = 0
        for u in s.unicodeScalars {
            let v = u.value
            if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) || v == 0x20E3 { continue }
            n += CardSVG.isWide(u) ? 2 : 1
        }
        return n
    }

    /// Replace C0/C1 controls and DEL (escape-sequence injection) with U+FFFD.
    static func sanitize(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            let v = u.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 { out.append("\u{FFFD}") } else { out.append(u) }
        }
        return String(out)
    }

    /// Sanitise and cut to `width` cells (by grapheme), with an ellipsis when cut.
    static func fit(_ s: String, _ width: Int) -> String {
        let t = sanitize(s)
        guard cells(t) > width else { return t }
        var out = ""
        var w = 0
        for ch in t {
            let cw = cells(String(ch))
            if w + cw > width - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + "\u{2026}"
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - cells(s)))
        return right ? fill + s : s + fill
    }

    static func wrapCells(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var cur = ""
        for word in sanitize(text).split(separator: " ").map(String.init) {
            let cand = cur.isEmpty ? word : cur + " " + word
            if cells(cand) <= width || cur.isEmpty { cur = cand } else { lines.append(cur); cur = word }
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines.map { fit($0, width) }
    }
}
