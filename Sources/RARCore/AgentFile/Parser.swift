import Foundation

/// A recursive-descent parser for the Python 3.11 grammar. It builds the parts of the AST a
/// registry needs (statements, literals, calls, names) and rejects what `ast.parse` rejects.
struct Parser {
    let toks: [Token]
    let src: SourceText
    var p = 0
    var nest = 0

    /// Deepest expression nesting accepted; Python 3.11 fails with RecursionError near 3000.
    static let maxExprDepth = 2985
    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
    // Packed codes as computed constants (they fold; a `static let` is a lazy global, checked per use).
    static var kwTrue: UInt64 { Token.code("True") }
    static var kwFalse: UInt64 { Token.code("False") }
    static var kwNone: UInt64 { Token.code("None") }
    static var opEllipsis: UInt64 { Token.code("...") }
    static var opLParen: UInt64 { Token.code("(") }
    static var opLBracket: UInt64 { Token.code("[") }
    static var opLBrace: UInt64 { Token.code("{") }
    static var opWalrus: UInt64 { Token.code(":=") }
    static var kwMatch: UInt64 { Token.code("match") }
    /// The keywords as packed codes (every keyword has at most 8 letters).
    static let keywordCodes = PackedWordTable(keywords.map { (Token.pack($0), true) })

    init(tokens: [Token], source: SourceText) {
        toks = tokens
        src = source
    }

    // MARK: token helpers

    var cur: Token { toks[p] }
    func peekTok(_ k: Int) -> Token { toks[min(p + k, toks.count - 1)] }
    @inline(__always) func isOp(_ s: StaticString) -> Bool { toks[p].kind == .op && toks[p].code == Token.code(s) }
    @inline(__always) func isKw(_ s: StaticString) -> Bool { toks[p].kind == .name && toks[p].code == Token.code(s) }
    var isIdent: Bool { toks[p].kind == .name && !toks[p].isKeyword }

    func error(_ m: String = "invalid syntax", at t: Token? = nil, kind: PySyntaxError.Kind = .syntax) -> PySyntaxError {
        let t = t ?? cur
        return PySyntaxError(m, line: t.line, col: t.col, kind: kind)
    }

    mutating func advance() -> Token {
        let t = toks[p]
        if p < toks.count - 1 { p += 1 }
        return t
    }

    @inline(__always)
    mutating func expectOp(_ s: StaticString, _ msg: String? = nil) throws {
        guard isOp(s) else { throw error(msg ?? "expected '\(s)'") }
        p += 1
    }

    @inline(__always)
    mutating func expectKw(_ s: StaticString) throws {
        guard isKw(s) else { throw error("expected '\(s)'") }
        p += 1
    }

    @inline(__always)
    mutating func acceptOp(_ s: StaticString) -> Bool {
        if isOp(s) { p += 1; return true }
        return false
    }

    @inline(__always)
    mutating func acceptKw(_ s: StaticString) -> Bool {
        if isKw(s) { p += 1; return true }
        return false
    }

    mutating func ident() throws -> String {
        guard isIdent else { throw error() }
        return advance().text
    }

    var prevTok: Token { toks[max(p - 1, 0)] }

    func span(from t: Token) -> Span {
        let e = prevTok
        return Span(line: t.line, col: t.col, endLine: e.endLine, endCol: e.endCol)
    }

    /// From the token at index `i` (no token copies: the expression levels call this per atom).
    func span(from i: Int) -> Span {
        let e = max(p - 1, 0)
        return Span(line: toks[i].line, col: toks[i].col, endLine: toks[e].endLine, endCol: toks[e].endCol)
    }

    func mk(_ kind: ExprKind, _ span: Span, _ children: [Expr?]) throws -> Expr {
        var d = 0
        for c in children { if let c, c.depth > d { d = c.depth } }
        if case .other = kind { return try node(kind, span, below: d, other: children.compactMap { $0 }) }
        return try node(kind, span, below: d)
    }

    /// One or two children, without a children array (the common nodes).
    func mk(_ kind: ExprKind, _ span: Span, _ a: Expr, _ b: Expr? = nil) throws -> Expr {
        if case .other = kind { return try mk(kind, span, [a, b]) }
        return try node(kind, span, below: max(a.depth, b?.depth ?? 0))
    }

    /// A display's items (tuple, list, set) without converting them to optionals.
    func mk(_ kind: ExprKind, _ span: Span, items: [Expr]) throws -> Expr {
        var d = 0
        for c in items where c.depth > d { d = c.depth }
        if case .other = kind { return try node(kind, span, below: d, other: items) }
        return try node(kind, span, below: d)
    }

    /// A node one level above children at most `below` deep.
    @inline(__always)
    func node(_ kind: ExprKind, _ span: Span, below d: Int, other: [Expr] = []) throws -> Expr {
        if d + 1 > Parser.maxExprDepth {
            throw PySyntaxError("maximum recursion depth exceeded during ast construction", line: span.line, col: span.col, code: .parserLimit)
        }
        return Expr(kind, span, depth: d + 1, otherChildren: other)
    }

    mutating func enter() throws {
        nest += 1
        if nest > Parser.maxExprDepth {
            throw PySyntaxError("maximum recursion depth exceeded during ast construction", line: cur.line, col: cur.col, code: .parserLimit)
        }
    }

    // MARK: module and statements

    mutating func parseModule() throws -> Module {
        var body: [Stmt] = []
        while cur.kind != .endmarker {
            if cur.kind == .newline { p += 1; continue }
            body.append(contentsOf: try statement())
        }
        return Module(body: body)
    }

    mutating func statement() throws -> [Stmt] {
        if cur.kind == .indent { throw error("unexpected indent", kind: .indentation) }
        if cur.kind == .dedent { throw error("unindent does not match any outer indentation level", kind: .indentation) }
        if let s = try compoundStatement() { return [s] }
        return try simpleStatements()
    }

    mutating func simpleStatements() throws -> [Stmt] {
        var out: [Stmt] = [try simpleStatement()]
        while acceptOp(";") {
            if cur.kind == .newline { break }
            out.append(try simpleStatement())
        }
        guard cur.kind == .newline else {
            if isOp("=") || cur.kind == .op && cur.text.hasSuffix("=") && cur.text.count > 1 { throw error() }
            if cur.kind == .name || cur.kind == .number || cur.kind == .string {
                let first = out.last
                if case .expr(let e)? = first?.kind, case .name("print") = e.kind {
                    throw error("Missing parentheses in call to 'print'. Did you mean print(...)?")
                }
                throw error("invalid syntax")
            }
            throw error()
        }
        p += 1
        return out
    }

