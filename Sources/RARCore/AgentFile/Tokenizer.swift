import Foundation

/// One Python token. Offsets index `SourceText.scalars`.
public struct Token: Sendable {
    public enum Kind: Sendable, Equatable { case name, number, string, op, newline, indent, dedent, endmarker }
    public var kind: Kind
    /// Identifier (NFKC-normalised), operator text, or number text. Empty for strings.
    public var text: String
    public var start: Int
    public var end: Int
    public var line: Int
    public var col: Int
    public var endLine: Int
    public var endCol: Int
    /// For strings: prefix letters (lower-cased) and the body between the quotes.
    public var prefix: String = ""
    public var bodyStart: Int = 0
    public var bodyEnd: Int = 0
    /// A NAME that is a Python keyword (set once by the tokenizer).
    public var isKeyword = false
    /// `text`'s bytes packed little-endian when it has at most 8 (0 otherwise): operators and
    /// keywords compare as one integer (`Token.pack`).
    var code: UInt64 = 0

    init(kind: Kind, text: String, start: Int, end: Int, line: Int, col: Int, endLine: Int, endCol: Int, code: UInt64 = 0) {
        self.kind = kind; self.text = text; self.start = start; self.end = end
        self.line = line; self.col = col; self.endLine = endLine; self.endCol = endCol
        self.code = code
    }

    /// Up to 8 bytes of a literal as one integer (UInt64.max for longer text, which no token
    /// code equals). Named apart from the `pack` overloads: given a literal, `pack` would pick
    /// its `String` overload and pack at run time; this folds to a constant.
    @inline(__always)
    static func code(_ s: StaticString) -> UInt64 {
        let n = s.utf8CodeUnitCount
        guard n <= 8 else { return .max }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(s.utf8Start[k]) << (8 * k) }
        return v
    }

    /// ASCII scalars packed as `code` packs a literal.
    @inline(__always)
    static func pack(_ s: ArraySlice<UInt32>) -> UInt64 {
        guard s.count <= 8 else { return .max }
        var v: UInt64 = 0
        for (k, c) in zip(0..., s) { v |= UInt64(c) << (8 * k) }
        return v
    }

    static func pack(_ s: String) -> UInt64 {
        var v: UInt64 = 0, k = 0
        for b in s.utf8 {
            if k == 8 { return .max }
            v |= UInt64(b) << (8 * k)
            k += 1
        }
        return v
    }
}

/// Python 3.11's tokenizer, including its error messages for the cases a registry meets.
struct Tokenizer {
    let src: SourceText
    let s: [UInt32]
    var i = 0
    var line = 1
    var lineStart = 0
    var tokens: [Token] = []
    var indents: [Int] = [0]
    var altIndents: [Int] = [0]
    var brackets: [(ch: UInt32, line: Int, col: Int)] = []
    var atLineStart = true
    // The operator tables, held here so the hot path skips the static-initialisation check.
    let ops1 = Tokenizer.ops1, ops2 = Tokenizer.ops2

    static let maxBrackets = 200
    static let maxIndent = 100

    init(_ src: SourceText) {
        self.src = src
        s = src.scalars
    }

    static func tokenize(_ src: SourceText) throws -> [Token] {
        var t = Tokenizer(src)
        t.tokens.reserveCapacity(src.scalars.count / 6 + 16)  // about one token per 9 characters in real code
        try t.run()
        return t.tokens
    }

    func err(_ m: String, _ l: Int? = nil, _ c: Int? = nil, kind: PySyntaxError.Kind = .syntax) -> PySyntaxError {
        PySyntaxError(m, line: l ?? line, col: c ?? (i - lineStart), kind: kind)
    }

    mutating func emit(_ kind: Token.Kind, _ text: String, _ start: Int, _ sLine: Int, _ sCol: Int, code: UInt64? = nil) {
        let c = code ?? Token.pack(text)
        // Built in place in the array (a Token holds strings: a copy costs retains).
        tokens.append(Token(kind: kind, text: text, start: start, end: i, line: sLine, col: sCol, endLine: line, endCol: i - lineStart,
                            code: c == .max ? 0 : c))
    }

