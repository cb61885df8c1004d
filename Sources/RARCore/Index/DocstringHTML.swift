import Ink

/// Docstrings → safe HTML. Docstrings are untrusted, so Ink gets a pre-escaped input and a
/// set of modifiers, and its output must pass an allow-list check before it is used:
///
/// - `&` and `<` are escaped before parsing, so no raw HTML reaches the output (Ink passes
///   HTML blocks and entities through) and Ink never sees `<p`, which makes it loop forever.
/// - A leading `---` line is dropped: Ink would read it as a metadata block and, when no closing
///   line follows, crash with an index out of bounds.
/// - Links keep only http, https, mailto and relative targets, escaped for the attribute, with
///   `rel="nofollow noopener noreferrer"`; images become links (nothing is loaded from elsewhere);
///   fenced code is re-rendered from its source (Ink puts the info string into an attribute
///   unescaped); headings move down two levels (the page owns h1/h2).
/// - Whatever comes out is checked tag by tag; anything unexpected falls back to plain text.
///
/// Docstrings are mostly plain text laid out by indentation, which Markdown would run together
/// into one paragraph, so indented blocks and `>>>` examples become code blocks first.
public enum DocstringHTML {
    /// Longer docstrings are shown as plain text (Ink is not linear on every input).
    public static let markdownLimit = 64 * 1024
    /// Changes whenever the output for the same input may change (part of the build cache key).
    public static let version = 1

    /// Safe HTML for a docstring (already `inspect.cleandoc`-ed).
    public static func render(_ doc: String) -> String {
        let trimmed = trimBlankLines(doc)
        if isPlainLine(trimmed) { return "<p>" + trimmed + "</p>" }
        return renderMarkdown(trimmed)
    }

    /// The Markdown path (what `render` gives for anything but a plain line).
    static func renderMarkdown(_ trimmed: String) -> String {
        guard !trimmed.isEmpty, !dropLeadingRules(trimmed).isEmpty else { return "" }
        if trimmed.utf8.count <= markdownLimit, let html = markdownWithSetAside(trimmed) ?? markdown(fenceIndentedBlocks(trimmed)),
           isSafe(html) { return html }
        return plain(trimmed)
    }

    /// The same HTML as `markdown(fenceIndentedBlocks(trimmed))`, with less of the text going
    /// through the Markdown parser, which walks it character by character and spends most of a
    /// build's docstring time there. Two kinds of block are set aside as one placeholder line
    /// each and rendered here:
    /// - fenced bodies made from indented runs, rendered from their own text as the code-block
    ///   modifier would be. The parser ends a fence only at a line starting with backticks, so
    ///   a body with no such line (and no CR, which would join the LF before the closing fence)
    ///   spans the same lines either way;
    /// - quiet paragraphs (`QuietParagraph`): whole blocks between empty lines whose characters
    ///   the parser's inline pass copies through, so its output for them is known.
    /// Nil, so the caller parses the whole text, unless every placeholder comes back exactly
    /// once in the form its block gives.
    static func markdownWithSetAside(_ trimmed: String) -> String? {
        guard !trimmed.utf8.contains(placeholderMark) else { return nil }
        let (fenced, bodies) = fenceIndentedBlocks(trimmed, settingAside: true)
        var paragraphs: [[UInt8]] = []
        guard let escaped = inkInput(fenced) else { return nil }
        let input = QuietParagraph.setAside(escaped, into: &paragraphs)
        guard !bodies.isEmpty || !paragraphs.isEmpty else { return nil }
        var seen = [Int](repeating: 0, count: bodies.count)
        let html = markdownEscaped(input) { markdown in
            guard let k = placeholderIndex(markdown), k < bodies.count else { return nil }
            seen[k] += 1
            return codeBlock(Substring("```\n" + preEscape(bodies[k]) + "\n```"))
        }
        guard seen.allSatisfy({ $0 == 1 }) else { return nil }
        return QuietParagraph.restore(html, paragraphs)
    }

    static let placeholderMark: UInt8 = 0x01