    mutating func simpleStatement() throws -> Stmt {
        let t = cur
        if cur.kind == .name && toks[p].isKeyword {  // the statements below start with keywords
            switch cur.text {
            case "pass", "break", "continue":
                p += 1
                return Stmt(kind: .simple(t.text.capitalized), span: span(from: t))
            case "return":
                p += 1
                if !atStmtEnd { _ = try starExpressions() }
                return Stmt(kind: .simple("Return"), span: span(from: t))
            case "raise":
                p += 1
                if !atStmtEnd {
                    _ = try expression()
                    if acceptKw("from") { _ = try expression() }
                }
                return Stmt(kind: .simple("Raise"), span: span(from: t))
            case "global", "nonlocal":
                p += 1
                _ = try ident()
                while acceptOp(",") { _ = try ident() }
                return Stmt(kind: .simple(t.text.capitalized), span: span(from: t))
            case "del":
                p += 1
                let targets = try targetList(stopAtIn: false)
                for e in targets { try validateTarget(e, ctx: .del) }
                return Stmt(kind: .simple("Delete"), span: span(from: t))
            case "assert":
                p += 1
                _ = try expression()
                if acceptOp(",") { _ = try expression() }
                return Stmt(kind: .simple("Assert"), span: span(from: t))
            case "import":
                p += 1
                repeat {
                    _ = try dottedName()
                    if acceptKw("as") { _ = try ident() }
                } while acceptOp(",")
                return Stmt(kind: .simple("Import"), span: span(from: t))
            case "from":
                return try importFrom()
            default: break
            }
        }
        return try expressionStatement()
    }

    var atStmtEnd: Bool { cur.kind == .newline || isOp(";") || cur.kind == .endmarker }

    mutating func dottedName() throws -> String {
        var s = try ident()
        while acceptOp(".") { s += "." + (try ident()) }
        return s
    }

    mutating func importFrom() throws -> Stmt {
        let t = advance()
        var level = 0
        while isOp(".") || isOp("...") { level += cur.text.count; p += 1 }
        var module = ""
        if !isKw("import") { module = try dottedName() }
        try expectKw("import")
        var names: [String] = []
        if acceptOp("*") {
            names = ["*"]
        } else if acceptOp("(") {
            repeat {
                if isOp(")") { break }
                names.append(try ident())
                if acceptKw("as") { _ = try ident() }
            } while acceptOp(",")
            try expectOp(")")
            if names.isEmpty { throw error() }
        } else {
            repeat {
                names.append(try ident())
                if acceptKw("as") { _ = try ident() }
            } while acceptOp(",") && !atStmtEnd
            if prevTok.text == "," { throw error("trailing comma not allowed without surrounding parentheses") }
        }
        return Stmt(kind: .importFrom(module: module, level: level, names: names), span: span(from: t))
    }

    static func isAugOp(_ code: UInt64) -> Bool {
        switch code {
        case Token.code("+="), Token.code("-="), Token.code("*="), Token.code("/="), Token.code("//="), Token.code("%="), Token.code("@="),
             Token.code("&="), Token.code("|="), Token.code("^="), Token.code(">>="), Token.code("<<="), Token.code("**="): return true
        default: return false
        }
    }

    mutating func expressionStatement() throws -> Stmt {
        let t = cur
        let first: Expr = isKw("yield") ? try yieldExpr() : try starExpressions()
        if isOp(":") {
            p += 1
            try validateTarget(first, ctx: .annotation)
            _ = try expression()
            var value: Expr?
            if acceptOp("=") { value = isKw("yield") ? try yieldExpr() : try starExpressions() }
            return Stmt(kind: .annAssign(target: first, value: value), span: span(from: t))
        }
        if toks[p].kind == .op && Parser.isAugOp(toks[p].code) {
            let op = advance().text
            try validateTarget(first, ctx: .aug)
            let value = isKw("yield") ? try yieldExpr() : try starExpressions()
            return Stmt(kind: .augAssign(target: first, op: op, value: value), span: span(from: t))
        }
        if isOp("=") {
            var targets = [first]
            var value = first
            while acceptOp("=") {
                value = isKw("yield") ? try yieldExpr() : try starExpressions()
                targets.append(value)
            }
            targets.removeLast()
            for e in targets { try validateTarget(e, ctx: .assign) }
            return Stmt(kind: .assign(targets: targets, value: value), span: span(from: t))
        }
        if case .starred = first.kind {
            // `*a` alone parses (the compiler rejects it later)
        }
        return Stmt(kind: .expr(first), span: span(from: t))
    }

    enum TargetCtx { case assign, del, aug, annotation, forLoop, with, comprehension }

    func describe(_ e: Expr) -> String {
        switch e.kind {
        case .constant(let c):
            switch c {
            case .bool(let b): return b ? "True" : "False"
            case .none: return "None"
            case .ellipsis: return "ellipsis"
            default: return "literal"
            }
        case .call: return "function call"
        case .binOp, .unaryOp: return "expression"
        case .joinedStr: return "f-string expression"
        case .dict: return "dict literal"
        case .set: return "set display"
        case .namedExpr: return "named expression"
        case .other(let n):
            switch n {
            case "Lambda": return "lambda"
            case "IfExp": return "conditional expression"
            case "Compare": return "comparison"
            case "BoolOp": return "expression"
            case "Await": return "await expression"
            case "Yield", "YieldFrom": return "yield expression"
            case "ListComp": return "list comprehension"
            case "SetComp": return "set comprehension"
            case "DictComp": return "dict comprehension"
            case "GeneratorExp": return "generator expression"
            default: return "expression"
            }
        default: return "expression"
        }
    }

    func validateTarget(_ e: Expr, ctx: TargetCtx) throws {
        let verb = ctx == .del ? "delete" : "assign to"
        func bad(_ what: String) -> PySyntaxError {
            PySyntaxError(ctx == .aug ? "'\(what)' is an illegal expression for augmented assignment" : "cannot \(verb) \(what)",
                          line: e.span.line, col: e.span.col)
        }
        switch e.kind {
        case .name, .attribute, .subscript: return
        case .starred(let inner):
            if ctx == .aug || ctx == .annotation || ctx == .del { throw bad("starred") }
            try validateTarget(inner, ctx: ctx)
        case .tuple(let items), .list(let items):
            if ctx == .aug { throw bad(e.pyClassName == "Tuple" ? "tuple" : "list") }
            if ctx == .annotation {
                throw PySyntaxError("only single target (not \(e.pyClassName == "Tuple" ? "tuple" : "list")) can be annotated", line: e.span.line, col: e.span.col)
            }
            for i in items { try validateTarget(i, ctx: ctx) }
        default:
            throw bad(describe(e))
        }
    }

    /// Comma-separated targets for `del` and `for` (parsed below comparison level).
    mutating func targetList(stopAtIn: Bool) throws -> [Expr] {
        var items: [Expr] = []
        repeat {
            if stopAtIn && isKw("in") { break }
            if atStmtEnd { break }
            if isOp("*") {
                let t = advance()
                let inner = try bitwiseOr()
                items.append(try mk(.starred(inner), span(from: t), inner))
            } else {
                items.append(try bitwiseOr())
            }
        } while acceptOp(",")
        if items.isEmpty { throw error() }
        return items
    }

