import Foundation

/// What an agent file is, by name: it decides which rules apply.
public enum AgentFileKind: String, Sendable {
    case agent, card, stub, swarm

    public static func of(path: String) -> AgentFileKind {
        if path.hasSuffix(".py.stub") { return .stub }
        if path.hasSuffix(".py.card") { return .card }
        if path.contains("/swarms/") || path.hasPrefix("swarms/") { return .swarm }
        return .agent
    }
}

/// The result of validating one file.
public struct ValidationReport: Sendable {
    public var file: String
    public var kind: AgentFileKind
    public var diagnostics: [Diagnostic]
    public var manifest: PyValue?
    /// Capability tags (`exec`, `eval`, `dynamic_import`, `compile_exec`).
    public var capabilities: [String]

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
    public var isValid: Bool { errorCount == 0 }

    public var json: JSONValue {
        .object([
            ("file", .string(file)),
            ("kind", .string(kind.rawValue)),
            ("valid", .bool(isValid)),
            ("errors", .int(errorCount)),
            ("warnings", .int(warningCount)),
            ("name", manifest?.get("name")?.string.map { .string($0) } ?? .null),
            ("version", manifest?.get("version")?.string.map { .string($0) } ?? .null),
            ("capabilities", .array(capabilities.map { .string($0) })),
            ("diagnostics", .array(diagnostics.map(\.json))),
        ])
    }
}

/// Static validation of agent files: the reference's rules with their messages, plus the
/// written rules it never enforced. Never runs the agent.
public struct Validator: Sendable {
    public var sizeLimit: Int
    /// Treat warnings as errors.
    public var strict: Bool

    public init(sizeLimit: Int = SourceText.defaultSizeLimit, strict: Bool = false) {
        self.sizeLimit = sizeLimit
        self.strict = strict
    }

    public func validate(path: String, displayPath: String? = nil) -> ValidationReport {
        let shown = displayPath ?? path
        do {
            let file = try AgentFile(path: path, sizeLimit: sizeLimit)
            return validate(file, displayPath: shown)
        } catch {
            return ValidationReport(file: shown, kind: .of(path: path), diagnostics: [
                Diagnostic(rule: "F4", severity: .error, file: shown, message: "cannot read file: \(error.localizedDescription)"),
            ], manifest: nil, capabilities: [])
        }
    }

    public func validate(_ file: AgentFile, displayPath: String? = nil) -> ValidationReport {
        var ctx = Context(file: file, shown: displayPath ?? file.path, kind: .of(path: file.path))
        ctx.run()
        var diags = ctx.diags
        if strict { for k in diags.indices where diags[k].severity == .warning { diags[k].severity = .error } }
        diags.sort { ($0.line, $0.column, $0.severity) < ($1.line, $1.column, $1.severity) }
        return ValidationReport(file: ctx.shown, kind: ctx.kind, diagnostics: diags, manifest: ctx.manifest, capabilities: ctx.capabilities)
    }

    struct Context {
        let file: AgentFile
        let shown: String
        var kind: AgentFileKind
        var diags: [Diagnostic] = []
        var manifest: PyValue?
        var manifestNode: Expr?
        var capabilities: [String] = []
        let fileName: String

        init(file: AgentFile, shown: String, kind: AgentFileKind) {
            self.file = file
            self.shown = shown
            self.kind = kind
            fileName = file.path.split(separator: "/").last.map(String.init) ?? file.path
        }

        mutating func add(_ rule: String, _ sev: Diagnostic.Severity, _ span: Span?, _ message: String, hint: String? = nil) {
            diags.append(Diagnostic(rule: rule, severity: sev, file: shown, line: span?.line ?? 0,
                                    column: (span?.col ?? -1) + 1, message: message, hint: hint))
        }

        mutating func add(_ rule: String, _ sev: Diagnostic.Severity, line: Int, col: Int, _ message: String, hint: String? = nil) {
            diags.append(Diagnostic(rule: rule, severity: sev, file: shown, line: line, column: col + 1, message: message, hint: hint))
        }

