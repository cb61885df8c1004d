import Foundation

/// The outcome of reading one module-level dunder (`__manifest__`, `__card__`, ...)
/// the way the reference does: first plain assignment in breadth-first order, then `literal_eval`.
public struct DunderResult: Sendable {
    /// The evaluated value when there is one (None counts as an error: `none_value`).
    public var value: PyValue?
    /// `decode_error`, `null_bytes`, `syntax_error`, `parser_limit`, `not_found`,
    /// `not_literal`, `unhashable`, `none_value` or `too_large`.
    public var errorCode: String?
    /// Python-style error text.
    public var error: String?
    /// Line of the chosen assignment statement.
    public var stmtLine: Int?
    /// Value span: [line, byteCol, endLine, endByteCol] (as Python's ast reports it).
    public var span: [Int]?
    /// Where the error points, when known (1-based line, 0-based scalar column).
    public var errorLine: Int?
    public var errorCol: Int?
    /// The assignment's value node (for diagnostics that point inside it).
    public var valueNode: Expr?
}

/// A parsed agent file: the source text, the module AST, or why it could not be read.
public struct AgentFile: Sendable {
    public let path: String
    public let bytes: [UInt8]
    public let source: SourceText?
    public let module: Module?
    /// Set when the file could not be decoded or parsed.
    public let parseError: PySyntaxError?
    /// `__manifest__` and `dunders`, read once (one walk of the module, one evaluation each).
    private let known: [String: DunderResult]

    public static let dunders = ["__card__", "__swarm__", "__source__"]

    /// Read and parse; never throws. `sizeLimit` guards against hostile input.
    public init(path: String, bytes: [UInt8], sizeLimit: Int = SourceText.defaultSizeLimit) {
        self.path = path
        self.bytes = bytes
        var src: SourceText?
        var mod: Module?
        var perr: PySyntaxError?
        do {
            let s = try SourceText(bytes: bytes, sizeLimit: sizeLimit)
            src = s
            mod = try AgentFile.parseOnBigStack(s)
        } catch let e as PySyntaxError {
            perr = e
        } catch {
            perr = PySyntaxError("\(error)", line: 1, col: 0)
        }
        source = src
        module = mod
        parseError = perr
        known = AgentFile.readKnown(module: mod, source: src, parseError: perr)
    }

    public init(path: String, sizeLimit: Int = SourceText.defaultSizeLimit) throws {
        let url = URL(fileURLWithPath: path)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        if let size = attrs[.size] as? Int, size > sizeLimit {
            self.init(path: path, bytes: [], sizeLimit: sizeLimit, tooLarge: size)
            return
        }
        let data = try Data(contentsOf: url)
        self.init(path: path, bytes: [UInt8](data), sizeLimit: sizeLimit)
    }

    private init(path: String, bytes: [UInt8], sizeLimit: Int, tooLarge size: Int) {
        self.path = path
        self.bytes = bytes
        source = nil
        module = nil
        let e = PySyntaxError("file is \(size) bytes, over the \(sizeLimit)-byte limit", line: 1, col: 0, code: .tooLarge)
        parseError = e
        known = AgentFile.readKnown(module: nil, source: nil, parseError: e)
    }

    /// Parse on a thread with a large stack so hostile nesting cannot overflow it.
    static func parseOnBigStack(_ src: SourceText) throws -> Module {
        try BigStack.shared.run {
            let toks = try Tokenizer.tokenize(src)
            var parser = Parser(tokens: toks, source: src)
            return try parser.parseModule()
        }
    }

    // MARK: dunders

    public var manifest: DunderResult { dunder("__manifest__") ?? DunderResult(errorCode: "not_found", error: "no `__manifest__ = ...` assignment (ast.Assign) found") }

    /// nil when the file parses and has no assignment to `name`.
    public func dunder(_ name: String) -> DunderResult? {
        if let r = known[name] { return r }
        if AgentFile.knownNames.contains(name) { return nil }
        return AgentFile.readDunder(name, module: module, source: source, parseError: parseError)
    }

    static let knownNames: Set<String> = Set(["__manifest__"] + dunders)