    mutating func forTargets() throws -> Expr {
        let t = cur
        let items = try targetList(stopAtIn: true)
        let e: Expr = items.count == 1 && prevTok.text != "," ? items[0] : try mk(.tuple(items), span(from: t), items: items)
        return e
    }

    // MARK: compound statements

    mutating func compoundStatement() throws -> Stmt? {
        guard cur.kind == .name || isOp("@") else { return nil }
        // Every compound statement starts with `@`, a keyword or the soft keyword `match`.
        if toks[p].kind == .name && !toks[p].isKeyword && toks[p].code != Parser.kwMatch { return nil }
        let t = cur
        if isOp("@") {
            var decorators: [Expr] = []
            while acceptOp("@") {
                decorators.append(try namedExpression())
                guard cur.kind == .newline else { throw error() }
                p += 1
            }
            if isKw("def") || (isKw("async") && peekTok(1).text == "def") {
                return try functionDef(decorators: decorators, start: t)
            }
            if isKw("class") { return try classDef(decorators: decorators, start: t) }
            throw error()
        }
        switch cur.text {
        case "def": return try functionDef(decorators: [], start: t)
        case "class": return try classDef(decorators: [], start: t)
        case "if": return try ifStatement()
        case "while":
            p += 1
            _ = try namedExpression()
            let body = try block(after: "'while' statement", line: t.line)
            var orelse: [Stmt] = []
            if isKw("else") { let e = advance(); orelse = try block(after: "'else' statement", line: e.line) }
            return Stmt(kind: .loop(kind: "While", body: body, orelse: orelse), span: span(from: t))
        case "for": return try forStatement(isAsync: false, start: t)
        case "try": return try tryStatement()
        case "with": return try withStatement(isAsync: false, start: t)
        case "async":
            if peekTok(1).kind == .name && peekTok(1).text == "def" { return try functionDef(decorators: [], start: t) }
            p += 1
            if isKw("for") { return try forStatement(isAsync: true, start: t) }
            if isKw("with") { return try withStatement(isAsync: true, start: t) }
            throw error()
        case "match":
            return try matchStatement()
        default:
            return nil
        }
    }

    /// `:` then an indented block or simple statements on the same line.
    mutating func block(after what: String, line: Int) throws -> [Stmt] {
        try expectOp(":", "expected ':'")
        if cur.kind == .newline {
            p += 1
            guard cur.kind == .indent else {
                throw error("expected an indented block after \(what) on line \(line)", kind: .indentation)
            }
            p += 1
            var body: [Stmt] = []
            while cur.kind != .dedent && cur.kind != .endmarker {
                body.append(contentsOf: try statement())
            }
            if cur.kind == .dedent { p += 1 }
            return body
        }
        return try simpleStatements()
    }

    mutating func functionDef(decorators: [Expr], start: Token) throws -> Stmt {
        let isAsync = isKw("async")
        if isAsync { p += 1 }
        try expectKw("def")
        let name = try ident()
        try expectOp("(")
        let params = try parameters(closing: ")", annotations: true)
        try expectOp(")")
        if acceptOp("->") { _ = try expression() }
        let body = try block(after: "function definition", line: start.line)
        return Stmt(kind: .functionDef(name: name, params: params, body: body, decorators: decorators, isAsync: isAsync), span: span(from: start))
    }

    /// Parameters of `def` (closing ")") or `lambda` (closing ":").
    mutating func parameters(closing: StaticString, annotations: Bool) throws -> [Parameter] {
        var out: [Parameter] = []
        var seenDefault = false
        var seenStar = false
        var seenSlash = false
        var seenKwargs = false
        while !isOp(closing) {
            if seenKwargs { throw error("arguments cannot follow var-keyword argument") }
            let t = cur
            if acceptOp("/") {
                if seenSlash { throw error("/ may appear only once") }
                if seenStar { throw error("/ must be ahead of *") }
                if out.isEmpty { throw error("at least one argument must precede /") }
                seenSlash = true
                for k in out.indices { out[k].kind = .positionalOnly }
            } else if acceptOp("**") {
                let name = try ident()
                if annotations && acceptOp(":") { _ = try expression() }
                if isOp("=") { throw error("var-keyword argument cannot have default value") }
                out.append(Parameter(name: name, kind: .varKeyword, hasDefault: false, span: span(from: t)))
                seenKwargs = true
            } else if acceptOp("*") {
                if seenStar { throw error("* argument may appear only once") }
                seenStar = true
                if isOp(",") || isOp(closing) {
                    // bare `*`: named arguments must follow
                    let save = p
                    _ = acceptOp(",")
                    if isOp(closing) || isOp("**") { throw error("named arguments must follow bare *") }
                    p = save
                } else {
                    let name = try ident()
                    if annotations && acceptOp(":") {
                        if isOp("*") { let st = advance(); let e = try bitwiseOr(); _ = try mk(.starred(e), span(from: st), e) } else { _ = try expression() }
                    }
                    if isOp("=") { throw error("var-positional argument cannot have default value") }
                    out.append(Parameter(name: name, kind: .varPositional, hasDefault: false, span: span(from: t)))
                }
            } else {
                let name = try ident()
                if annotations && acceptOp(":") { _ = try expression() }
                var hasDefault = false
                if acceptOp("=") {
                    _ = try expression()
                    hasDefault = true
                    if !seenStar { seenDefault = true }
                } else if seenDefault && !seenStar {
                    throw error("non-default argument follows default argument", at: t)
                }
                out.append(Parameter(name: name, kind: seenStar ? .keywordOnly : .positional, hasDefault: hasDefault, span: span(from: t)))
            }
            if !acceptOp(",") { break }
        }
        return out
    }

    mutating func classDef(decorators: [Expr], start: Token) throws -> Stmt {
        try expectKw("class")
        let name = try ident()
        var bases: [Expr] = []
        var keywords: [Keyword] = []
        if acceptOp("(") {
            (bases, keywords) = try callArguments()
            try expectOp(")")
        }
        let body = try block(after: "class definition", line: start.line)
        return Stmt(kind: .classDef(name: name, bases: bases, keywords: keywords, body: body, decorators: decorators), span: span(from: start))
    }

    mutating func ifStatement() throws -> Stmt {
        let t = advance()  // `if` or `elif`
        let test = try namedExpression()
        let body = try block(after: "'\(t.text)' statement", line: t.line)
        var orelse: [Stmt] = []
        if isKw("elif") {
            orelse = [try ifStatement()]
        } else if isKw("else") {
            let e = advance()
            orelse = try block(after: "'else' statement", line: e.line)
        }
        return Stmt(kind: .ifStmt(test: test, body: body, orelse: orelse), span: span(from: t))
    }