        mutating func run() {
            checkFileName()
            if let e = file.parseError {
                fileError(e)
                return
            }
            guard let module = file.module, let source = file.source else { return }
            if module.body.contains(where: { if case .assign(let t, _) = $0.kind { return t.contains { if case .name("__swarm__") = $0.kind { return true }; return false } }; return false }) {
                kind = .swarm
            }
            checkManifest(module)
            if kind == .stub {
                checkStub(module)
            } else {
                if kind == .swarm { checkSwarm() }
                checkClasses(module)
                checkDocstring()
            }
            checkSecurity(source)
        }

        mutating func fileError(_ e: PySyntaxError) {
            switch e.code {
            case .decodeError:
                add("F1", .error, nil, "file is not valid UTF-8 (\(e.message))", hint: "save the file as UTF-8")
            case .nullBytes:
                add("F3", .error, nil, "file contains a NUL byte", hint: "remove the NUL byte; Python refuses to parse such a file")
            case .tooLarge:
                add("F7", .error, nil, "agent file exceeds the size limit: \(e.message)", hint: "split the agent or raise the limit with --max-bytes")
            case .parserLimit:
                add("F8", .error, line: e.line, col: e.col, "expressions nest too deeply for Python to parse", hint: "flatten the expression")
            case .syntaxError:
                if e.message.contains("U+FEFF") && e.line == 1 {
                    add("F2", .error, line: 1, col: 0, "file starts with a UTF-8 byte-order mark; remove it (the registry's parser rejects U+FEFF)",
                        hint: "save the file as UTF-8 without BOM")
                } else {
                    add("F4", .error, line: e.line, col: e.col, "Python syntax error: \(e.kind == .syntax ? "" : e.kind.rawValue + ": ")\(e.message)",
                        hint: "the registry parses the whole file as Python 3.11; fix the syntax error")
                }
            }
        }

        mutating func checkFileName() {
            var stem = fileName
            for ext in [".py.stub", ".py.card", ".py"] where stem.hasSuffix(ext) { stem = String(stem.dropLast(ext.count)); break }
            if stem.utf8.contains(UInt8(ascii: "-")) {
                let fixed = stem.replacingOccurrences(of: "-", with: "_")
                add("F5", .error, nil, "filename contains dashes — rename to snake_case (e.g., \(fixed).py)", hint: "rename the file to \(fixed).py")
            }
            if kind == .agent && !fileName.hasSuffix("_agent.py") && fileName.hasSuffix(".py") {
                add("F6", .warning, nil, "filename should end with _agent.py (the brainstem only loads *_agent.py)",
                    hint: "rename the file to \(stem.replacingOccurrences(of: "-", with: "_"))_agent.py")
            }
        }

        // MARK: manifest