    /// `s[a..<b]` packed as `Token.pack` would pack its text (ASCII only).
    @inline(__always)
    func packed(_ a: Int, _ b: Int) -> UInt64 { Token.pack(s[a..<b]) }

    mutating func newLine() { line += 1; lineStart = i }

    @inline(__always) func peek(_ k: Int = 0) -> UInt32 { i + k < s.count ? s[i + k] : 0xFFFF_FFFF }

    static let EOF: UInt32 = 0xFFFF_FFFF

    mutating func run() throws {
        let n = s.count
        if n > 0 && s[0] == 0xFEFF { throw err("invalid non-printable character U+FEFF", 1, 0) }
        while true {
            if atLineStart && brackets.isEmpty {
                atLineStart = false
                // Measure indentation (tabs to multiples of 8; alt: tabs count 1).
                var col = 0, alt = 0
                while i < n {
                    let c = s[i]
                    if c == 0x20 { col += 1; alt += 1 }
                    else if c == 0x09 { col = (col / 8 + 1) * 8; alt += 1 }
                    else if c == 0x0C { col = 0; alt = 0 }
                    else { break }
                    i += 1
                }
                let c = peek()
                if c == 0x23 || c == 0x0A || (c == 0x5C && false) {
                    // Blank or comment-only line: no indentation change.
                } else if c == Tokenizer.EOF {
                    // EOF: handled below.
                } else {
                    try indentTo(col, alt)
                }
            }
            guard i < n else { break }
            let c = s[i]
            switch c {
            case 0x20, 0x09, 0x0C:
                i += 1
            case 0x23:  // comment
                while i < n && s[i] != 0x0A { i += 1 }
            case 0x0A:
                let blank = tokens.last.map { $0.kind == .newline || $0.kind == .indent || $0.kind == .dedent } ?? true
                if brackets.isEmpty && !blank {
                    let st = i, l = line, cl = i - lineStart
                    i += 1
                    tokens.append(Token(kind: .newline, text: "\n", start: st, end: i, line: l, col: cl, endLine: l, endCol: cl + 1))
                } else {
                    i += 1
                }
                newLine()
                atLineStart = brackets.isEmpty
            case 0x5C:  // explicit line join
                guard i + 1 < n else { throw err("unexpected EOF while parsing") }
                guard s[i + 1] == 0x0A else { throw err("unexpected character after line continuation character") }
                i += 2
                newLine()
                if i >= n { throw err("unexpected EOF while parsing") }
            case 0x22, 0x27:
                try string(prefixStart: i, prefix: "")
            default:
                if Tokenizer.isIdentStart(c) {
                    try nameOrString()
                } else if Tokenizer.isDigit(c) || (c == 0x2E && Tokenizer.isDigit(peek(1))) {
                    try number()
                } else {
                    try op()
                }
            }
        }
        // End of file.
        if let open = brackets.last {
            throw err("'\(PyStr.string([open.ch]))' was never closed", open.line, open.col)
        }
        if let last = tokens.last, last.kind != .newline && last.kind != .dedent && last.kind != .indent {
            tokens.append(Token(kind: .newline, text: "", start: i, end: i, line: line, col: i - lineStart, endLine: line, endCol: i - lineStart + 1))
        }
        while indents.count > 1 {
            indents.removeLast()
            altIndents.removeLast()
            tokens.append(Token(kind: .dedent, text: "", start: i, end: i, line: line, col: 0, endLine: line, endCol: 0))
        }
        tokens.append(Token(kind: .endmarker, text: "", start: i, end: i, line: line, col: 0, endLine: line, endCol: 0))
    }

