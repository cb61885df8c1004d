import Foundation

/// Decoding of Python string tokens: escapes, bytes, raw strings and 3.11 f-strings.
enum StringLiteral {
    enum Decoded {
        case str([UInt32])
        case bytes([UInt8])
        case fstring
    }

    /// Decode one STRING token. f-string expression parts are parsed (and checked) by `parseExpr`.
    static func decode(_ tok: Token, _ src: SourceText, parseExpr: ([UInt32], Int, Int) throws -> Void) throws -> Decoded {
        let body = Array(src.scalars[tok.bodyStart..<tok.bodyEnd])
        let raw = tok.prefix.utf8.contains(UInt8(ascii: "r"))
        func fail(_ m: String) -> PySyntaxError { PySyntaxError(m, line: tok.line, col: tok.col) }
        if tok.prefix.utf8.contains(UInt8(ascii: "b")) {
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            for c in body where c >= 0x80 { _ = c; throw fail("bytes can only contain ASCII literal characters") }
            if raw { return .bytes(body.map { UInt8($0) }) }
            var k = 0
            while k < body.count {
                let c = body[k]
                if c != 0x5C { out.append(UInt8(c)); k += 1; continue }
                k += 1
                guard k < body.count else { out.append(0x5C); break }
                let e = body[k]
                if e == 0x0A { k += 1; continue }
                if let v = simpleEscape(e) { out.append(UInt8(v)); k += 1; continue }
                switch e {
                case 0x30...0x37:
                    out.append(UInt8(octalEscape(body, &k) & 0xFF))
                case 0x78:
                    guard let v = hexValue(body, k + 1, 2) else {
                        throw fail("(value error) invalid \\x escape at position \(k - 1)")
                    }
                    out.append(UInt8(v))
                    k += 3
                default:
                    out.append(0x5C)  // unknown escape: kept verbatim
                }
            }
            return .bytes(out)
        }
        if tok.prefix.utf8.contains(UInt8(ascii: "f")) {
            try scanFString(body, raw: raw, tok: tok, bodyOffset: tok.bodyStart, level: 0, parseExpr: parseExpr)
            return .fstring
        }
        if raw { return .str(body) }
        return .str(try unescape(body, tok: tok))
    }

    /// The one-character escapes shared by str and bytes: \\ \' \" \a \b \f \n \r \t \v.
    static func simpleEscape(_ e: UInt32) -> UInt32? {
        switch e {
        case 0x5C, 0x27, 0x22: return e
        case 0x61: return 7
        case 0x62: return 8
        case 0x66: return 12
        case 0x6E: return 10
        case 0x72: return 13
        case 0x74: return 9
        case 0x76: return 11
        default: return nil
        }
    }

    /// Up to three octal digits starting at `k` (advanced past them).
    static func octalEscape(_ b: [UInt32], _ k: inout Int) -> UInt32 {
        var v: UInt32 = 0, n = 0
        while n < 3 && k < b.count && b[k] >= 0x30 && b[k] <= 0x37 { v = v * 8 + b[k] - 0x30; k += 1; n += 1 }
        return v
    }