        mutating func checkManifest(_ module: Module) {
            let m = file.manifest
            var assignments: [Stmt] = []
            var annotated: Stmt?
            AgentFile.walkStatements(module) { s in
                switch s.kind {
                case .assign(let targets, _):
                    if targets.contains(where: { if case .name("__manifest__") = $0.kind { return true }; return false }) { assignments.append(s) }
                case .annAssign(let t, _):
                    if case .name("__manifest__") = t.kind, annotated == nil { annotated = s }
                default: break
                }
                return true
            }
            guard let first = assignments.first else {
                if let a = annotated {
                    add("M2", .error, a.span, "__manifest__ uses an annotated assignment (line \(a.span.line)); the registry only reads a plain __manifest__ = {...}",
                        hint: "write `__manifest__ = {...}` without the annotation")
                } else {
                    add("M1", .error, nil, "no module-level __manifest__ = {...} assignment found",
                        hint: "add `__manifest__ = {\"schema\": \"rapp-agent/1.0\", \"name\": \"@publisher/slug\", ...}` at module level")
                }
                return
            }
            if !module.body.contains(where: { $0.span == first.span }) {
                add("M3", .warning, first.span, "__manifest__ must be assigned at module level (found inside a block at line \(first.span.line))",
                    hint: "move the assignment to the top level of the file")
            }
            if assignments.count > 1 {
                let lines = assignments.map { String($0.span.line) }.joined(separator: ", ")
                add("M4", .warning, assignments[1].span, "__manifest__ is assigned \(assignments.count) times (lines \(lines)); only the first (line \(first.span.line)) is used",
                    hint: "keep a single assignment")
            }
            manifestNode = m.valueNode
            switch m.errorCode {
            case "not_literal"?:
                let what = describeNonLiteral(m)
                add("M5", .error, m.errorLine.map { Span(line: $0, col: m.errorCol ?? 0, endLine: $0, endCol: 0) } ?? first.span,
                    "__manifest__ must be a pure literal; \(what) is not allowed",
                    hint: "use only strings, numbers, True/False/None, lists and dicts; move computed values into the agent code")
                return
            case "unhashable"?:
                add("M6", .error, m.errorLine.map { Span(line: $0, col: m.errorCol ?? 0, endLine: $0, endCol: 0) } ?? first.span,
                    "\(m.error ?? "unhashable key") used as a dict key or set element",
                    hint: "dict keys must be strings")
                return
            case "none_value"?:
                add("M7", .error, m.valueNode?.span ?? first.span, "__manifest__ must be a dict literal, got None",
                    hint: "assign the manifest dict itself, not a placeholder")
                return
            default: break
            }
            guard let value = m.value else { return }
            manifest = value
            guard case .dict(let pairs) = value else {
                add("M7", .error, m.valueNode?.span, "__manifest__ must be a dict literal, got \(value.typeName)",
                    hint: value.typeName == "tuple" ? "remove the trailing comma after the closing brace" : "assign a dict: __manifest__ = {...}")
                return
            }
            checkDuplicateKeys()
            checkMutations(module)
            // M10: keys must be str, values JSON-representable.
            for (k, v) in pairs {
                guard case .str = k else {
                    add("M10", .error, manifestNode?.span, "__manifest__ key \(k.pyRepr) must be a string", hint: "quote the key")
                    continue
                }
                if let bad = nonJSON(v) {
                    let key = k.string ?? ""
                    add("M10", .error, valueNode(key)?.span ?? manifestNode?.span, "value of \"\(key)\" cannot be represented in JSON (\(bad))",
                        hint: "use strings, numbers, booleans, None, lists and dicts only")
                }
            }
            checkFields(value)
        }

        func describeNonLiteral(_ m: DunderResult) -> String {
            guard let node = findNode(line: m.errorLine, col: m.errorCol) else { return "a non-literal expression" }
            let loc = "at line \(node.span.line), column \(node.span.col + 1)"
            switch node.kind {
            case .joinedStr: return "an f-string \(loc)"
            case .name(let n): return "name '\(n)' \(loc)"
            case .call(let f, _, _):
                if case .name(let n) = f.kind { return "call \(n)(...) \(loc)" }
                return "a call \(loc)"
            case .binOp(_, let op, _): return "'\(op)' expression \(loc)"
            case .unaryOp(let op, _): return "unary '\(op)' \(loc)"
            case .attribute: return "attribute access \(loc)"
            case .subscript: return "subscript \(loc)"
            case .starred: return "* unpacking \(loc)"
            case .constant: return "this constant (in an arithmetic expression) \(loc)"
            case .other(let k): return "\(k) \(loc)"
            default: return "\(node.pyClassName) \(loc)"
            }
        }