    mutating func indentTo(_ col: Int, _ alt: Int) throws {
        if col == indents.last! {
            if alt != altIndents.last! { throw err("inconsistent use of tabs and spaces in indentation", kind: .tab) }
        } else if col > indents.last! {
            if indents.count >= Tokenizer.maxIndent { throw err("too many levels of indentation", kind: .indentation) }
            if alt <= altIndents.last! { throw err("inconsistent use of tabs and spaces in indentation", kind: .tab) }
            indents.append(col)
            altIndents.append(alt)
            tokens.append(Token(kind: .indent, text: "", start: lineStart, end: i, line: line, col: 0, endLine: line, endCol: i - lineStart))
        } else {
            while indents.count > 1 && col < indents.last! {
                indents.removeLast()
                altIndents.removeLast()
                tokens.append(Token(kind: .dedent, text: "", start: i, end: i, line: line, col: i - lineStart, endLine: line, endCol: i - lineStart))
            }
            if col != indents.last! {
                throw err("unindent does not match any outer indentation level", kind: .indentation)
            }
            if alt != altIndents.last! { throw err("inconsistent use of tabs and spaces in indentation", kind: .tab) }
        }
    }

    static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isIdentStart(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
        return true  // non-ASCII: validated as a whole identifier below
    }

    static func isIdentContinue(_ c: UInt32) -> Bool {
        if c < 0x80 { return isIdentStart(c) || isDigit(c) }
        return c != Tokenizer.EOF
    }

    mutating func nameOrString() throws {
        let start = i, sLine = line, sCol = i - lineStart
        var ascii = true
        while i < s.count && Tokenizer.isIdentContinue(s[i]) {
            if s[i] >= 0x80 {
                // Stop at characters that are not identifier characters (they are errors below).
                guard let u = Unicode.Scalar(s[i]), u.properties.isXIDContinue || u.properties.isXIDStart else { break }
                ascii = false
            }
            i += 1
        }
        if i == start {
            // A non-ASCII character that cannot start an identifier.
            let c = s[i]
            let u = Unicode.Scalar(c)
            let printable = u.map { !($0.properties.generalCategory == .control || $0.properties.generalCategory == .format || $0.properties.generalCategory == .spaceSeparator || $0.properties.generalCategory == .lineSeparator || $0.properties.generalCategory == .paragraphSeparator || $0.properties.generalCategory == .privateUse || $0.properties.generalCategory == .unassigned || $0.properties.generalCategory == .surrogate) } ?? false
            let hex = String(format: "%04X", c)
            if printable { throw err("invalid character '\(PyStr.string([c]))' (U+\(hex))") }
            throw err("invalid non-printable character U+\(hex)")
        }
        // String prefix?
        let q = peek()
        if (q == 0x22 || q == 0x27) && ascii && i - start <= 2 {
            let p = PyStr.string(s[start..<i]).lowercased()
            if ["r", "u", "b", "br", "rb", "f", "fr", "rf"].contains(p) {
                try string(prefixStart: start, prefix: p)
                return
            }
        }
        var text = PyStr.string(s[start..<i])
        if !ascii {
            if let u = Unicode.Scalar(s[start]), !(u.properties.isXIDStart || u == "_") && s[start] >= 0x80 {
                throw err("invalid character '\(PyStr.string([s[start]]))' (U+\(String(format: "%04X", s[start])))", sLine, sCol)
            }
            text = text.precomposedStringWithCompatibilityMapping
        }
        let code = ascii ? packed(start, i) : nil
        emit(.name, text, start, sLine, sCol, code: code)
        if let code, Parser.keywordCodes.contains(code) { tokens[tokens.count - 1].isKeyword = true }
    }

