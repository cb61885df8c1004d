/// Paragraphs of docstring prose whose Markdown rendering is known without the parser.
///
/// A quiet paragraph is a whole block of pre-escaped text: its lines are non-empty, the line
/// before it is empty (or it starts the text) and so is the line after it (or it ends the
/// text). Its first line starts with an ASCII letter, so the parser reads it as a paragraph;
/// no later line starts with `#`, `<`, `` ` ``, `-`, the characters that end a paragraph at a
/// line break, and none is only spaces; the last line does not end in a space. Of inline
/// markup it holds only `_` markers (not `__`), single `~` and code spans (no `*`, `~~`, `[`,
/// `!`, `\`, `<`), no whitespace but space and LF, no control character, and every Character
/// is one scalar. For such a block the parser's inline pass copies the text, collapses runs of
/// spaces to one, turns a line break into a space (or `<br>` after two or more spaces),
/// escapes `>`, pairs `_` markers into `<em>` … `</em>` (an unpaired last one stays), hands
/// a backtick run that closes on its line to the inline-code modifier (an unclosed backtick is
/// a character), and leaves the `&amp;`/`&lt;` entities of the pre-escape alone.
enum QuietParagraph {
    static let mark: UInt8 = DocstringHTML.placeholderMark

    /// `input` with each quiet paragraph replaced by the line `P\u{1}k\u{1}`; the rendered
    /// inner HTML of paragraph `k` is appended to `rendered`.
    static func setAside(_ input: String, into rendered: inout [[UInt8]]) -> String {
        let bytes = Array(input.utf8)
        var lines: [Range<Int>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A { lines.append(start..<i); start = i + 1 }
        lines.append(start..<bytes.count)

        var out: [UInt8] = []
        var copied = 0
        var inFence = false
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if !line.isEmpty, bytes[line.lowerBound] == 0x60 {
                if line.count >= 3, bytes[line.lowerBound + 1] == 0x60, bytes[line.lowerBound + 2] == 0x60 { inFence.toggle() }
                i += 1
                continue
            }
            guard !inFence, !line.isEmpty, i == 0 || lines[i - 1].isEmpty else { i += 1; continue }
            var j = i
            while j < lines.count && !lines[j].isEmpty { j += 1 }
            if quietAfter(bytes, lines[..<i]), let html = render(bytes, lines[i..<j]) {
                out.append(contentsOf: bytes[copied..<lines[i].lowerBound])
                out.append(0x50)
                out.append(mark)
                out.append(contentsOf: String(rendered.count).utf8)
                out.append(mark)
                copied = lines[j - 1].upperBound
                rendered.append(html)
            }
            i = j
        }
        if copied == 0 { return input }
        out.append(contentsOf: bytes[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// The last non-empty line before a paragraph: ending in a space or a backslash, it makes
    /// the parser carry a line break across the empty lines into the paragraph.
    static func quietAfter(_ bytes: [UInt8], _ before: ArraySlice<Range<Int>>) -> Bool {
        guard let line = before.last(where: { !$0.isEmpty }) else { return true }
        let last = bytes[line.upperBound - 1]
        return last != 0x20 && last != 0x5C
    }

    /// The parser's inner HTML for these lines, or nil when they are not a quiet paragraph.
    static func render(_ bytes: [UInt8], _ lines: ArraySlice<Range<Int>>) -> [UInt8]? {
        guard let first = lines.first, let last = lines.last, bytes[last.upperBound - 1] != 0x20 else { return nil }
        let b0 = bytes[first.lowerBound]
        guard (b0 >= 0x61 && b0 <= 0x7A) || (b0 >= 0x41 && b0 <= 0x5A) else { return nil }
        var nonASCII = false
        var underscores = 0
        for line in lines {
            switch bytes[line.lowerBound] {
            case 0x23, 0x3C, 0x60, 0x2D: return nil
            default: break
            }
            var ink = false
            var k = line.lowerBound
            while k < line.upperBound {
                let b = bytes[k]
                k += 1
                switch b {
                case 0x20: continue
                case 0..<0x20, 0x7F, 0x2A, 0x5B, 0x21, 0x5C, 0x3C: return nil
                case 0x60:
                    // Code runs to the next backtick on the line (none: a plain backtick).
                    if let close = codeEnd(bytes, k, line.upperBound) {
                        for c in bytes[k..<close] {
                            if c < 0x20 || c == 0x7F { return nil }
                            if c >= 0x80 { nonASCII = true }
                        }
                        k = close + 1
                    }
                case 0x7E:
                    // `~~` is strikethrough; a single `~` is a character.
                    if k < line.upperBound && bytes[k] == 0x7E { return nil }
                case 0x5F:
                    // A single `_` is an emphasis marker; `__` (bold) is left to the parser.
                    if k < line.upperBound && bytes[k] == 0x5F { return nil }
                    underscores += 1
                case 0x80...: nonASCII = true
                default: break
                }
                ink = true
            }
            if !ink { return nil }
        }
        if nonASCII {
            // One scalar per Character (so bytes can stand for Characters) and no whitespace
            // but the ASCII space (NBSP, NEL, U+2028 … act as spaces or line breaks in the parser).
            let text = String(decoding: bytes[first.lowerBound..<last.upperBound], as: UTF8.self)
            guard text.count == text.unicodeScalars.count,
                  !text.unicodeScalars.contains(where: { $0.value >= 0x80 && $0.properties.isWhitespace }) else { return nil }
        }
        var out: [UInt8] = []
        out.reserveCapacity(last.upperBound - first.lowerBound + 8 * underscores + 8)
        var marker = 0
        for (n, line) in zip(lines.indices, lines) {
            var spaces = 0
            var k = line.lowerBound
            while k < line.upperBound {
                let b = bytes[k]
                k += 1
                if b == 0x20 { spaces += 1; continue }
                if spaces > 0 { out.append(0x20); spaces = 0 }
                switch b {
                case 0x3E: out.append(contentsOf: "&gt;".utf8)
                case 0x5F:
                    // Markers pair up as they come; an unpaired last one stays a character.
                    if marker == underscores - 1 && underscores % 2 == 1 { out.append(0x5F) }
                    else { out.append(contentsOf: marker % 2 == 0 ? "<em>".utf8 : "</em>".utf8) }
                    marker += 1
                case 0x60:
                    guard let close = codeEnd(bytes, k, line.upperBound) else { out.append(b); continue }
                    out.append(contentsOf: DocstringHTML.inlineCode(Substring(decoding: bytes[(k - 1)...close], as: UTF8.self)).utf8)
                    k = close + 1
                default: out.append(b)
                }
            }
            if n != lines.indices.last {
                // A line break is a space (none if the next line opens with spaces, which then
                // collapse to one), or <br> after two or more spaces.
                if spaces >= 2 { out.append(contentsOf: "<br>".utf8) }
                else if bytes[lines[n + 1].lowerBound] != 0x20 { out.append(0x20) }
            }
        }
        return out
    }

    /// The closing backtick of a code span whose body starts at `from`, on this line.
    static func codeEnd(_ bytes: [UInt8], _ from: Int, _ lineEnd: Int) -> Int? {
        bytes[from..<lineEnd].firstIndex(of: 0x60)
    }

    /// `html` with each `<p>P\u{1}k\u{1}</p>` replaced by paragraph `k`; nil unless each
    /// appears exactly once in that form and no other placeholder mark is left.
    static func restore(_ html: String, _ rendered: [[UInt8]]) -> String? {
        let u = Array(html.utf8)
        var seen = [Bool](repeating: false, count: rendered.count)
        var out: [UInt8] = []
        out.reserveCapacity(u.count + rendered.reduce(0) { $0 + $1.count })
        var i = 0
        var copied = 0
        while i < u.count {
            guard u[i] == mark else { i += 1; continue }
            // "<p>P" before the mark, digits and a mark after it, then "</p>".
            guard i >= 4, u[(i - 4)..<i].elementsEqual("<p>P".utf8) else { return nil }
            var j = i + 1
            var k = 0
            while j < u.count, u[j] >= 0x30, u[j] <= 0x39, k < 1 << 40 { k = k * 10 + Int(u[j] - 0x30); j += 1 }
            guard j > i + 1, j < u.count, u[j] == mark, k < rendered.count, !seen[k],
                  u[(j + 1)...].starts(with: "</p>".utf8) else { return nil }
            seen[k] = true
            out.append(contentsOf: u[copied..<(i - 1)])
            out.append(contentsOf: rendered[k])
            copied = j + 1
            i = j + 1
        }
        guard seen.allSatisfy({ $0 }) else { return nil }
        out.append(contentsOf: u[copied...])
        return String(decoding: out, as: UTF8.self)
    }
}