        /// The node at a position inside the manifest value (for M5 messages).
        func findNode(line: Int?, col: Int?) -> Expr? {
            guard let root = manifestNode ?? file.manifest.valueNode else { return nil }
            guard let line else {
                // `**` unpacking has no position: point at the dict.
                return root
            }
            var stack = [root]
            var best: Expr?
            while let e = stack.popLast() {
                if e.span.line == line && e.span.col == (col ?? e.span.col) && best == nil { best = e }
                if case .dict(let keys, let values) = e.kind, keys.contains(where: { $0 == nil }) && best == nil && line == e.span.line {
                    _ = values
                }
                stack.append(contentsOf: e.children)
            }
            return best
        }

        func nonJSON(_ v: PyValue) -> String? {
            switch v {
            case .bytes: return "bytes"
            case .complex: return "complex"
            case .ellipsis: return "Ellipsis"
            case .float(let f): return f.isFinite ? nil : "inf/nan"
            case .tuple: return "tuple"
            case .set: return "set"
            case .str(let s): return s.contains { $0 >= 0xD800 && $0 <= 0xDFFF } ? "lone surrogate" : nil
            case .list(let a): return a.lazy.compactMap(nonJSON).first
            case .dict(let d):
                for (k, x) in d {
                    guard case .str = k else { return "non-string key \(k.pyRepr)" }
                    if let b = nonJSON(x) { return b }
                }
                return nil
            default: return nil
            }
        }

        func entries() -> [(Expr?, Expr)] {
            guard let node = manifestNode, case .dict(let keys, let values) = node.kind else { return [] }
            return Array(zip(keys, values))
        }


        func valueNode(_ key: String) -> Expr? { manifestNode?.dictEntry(key) }

        mutating func checkDuplicateKeys() {
            var seen: [[UInt32]: Int] = [:]
            for (k, _) in entries() {
                guard let k, case .constant(.str(let s)) = k.kind else { continue }
                if let first = seen[s] {
                    add("M9", .warning, k.span, "duplicate key \"\(PyStr.string(s))\" in __manifest__ (lines \(first) and \(k.span.line)); the last value wins",
                        hint: "remove one of the entries")
                } else {
                    seen[s] = k.span.line
                }
            }
        }

        mutating func checkMutations(_ module: Module) {
            func isManifest(_ e: Expr) -> Bool { if case .name("__manifest__") = e.kind { return true }; return false }
            for s in module.body {
                switch s.kind {
                case .assign(let targets, _):
                    for t in targets { if case .subscript(let b, _) = t.kind, isManifest(b) { mutated(s) } }
                case .augAssign(let t, _, _):
                    if isManifest(t) { mutated(s) }
                    if case .subscript(let b, _) = t.kind, isManifest(b) { mutated(s) }
                case .expr(let e):
                    if case .call(let f, _, _) = e.kind, case .attribute(let b, let attr) = f.kind, isManifest(b),
                       ["update", "setdefault", "pop", "clear", "popitem"].contains(attr) { mutated(s) }
                case .simple("Delete"):
                    break
                default: break
                }
            }
        }

        mutating func mutated(_ s: Stmt) {
            add("M8", .warning, s.span, "__manifest__ is modified at line \(s.span.line); the registry sees only the literal",
                hint: "put the final values in the __manifest__ literal")
        }