    /// `k` for a code block whose body is the placeholder line for body `k`.
    static func placeholderIndex(_ markdown: Substring) -> Int? {
        var lines = markdown.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0].elementsEqual("```".utf8) else { return nil }
        if lines.last.map({ $0.isEmpty }) == true { lines.removeLast() }
        guard lines.count == 3, lines[2].elementsEqual("```".utf8) else { return nil }
        let p = lines[1]
        guard p.count >= 4, p.first == placeholderMark, p.last == placeholderMark, p.dropFirst().first == 0x43 else { return nil }
        return Int(String(decoding: p.dropFirst(2).dropLast(), as: UTF8.self))
    }

    /// One line of words and quiet punctuation, starting with a letter: Markdown makes it a
    /// paragraph as it stands, so the parser is skipped (a test holds this to the parser).
    static func isPlainLine(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, let last = u.last, u.count <= 512, last != 0x20 else { return false }
        func letter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) }
        guard letter(first) else { return false }
        var prev: UInt8 = 0
        for b in u {
            switch b {
            case 0x61...0x7A, 0x41...0x5A, 0x30...0x39, 0x2E, 0x2C, 0x3A, 0x3B, 0x28, 0x29, 0x2F, 0x3F, 0x25, 0x2D: break
            case 0x20: if prev == 0x20 { return false }
            default: return false
            }
            prev = b
        }
        return true
    }

    /// Paragraphs of escaped text, line breaks kept.
    public static func plain(_ doc: String) -> String {
        let paras = doc.components(separatedBy: "\n\n").map(trimBlankLines).filter { !$0.isEmpty }
        return paras.map { "<p class=\"plain\">" + HTMLEscape.escape($0).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>" }.joined(separator: "\n")
    }

    static func isBlank<S: StringProtocol>(_ line: S) -> Bool { line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }

    /// Drop leading and trailing blank lines (no Foundation bridging, no copy when there are none).
    static func trimBlankLines(_ s: String) -> String {
        let u = s.utf8
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
        guard let firstInk = u.firstIndex(where: { !blank($0) && $0 != 0x0A }),
              let lastInk = u.lastIndex(where: { !blank($0) && $0 != 0x0A }) else { return "" }
        let start = u[..<firstInk].lastIndex(of: 0x0A).map { u.index(after: $0) } ?? u.startIndex
        let end = u[lastInk...].firstIndex(of: 0x0A) ?? u.endIndex
        if start == u.startIndex && end == u.endIndex { return s }
        return String(s[start..<end])
    }

    static func indentation<S: StringProtocol>(_ line: S) -> Int {
        var n = 0
        for b in line.utf8 { if b == 0x20 { n += 1 } else if b == 0x09 { n += 4 } else { break } }
        return n
    }

    static func isListItem<S: StringProtocol>(_ line: S) -> Bool {
        let t = line.drop(while: { $0 == " " || $0 == "\t" })
        if t.hasPrefix("- ") || t.hasPrefix("* ") || t.hasPrefix("+ ") { return true }
        let digits = t.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count < 10 else { return false }
        let rest = t.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ")
    }

    /// Indented runs that do not continue a list item, and `>>>` examples, become fenced code
    /// (dedented); existing fences are left alone.
    static func fenceIndentedBlocks(_ doc: String) -> String { fenceIndentedBlocks(doc, settingAside: false).text }

    /// As above; `settingAside`: a fenced body that cannot end its fence early (no line
    /// starting with a backtick, no CR) goes to `bodies` and is written as a placeholder line.
    static func fenceIndentedBlocks(_ doc: String, settingAside: Bool) -> (text: String, bodies: [String]) {
        var bodies: [String] = []
        let lines = splitLines(doc, omittingEmpty: false)
        var out: [Substring] = []
        out.reserveCapacity(lines.count + 8)
        var inFence = false
        var inList = false
        var i = 0
        func fence(_ block: ArraySlice<Substring>) {
            let cut = block.filter { !isBlank($0) }.map(indentation).min() ?? 0
            out.append("```")
            let start = out.count
            for l in block { out.append(isBlank(l) ? "" : l.dropFirst(min(cut, l.prefix(while: { $0 == " " }).count))) }
            if settingAside, !out[start...].contains(where: { $0.utf8.first == 0x60 || $0.utf8.contains(0x0D) }) {
                bodies.append(out[start...].joined(separator: "\n"))
                out.removeSubrange(start...)
                out.append(Substring("\u{1}C\(bodies.count - 1)\u{1}"))
            }
            out.append("```")
        }
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle(); out.append(line); i += 1; continue }
            if inFence { out.append(line); i += 1; continue }
            if isBlank(line) { out.append(line); i += 1; continue }
            if trimmed.hasPrefix(">>>") {
                // A doctest: the example lines and their output, up to a blank line.
                var j = i
                while j < lines.count && !isBlank(lines[j]) { j += 1 }
                fence(lines[i..<j]); i = j; inList = false
                continue
            }
            if isListItem(line) { inList = true; out.append(line); i += 1; continue }
            if indentation(line) >= 2 && !inList {
                var j = i
                while j < lines.count && (isBlank(lines[j]) || indentation(lines[j]) >= 2) { j += 1 }
                while j > i && isBlank(lines[j - 1]) { j -= 1 }
                if i > 0, !isBlank(lines[i - 1]) { out.append("") }
                fence(lines[i..<j]); i = j
                if i < lines.count, !isBlank(lines[i]) { out.append("") }
                continue
            }
            if indentation(line) == 0 { inList = false }
            out.append(line)
            i += 1
        }
        return (out.joined(separator: "\n"), bodies)
    }

    // MARK: Ink with guards

    /// `s.split(separator: "\n")` as Substrings. Without a CR (whose CR LF pair is one
    /// Character) every LF byte is a Character boundary, so splitting the UTF-8 is the same split.
    static func splitLines(_ s: String, omittingEmpty: Bool) -> [Substring] {
        if s.utf8.contains(0x0D) { return s.split(separator: "\n", omittingEmptySubsequences: omittingEmpty) }
        // Line ends found over the raw bytes, then cut by UTF-8 offset (O(1) on a native string).
        var ends: [Int] = []
        var native = s  // withUTF8 makes the storage contiguous if it is not
        native.withUTF8 { b in for (i, c) in b.enumerated() where c == 0x0A { ends.append(i) } }
        ends.append(native.utf8.count)
        let u = native.utf8
        var out: [Substring] = []
        out.reserveCapacity(ends.count)
        var start = 0
        for end in ends {
            if end > start || !omittingEmpty {
                out.append(Substring(u[u.index(u.startIndex, offsetBy: start)..<u.index(u.startIndex, offsetBy: end)]))
            }
            start = end + 1
        }
        return out
    }

    static func preEscape(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            switch b {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x00: out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Exact inverse of `preEscape` for text Ink hands back unchanged.
    static func unPreEscape(_ s: Substring) -> String {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == 0x26 {
                if u[i...].starts(with: "&amp;".utf8) { out.append(0x26); i += 5; continue }
                if u[i...].starts(with: "&lt;".utf8) { out.append(0x3C); i += 4; continue }
            }
            out.append(u[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Drop leading lines made only of dashes and blanks (`-`, space, tab, CR), as Characters
    /// see them: a line ending in CR LF stops the drop, since that pair is one Character that
    /// is neither a line end nor one of the four.
    static func dropLeadingRules(_ s: String) -> String {
        let u = s.utf8
        var i = u.startIndex
        while i < u.endIndex {
            let end = u[i...].firstIndex(of: 0x0A) ?? u.endIndex
            guard u[i..<end].allSatisfy({ $0 == 0x2D || $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { break }
            if end < u.endIndex, end > i, u[u.index(before: end)] == 0x0D { break }
            i = end < u.endIndex ? u.index(after: end) : end
        }
        return i == u.startIndex ? s : String(s[i...])
    }

    static func markdown(_ doc: String) -> String? { inkInput(doc).map { markdownEscaped($0, codeBlock: nil) } }

    /// What the Markdown parser is given for `doc`: pre-escaped, leading rules dropped (nil: nothing left).
    static func inkInput(_ doc: String) -> String? {
        let input = dropLeadingRules(preEscape(doc))
        return input.isEmpty ? nil : input
    }

    /// Ink over pre-escaped input; `takeCode` may take a code block first (nil: not its block).
    static func markdownEscaped(_ input: String, codeBlock takeCode: ((Substring) -> String?)?) -> String {
        let refs = referenceURLs(input)
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .html) { _, markdown in HTMLEscape.escape(unPreEscape(markdown)) })
        parser.addModifier(Modifier(target: .codeBlocks) { _, markdown in takeCode?(markdown) ?? codeBlock(markdown) })
        parser.addModifier(Modifier(target: .inlineCode) { _, markdown in inlineCode(markdown) })
        parser.addModifier(Modifier(target: .links) { html, markdown in link(html: html, markdown: markdown, refs: refs, image: false) })
        parser.addModifier(Modifier(target: .images) { html, markdown in link(html: html, markdown: markdown, refs: refs, image: true) })
        parser.addModifier(Modifier(target: .headings) { html, _ in demoteHeading(html) })
        parser.addModifier(Modifier(target: .metadataKeys) { _, _ in "" })
        parser.addModifier(Modifier(target: .metadataValues) { _, _ in "" })
        return parser.html(from: input)
    }

    /// `[name]: url` declarations (Ink matches names case-insensitively).
    static func referenceURLs(_ s: String) -> [String: Substring] {
        var out: [String: Substring] = [:]
        for line in splitLines(s, omittingEmpty: true) {
            let t = line.drop(while: { $0 == " " })
            guard t.hasPrefix("["), let close = t.firstIndex(of: "]") else { continue }
            let after = t[t.index(after: close)...]
            guard after.hasPrefix(":") else { continue }
            let name = t[t.index(after: t.startIndex)..<close].lowercased()
            out[name] = after.dropFirst().drop(while: { $0 == " " })
        }
        return out
    }

    /// An inline code span (backticks included) as HTML.
    static func inlineCode(_ markdown: Substring) -> String {
        var body = markdown
        while body.hasPrefix("`") { body = body.dropFirst() }
        while body.hasSuffix("`") { body = body.dropLast() }
        return "<code>" + HTMLEscape.escape(unPreEscape(body)) + "</code>"
    }

    static func codeBlock(_ markdown: Substring) -> String {
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        if !lines.isEmpty { lines.removeFirst() }  // the opening fence and info string
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        if let last = lines.last, !last.isEmpty, last.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == "`" }) { lines.removeLast() }
        let code = lines.map { unPreEscape($0) }.joined(separator: "\n")
        return "<pre><code>" + HTMLEscape.escape(code) + "</code></pre>"
    }

    static func demoteHeading(_ html: String) -> String {
        // "<hN>…</hN>" from Ink; N in 1...6.
        let u = Array(html.utf8)
        guard u.count >= 9, u[0] == 0x3C, u[1] == 0x68, (0x31...0x36).contains(u[2]), u[3] == 0x3E else { return html }
        let level = min(6, Int(u[2] - 0x30) + 2)
        let inner = String(decoding: u[4..<(u.count - 5)], as: UTF8.self)
        return "<h\(level)>" + inner + "</h\(level)>"
    }

    /// A safe `<a>` for a link or image. `html` is Ink's rendering; the title (or alt) HTML is
    /// cut out of it once the target is known.
    static func link(html: String, markdown: Substring, refs: [String: Substring], image: Bool) -> String {
        let md = image ? markdown.dropFirst() : markdown
        var candidates: [Substring] = []
        if md.hasSuffix(")") {
            var i = md.startIndex
            while let r = md[i...].range(of: "](") {
                candidates.append(md[r.upperBound..<md.index(before: md.endIndex)])
                i = r.upperBound
            }
        } else if md.hasSuffix("]") {
            var i = md.startIndex
            while let r = md[i...].range(of: "][") {
                let name = md[r.upperBound..<md.index(before: md.endIndex)]
                candidates.append(refs[name.lowercased()] ?? name)
                i = r.upperBound
            }
        }
        for url in candidates {
            let inner: Substring?
            if image {
                let head = "<img src=\"" + url + "\""
                guard html.hasPrefix(head), html.hasSuffix("/>") else { continue }
                let rest = html.dropFirst(head.count).dropLast(2)
                if rest.isEmpty { inner = "" } else if rest.hasPrefix(" alt=\""), rest.hasSuffix("\"") { inner = rest.dropFirst(6).dropLast() } else { continue }
            } else {
                let head = "<a href=\"" + url + "\">"
                guard html.hasPrefix(head), html.hasSuffix("</a>") else { continue }
                inner = html.dropFirst(head.count).dropLast(4)
            }
            let text = (inner?.isEmpty ?? true) ? (image ? "image" : HTMLEscape.escape(unPreEscape(url))) : String(inner!)
            guard let href = safeHref(unPreEscape(url)) else { return text }
            return "<a href=\"" + HTMLEscape.escape(href) + "\" rel=\"nofollow noopener noreferrer\">" + text + "</a>"
        }
        return HTMLEscape.escape(unPreEscape(markdown))
    }

    /// http, https, mailto or a relative reference; nil for anything else (javascript:, data:, …).
    static func safeHref(_ raw: String) -> String? {
        var url = raw.trimmingCharacters(in: .whitespaces)
        if url.hasPrefix("<") && url.hasSuffix(">") && url.count >= 2 { url = String(url.dropFirst().dropLast()) }
        // Optional link title: url "title"
        if let sp = url.firstIndex(of: " ") { url = String(url[..<sp]) }
        guard !url.isEmpty, url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        let lower = url.lowercased()
        if let colon = lower.firstIndex(of: ":") {
            let before = lower[..<colon]
            if !before.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
                return ["http", "https", "mailto"].contains(String(before)) ? url : nil
            }
        }
        if lower.hasPrefix("//") { return nil }  // protocol-relative: could be anything
        return url
    }

    // MARK: allow-list check

    static let allowedTags: Set<String> = [
        "p", "br", "em", "strong", "s", "code", "pre", "h3", "h4", "h5", "h6", "ul", "ol", "li",
        "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td", "a",
    ]

    /// Every tag is in the allow-list and carries only the attributes the renderer itself adds.
    static func isSafe(_ html: String) -> Bool {
        let u = Array(html.utf8)
        var i = 0
        while i < u.count {
            guard u[i] == 0x3C else { i += 1; continue }
            guard let close = u[i...].firstIndex(of: 0x3E) else { return false }
            var tag = String(decoding: u[(i + 1)..<close], as: UTF8.self)
            if tag.hasPrefix("/") { tag.removeFirst(); guard allowedTags.contains(tag) else { return false }; i = close + 1; continue }
            if tag.hasSuffix("/") { tag.removeLast() }
            let parts = tag.split(separator: " ", maxSplits: 1)
            guard let name = parts.first.map(String.init), allowedTags.contains(name) else { return false }
            if parts.count == 2 {
                let attrs = String(parts[1])
                switch name {
                case "a":
                    guard attrs.hasPrefix("href=\""), attrs.hasSuffix("\" rel=\"nofollow noopener noreferrer\"") else { return false }
                    let value = attrs.dropFirst(6).dropLast("\" rel=\"nofollow noopener noreferrer\"".count)
                    if value.contains("\"") || value.contains("<") { return false }
                case "ol":
                    guard attrs.hasPrefix("start=\""), attrs.hasSuffix("\""), attrs.dropFirst(7).dropLast().allSatisfy(\.isNumber) else { return false }
                case "th", "td":
                    guard ["align=\"left\"", "align=\"center\"", "align=\"right\""].contains(attrs) else { return false }
                default:
                    return false
                }
            }
            i = close + 1
        }
        return true
    }
}