    mutating func string(prefixStart: Int, prefix: String) throws {
        let sLine = line, sCol = prefixStart - lineStart
        let q = s[i]
        let triple = peek(1) == q && peek(2) == q
        i += triple ? 3 : 1
        let bodyStart = i
        var bodyEnd = i
        while true {
            guard i < s.count else {
                if triple { throw err("unterminated triple-quoted string literal (detected at line \(line))", sLine, sCol) }
                throw err("unterminated string literal (detected at line \(sLine))", sLine, sCol)
            }
            let c = s[i]
            if c == 0x5C {
                i += 1
                if i < s.count {
                    if s[i] == 0x0A { i += 1; newLine() } else { i += 1 }
                }
                continue
            }
            if c == 0x0A {
                if !triple { throw err("unterminated string literal (detected at line \(sLine))", sLine, sCol) }
                i += 1
                newLine()
                continue
            }
            if c == q {
                if !triple { bodyEnd = i; i += 1; break }
                if peek(1) == q && peek(2) == q { bodyEnd = i; i += 3; break }
            }
            i += 1
        }
        var t = Token(kind: .string, text: "", start: prefixStart, end: i, line: sLine, col: sCol, endLine: line, endCol: i - lineStart)
        t.prefix = prefix
        t.bodyStart = bodyStart
        t.bodyEnd = bodyEnd
        tokens.append(t)
    }

    mutating func number() throws {
        let start = i, sLine = line, sCol = i - lineStart
        func digits(_ ok: (UInt32) -> Bool, _ kind: String) throws {
            // digits with single underscores between them
            guard i < s.count, ok(s[i]) else { throw err("invalid \(kind) literal") }
            while i < s.count {
                if ok(s[i]) { i += 1; continue }
                if s[i] == 0x5F {
                    i += 1
                    guard i < s.count, ok(s[i]) else { throw err("invalid \(kind) literal") }
                    continue
                }
                break
            }
        }
        let isDec: (UInt32) -> Bool = { Tokenizer.isDigit($0) }
        var kind = "decimal"
        if s[i] == 0x30 && (peek(1) | 0x20 == 0x78 || peek(1) | 0x20 == 0x6F || peek(1) | 0x20 == 0x62) {
            let p = peek(1) | 0x20
            i += 2
            if i < s.count && s[i] == 0x5F { i += 1 }
            switch p {
            case 0x78: kind = "hexadecimal"; try digits({ Tokenizer.isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }, kind)
            case 0x6F:
                kind = "octal"
                try digits({ $0 >= 0x30 && $0 <= 0x37 }, kind)
                if i < s.count && Tokenizer.isDigit(s[i]) { throw err("invalid digit '\(PyStr.string([s[i]]))' in octal literal") }
            default:
                kind = "binary"
                try digits({ $0 == 0x30 || $0 == 0x31 }, kind)
                if i < s.count && Tokenizer.isDigit(s[i]) { throw err("invalid digit '\(PyStr.string([s[i]]))' in binary literal") }
            }
        } else {
            var isFloat = false
            if s[i] != 0x2E { try digits(isDec, "decimal") }
            let intEnd = i
            if i < s.count && s[i] == 0x2E {
                isFloat = true
                i += 1
                if i < s.count && Tokenizer.isDigit(s[i]) { try digits(isDec, "decimal") }
            }
            if i < s.count && (s[i] | 0x20) == 0x65 {
                // exponent (only if followed by digits, else it is part of an error/name)
                let save = i
                i += 1
                if i < s.count && (s[i] == 0x2B || s[i] == 0x2D) { i += 1 }
                if i < s.count && Tokenizer.isDigit(s[i]) {
                    try digits(isDec, "decimal")
                    isFloat = true
                } else {
                    i = save  // `1else`: the name check below decides
                }
            }
            var imag = false
            if i < s.count && (s[i] | 0x20) == 0x6A { i += 1; imag = true }
            if !isFloat && !imag {
                // Leading zeros: only all-zero ints may start with 0.
                let body = s[start..<intEnd].filter { $0 != 0x5F }
                if body.count > 1 && body.first == 0x30 && body.contains(where: { $0 != 0x30 }) {
                    throw err("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", sLine, sCol)
                }
            }
            kind = imag ? "imaginary" : isFloat ? "decimal" : "decimal"
        }
        // A number may not run into a name, except the keywords Python 3.11 tolerates with a warning.
        if i < s.count && Tokenizer.isIdentStart(s[i]) && s[i] != 0xFFFF_FFFF {
            let save = i
            var j = i
            while j < s.count && Tokenizer.isIdentContinue(s[j]) && s[j] < 0x80 { j += 1 }
            let word = PyStr.string(s[i..<j])
            let tolerated = ["and", "else", "for", "if", "in", "is", "not", "or"].contains { word.hasPrefix($0) }
            if !tolerated || s[i] >= 0x80 {
                throw err("invalid \(kind) literal")
            }
            i = save
        }
        emit(.number, PyStr.string(s[start..<i]), start, sLine, sCol)
    }