    static func readKnown(module: Module?, source: SourceText?, parseError: PySyntaxError?) -> [String: DunderResult] {
        var out: [String: DunderResult] = [:]
        if parseError != nil {
            for n in knownNames { out[n] = readDunder(n, module: module, source: source, parseError: parseError) }
            return out
        }
        guard let module, let source else { return out }
        for (name, assign) in firstAssignments(to: knownNames, in: module) {
            out[name] = evaluate(name, assign, source: source)
        }
        return out
    }

    static func readDunder(_ name: String, module: Module?, source: SourceText?, parseError: PySyntaxError?) -> DunderResult? {
        if let e = parseError {
            return DunderResult(errorCode: e.code.rawValue, error: e.description, errorLine: e.line, errorCol: e.col)
        }
        guard let module, let source else { return nil }
        guard let assign = firstAssignments(to: [name], in: module)[name] else { return nil }
        return evaluate(name, assign, source: source)
    }

    /// `literal_eval` of the value of the chosen assignment.
    static func evaluate(_ name: String, _ assign: (Stmt, Expr), source: SourceText) -> DunderResult {
        let (_, value) = assign
        var r = DunderResult()
        r.stmtLine = assign.0.span.line
        r.span = [value.span.line, source.byteColumn(line: value.span.line, col: value.span.col),
                  value.span.endLine, source.byteColumn(line: value.span.endLine, col: value.span.endCol)]
        r.valueNode = value
        do {
            let v = try LiteralEval.eval(value)
            if case .none = v {
                r.errorCode = "none_value"
                r.error = "`\(name)` evaluates to None (the reference treats this as 'no \(name)')"
                r.errorLine = value.span.line
                r.errorCol = value.span.col
            } else {
                r.value = v
            }
        } catch let e as LiteralError {
            switch e {
            case .notLiteral(_, let l, let c):
                r.errorCode = "not_literal"
                r.errorLine = l ?? value.span.line
                r.errorCol = c ?? value.span.col
            case .unhashable(_, let l, let c):
                r.errorCode = "unhashable"
                r.errorLine = l
                r.errorCol = c
            }
            r.error = e.message
        } catch {
            r.errorCode = "not_literal"
            r.error = "\(error)"
        }
        return r
    }

    /// For each name, the first `ast.Assign` with a Name target of that name, in `ast.walk`
    /// (breadth-first) order.
    static func firstAssignments(to names: Set<String>, in module: Module) -> [String: (Stmt, Expr)] {
        var found: [String: (Stmt, Expr)] = [:]
        walkStatements(module) { s in
            if case .assign(let targets, let value) = s.kind {
                for t in targets {
                    if case .name(let n) = t.kind, names.contains(n), found[n] == nil { found[n] = (s, value) }
                }
            }
            return found.count < names.count
        }
        return found
    }

    /// Visit every statement breadth-first, in the order `ast.walk` meets them.
    /// The visitor returns false to stop.
    public static func walkStatements(_ module: Module, _ visit: (Stmt) -> Bool) {
        enum Item { case stmt(Stmt), block([Stmt]) }
        var queue: [Item] = module.body.map { .stmt($0) }
        var head = 0
        while head < queue.count {
            let item = queue[head]
            head += 1
            switch item {
            case .block(let body):
                queue.append(contentsOf: body.map { .stmt($0) })
            case .stmt(let s):
                if !visit(s) { return }
                switch s.kind {
                case .functionDef(_, _, let body, _, _), .classDef(_, _, _, let body, _), .with(let body, _):
                    queue.append(contentsOf: body.map { .stmt($0) })
                case .ifStmt(_, let body, let orelse), .loop(_, let body, let orelse):
                    queue.append(contentsOf: (body + orelse).map { .stmt($0) })
                case .tryStmt(let body, let handlers, let orelse, let finalbody):
                    queue.append(contentsOf: body.map { .stmt($0) })
                    queue.append(contentsOf: handlers.map { .block($0.body) })
                    queue.append(contentsOf: (orelse + finalbody).map { .stmt($0) })
                case .match(let cases):
                    queue.append(contentsOf: cases.map { .block($0.body) })
                default: break
                }
            }
        }
    }

