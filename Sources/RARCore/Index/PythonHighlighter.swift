/// HTML escaping for text and attribute values (`&`, `<`, `>`, `"`, `'`).
public enum HTMLEscape {
    /// What HTML escaping writes for `b`, nil when `b` stands as it is.
    @inline(__always)
    static func entity(_ b: UInt8) -> StaticString? {
        switch b {
        case 0x26: return "&amp;"
        case 0x3C: return "&lt;"
        case 0x3E: return "&gt;"
        case 0x22: return "&quot;"
        case 0x27: return "&#39;"
        case 0x00: return "\u{FFFD}"  // NUL
        default: return nil
        }
    }

    @inline(__always)
    static func append(_ b: UInt8, to out: inout [UInt8]) {
        if let e = entity(b) { e.withUTF8Buffer { out.append(contentsOf: $0) } } else { out.append(b) }
    }

    @inline(__always)
    static func append(_ b: UInt8, to out: inout ByteBuffer) {
        if let e = entity(b) { out.append(e) } else { out.append(b) }
    }

    public static func escape(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 == 0x00 }) { return s }
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

    // Markup as static strings: constants, with no lazy global to check on each use.
    static var lineOpen: StaticString { #"<span class="l">"# }
    static var lineBreak: StaticString { "\n</span><span class=\"l\">" }
    static var spanClose: StaticString { "</span>" }
    static var classOpen: StaticString { #"<span class="sx-"# }
    /// Bytes that end a plain run: newlines and what HTML escaping rewrites.
    nonisolated(unsafe) static let special: UnsafePointer<Bool> = {
        let t = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = [0x0A, 0x0D, 0x26, 0x3C, 0x3E, 0x22, 0x27, 0x00].contains(b) }
        return UnsafePointer(t)  // written once here, then only read; lives for the process
    }()

    /// Appends source bytes `from..<to` in a class (nil = plain), splitting spans at newlines.
    /// `special` is `PythonHighlighter.special`, read once by the caller.
    static func emit(_ out: inout ByteBuffer, _ src: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ cls: StaticString?,
                     _ special: UnsafePointer<Bool>) {
        guard from < to else { return }
        var open = false
        var i = from
        while i < to {
            let b = src[i]
            if b == 0x0A || b == 0x0D {
                if open { out.append(spanClose); open = false }
                if b == 0x0D && i + 1 < to && src[i + 1] == 0x0A { i += 1 }
                out.append(lineBreak)
                i += 1
                continue
            }
            if !open, let cls {
                out.append(classOpen)
                out.append(cls)
                out.append(0x22)
                out.append(0x3E)
                open = true
            }
            // A run of bytes that need no escaping goes in one copy.
            var j = i
            while j < to && !special[Int(src[j])] { j += 1 }
            if j > i {
                out.append(UnsafeBufferPointer(rebasing: src[i..<j]))
                i = j
            } else {
                HTMLEscape.append(b, to: &out)
                i += 1
            }
        }
        if open { out.append(spanClose) }
    }

    @inline(__always) static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }
    @inline(__always) static func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || (b >= 0x30 && b <= 0x39) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Highlighted HTML for a Python source file.
    public static func html(_ bytes: [UInt8]) -> String {
        String(decoding: self.bytes(bytes), as: UTF8.self)
    }

    /// Highlighted HTML as UTF-8 (invalid input sequences become U+FFFD).
    public static func bytes(_ bytes: [UInt8]) -> [UInt8] {
        var out = ByteBuffer(capacity: bytes.count * 3 + 64)
        write(bytes, into: &out)
        return out.take()
    }

    /// `page` with its first `marker` replaced by the highlighted `source`, in one buffer.
    static func splice(_ page: [UInt8], marker: [UInt8], source: [UInt8]) -> [UInt8] {
        guard let r = BuildSupport.firstRange(of: marker, in: page) else { return page }
        var out = ByteBuffer(capacity: page.count + source.count * 3 + 64)
        page.withUnsafeBufferPointer { p in
            out.append(UnsafeBufferPointer(rebasing: p[..<r.lowerBound]))
            write(source, into: &out)
            out.append(UnsafeBufferPointer(rebasing: p[r.upperBound...]))
        }
        return out.take()
    }

    /// Appends the highlighted HTML of `bytes` (valid UTF-8 whatever came in).
    static func write(_ bytes: [UInt8], into out: inout ByteBuffer) {
        let start = out.count
        out.append(lineOpen)
        bytes.withUnsafeBufferPointer { src in
            let packedKinds = PythonHighlighter.packedKinds
            let special = PythonHighlighter.special
            let n = src.count
            var i = 0
            var plainStart = 0
            var lineStart = true  // only whitespace so far on this line
            var pendingName: StaticString? = nil  // after `def` / `class`
            func flushPlain(_ upTo: Int) { if plainStart < upTo { emit(&out, src, plainStart, upTo, nil, special) } }
            while i < n {
                let b = src[i]
                // Spaces start nothing and change no state (indentation is most of them).
                if b == 0x20 { i += 1; continue }
                // Comments.
                if b == 0x23 {
                    flushPlain(i)
                    var j = i
                    while j < n && src[j] != 0x0A && src[j] != 0x0D { j += 1 }
                    emit(&out, src, i, j, "c", special)
                    i = j; plainStart = i
                    continue
                }
                // Decorators at the start of a line.
                if b == 0x40 && lineStart {
                    flushPlain(i)
                    var j = i + 1
                    while j < n && (isIdent(src[j]) || src[j] == 0x2E) { j += 1 }
                    emit(&out, src, i, j, "d", special)
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
                        emit(&out, src, i, end, "s", special)
                        i = end; plainStart = i; lineStart = false; pendingName = nil
                        continue
                    }
                }
                // Identifiers and keywords.
                if isIdentStart(b) {
                    var j = i + 1
                    while j < n && isIdent(src[j]) { j += 1 }
                    var cls: StaticString? = nil
                    let len = j - i
                    if let p = pendingName { cls = p; pendingName = nil }
                    else if len >= 5 && src[i] == 0x5F && src[i + 1] == 0x5F && src[j - 1] == 0x5F && src[j - 2] == 0x5F { cls = "u" }
                    else if len <= 10 {
                        switch packedKinds[pack(src, i, j)] {
                        case 1: cls = "k"
                        case 2: cls = "k"; pendingName = "f"
                        case 3: cls = "b"
                        default: break
                        }
                    } else if len <= 19 && builtins.contains(String(decoding: UnsafeBufferPointer(rebasing: src[i..<j]), as: UTF8.self)) {
                        cls = "b"
                    }
                    if cls != nil { flushPlain(i); emit(&out, src, i, j, cls, special); plainStart = j }
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
                    emit(&out, src, i, j, "n", special)
                    i = j; plainStart = i; lineStart = false
                    continue
                }
                if b == 0x0A || b == 0x0D { lineStart = true; pendingName = nil }
                else if b != 0x20 && b != 0x09 && b != 0x0C { lineStart = false; if b != 0x5C { pendingName = nil } }
                i += 1
            }
            flushPlain(n)
            // Drop the empty line a trailing newline opens.
            if out.count - start > lineOpen.utf8CodeUnitCount && out.ends(with: lineOpen) {
                out.removeLast(lineOpen.utf8CodeUnitCount)
            } else {
                out.append(spanClose)
            }
            // Spans are cut only at ASCII bytes, so valid input gives valid output.
            if !UTF8Check.isValid(src) {
                let written = UnsafeBufferPointer(start: out.base + start, count: out.count - start)
                if String(validating: written, as: UTF8.self) == nil {
                    let fixed = Array(String(decoding: written, as: UTF8.self).utf8)
                    out.removeLast(out.count - start)
                    out.append(fixed)
                }
            }
        }
    }

    /// An identifier of at most 10 ASCII letters, digits and `_` packed 6 bits a character
    /// (0 for anything else, which matches no word).
    @inline(__always) static func pack(_ src: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt64 {
        var k: UInt64 = 0
        for i in from..<to {
            let c = src[i]
            let v: UInt64
            switch c {
            case 0x61...0x7A: v = UInt64(c - 0x61 + 1)
            case 0x41...0x5A: v = UInt64(c - 0x41 + 27)
            case 0x30...0x39: v = UInt64(c - 0x30 + 53)
            case 0x5F: v = 63
            default: return 0
            }
            k = k << 6 | v
        }
        return k
    }

    /// Packed word → 1 keyword, 2 `def`/`class`, 3 builtin.
    static let packedKinds: PackedWordTable<UInt8> = {
        var d: [UInt64: UInt8] = [:]
        func add(_ w: String, _ kind: UInt8) {
            let b = Array(w.utf8)
            guard b.count <= 10 else { return }
            b.withUnsafeBufferPointer { d[pack($0, 0, b.count)] = kind }
        }
        for w in builtins { add(w, 3) }
        for w in keywords { add(w, w == "def" || w == "class" ? 2 : 1) }
        return PackedWordTable(d.map { ($0.key, $0.value) })
    }()

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