        mutating func checkFields(_ m: PyValue) {
            let node = manifestNode?.span
            for f in Rules.requiredFields where m.get(f) == nil {
                add("V1", .error, node, "Missing required field: \(f)", hint: "add \"\(f)\": ... to __manifest__")
            }
            // Types (V7): the reference crashes on these; we say what is wrong.
            for f in ["schema", "name", "version", "display_name", "description", "author", "category", "quality_tier"] {
                if let v = m.get(f), v.string == nil {
                    add("V7", .error, valueNode(f)?.span ?? node, "field \"\(f)\" must be a string, got \(v.typeName)", hint: "write it as a quoted string")
                }
            }
            for f in ["requires_env", "dependencies"] {
                if let v = m.get(f) {
                    var ok = false
                    if case .list(let items) = v { ok = items.allSatisfy { $0.string != nil } }
                    if !ok { add("V7", .error, valueNode(f)?.span ?? node, "field \"\(f)\" must be a list of strings, got \(v.typeName)", hint: "write a list of strings") }
                }
            }
            if let name = m.get("name")?.string {
                if !name.hasPrefix("@") || !name.utf8.contains(UInt8(ascii: "/")) {
                    add("V2", .error, valueNode("name")?.span ?? node, "Invalid name format '\(name)' — must be @publisher/slug",
                        hint: "use \"@your_handle/\(stemSlug)\"")
                } else {
                    checkSlug(name)
                }
            }
            if let version = m.get("version")?.string {
                let parts = version.components(separatedBy: ".")
                if parts.count != 3 || !parts.allSatisfy(PyFormat.isDigit) {
                    add("V3", .error, valueNode("version")?.span ?? node, "Invalid version '\(version)' — must be semver (e.g., 1.0.0)",
                        hint: "use three dot-separated numbers, e.g. \"1.0.0\"")
                } else if !parts.allSatisfy({ $0.unicodeScalars.allSatisfy { $0.isASCII } }) || parts.contains(where: { $0.count > 1 && $0.hasPrefix("0") }) {
                    add("V3", .warning, valueNode("version")?.span ?? node, "version '\(version)' passes the reference check but is not strict semver",
                        hint: "use ASCII digits without leading zeros")
                }
            }
            if let tags = m.get("tags") {
                if case .list(let items) = tags {
                    if !items.allSatisfy({ $0.string != nil }) { add("V7", .error, valueNode("tags")?.span ?? node, "tags must be a list of strings", hint: "quote every tag") }
                } else {
                    add("V4", .error, valueNode("tags")?.span ?? node, "tags must be a list", hint: "write tags as [\"a\", \"b\"]")
                }
            }
            let category = m.get("category") ?? .str([])
            if category.truthy, let c = category.string, !Rules.categories.contains(c) {
                add("V5", .error, valueNode("category")?.span ?? node,
                    "Invalid category '\(c)' — must be one of: \(Rules.categories.joined(separator: ", "))",
                    hint: nearest(c, in: Rules.categories).map { "did you mean \"\($0)\"?" })
            }
            if let t = m.get("quality_tier")?.string, !Rules.tiers.contains(t) {
                add("V6", .error, valueNode("quality_tier")?.span ?? node,
                    "Invalid quality_tier '\(t)' — must be one of: \(Rules.tiers.joined(separator: ", "))",
                    hint: nearest(t, in: Rules.tiers).map { "did you mean \"\($0)\"?" })
            }
            if let s = m.get("schema")?.string, s != "rapp-agent/1.0" {
                add("V8", .warning, valueNode("schema")?.span ?? node, "schema should be \"rapp-agent/1.0\"", hint: "set \"schema\": \"rapp-agent/1.0\"")
            }
        }

        var stemSlug: String {
            var stem = fileName
            for ext in [".py.stub", ".py.card", ".py"] where stem.hasSuffix(ext) { stem = String(stem.dropLast(ext.count)); break }
            return stem.utf8.contains(UInt8(ascii: "-")) ? stem.replacingOccurrences(of: "-", with: "_") : stem
        }

        mutating func checkSlug(_ name: String) {
            let parts = name.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            let span = valueNode("name")?.span ?? manifestNode?.span
            func charset(_ s: Substring, dash: Bool) -> Bool {
                !s.isEmpty && s.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || (dash && $0 == "-") }
            }
            guard parts.count == 2, charset(parts[0], dash: true), charset(parts[1], dash: false) else {
                add("V10", .warning, span, "name '\(name)' should be @publisher/slug with a snake_case slug (letters, digits, _)",
                    hint: "e.g. \"@my-team/\(stemSlug)\"")
                return
            }
            let slug = String(parts[1])
            if slug != slug.lowercased() {
                add("V10", .warning, span, "slug '\(slug)' should be snake_case (lower case)", hint: "use \"\(slug.lowercased())\"")
            }
            let stem = stemSlug
            let bare = stem.hasSuffix("_agent") ? String(stem.dropLast(6)) : stem
            if kind != .stub && slug != stem && slug != bare && slug + "_agent" != stem {
                add("V9", .warning, span, "slug '\(slug)' does not match the file name '\(fileName)'",
                    hint: "name the file \(slug)_agent.py or the agent @\(parts[0])/\(bare)")
            }
        }