    // MARK: docstring

    /// `ast.get_docstring(tree)` (cleaned), or nil.
    public var docstring: String? { docstringCodePoints.map { PyStr.string(AgentFile.cleandoc(codePoints: $0)) } }

    /// The module docstring as written (nil when the first statement is not a plain str).
    public var rawDocstring: String? { docstringCodePoints.map { PyStr.string($0) } }

    private var docstringCodePoints: [UInt32]? {
        guard let first = module?.body.first, case .expr(let e) = first.kind,
              case .constant(.str(let s)) = e.kind else { return nil }
        return s
    }

    /// `inspect.cleandoc`.
    public static func cleandoc(_ doc: String) -> String {
        PyStr.string(cleandoc(codePoints: PyStr.codePoints(doc)))
    }

    /// `inspect.cleandoc` over code points, as Python counts them: tabs expanded, the smallest
    /// indentation of the non-blank lines after the first removed (`str.isspace` whitespace),
    /// the first line left-stripped, blank lines dropped at both ends.
    static func cleandoc(codePoints doc: [UInt32]) -> [UInt32] {
        let t = expandTabs(doc)
        var lines: [Range<Int>] = []
        var start = 0
        for k in t.indices where t[k] == 0x0A {
            lines.append(start..<k)
            start = k + 1
        }
        lines.append(start..<t.count)
        func firstNonSpace(_ r: Range<Int>) -> Int {
            var j = r.lowerBound
            while j < r.upperBound && PyPattern.isSpace(t[j]) { j += 1 }
            return j
        }
        var margin = Int.max
        for r in lines.dropFirst() {
            let j = firstNonSpace(r)
            if j < r.upperBound { margin = min(margin, j - r.lowerBound) }
        }
        lines[0] = firstNonSpace(lines[0])..<lines[0].upperBound
        if margin < Int.max {
            for k in 1..<lines.count { lines[k] = min(lines[k].lowerBound + margin, lines[k].upperBound)..<lines[k].upperBound }
        }
        while let l = lines.last, l.isEmpty { lines.removeLast() }
        let first = lines.firstIndex { !$0.isEmpty } ?? lines.count
        var out: [UInt32] = []
        out.reserveCapacity(t.count)
        for (n, r) in lines[first...].enumerated() {
            if n > 0 { out.append(0x0A) }
            out.append(contentsOf: t[r])
        }
        return out
    }

    /// `str.expandtabs()`: tab stops every 8 code points; the column restarts after `\n` or `\r`.
    static func expandTabs(_ s: [UInt32]) -> [UInt32] {
        guard s.contains(0x09) else { return s }
        var out: [UInt32] = []
        out.reserveCapacity(s.count + 64)
        var col = 0
        for c in s {
            if c == 0x09 {
                let n = 8 - col % 8
                out.append(contentsOf: repeatElement(0x20, count: n))
                col += n
            } else {
                out.append(c)
                col = c == 0x0A || c == 0x0D ? 0 : col + 1
            }
        }
        return out
    }
}

// MARK: - `rar manifest --json` records

extension AgentFile {
    /// One line of `rar manifest --json`: the fixture's fields and encoding.
    public func manifestRecord() -> JSONValue {
        let m = manifest
        var pairs: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("manifest", m.value?.json ?? .null),
            ("manifest_type", m.value.map { .string($0.typeName) } ?? .null),
            ("error_code", m.errorCode.map { .string($0) } ?? .null),
            ("error", m.error.map { .string($0) } ?? .null),
            ("manifest_stmt_line", m.stmtLine.map { .int($0) } ?? .null),
            ("manifest_span", m.span.map { .array($0.map { .int($0) }) } ?? .null),
        ]
        var extras: [(String, JSONValue)] = []
        for name in AgentFile.dunders {
            guard let d = dunder(name) else { continue }
            extras.append((name, .object([
                ("value", d.value?.json ?? .null),
                ("error", d.error.map { .string($0) } ?? .null),
                ("error_code", d.errorCode.map { .string($0) } ?? .null),
            ])))
        }
        pairs.append(("extras", extras.isEmpty ? .null : .object(extras)))
        return .object(pairs)
    }
}