    mutating func forStatement(isAsync: Bool, start: Token) throws -> Stmt {
        try expectKw("for")
        let target = try forTargets()
        try validateTarget(target, ctx: .forLoop)
        try expectKw("in")
        _ = try starExpressions()
        let body = try block(after: "'for' statement", line: start.line)
        var orelse: [Stmt] = []
        if isKw("else") { let e = advance(); orelse = try block(after: "'else' statement", line: e.line) }
        return Stmt(kind: .loop(kind: isAsync ? "AsyncFor" : "For", body: body, orelse: orelse), span: span(from: start))
    }

    mutating func tryStatement() throws -> Stmt {
        let t = advance()
        let body = try block(after: "'try' statement", line: t.line)
        var handlers: [ExceptHandler] = []
        var star: Bool?
        while isKw("except") {
            let h = advance()
            let isStar = acceptOp("*")
            if let s = star, s != isStar {
                throw error("cannot have both 'except' and 'except*' on the same 'try'", at: h)
            }
            star = isStar
            var type: Expr?
            var name: String?
            if !isOp(":") {
                type = try expression()
                if isOp(",") { throw error("multiple exception types must be parenthesized") }
                if acceptKw("as") { name = try ident() }
            } else if isStar {
                throw error("expected one or more exception types")
            }
            let hb = try block(after: "'except' statement", line: h.line)
            handlers.append(ExceptHandler(type: type, name: name, body: hb, span: span(from: h)))
        }
        var orelse: [Stmt] = []
        var finalbody: [Stmt] = []
        if isKw("else") {
            if handlers.isEmpty { throw error("expected 'except' or 'finally' block") }
            let e = advance()
            orelse = try block(after: "'else' statement", line: e.line)
        }
        if isKw("finally") {
            let f = advance()
            finalbody = try block(after: "'finally' statement", line: f.line)
        }
        if handlers.isEmpty && finalbody.isEmpty { throw error("expected 'except' or 'finally' block") }
        return Stmt(kind: .tryStmt(body: body, handlers: handlers, orelse: orelse, finalbody: finalbody), span: span(from: t))
    }

    mutating func withStatement(isAsync: Bool, start: Token) throws -> Stmt {
        try expectKw("with")
        // Parenthesised with-items (3.9+): try that reading first.
        if isOp("(") {
            let save = p
            p += 1
            if (try? withItems(closing: true)) != nil, acceptOp(")"), isOp(":") {
                let body = try block(after: "'with' statement", line: start.line)
                return Stmt(kind: .with(body: body, isAsync: isAsync), span: span(from: start))
            }
            p = save
        }
        try withItems(closing: false)
        let body = try block(after: "'with' statement", line: start.line)
        return Stmt(kind: .with(body: body, isAsync: isAsync), span: span(from: start))
    }

    mutating func withItems(closing: Bool) throws {
        repeat {
            if closing && isOp(")") { break }
            _ = try expression()
            if acceptKw("as") {
                let t = cur
                let items = try targetListUntilWithEnd()
                let target = items.count == 1 && prevTok.text != "," ? items[0] : try mk(.tuple(items), span(from: t), items: items)
                try validateTarget(target, ctx: .with)
            }
        } while acceptOp(",")
    }

    /// A single with-target (a star_target); tuples need parentheses.
    mutating func targetListUntilWithEnd() throws -> [Expr] {
        if isOp("*") {
            let t = advance()
            let e = try bitwiseOr()
            return [try mk(.starred(e), span(from: t), e)]
        }
        return [try bitwiseOr()]
    }

    // MARK: match statement (soft keyword)

    mutating func matchStatement() throws -> Stmt? {
        let save = p
        let t = advance()
        // Decide by shape: `match SUBJECT ':' NEWLINE INDENT 'case'`.
        do {
            if atStmtEnd || isOp("=") || isOp(".") || (toks[p].kind == .op && Parser.isAugOp(toks[p].code)) { p = save; return nil }
            let first = isOp("*") ? try starNamedExpression() : try namedExpression()
            if isOp(",") {
                while acceptOp(",") { if isOp(":") { break }; _ = try starNamedExpression() }
            }
            _ = first
            guard isOp(":"), peekTok(1).kind == .newline else { p = save; return nil }
        } catch {
            p = save
            return nil
        }
        p += 1  // ':'
        guard cur.kind == .newline else { throw error() }
        p += 1
        guard cur.kind == .indent else { throw error("expected an indented block after 'match' statement on line \(t.line)", kind: .indentation) }
        p += 1
        var cases: [MatchCase] = []
        while isKw("case") || (cur.kind == .name && cur.text == "case") {
            let c = advance()
            try patterns()
            if acceptKw("if") { _ = try namedExpression() }
            let body = try block(after: "'case' statement", line: c.line)
            cases.append(MatchCase(body: body, span: span(from: c)))
        }
        if cases.isEmpty { throw error() }
        guard cur.kind == .dedent else { throw error() }
        p += 1
        return Stmt(kind: .match(cases: cases), span: span(from: t))
    }

    mutating func patterns() throws {
        // open_sequence_pattern | pattern
        try maybeStarPattern()
        if isOp(",") {
            while acceptOp(",") {
                if isOp(":") || isKw("if") { break }
                try maybeStarPattern()
            }
        }
    }

    mutating func maybeStarPattern() throws {
        if acceptOp("*") { _ = try ident(); return }
        try pattern()
    }

    mutating func pattern() throws {
        try enter()
        defer { nest -= 1 }
        try closedPattern()
        while acceptOp("|") { try closedPattern() }
        if acceptKw("as") {
            let n = try ident()
            if n == "_" { throw error("cannot use '_' as a target") }
        }
    }

    mutating func closedPattern() throws {
        if isOp("-") || cur.kind == .number {
            _ = acceptOp("-")
            guard cur.kind == .number else { throw error() }
            p += 1
            if isOp("+") || isOp("-") {
                p += 1
                guard cur.kind == .number, cur.text.lowercased().hasSuffix("j") else { throw error("imaginary number required in complex literal") }
                p += 1
            }
            return
        }
        if cur.kind == .string {
            _ = try strings()
            return
        }
        if isKw("None") || isKw("True") || isKw("False") { p += 1; return }
        if acceptOp("(") {
            if acceptOp(")") { return }
            try maybeStarPattern()
            if isOp(",") {
                while acceptOp(",") { if isOp(")") { break }; try maybeStarPattern() }
            }
            try expectOp(")")
            return
        }
        if acceptOp("[") {
            while !isOp("]") {
                try maybeStarPattern()
                if !acceptOp(",") { break }
            }
            try expectOp("]")
            return
        }
        if acceptOp("{") {
            while !isOp("}") {
                if acceptOp("**") { _ = try ident() } else {
                    // key: literal or value pattern
                    if cur.kind == .string { _ = try strings() }
                    else if isOp("-") || cur.kind == .number { try closedPattern() }
                    else if isKw("None") || isKw("True") || isKw("False") { p += 1 }
                    else { _ = try ident(); guard isOp(".") else { throw error() }; while acceptOp(".") { _ = try ident() } }
                    try expectOp(":")
                    try pattern()
                }
                if !acceptOp(",") { break }
            }
            try expectOp("}")
            return
        }
        guard isIdent else { throw error() }
        p += 1
        while acceptOp(".") { _ = try ident() }
        if acceptOp("(") {
            var sawKeyword = false
            while !isOp(")") {
                if isIdent && peekTok(1).text == "=" && peekTok(1).kind == .op {
                    p += 2
                    try pattern()
                    sawKeyword = true
                } else {
                    if sawKeyword { throw error("positional patterns follow keyword patterns") }
                    try pattern()
                }
                if !acceptOp(",") { break }
            }
            try expectOp(")")
        }
    }