        func nearest(_ s: String, in options: [String]) -> String? {
            EditDistance.suggestions(for: s.lowercased(), in: options, maxDistance: max(2, s.count / 3), limit: 1).first
        }

        // MARK: classes

        mutating func checkClasses(_ module: Module) {
            let agents = ReferenceChecks.agentClasses(module)
            if agents.isEmpty && kind == .agent {
                // A perform-bearing class inside a block?
                var nested: Stmt?
                AgentFile.walkStatements(module) { s in
                    if case .classDef(_, _, _, let body, _) = s.kind, !module.body.contains(where: { $0.span == s.span }),
                       body.contains(where: { if case .functionDef("perform", _, _, _, _) = $0.kind { return true }; return false }) {
                        nested = s
                        return false
                    }
                    return true
                }
                if let n = nested, case .classDef(let name, _, _, _, _) = n.kind {
                    add("C13", .warning, n.span, "class \(name) is defined inside a block; the registry only inspects top-level classes",
                        hint: "define the agent class at module level")
                }
                add("C1", .error, nil, "no agent class found: expected a top-level class deriving from BasicAgent with a perform() method",
                    hint: "add `class MyAgent(BasicAgent):` with __init__ and perform(self, **kwargs) -> str")
            }
            for f in ReferenceChecks.runtimeContract(module, manifest: manifest) {
                add(f.rule, .error, f.node, f.message,
                    hint: f.rule == "C3" ? "assign self.name = \"ToolSafeName\" in __init__"
                        : f.rule == "C4" ? "use only letters, digits, _ and - in the runtime name"
                        : "set metadata[\"name\"] to self.name")
            }
            let localClasses = Dictionary(module.body.compactMap { s -> (String, [Expr])? in
                if case .classDef(let n, let bases, _, _, _) = s.kind { return (n, bases) }
                return nil
            }, uniquingKeysWith: { a, _ in a })
            for cls in agents {
                guard case .classDef(let name, let bases, _, let body, _) = cls.kind else { continue }
                if !derivesBasicAgent(bases, localClasses, depth: 0) {
                    add("C2", .warning, cls.span, "class \(name) defines perform() but does not inherit from BasicAgent",
                        hint: "declare it as `class \(name)(BasicAgent):`")
                }
                checkMembers(name, body)
            }
        }

        func derivesBasicAgent(_ bases: [Expr], _ local: [String: [Expr]], depth: Int) -> Bool {
            guard depth < 16 else { return false }
            for b in bases {
                switch b.kind {
                case .name("BasicAgent"): return true
                case .attribute(_, "BasicAgent"): return true
                case .name(let n): if let next = local[n], derivesBasicAgent(next, local, depth: depth + 1) { return true }
                default: break
                }
            }
            return false
        }