    static func hexValue(_ b: [UInt32], _ at: Int, _ n: Int) -> UInt32? {
        guard at + n <= b.count else { return nil }
        var v: UInt32 = 0
        for k in at..<at + n {
            let c = b[k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v &* 16 &+ d
        }
        return v
    }

    /// Non-raw str escapes, as Python's unicode-escape decoder applies them.
    static func unescape(_ body: [UInt32], tok: Token) throws -> [UInt32] {
        guard body.contains(0x5C) else { return body }
        func fail(_ from: Int, _ to: Int, _ m: String) -> PySyntaxError {
            PySyntaxError("(unicode error) 'unicodeescape' codec can't decode bytes in position \(from)-\(to): \(m)", line: tok.line, col: tok.col)
        }
        var out: [UInt32] = []
        out.reserveCapacity(body.count)
        var k = 0
        while k < body.count {
            let c = body[k]
            if c != 0x5C { out.append(c); k += 1; continue }
            let start = k
            k += 1
            guard k < body.count else { throw fail(start, start, "\\ at end of string") }
            let e = body[k]
            if e == 0x0A { k += 1; continue }
            if let v = simpleEscape(e) { out.append(v); k += 1; continue }
            switch e {
            case 0x30...0x37:
                out.append(octalEscape(body, &k))
            case 0x78, 0x75, 0x55:
                let n = e == 0x78 ? 2 : e == 0x75 ? 4 : 8
                guard let v = hexValue(body, k + 1, n) else {
                    var end = k + 1
                    while end < body.count && end < k + 1 + n && hexValue(body, end, 1) != nil { end += 1 }
                    let what = e == 0x78 ? "truncated \\xXX escape" : e == 0x75 ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape"
                    throw fail(start, end - 1, what)
                }
                if v > 0x10FFFF { throw fail(start, k + n, "illegal Unicode character") }
                out.append(v)
                k += 1 + n
            case 0x4E:  // \N{name}
                guard k + 1 < body.count, body[k + 1] == 0x7B, let close = body[(k + 2)...].firstIndex(of: 0x7D), close > k + 2 else {
                    throw fail(start, min(k, body.count - 1), "malformed \\N character escape")
                }
                let name = PyStr.string(body[(k + 2)..<close])
                guard let v = UnicodeNames.lookup(name) else { throw fail(start, close, "unknown Unicode character name") }
                out.append(v)
                k = close + 1
            default:
                out.append(0x5C)  // unknown escape kept with its backslash
            }
        }
        return out
    }

    /// Python 3.11 f-string scanning: literal parts, `{expr!c:spec}` parts, and their errors.
    /// `parseExpr(text, line, col)` parses an expression part.
    static func scanFString(_ b: [UInt32], raw: Bool, tok: Token, bodyOffset: Int, level: Int,
                            parseExpr: ([UInt32], Int, Int) throws -> Void) throws {
        func fail(_ m: String) -> PySyntaxError { PySyntaxError("f-string: " + m, line: tok.line, col: tok.col) }
        var k = 0
        var literal: [UInt32] = []
        func flushLiteral() throws {
            if !raw { try checkLiteralPart(literal, tok: tok) }
            literal.removeAll()
        }
        while k < b.count {
            let c = b[k]
            if !raw && c == 0x5C && k + 1 < b.count && b[k + 1] == 0x4E && k + 2 < b.count && b[k + 2] == 0x7B {
                // \N{...} belongs to the literal, braces included.
                if let close = b[(k + 3)...].firstIndex(of: 0x7D) {
                    literal.append(contentsOf: b[k...close])
                    k = close + 1
                    continue
                }
            }
            if c == 0x5C && k + 1 < b.count && !raw {
                // A backslash before a brace leaves the brace active (3.11 quirk).
                if b[k + 1] == 0x7B || b[k + 1] == 0x7D { literal.append(c); k += 1; continue }
                literal.append(c)
                literal.append(b[k + 1])
                k += 2
                continue
            }
            if c == 0x7B {
                if k + 1 < b.count && b[k + 1] == 0x7B && level == 0 { literal.append(c); k += 2; continue }
                try flushLiteral()
                k = try scanExpression(b, k + 1, raw: raw, tok: tok, level: level, parseExpr: parseExpr)
                continue
            }
            if c == 0x7D {
                if level > 0 { throw fail("single '}' is not allowed") }
                if k + 1 < b.count && b[k + 1] == 0x7D { literal.append(c); k += 2; continue }
                throw fail("single '}' is not allowed")
            }
            literal.append(c)
            k += 1
        }
        try flushLiteral()
    }

    /// Escape errors in an f-string literal part; an unpaired trailing backslash (before a brace) is literal.
    static func checkLiteralPart(_ lit: [UInt32], tok: Token) throws {
        guard !lit.isEmpty else { return }
        var n = 0
        for c in lit.reversed() { if c == 0x5C { n += 1 } else { break } }
        _ = try unescape(n % 2 == 1 ? Array(lit.dropLast()) : lit, tok: tok)
    }

    /// Scan one `{...}` expression part starting after `{`; returns the index after its `}`.
    static func scanExpression(_ b: [UInt32], _ start: Int, raw: Bool, tok: Token, level: Int,
                               parseExpr: ([UInt32], Int, Int) throws -> Void) throws -> Int {
        func fail(_ m: String) -> PySyntaxError { PySyntaxError("f-string: " + m, line: tok.line, col: tok.col) }
        if level >= 2 { throw fail("expressions nested too deeply") }
        var k = start
        var quote: UInt32 = 0
        var quoteLen = 0
        var stack: [UInt32] = []
        while k < b.count {
            let c = b[k]
            if c == 0x5C { throw fail("expression part cannot include a backslash") }
            if quote != 0 {
                if c == quote {
                    if quoteLen == 3 {
                        if k + 2 < b.count && b[k + 1] == quote && b[k + 2] == quote { k += 3; quote = 0; continue }
                    } else {
                        quote = 0
                    }
                }
                k += 1
                continue
            }
            if c == 0x27 || c == 0x22 {
                if k + 2 < b.count && b[k + 1] == c && b[k + 2] == c { quoteLen = 3; k += 3 } else { quoteLen = 1; k += 1 }
                quote = c
                continue
            }
            if c == 0x28 || c == 0x5B || c == 0x7B {
                if stack.count >= 200 { throw fail("too many nested parenthesis") }
                stack.append(c)
                k += 1
                continue
            }
            if c == 0x23 { throw fail("expression part cannot include '#'") }
            if stack.isEmpty && (c == 0x21 || c == 0x3A || c == 0x7D || c == 0x3D || c == 0x3E || c == 0x3C) {
                let next: UInt32 = k + 1 < b.count ? b[k + 1] : 0
                if next == 0x3D && (c == 0x21 || c == 0x3D || c == 0x3C || c == 0x3E) { k += 2; continue }
                if c == 0x3E || c == 0x3C { k += 1; continue }
                break
            }
            if c == 0x29 || c == 0x5D || c == 0x7D {
                guard let open = stack.popLast() else { throw fail("unmatched '\(PyStr.string([c]))'") }
                let want: UInt32 = open == 0x28 ? 0x29 : open == 0x5B ? 0x5D : 0x7D
                if c != want {
                    throw fail("closing parenthesis '\(PyStr.string([c]))' does not match opening parenthesis '\(PyStr.string([open]))'")
                }
                k += 1
                continue
            }
            k += 1
        }
        if quote != 0 { throw fail("unterminated string") }
        if let open = stack.last { throw fail("unmatched '\(PyStr.string([open]))'") }
        if k >= b.count { throw fail("expecting '}'") }
        let exprText = Array(b[start..<k])
        if exprText.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D }) {
            throw fail("empty expression not allowed")
        }
        try parseExpr(exprText, tok.line, tok.col)
        if b[k] == 0x3D { k += 1 }  // self-documenting `{x=}`
        if k < b.count && b[k] == 0x21 {
            k += 1
            guard k < b.count else { throw fail("expecting '}'") }
            let conv = b[k]
            guard conv == 0x73 || conv == 0x72 || conv == 0x61 else {
                throw fail("invalid conversion character: expected 's', 'r', or 'a'")
            }
            k += 1
        }
        guard k < b.count else { throw fail("expecting '}'") }
        if b[k] == 0x3A {
            // Format spec: literal text and nested `{}` up to the matching `}`.
            k += 1
            var specLiteral: [UInt32] = []
            while k < b.count && b[k] != 0x7D {
                if b[k] == 0x7B {
                    if !raw { try checkLiteralPart(specLiteral, tok: tok) }
                    specLiteral.removeAll()
                    k = try scanExpression(b, k + 1, raw: raw, tok: tok, level: level + 1, parseExpr: parseExpr)
                    continue
                }
                if b[k] == 0x5C && !raw && k + 1 < b.count && b[k + 1] != 0x7B && b[k + 1] != 0x7D {
                    specLiteral.append(b[k])
                    k += 1
                }
                specLiteral.append(b[k])
                k += 1
            }
            if !raw { try checkLiteralPart(specLiteral, tok: tok) }
        }
        guard k < b.count, b[k] == 0x7D else { throw fail("expecting '}'") }
        return k + 1
    }
}

/// Reverse lookup of Unicode character names for `\N{...}`, built on first use.
enum UnicodeNames {
    nonisolated(unsafe) private static var table: [String: UInt32]?
    private static let lock = NSLock()

    static func lookup(_ name: String) -> UInt32? {
        let key = name.uppercased()
        lock.lock()
        defer { lock.unlock() }
        if table == nil {
            var t: [String: UInt32] = [:]
            t.reserveCapacity(300_000)
            for v in UInt32(0)...0x10FFFF {
                guard let u = Unicode.Scalar(v) else { continue }
                if let n = u.properties.name { t[n] = v }
                if let a = u.properties.nameAlias { t[a] = v }
            }
            table = t
        }
        if let v = table![key] { return v }
        // Algorithmic names Swift may not list.
        for p in ["CJK UNIFIED IDEOGRAPH-", "CJK COMPATIBILITY IDEOGRAPH-"] where key.hasPrefix(p) {
            if let v = UInt32(key.dropFirst(p.count), radix: 16), let u = Unicode.Scalar(v), u.properties.name == key { return v }
        }
        return nil
    }
}