    // MARK: expressions

    mutating func starExpressions() throws -> Expr {
        let t = cur
        let first = try starExpression()
        guard isOp(",") else { return first }
        var items = [first]
        while acceptOp(",") {
            if !canStartExpression { break }
            items.append(try starExpression())
        }
        return try mk(.tuple(items), span(from: t), items: items)
    }

    var canStartExpression: Bool {
        let t = toks[p]
        switch t.kind {
        case .number, .string: return true
        case .name:
            guard t.isKeyword else { return true }
            switch t.code {
            case Token.code("True"), Token.code("False"), Token.code("None"), Token.code("lambda"), Token.code("not"), Token.code("await"),
                 Token.code("yield"): return true
            default: return false
            }
        case .op:
            switch t.code {
            case Token.code("("), Token.code("["), Token.code("{"), Token.code("-"), Token.code("+"), Token.code("~"), Token.code("*"),
                 Token.code("..."): return true
            default: return false
            }
        default: return false
        }
    }

    mutating func starExpression() throws -> Expr {
        if isOp("*") {
            let t = advance()
            let e = try bitwiseOr()
            return try mk(.starred(e), span(from: t), e)
        }
        return try expression()
    }

    mutating func starNamedExpression() throws -> Expr {
        if isOp("*") {
            let t = advance()
            let e = try bitwiseOr()
            return try mk(.starred(e), span(from: t), e)
        }
        return try namedExpression()
    }

    mutating func namedExpression() throws -> Expr {
        if toks[p].kind == .name && peekTok(1).kind == .op && peekTok(1).code == Parser.opWalrus {
            let t = cur
            guard isIdent else { throw error("cannot use assignment expressions with \(cur.text)") }
            let target = try mk(.name(advance().text), span(from: t), [])
            p += 1
            let value = try expression()
            return try mk(.namedExpr(target, value), span(from: t), target, value)
        }
        let e = try expression()
        if isOp(":=") {
            throw PySyntaxError("cannot use assignment expressions with \(describe(e))", line: e.span.line, col: e.span.col)
        }
        return e
    }

    mutating func expression() throws -> Expr {
        try enter()
        defer { nest -= 1 }
        if leafBeforeTerminator { return try atom() }
        if isKw("lambda") { return try lambdef() }
        let t = p
        let body = try disjunction()
        if isKw("if") {
            p += 1
            let test = try disjunction()
            guard acceptKw("else") else { throw error("expected 'else' after 'if' expression") }
            let orelse = try expression()
            return try mk(.other("IfExp"), span(from: t), [test, body, orelse])
        }
        return body
    }

    /// A name, number, string, True, False or None followed by a token that no operator
    /// level continues with: every level would return the atom as it is, so go to it directly.
    var leafBeforeTerminator: Bool {
        switch toks[p].kind {  // fields, not a Token copy (its strings would be retained)
        case .number, .string: break
        case .name:
            let c = toks[p].code
            if toks[p].isKeyword && c != Parser.kwTrue && c != Parser.kwFalse && c != Parser.kwNone { return false }
        default: return false
        }
        guard p + 1 < toks.count else { return false }
        switch toks[p + 1].kind {
        case .newline: return true
        case .op:
            switch toks[p + 1].code {
            case Token.code(")"), Token.code("]"), Token.code("}"), Token.code(","), Token.code(":"), Token.code("="): return true
            default: return false
            }
        default: return false
        }
    }

    mutating func lambdef() throws -> Expr {
        let t = advance()
        _ = try parameters(closing: ":", annotations: false)
        try expectOp(":")
        let body = try expression()
        return try mk(.other("Lambda"), span(from: t), [body])
    }

    mutating func disjunction() throws -> Expr {
        let t = p
        let first = try conjunction()
        guard isKw("or") else { return first }
        var items = [first]
        while acceptKw("or") { items.append(try conjunction()) }
        return try mk(.other("BoolOp"), span(from: t), items: items)
    }

    mutating func conjunction() throws -> Expr {
        let t = p
        let first = try inversion()
        guard isKw("and") else { return first }
        var items = [first]
        while acceptKw("and") { items.append(try inversion()) }
        return try mk(.other("BoolOp"), span(from: t), items: items)
    }