        mutating func checkMembers(_ cls: String, _ body: [Stmt]) {
            var metadataDict: Expr?
            var metadataAssigned: Span?
            for member in body {
                switch member.kind {
                case .assign(let targets, let value):
                    if targets.contains(where: { if case .name("metadata") = $0.kind { return true }; return false }) {
                        metadataAssigned = member.span
                        if case .dict = value.kind { metadataDict = value }
                    }
                case .functionDef("perform", let params, _, _, let isAsync):
                    if isAsync {
                        add("C9", .warning, member.span, "\(cls).perform is async; callers expect a str, not a coroutine",
                            hint: "define `def perform(self, **kwargs) -> str:`")
                    }
                    for p in params.dropFirst() where !p.hasDefault && (p.kind == .positional || p.kind == .positionalOnly || p.kind == .keywordOnly) {
                        add("C10", .error, p.span, "\(cls).perform has required parameter '\(p.name)'; perform() must be callable with no arguments",
                            hint: "give '\(p.name)' a default value")
                    }
                    if !params.contains(where: { $0.kind == .varKeyword }) {
                        add("C11", .warning, member.span, "\(cls).perform should accept **kwargs", hint: "add **kwargs to the signature")
                    }
                case .functionDef("__init__", let params, let initBody, _, _):
                    for p in params.dropFirst() where !p.hasDefault && (p.kind == .positional || p.kind == .positionalOnly || p.kind == .keywordOnly) {
                        add("C12", .error, p.span, "\(cls).__init__ must be callable with no arguments (parameter '\(p.name)' has no default)",
                            hint: "give '\(p.name)' a default value")
                    }
                    AgentFile.walkStatements(Module(body: initBody)) { s in
                        if case .assign(let targets, let value) = s.kind,
                           targets.contains(where: { if case .attribute(let b, "metadata") = $0.kind, case .name("self") = b.kind { return true }; return false }) {
                            metadataAssigned = metadataAssigned ?? s.span
                            if case .dict = value.kind, metadataDict == nil { metadataDict = value }
                        }
                        return true
                    }
                default: break
                }
            }
            guard let md = metadataDict else {
                add("C6", .warning, metadataAssigned, "\(cls): self.metadata is not a dict literal; name/description/parameters cannot be checked statically",
                    hint: "assign self.metadata = {\"name\": self.name, \"description\": ..., \"parameters\": {...}}")
                return
            }
            for key in ["description", "parameters"] where md.dictEntry(key) == nil {
                add("C7", .warning, md.span, "\(cls): metadata has no \"\(key)\"", hint: "add \"\(key)\" to self.metadata")
            }
            if let params = md.dictEntry("parameters") {
                switch params.kind {
                case .dict:
                    if let t = params.dictEntry("type") {
                        if case .constant(.str(let s)) = t.kind, PyStr.string(s) == "object" {} else if case .constant = t.kind {
                            add("C8", .error, t.span, "metadata['parameters'].type must be 'object'", hint: "set \"type\": \"object\"")
                        }
                    } else {
                        add("C8", .error, params.span, "metadata['parameters'].type must be 'object'", hint: "add \"type\": \"object\"")
                    }
                    if let props = params.dictEntry("properties") {
                        switch props.kind {
                        case .list, .constant, .tuple, .set:
                            add("C8", .error, props.span, "metadata['parameters'].properties must be a dict", hint: "write properties as {\"arg\": {\"type\": ...}}")
                        default: break
                        }
                    }
                case .list, .constant, .tuple, .set:
                    add("C8", .error, params.span, "metadata['parameters'] is not a dict", hint: "write parameters as a JSON-schema object")
                default: break
                }
            }
        }

        mutating func checkDocstring() {
            let doc = file.rawDocstring
            // Blank when every scalar is whitespace (what trimming would empty), found without
            // trimming: that bridges the whole docstring to NSString first.
            if doc == nil || doc!.unicodeScalars.allSatisfy({ CharacterSet.whitespacesAndNewlines.contains($0) }) {
                add("D1", .warning, nil, "Module docstring missing or empty", hint: "start the file with a \"\"\"docstring\"\"\" describing the agent")
            }
        }

        // MARK: stubs and swarms

