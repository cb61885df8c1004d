/// HTML escaping for text and attribute values (`&`, `<`, `>`, `"`, `'`).
public enum HTMLEscape {
    @inline(__always)
    static func append(_ b: UInt8, to out: inout [UInt8]) {
        switch b {
        case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
        case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
        case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
        case 0x22: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
        case 0x27: out.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])  // &#39;
        case 0x00: out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // NUL → U+FFFD
        default: out.append(b)
        }
    }

    public static func escape(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 { append(b, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A small Python highlighter for the source view: comments, strings (every prefix, triple
/// quotes), numbers, keywords, builtins, decorators, def/class names and dunders. It never
/// fails: unknown bytes are copied through escaped, and invalid UTF-8 becomes U+FFFD.
/// Output is one `<span class="l">…\n</span>` per line (CSS numbers them); a token that spans
/// lines is closed and reopened at each line break so every line is well-formed.
public enum PythonHighlighter {
    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case",
    ]
    static let builtins: Set<String> = [
        "self", "cls", "print", "len", "range", "str", "int", "float", "bool", "dict", "list", "tuple", "set", "frozenset",
        "bytes", "object", "super", "isinstance", "issubclass", "getattr", "setattr", "hasattr", "enumerate", "zip",
        "map", "filter", "sorted", "reversed", "min", "max", "sum", "abs", "any", "all", "open", "repr", "type", "iter",
        "next", "round", "Exception", "ValueError", "TypeError", "KeyError", "IndexError", "RuntimeError",
        "ImportError", "AttributeError", "NotImplementedError", "StopIteration", "OSError",
    ]

    struct Emitter {
        var out: [UInt8] = []
        init(capacity: Int) {
            out.reserveCapacity(capacity)
            out.append(contentsOf: Array(#"<span class="l">"#.utf8))
        }
        /// Append source bytes in a class (nil = plain), splitting at newlines.
        mutating func emit(_ src: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ cls: StaticString?) {
            guard from < to else { return }
            var open = false
            func openSpan(_ out: inout [UInt8]) {
                guard let cls else { return }
                out.append(contentsOf: Array(#"<span class="sx-"#.utf8))
                cls.withUTF8Buffer { out.append(contentsOf: $0) }
                out.append(contentsOf: [0x22, 0x3E])
            }
            var i = from
            while i < to {
                let b = src[i]
                if b == 0x0A || b == 0x0D {
                    if open { out.append(contentsOf: Array("</span>".utf8)); open = false }
                    if b == 0x0D && i + 1 < to && src[i + 1] == 0x0A { i += 1 }
                    out.append(contentsOf: Array("\n</span><span class=\"l\">".utf8))
                } else {
                    if !open && cls != nil { openSpan(&out); open = true }
                    HTMLEscape.append(b, to: &out)
                }
                i += 1
            }
            if open { out.append(contentsOf: Array("</span>".utf8)) }
        }
        mutating func finish() -> String {
            // Drop the empty line a trailing newline opens.
            let tail = Array(#"<span class="l">"#.utf8)
            if out.count >= tail.count && Array(out[(out.count - tail.count)...]) == tail && out.count > tail.count {
                out.removeLast(tail.count)
            } else {
                out.append(contentsOf: Array("</span>".utf8))
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    @inline(__always) static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }
    @inline(__always) static func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || (b >= 0x30 && b <= 0x39) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Highlighted HTML for a Python source file.
    public static func html(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { src -> String in
            var e = Emitter(capacity: bytes.count * 2 + 64)
            let n = src.count
            var i = 0
            var plainStart = 0
            var lineStart = true  // only whitespace so far on this line
            var pendingName: StaticString? = nil  // after `def` / `class`
            func flushPlain(_ upTo: Int) { if plainStart < upTo { e.emit(src, plainStart, upTo, nil) } }
            while i < n {
                let b = src[i]
                // Comments.
                if b == 0x23 {
                    flushPlain(i)
                    var j = i
                    while j < n && src[j] != 0x0A && src[j] != 0x0D { j += 1 }
                    e.emit(src, i, j, "c")
                    i = j; plainStart = i
                    continue
                }
                // Decorators at the start of a line.
                if b == 0x40 && lineStart {
                    flushPlain(i)
                    var j = i + 1
                    while j < n && (isIdent(src[j]) || src[j] == 0x2E) { j += 1 }
                    e.emit(src, i, j, "d")
                    i = j; plainStart = i; lineStart = false
                    continue
                }
                // Strings, with an optional prefix of up to two letters.
                if b == 0x22 || b == 0x27 || isIdentStart(b) {
                    var q = i
                    if b != 0x22 && b != 0x27 {
                        var k = i
                        while k < n && k - i < 2 && isStringPrefixLetter(src[k]) { k += 1 }
                        if k < n && (src[k] == 0x22 || src[k] == 0x27) && (i == 0 || !isIdent(src[i - 1])) { q = k } else { q = -1 }
                    }
                    if q >= 0 {
                        flushPlain(i)
                        let end = stringEnd(src, quoteAt: q)
                        e.emit(src, i, end, "s")
                        i = end; plainStart = i; lineStart = false; pendingName = nil
                        continue
                    }
                }
                // Identifiers and keywords.
                if isIdentStart(b) {
                    var j = i + 1
                    while j < n && isIdent(src[j]) { j += 1 }
                    let word = String(decoding: UnsafeBufferPointer(rebasing: src[i..<j]), as: UTF8.self)
                    var cls: StaticString? = nil
                    if let p = pendingName { cls = p; pendingName = nil }
                    else if keywords.contains(word) {
                        cls = "k"
                        if word == "def" || word == "class" { pendingName = "f" }
                    } else if builtins.contains(word) { cls = "b" }
                    else if word.count > 4 && word.hasPrefix("__") && word.hasSuffix("__") { cls = "u" }
                    if cls != nil { flushPlain(i); e.emit(src, i, j, cls); plainStart = j }
                    i = j; lineStart = false
                    continue
                }
                // Numbers (not glued to an identifier).
                if isDigit(b) || (b == 0x2E && i + 1 < n && isDigit(src[i + 1]) && (i == 0 || !isIdent(src[i - 1]))) {
                    flushPlain(i)
                    var j = i + 1
                    while j < n {
                        let c = src[j]
                        if isIdent(c) || c == 0x2E { j += 1; continue }
                        if (c == 0x2B || c == 0x2D) && (src[j - 1] == 0x65 || src[j - 1] == 0x45) && !(src[i] == 0x30 && i + 1 < n && (src[i + 1] | 0x20) == 0x78) { j += 1; continue }
                        break
                    }
                    e.emit(src, i, j, "n")
                    i = j; plainStart = i; lineStart = false
                    continue
                }
                if b == 0x0A || b == 0x0D { lineStart = true; pendingName = nil }
                else if b != 0x20 && b != 0x09 && b != 0x0C { lineStart = false; if b != 0x5C { pendingName = nil } }
                i += 1
            }
            flushPlain(n)
            return e.finish()
        }
    }

    @inline(__always) static func isStringPrefixLetter(_ b: UInt8) -> Bool {
        switch b | 0x20 { case 0x72, 0x62, 0x75, 0x66: return true; default: return false }  // r b u f
    }

    /// Index just past the string whose opening quote is at `q` (or the end of the line / file
    /// when it is unterminated). Backslash always skips the next byte, raw strings included.
    static func stringEnd(_ src: UnsafeBufferPointer<UInt8>, quoteAt q: Int) -> Int {
        let n = src.count
        let quote = src[q]
        let triple = q + 2 < n && src[q + 1] == quote && src[q + 2] == quote
        var j = q + (triple ? 3 : 1)
        while j < n {
            let c = src[j]
            if c == 0x5C { j += 2; continue }
            if c == quote {
                if !triple { return j + 1 }
                if j + 2 < n && src[j + 1] == quote && src[j + 2] == quote { return j + 3 }
            }
            if !triple && (c == 0x0A || c == 0x0D) { return j }
            j += 1
        }
        return n
    }
}