    mutating func inversion() throws -> Expr {
        if isKw("not") {
            let t = advance()
            try enter()
            defer { nest -= 1 }
            let e = try inversion()
            return try mk(.unaryOp("not", e), span(from: t), e)
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let t = p
        let first = try bitwiseOr()
        // Most expressions compare nothing: no list for them.
        let kind = toks[p].kind
        guard (kind == .op && Parser.isCompareOp(toks[p].code)) || (kind == .name && Parser.isCompareWord(toks[p].code)) else { return first }
        var items = [first]
        while true {
            if toks[p].kind == .op && Parser.isCompareOp(toks[p].code) {
                p += 1
            } else if isKw("in") {
                p += 1
            } else if isKw("not") && peekTok(1).kind == .name && peekTok(1).text == "in" {
                p += 2
            } else if isKw("is") {
                p += 1
                _ = acceptKw("not")
            } else {
                break
            }
            items.append(try bitwiseOr())
        }
        if items.count == 1 { return first }
        return try mk(.other("Compare"), span(from: t), items: items)
    }

    /// Binding power of a binary operator token between `|` (1) and `*` (6); 0 for others.
    @inline(__always)
    func binaryPrecedence(_ i: Int) -> Int {
        guard toks[i].kind == .op else { return 0 }
        switch toks[i].code {
        case Parser.opOr: return 1
        case Parser.opXor: return 2
        case Parser.opAnd: return 3
        case Parser.opShl, Parser.opShr: return 4
        case Parser.opPlus, Parser.opMinus: return 5
        case Parser.opStar, Parser.opSlash, Parser.opFloorDiv, Parser.opPercent, Parser.opAt: return 6
        default: return 0
        }
    }

    /// Python's `bitwise_or` through `term` by precedence climbing: the same left-associative
    /// trees as one grammar rule per level, in one loop instead of six nested calls per operand.
    mutating func binary(above minimum: Int) throws -> Expr {
        let t = p
        var left = try factor()
        while true {
            let prec = binaryPrecedence(p)
            if prec < minimum || prec == 0 { return left }
            let op = toks[p].text
            p += 1
            let right = try binary(above: prec + 1)
            left = try mk(.binOp(left, op, right), span(from: t), left, right)
        }
    }

    static var opOr: UInt64 { Token.code("|") }
    static var opXor: UInt64 { Token.code("^") }
    static var opAnd: UInt64 { Token.code("&") }
    static var opShl: UInt64 { Token.code("<<") }
    static var opShr: UInt64 { Token.code(">>") }
    static var opPlus: UInt64 { Token.code("+") }
    static var opMinus: UInt64 { Token.code("-") }
    static var opStar: UInt64 { Token.code("*") }
    static var opSlash: UInt64 { Token.code("/") }
    static var opFloorDiv: UInt64 { Token.code("//") }
    static var opPercent: UInt64 { Token.code("%") }
    static var opAt: UInt64 { Token.code("@") }
    static var opTilde: UInt64 { Token.code("~") }

    static func isCompareOp(_ code: UInt64) -> Bool {
        switch code {
        case Token.code("=="), Token.code("!="), Token.code("<"), Token.code("<="), Token.code(">"), Token.code(">="): return true
        default: return false
        }
    }

    static func isCompareWord(_ code: UInt64) -> Bool {
        switch code {
        case Token.code("in"), Token.code("not"), Token.code("is"): return true
        default: return false
        }
    }

    mutating func bitwiseOr() throws -> Expr { try binary(above: 1) }

    mutating func factor() throws -> Expr {
        if toks[p].kind == .op && (toks[p].code == Parser.opPlus || toks[p].code == Parser.opMinus || toks[p].code == Parser.opTilde) {
            let t = advance()
            try enter()
            defer { nest -= 1 }
            let e = try factor()
            return try mk(.unaryOp(t.text, e), span(from: t), e)
        }
        return try power()
    }

    mutating func power() throws -> Expr {
        let t = p
        let base = try awaitPrimary()
        if acceptOp("**") {
            try enter()
            defer { nest -= 1 }
            let exp = try factor()
            return try mk(.binOp(base, "**", exp), span(from: t), base, exp)
        }
        return base
    }

    mutating func awaitPrimary() throws -> Expr {
        if isKw("await") {
            let t = advance()
            let e = try primary()
            return try mk(.other("Await"), span(from: t), e)
        }
        return try primary()
    }

    mutating func primary() throws -> Expr {
        let t = p
        var e = try atom()
        while true {
            if acceptOp(".") {
                let name = try ident()
                e = try mk(.attribute(e, name), span(from: t), e)
            } else if isOp("(") {
                p += 1
                let (args, kws) = try callArguments()
                try expectOp(")")
                var d = e.depth
                for a in args where a.depth > d { d = a.depth }
                for k in kws where k.value.depth > d { d = k.value.depth }
                e = try node(.call(e, args: args, keywords: kws), span(from: t), below: d)
            } else if isOp("[") {
                p += 1
                let s = try slices()
                try expectOp("]")
                e = try mk(.subscript(e, s), span(from: t), e, s)
            } else {
                return e
            }
        }
    }

    mutating func slices() throws -> Expr {
        let t = cur
        let first = try sliceItem()
        guard isOp(",") else { return first }
        var items = [first]
        while acceptOp(",") {
            if isOp("]") { break }
            items.append(try sliceItem())
        }
        return try mk(.tuple(items), span(from: t), items: items)
    }

    mutating func sliceItem() throws -> Expr {
        let t = cur
        if isOp("*") { return try starNamedExpression() }
        var kids: [Expr] = []
        if !isOp(":") {
            let e = try namedExpression()
            if !isOp(":") { return e }
            kids.append(e)
        }
        // slice: [lower] ':' [upper] [':' [step]]
        try expectOp(":")
        if !isOp(":") && !isOp("]") && !isOp(",") { kids.append(try expression()) }
        if acceptOp(":") {
            if !isOp("]") && !isOp(",") { kids.append(try expression()) }
        }
        return try mk(.other("Slice"), span(from: t), kids)
    }

    /// Call arguments up to (not including) the closing parenthesis.
    mutating func callArguments() throws -> ([Expr], [Keyword]) {
        var args: [Expr] = []
        var kws: [Keyword] = []
        var sawKeyword = false
        var sawDoubleStar = false
        var bareGenexp = false
        while !isOp(")") {
            let t = cur
            if acceptOp("**") {
                let e = try expression()
                kws.append(Keyword(arg: nil, value: e))
                sawDoubleStar = true
            } else if acceptOp("*") {
                if sawDoubleStar { throw error("iterable argument unpacking follows keyword argument unpacking", at: t) }
                let e = try expression()
                args.append(try mk(.starred(e), span(from: t), e))
            } else if cur.kind == .name && peekTok(1).kind == .op && peekTok(1).text == "=" {
                guard isIdent else {
                    if cur.text == "True" || cur.text == "False" || cur.text == "None" { throw error("cannot assign to \(cur.text)") }
                    throw error()
                }
                let name = advance().text
                p += 1
                let e = try expression()
                kws.append(Keyword(arg: name, value: e))
                sawKeyword = true
            } else {
                let e = try namedExpression()
                if isKw("for") || (isKw("async") && peekTok(1).text == "for") {
                    let g = try comprehension(element: e, start: t, kind: "GeneratorExp", extra: [])
                    if !args.isEmpty || !kws.isEmpty || isOp(",") && peekTok(1).text != ")" {
                        throw error("Generator expression must be parenthesized", at: t)
                    }
                    args.append(g)
                    bareGenexp = true
                } else {
                    if isOp("=") { throw error("expression cannot contain assignment, perhaps you meant \"==\"?", at: t) }
                    if sawDoubleStar { throw error("positional argument follows keyword argument unpacking", at: t) }
                    if sawKeyword { throw error("positional argument follows keyword argument", at: t) }
                    args.append(e)
                }
            }
            if !acceptOp(",") { break }
            if bareGenexp && !isOp(")") {
                throw error("Generator expression must be parenthesized")
            }
        }
        return (args, kws)
    }

    mutating func comprehension(element: Expr, start: Token, kind: String, extra: [Expr]) throws -> Expr {
        let kids = try comprehensionKids(element: element, extra: extra)
        return try mk(.other(kind), span(from: start), kids)
    }

    /// Element (and value) then each generator's target, iterable and conditions.
    mutating func comprehensionKids(element: Expr, extra: [Expr]) throws -> [Expr] {
        var kids: [Expr] = [element] + extra
        repeat {
            _ = acceptKw("async")
            try expectKw("for")
            let target = try forTargets()
            try validateTarget(target, ctx: .comprehension)
            try expectKw("in")
            kids.append(target)
            kids.append(try disjunction())
            while acceptKw("if") { kids.append(try disjunction()) }
        } while isKw("for") || (isKw("async") && peekTok(1).text == "for")
        return kids
    }

    mutating func yieldExpr() throws -> Expr {
        let t = advance()
        if acceptKw("from") {
            let e = try expression()
            return try mk(.other("YieldFrom"), span(from: t), e)
        }
        if canStartExpression && !isOp(")") {
            let e = try starExpressions()
            return try mk(.other("Yield"), span(from: t), e)
        }
        return try mk(.other("Yield"), span(from: t), [])
    }

    mutating func atom() throws -> Expr {
        let t = p
        switch toks[p].kind {
        case .name:
            switch toks[p].code {
            case Parser.kwTrue: p += 1; return try node(.constant(.bool(true)), span(from: t), below: 0)
            case Parser.kwFalse: p += 1; return try node(.constant(.bool(false)), span(from: t), below: 0)
            case Parser.kwNone: p += 1; return try node(.constant(.none), span(from: t), below: 0)
            default:
                guard isIdent else { throw error() }
                p += 1
                return try node(.name(toks[t].text), span(from: t), below: 0)
            }
        case .number:
            p += 1
            return try node(.constant(try Parser.number(toks[t])), span(from: t), below: 0)
        case .string:
            return try strings()
        case .op:
            switch toks[p].code {
            case Parser.opEllipsis:
                p += 1
                return try node(.constant(.ellipsis), span(from: t), below: 0)
            case Parser.opLParen: return try parenthesized()
            case Parser.opLBracket: return try listDisplay()
            case Parser.opLBrace: return try braceDisplay()
            default: throw error()
            }
        default:
            throw error()
        }
    }

    mutating func parenthesized() throws -> Expr {
        let t = advance()
        try enter()
        defer { nest -= 1 }
        if acceptOp(")") { return try mk(.tuple([]), span(from: t), []) }
        if isKw("yield") {
            let y = try yieldExpr()
            try expectOp(")")
            return y
        }
        let first = try starNamedExpression()
        if isKw("for") || (isKw("async") && peekTok(1).text == "for") {
            if case .starred = first.kind { throw error("iterable unpacking cannot be used in comprehension") }
            let kids = try comprehensionKids(element: first, extra: [])
            try expectOp(")")
            return try mk(.other("GeneratorExp"), span(from: t), kids)
        }
        if isOp(")") {
            p += 1
            if case .starred = first.kind { throw PySyntaxError("cannot use starred expression here", line: first.span.line, col: first.span.col) }
            return first
        }
        guard isOp(",") else {
            if cur.kind == .name || cur.kind == .number || cur.kind == .string {
                throw error("invalid syntax. Perhaps you forgot a comma?")
            }
            throw error("'(' was never closed")
        }
        var items = [first]
        while acceptOp(",") {
            if isOp(")") { break }
            items.append(try starNamedExpression())
        }
        try expectOp(")")
        return try mk(.tuple(items), span(from: t), items: items)
    }

    mutating func listDisplay() throws -> Expr {
        let t = advance()
        try enter()
        defer { nest -= 1 }
        if acceptOp("]") { return try mk(.list([]), span(from: t), []) }
        let first = try starNamedExpression()
        if isKw("for") || (isKw("async") && peekTok(1).text == "for") {
            if case .starred = first.kind { throw error("iterable unpacking cannot be used in comprehension") }
            let kids = try comprehensionKids(element: first, extra: [])
            try expectOp("]")
            return try mk(.other("ListComp"), span(from: t), kids)
        }
        var items = [first]
        while acceptOp(",") {
            if isOp("]") { break }
            items.append(try starNamedExpression())
        }
        guard acceptOp("]") else { throw missingCommaOr("[", after: items.last) }
        return try mk(.list(items), span(from: t), items: items)
    }

    /// Python points a missing comma at the element before it.
    func missingCommaOr(_ open: String, after prev: Expr?) -> PySyntaxError {
        if cur.kind == .name || cur.kind == .number || cur.kind == .string || isOp("{") || isOp("[") || isOp("(") {
            if let prev { return PySyntaxError("invalid syntax. Perhaps you forgot a comma?", line: prev.span.line, col: prev.span.col) }
            return error("invalid syntax. Perhaps you forgot a comma?")
        }
        return error()
    }

    mutating func braceDisplay() throws -> Expr {
        let t = advance()
        try enter()
        defer { nest -= 1 }
        if acceptOp("}") { return try mk(.dict(keys: [], values: []), span(from: t), []) }
        var keys: [Expr?] = []
        var values: [Expr] = []
        // First entry decides dict vs set.
        if acceptOp("**") {
            values.append(try bitwiseOr())
            keys.append(nil)
        } else {
            let first = try starNamedExpression()
            if isOp(":") {
                if case .starred = first.kind { throw error() }
                p += 1
                let v = try expression()
                if isKw("for") || (isKw("async") && peekTok(1).text == "for") {
                    let kids = try comprehensionKids(element: first, extra: [v])
                    try expectOp("}")
                    return try mk(.other("DictComp"), span(from: t), kids)
                }
                keys.append(first)
                values.append(v)
            } else {
                // set display or set comprehension
                if isKw("for") || (isKw("async") && peekTok(1).text == "for") {
                    if case .starred = first.kind { throw error("iterable unpacking cannot be used in comprehension") }
                    let kids = try comprehensionKids(element: first, extra: [])
                    try expectOp("}")
                    return try mk(.other("SetComp"), span(from: t), kids)
                }
                var items = [first]
                while acceptOp(",") {
                    if isOp("}") { break }
                    items.append(try starNamedExpression())
                }
                guard acceptOp("}") else { throw missingCommaOr("{", after: items.last) }
                return try mk(.set(items), span(from: t), items: items)
            }
        }
        while acceptOp(",") {
            if isOp("}") { break }
            if acceptOp("**") {
                values.append(try bitwiseOr())
                keys.append(nil)
            } else {
                let k = try expression()
                guard acceptOp(":") else {
                    if isOp("}") || isOp(",") { throw error("':' expected after dictionary key") }
                    throw error()
                }
                keys.append(k)
                values.append(try expression())
            }
        }
        guard acceptOp("}") else { throw missingCommaOr("{", after: keys.last.flatMap { $0 } ?? values.last) }
        var kids: [Expr?] = keys
        kids += values.map { Optional($0) }
        return try mk(.dict(keys: keys, values: values), span(from: t), kids)
    }

    /// Adjacent string tokens: one Constant (str or bytes) or a JoinedStr.
    mutating func strings() throws -> Expr {
        let t = cur
        var sawBytes = false, sawText = false
        var sawF = false
        func decode(_ tok: Token) throws -> StringLiteral.Decoded {
            let d = try StringLiteral.decode(tok, src) { text, line, col in
                try Parser.parseFStringExpression(text, line: line, col: col)
            }
            switch d {
            case .bytes: sawBytes = true
            case .str: sawText = true
            case .fstring: sawText = true; sawF = true
            }
            if sawBytes && sawText { throw error("cannot mix bytes and nonbytes literals", at: tok) }
            return d
        }
        // Most literals are one token: its value is the constant, with no joining.
        let first = try decode(advance())
        if cur.kind != .string {
            switch first {
            case .str(let s): return try mk(.constant(.str(s)), span(from: t), [])
            case .bytes(let b): return try mk(.constant(.bytes(b)), span(from: t), [])
            case .fstring: return try mk(.joinedStr, span(from: t), [])
            }
        }
        var parts = [first]
        while cur.kind == .string { parts.append(try decode(advance())) }
        if sawF { return try mk(.joinedStr, span(from: t), []) }
        if sawBytes {
            var all: [UInt8] = []
            for case .bytes(let b) in parts { all += b }
            return try mk(.constant(.bytes(all)), span(from: t), [])
        }
        var all: [UInt32] = []
        for case .str(let s) in parts { all += s }
        return try mk(.constant(.str(all)), span(from: t), [])
    }

    /// Parse an f-string `{...}` expression part the way 3.11 does: as `(text)`.
    static func parseFStringExpression(_ text: [UInt32], line: Int, col: Int) throws {
        if isSimplePrimary(text) { return }
        let wrapped: [UInt32] = [0x28] + text + [0x29]
        let src = try SourceText(bytes: Array(PyStr.string(wrapped).utf8), sizeLimit: Int.max)
        do {
            let toks = try Tokenizer.tokenize(src)
            var parser = Parser(tokens: toks, source: src)
            _ = try parser.starExpressions()
            guard parser.cur.kind == .newline || parser.cur.kind == .endmarker else { throw parser.error("f-string: invalid syntax") }
        } catch let e as PySyntaxError {
            if e.code == .parserLimit { throw e }
            throw PySyntaxError(e.message.hasPrefix("f-string") ? e.message : "f-string: " + e.message, line: line, col: col)
        }
    }

    /// A plain primary, the usual f-string part, so the full parse is skipped: at most 200
    /// characters, spaces around, no spaces inside; an ASCII identifier that is not a keyword,
    /// then any of `.name`, `[atom]` and `(atom, …)`, where an atom is such an identifier, a
    /// decimal integer without leading zeros, or a one-line quoted string with no backslash.
    /// Always a valid expression.
    static func isSimplePrimary(_ text: [UInt32]) -> Bool {
        var lo = 0, hi = text.count
        while lo < hi && text[lo] == 0x20 { lo += 1 }
        while hi > lo && text[hi - 1] == 0x20 { hi -= 1 }
        guard lo < hi, hi - lo <= 200 else { return false }  // short, so far from any depth limit
        var k = lo
        func name() -> Bool {
            let start = k
            while k < hi {
                let c = text[k]
                guard (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (k > start && c >= 0x30 && c <= 0x39) else { break }
                k += 1
            }
            return k > start && !keywordCodes.contains(Token.pack(text[start..<k]))
        }
        func atom() -> Bool {
            guard k < hi else { return false }
            let c = text[k]
            if c == 0x27 || c == 0x22 {
                k += 1
                while k < hi && text[k] != c {
                    if text[k] == 0x5C || text[k] == 0x0A || text[k] == 0x0D { return false }
                    k += 1
                }
                guard k < hi else { return false }
                k += 1
                return true
            }
            if c >= 0x30 && c <= 0x39 {
                let start = k
                while k < hi && text[k] >= 0x30 && text[k] <= 0x39 { k += 1 }
                // "0" or no leading zero; a letter or dot right after would be another token.
                guard text[start] != 0x30 || k - start == 1 else { return false }
                return k == hi || !(text[k] == 0x2E || text[k] == 0x5F || (text[k] | 0x20) >= 0x61 && (text[k] | 0x20) <= 0x7A)
            }
            return name()
        }
        guard name() else { return false }
        while k < hi {
            switch text[k] {
            case 0x2E:
                k += 1
                guard name() else { return false }
            case 0x5B:
                k += 1
                guard atom(), k < hi, text[k] == 0x5D else { return false }
                k += 1
            case 0x28:
                k += 1
                if k < hi && text[k] == 0x29 { k += 1; continue }
                while true {
                    guard atom(), k < hi else { return false }
                    if text[k] == 0x29 { k += 1; break }
                    guard text[k] == 0x2C else { return false }
                    k += 1
                    if k < hi && text[k] == 0x20 { k += 1 }
                }
            default:
                return false
            }
        }
        return true
    }

    static func number(_ t: Token) throws -> PyConstant {
        let text = t.text.utf8.contains(UInt8(ascii: "_")) ? String(t.text.filter { $0 != "_" }) : t.text
        let lower = text.lowercased()
        if lower.hasSuffix("j") {
            return .complex(0, Double(String(lower.dropLast())) ?? .infinity)
        }
        if lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix("0b") {
            let radix = lower.hasPrefix("0x") ? 16 : lower.hasPrefix("0o") ? 8 : 2
            return .int(BigDecimalText(BigUInt.parse(String(lower.dropFirst(2)), radix: radix).decimalString))
        }
        if lower.utf8.contains(UInt8(ascii: ".")) || lower.utf8.contains(UInt8(ascii: "e")) {
            return .float(Double(lower) ?? .infinity)
        }
        if text.count > 4300 {
            throw PySyntaxError("Exceeds the limit (4300 digits) for integer string conversion: value has \(text.count) digits; use sys.set_int_max_str_digits() to increase the limit", line: t.line, col: t.col)
        }
        var digits = Substring(text)
        while digits.count > 1 && digits.first == "0" { digits = digits.dropFirst() }
        return .int(BigDecimalText(String(digits)))
    }
}

/// Minimal unsigned big integer: enough to turn hex/octal/binary literals into decimal text.
struct BigUInt {
    var limbs: [UInt32] = []  // little-endian base 2^32

    static func parse(_ s: String, radix: Int) -> BigUInt {
        var n = BigUInt()
        for ch in s.unicodeScalars {
            guard let d = Int(String(ch), radix: radix) else { continue }
            n.mulAdd(UInt32(radix), UInt32(d))
        }
        return n
    }

    mutating func mulAdd(_ m: UInt32, _ a: UInt32) {
        var carry = UInt64(a)
        for k in limbs.indices {
            let v = UInt64(limbs[k]) * UInt64(m) + carry
            limbs[k] = UInt32(truncatingIfNeeded: v)
            carry = v >> 32
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    /// Divide in place by `d`, returning the remainder.
    mutating func divRem(_ d: UInt32) -> UInt32 {
        var rem: UInt64 = 0
        for k in limbs.indices.reversed() {
            let v = (rem << 32) | UInt64(limbs[k])
            limbs[k] = UInt32(v / UInt64(d))
            rem = v % UInt64(d)
        }
        while limbs.last == 0 { limbs.removeLast() }
        return UInt32(rem)
    }

    var decimalString: String {
        var n = self
        while n.limbs.last == 0 { n.limbs.removeLast() }
        if n.limbs.isEmpty { return "0" }
        var chunks: [UInt32] = []
        while !n.limbs.isEmpty { chunks.append(n.divRem(1_000_000_000)) }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let part = String(c)
            s += String(repeating: "0", count: 9 - part.count) + part
        }
        return s
    }
}