        mutating func checkStub(_ module: Module) {
            for (k, s) in module.body.enumerated() {
                if k == 0, case .expr(let e) = s.kind, case .constant(.str) = e.kind { continue }
                if case .assign(let targets, _) = s.kind, targets.count == 1, case .name(let n) = targets[0].kind,
                   n == "__manifest__" || n == "__source__" { continue }
                add("S1", .error, s.span, "stub contains non-metadata statement at line \(s.span.line) — stubs may contain only a docstring, __manifest__, and __source__",
                    hint: "remove the statement; the code lives in the private source")
            }
            guard let src = file.dunder("__source__") else {
                add("S2", .error, nil, "missing __source__ dict (required for stubs)", hint: "add __source__ = {\"schema\": \"rapp-source/1.0\", ...}")
                return
            }
            guard let v = src.value, case .dict = v else { add("S2", .error, src.valueNode?.span, "__source__ must be a dict"); return }
            for f in ["schema", "type"] where v.get(f) == nil { add("S2", .error, src.valueNode?.span, "Missing __source__ field: \(f)") }
            if let s = v.get("schema"), s.string != "rapp-source/1.0" {
                add("S2", .error, src.valueNode?.span, "Invalid __source__ schema: \(s.pyStr) (expected rapp-source/1.0)")
            }
            if let t = v.get("type") {
                if !["github_private", "github_public"].contains(t.string ?? "") {
                    add("S2", .error, src.valueNode?.span, "Unsupported __source__ type: \(t.pyStr) (supported: ['github_private', 'github_public'])")
                } else {
                    for f in ["repo", "path"] where v.get(f) == nil { add("S2", .error, src.valueNode?.span, "github_* source missing required field: \(f)") }
                    if let r = v.get("repo")?.string, r.split(separator: "/", omittingEmptySubsequences: false).count != 2 {
                        add("S2", .error, src.valueNode?.span, "Invalid repo '\(r)' — must be owner/name")
                    }
                }
            }
        }

        mutating func checkSwarm() {
            guard let sw = file.dunder("__swarm__"), let v = sw.value, case .dict = v else {
                add("W1", .error, nil, "missing __swarm__ dict (required for swarms/)")
                return
            }
            for f in ["schema", "id", "display_name", "summary", "category", "publisher", "produced_by"] where v.get(f) == nil {
                add("W1", .error, sw.valueNode?.span, "Missing required __swarm__ field: \(f)")
            }
            if let s = v.get("schema"), s.string != "rapp-swarm/1.0" {
                add("W1", .error, sw.valueNode?.span, "Invalid swarm schema: \(s.pyStr) (expected rapp-swarm/1.0)")
            }
            if let p = v.get("produced_by") {
                if case .dict = p, p.get("method") != nil {} else {
                    add("W1", .error, sw.valueNode?.span, "produced_by must be a dict with at least 'method'")
                }
            }
        }

        // MARK: security

        mutating func checkSecurity(_ source: SourceText) {
            let scan = ReferenceChecks.scanAll(source.scalars)
            for hit in scan.security {
                let (l, c) = source.location(of: hit.offset)
                let hint = hit.rule == "X1" ? "use subprocess.run([...]) and declare what you need in requires_env"
                    : hit.rule == "X2" ? "do not read system or secret files from an agent"
                    : "read secrets from the environment (os.environ) and list them in requires_env"
                add(hit.rule, .error, line: l, col: c, hit.message, hint: hint)
            }
            capabilities = scan.capabilities
            if !capabilities.isEmpty {
                add("X4", .note, nil, "uses dynamic code: \(capabilities.joined(separator: ", ")) (tagged as capabilities in the registry)")
            }
            let subs = scan.substrings
            if !subs.isEmpty && !diags.contains(where: { $0.rule == "X3" }) {
                let first = subs.map(\.1).min() ?? 0
                let lineNo = source.location(of: first).line
                add("X5", .warning, line: lineNo, col: 0, "Suspicious patterns found: [\(subs.map { PyFormat.reprString(PyStr.codePoints($0.0)) }.joined(separator: ", "))]",
                    hint: "if this is a real secret, move it to the environment")
            }
        }
    }
}