    /// The error for a character that starts no token (kept out of `op`'s hot path).
    @inline(never)
    func badCharacter(_ c: UInt32) -> PySyntaxError {
        if c >= 0x80 {
            let hex = String(format: "%04X", c)
            let u = Unicode.Scalar(c)
            let cat = u?.properties.generalCategory
            let nonPrintable = [.control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate].contains(cat)
            if nonPrintable { return err("invalid non-printable character U+\(hex)") }
            return err("invalid character '\(PyStr.string([c]))' (U+\(hex))")
        }
        if c < 0x20 || c == 0x7F { return err("invalid non-printable character U+\(String(format: "%04X", c))") }
        return err("invalid syntax")
    }

    /// The three-character operator `c c c2` (each doubles its first character), if any.
    @inline(__always)
    static func op3(_ c: UInt32, _ c2: UInt32) -> String? {
        switch (c, c2) {
        case (0x2A, 0x3D): return "**="
        case (0x2F, 0x3D): return "//="
        case (0x3E, 0x3D): return ">>="
        case (0x3C, 0x3D): return "<<="
        case (0x2E, 0x2E): return "..."
        default: return nil
        }
    }
    /// Two- and one-character operators by ASCII code (nil: not an operator).
    static let ops2: [String?] = {
        var t = [String?](repeating: nil, count: 128 * 128)
        for o in ["==", "!=", "<=", ">=", "<<", ">>", "**", "//", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "->", ":="] {
            let u = Array(o.utf8)
            t[Int(u[0]) << 7 | Int(u[1])] = o
        }
        return t
    }()
    static let ops1: [String?] = {
        var t = [String?](repeating: nil, count: 128)
        for c in "()[]{}:,;+-*/|&<>=.%~^@" { t[Int(c.asciiValue!)] = String(c) }
        return t
    }()

    mutating func op() throws {
        let start = i, sLine = line, sCol = i - lineStart
        let c = s[i]
        var text: String
        // Longest match first; operators are ASCII.
        let c1 = peek(1), c2 = peek(2)
        if c1 == c, let o = Tokenizer.op3(c, c2) {
            text = o
        } else if c < 0x80 && c1 < 0x80 && i + 2 <= s.count, let o = ops2[Int(c) << 7 | Int(c1)] {
            text = o
        } else if c < 0x80, let o = ops1[Int(c)] {
            text = o
        } else {
            throw badCharacter(c)
        }
        let width = text.utf8.count  // operators are ASCII
        i += width
        switch width == 1 ? c : 0 {
        case 0x28, 0x5B, 0x7B:
            if brackets.count >= Tokenizer.maxBrackets { throw err("too many nested parentheses", sLine, sCol) }
            brackets.append((c, sLine, sCol))
        case 0x29, 0x5D, 0x7D:
            guard let open = brackets.popLast() else { throw err("unmatched '\(text)'", sLine, sCol) }
            let want: UInt32 = open.ch == 0x28 ? 0x29 : open.ch == 0x5B ? 0x5D : 0x7D
            if c != want {
                if open.line != sLine {
                    throw err("closing parenthesis '\(text)' does not match opening parenthesis '\(PyStr.string([open.ch]))' on line \(open.line)", sLine, sCol)
                }
                throw err("closing parenthesis '\(text)' does not match opening parenthesis '\(PyStr.string([open.ch]))'", sLine, sCol)
            }
        default: break
        }
        emit(.op, text, start, sLine, sCol, code: packed(start, i))
    }
}
