import Foundation

/// The reference registry's own checks, reproduced with their exact messages.
/// `Validator` builds located diagnostics on top of these.
public enum ReferenceChecks {
    /// `validate_manifest`: `sdk` adds the category and quality-tier checks of rapp_sdk.
    /// Returns nil where the reference would crash (non-dict manifest, non-str name/version).
    public static func validateManifest(_ m: PyValue, sdk: Bool) -> [String]? {
        guard case .dict = m else { return nil }
        var errors: [String] = []
        for f in Rules.requiredFields where m.get(f) == nil { errors.append("Missing required field: \(f)") }
        let nameV = m.get("name") ?? .str([])
        guard let name = nameV.string else { return nil }
        if !name.hasPrefix("@") || !name.utf8.contains(UInt8(ascii: "/")) {
            errors.append("Invalid name format '\(name)' — must be @publisher/slug")
        }
        let versionV = m.get("version") ?? .str([])
        guard let version = versionV.string else { return nil }
        let parts = version.components(separatedBy: ".")
        if parts.count != 3 || !parts.allSatisfy(PyFormat.isDigit) {
            errors.append("Invalid version '\(version)' — must be semver (e.g., 1.0.0)")
        }
        if let tags = m.get("tags"), !isList(tags) { errors.append("tags must be a list") }
        if sdk {
            let category = m.get("category") ?? .str([])
            if category.truthy && !(category.string.map { Rules.categories.contains($0) } ?? false) {
                errors.append("Invalid category '\(category.pyStr)' — must be one of: \(Rules.categories.joined(separator: ", "))")
            }
            let tier = m.get("quality_tier") ?? .str(PyStr.codePoints("community"))
            if !(tier.string.map { Rules.tiers.contains($0) } ?? false) {
                errors.append("Invalid quality_tier '\(tier.pyStr)' — must be one of: \(Rules.tiers.joined(separator: ", "))")
            }
        }
        return errors
    }

    static func isList(_ v: PyValue) -> Bool { if case .list = v { return true }; return false }

    // MARK: runtime contract (build_registry.validate_runtime_contract)

    /// One finding of the runtime-contract check, with the node it is about.
    public struct ContractFinding: Sendable {
        public var message: String
        public var rule: String
        public var className: String
        public var node: Span
    }

    /// Public top-level classes (not BasicAgent, not `_`-prefixed) with a direct `perform`.
    public static func agentClasses(_ module: Module) -> [Stmt] {
        module.body.filter { s in
            guard case .classDef(let name, _, _, let body, _) = s.kind, name != "BasicAgent", !name.hasPrefix("_") else { return false }
            return body.contains { if case .functionDef(let n, _, _, _, _) = $0.kind { return n == "perform" }; return false }
        }
    }

    public static func runtimeContract(_ module: Module, manifest: PyValue?) -> [ContractFinding] {
        var out: [ContractFinding] = []
        for cls in agentClasses(module) {
            guard case .classDef(let className, _, _, let body, _) = cls.kind else { continue }
            var known: [String: String] = [:]
            var runtime: [(String, Span)] = []
            var metadata: [(String, Span)] = []

            func remember(_ target: Expr, _ value: Expr) {
                let v = runtimeString(value, manifest, known)
                if case .name(let id) = target.kind, let v {
                    known[id] = v
                    if id == "name" { runtime.append((v, value.span)) }
                } else if case .attribute(let base, let attr) = target.kind, case .name("self") = base.kind, let v {
                    known["self." + attr] = v
                    if attr == "name" { runtime.append((v, value.span)) }
                }
                var isMeta = false
                if case .name("metadata") = target.kind { isMeta = true }
                if case .attribute(let base, "metadata") = target.kind, case .name("self") = base.kind { isMeta = true }
                if isMeta, let (m, span) = metadataName(value, manifest, known) { metadata.append((m, span)) }
            }

            for member in body {
                if case .assign(let targets, let value) = member.kind { for t in targets { remember(t, value) } }
                guard case .functionDef("__init__", _, _, _, _) = member.kind else { continue }
                walkBFS(member) { node in
                    switch node {
                    case .stmt(let s):
                        if case .assign(let targets, let value) = s.kind { for t in targets { remember(t, value) } }
                    case .expr(let e):
                        if case .call(let f, let args, let kws) = e.kind, case .attribute(_, "__init__") = f.kind {
                            let arg = args.first ?? kws.first(where: { $0.arg == "name" })?.value
                            if let arg, let v = runtimeString(arg, manifest, known) { runtime.append((v, arg.span)) }
                        }
                    }
                }
            }
            var names: [String] = []
            var firstSpan: [String: Span] = [:]
            for (n, s) in runtime where firstSpan[n] == nil { names.append(n); firstSpan[n] = s }
            var metaNames: [String] = []
            var metaSpan: [String: Span] = [:]
            for (n, s) in metadata where metaSpan[n] == nil { metaNames.append(n); metaSpan[n] = s }
            if names.isEmpty {
                out.append(ContractFinding(message: "\(className): runtime name must be statically resolvable", rule: "C3", className: className, node: cls.span))
                continue
            }
            for n in names where !isToolSafe(n) {
                out.append(ContractFinding(message: "\(className): runtime name \(PyFormat.reprString(PyStr.codePoints(n))) must match ^[A-Za-z0-9_-]+$",
                                           rule: "C4", className: className, node: firstSpan[n]!))
            }
            let namesRepr = "[" + names.map { PyFormat.reprString(PyStr.codePoints($0)) }.joined(separator: ", ") + "]"
            for m in metaNames where !names.contains(m) {
                out.append(ContractFinding(message: "\(className): metadata name \(PyFormat.reprString(PyStr.codePoints(m))) does not match runtime name(s) \(namesRepr)",
                                           rule: "C5", className: className, node: metaSpan[m]!))
            }
        }
        return out
    }

    public static func isToolSafe(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { u in
            (u >= "A" && u <= "Z") || (u >= "a" && u <= "z") || (u >= "0" && u <= "9") || u == "_" || u == "-"
        }
    }

    static func runtimeString(_ e: Expr, _ manifest: PyValue?, _ known: [String: String]) -> String? {
        switch e.kind {
        case .constant(.str(let s)): return PyStr.string(s)
        case .name(let id): return known[id]
        case .attribute(let base, let attr):
            if case .name("self") = base.kind { return known["self." + attr] }
            return nil
        case .subscript(let base, let key):
            guard case .name("__manifest__") = base.kind, case .constant(let c) = key.kind else { return nil }
            guard case .str(let k) = c, let m = manifest else { return nil }
            return m.get(PyStr.string(k))?.string
        default: return nil
        }
    }

    static func metadataName(_ e: Expr, _ manifest: PyValue?, _ known: [String: String]) -> (String, Span)? {
        guard case .dict(let keys, let values) = e.kind else { return nil }
        for (k, v) in zip(keys, values) {
            if let k, case .constant(.str(let s)) = k.kind, s == PyStr.codePoints("name") {
                return runtimeString(v, manifest, known).map { ($0, v.span) }
            }
        }
        return nil
    }

    /// A node of `ast.walk` that the contract check looks at.
    enum WalkNode { case stmt(Stmt), expr(Expr) }

    /// Breadth-first over a statement and everything below it, in `ast.walk` order.
    static func walkBFS(_ root: Stmt, _ visit: (WalkNode) -> Void) {
        enum Item { case stmt(Stmt), expr(Expr), group([Item]) }
        var queue: [Item] = [.stmt(root)]
        var head = 0
        func stmtChildren(_ s: Stmt) -> [Item] {
            switch s.kind {
            case .assign(let targets, let value): return targets.map { .expr($0) } + [.expr(value)]
            case .annAssign(let target, let value): return [.expr(target)] + (value.map { [.expr($0)] } ?? [])
            case .augAssign(let target, _, let value): return [.expr(target), .expr(value)]
            case .expr(let e): return [.expr(e)]
            case .functionDef(_, _, let body, let decorators, _):
                return body.map { .stmt($0) } + decorators.map { .expr($0) }
            case .classDef(_, let bases, let kws, let body, let decorators):
                return bases.map { .expr($0) } + kws.map { .group([.expr($0.value)]) } + body.map { .stmt($0) } + decorators.map { .expr($0) }
            case .ifStmt(let test, let body, let orelse): return [.expr(test)] + (body + orelse).map { .stmt($0) }
            case .loop(_, let body, let orelse): return (body + orelse).map { .stmt($0) }
            case .with(let body, _): return body.map { .stmt($0) }
            case .tryStmt(let body, let handlers, let orelse, let finalbody):
                return body.map { .stmt($0) } + handlers.map { h in .group((h.type.map { [.expr($0)] } ?? []) + h.body.map { .stmt($0) }) }
                    + (orelse + finalbody).map { .stmt($0) }
            case .match(let cases): return cases.map { .group($0.body.map { .stmt($0) }) }
            default: return []
            }
        }
        func exprChildren(_ e: Expr) -> [Item] {
            if case .call(let f, let args, let kws) = e.kind {
                return [.expr(f)] + args.map { .expr($0) } + kws.map { .group([.expr($0.value)]) }
            }
            return e.children.map { .expr($0) }
        }
        while head < queue.count {
            let item = queue[head]
            head += 1
            switch item {
            case .stmt(let s):
                visit(.stmt(s))
                queue.append(contentsOf: stmtChildren(s))
            case .expr(let e):
                visit(.expr(e))
                queue.append(contentsOf: exprChildren(e))
            case .group(let items):
                queue.append(contentsOf: items)
            }
        }
    }

    // MARK: security (DANGEROUS_PATTERNS, CAPABILITY_PATTERNS, the SDK's substring test)

    public struct PatternHit: Sendable {
        public var rule: String
        public var message: String
        public var offset: Int
    }

    static let secretSubstrings = [
        "API_KEY = \"sk-", "API_KEY = 'sk-", "password = \"", "password = '", "token = \"", "token = '",
        "secret = \"", "secret = '", "api_key = \"", "api_key = '",
    ]

    /// `scan_security`: the first hit of each dangerous pattern, with its offset (a code-point index).
    public static func scanSecurity(_ text: String) -> [PatternHit] { scanSecurity(PyStr.codePoints(text)) }

    public static func scanSecurity(_ t: [UInt32]) -> [PatternHit] { scanAll(t).security }

    /// `scan_capabilities`: sorted tags.
    public static func scanCapabilities(_ text: String) -> [String] { scanCapabilities(PyStr.codePoints(text)) }

    public static func scanCapabilities(_ t: [UInt32]) -> [String] { scanAll(t).capabilities }

    /// The SDK's substring test (contract test 10), in its order.
    public static func secretSubstringHits(_ text: String) -> [String] { secretSubstringHits(PyStr.codePoints(text)) }

    public static func secretSubstringHits(_ t: [UInt32]) -> [String] { scanAll(t).substrings.map(\.0) }

    static let secretSubstringPoints = secretSubstrings.map(PyStr.codePoints)

    /// All three scans from one pass over the text.
    public struct TextScan: Sendable {
        public var security: [PatternHit]
        public var capabilities: [String]
        /// The SDK's substring hits, in its order, each with its first offset.
        public var substrings: [(String, Int)]
    }

    public static func scanAll(_ t: [UInt32]) -> TextScan {
        let s = PyPattern.scan(t, substrings: secretSubstringPoints)
        var hits: [PatternHit] = []
        if let o = s.osSystem { hits.append(PatternHit(rule: "X1", message: "os.system() is forbidden — use subprocess and declare in requires_env", offset: o)) }
        if let o = s.suspiciousOpen { hits.append(PatternHit(rule: "X2", message: "suspicious file access pattern", offset: o)) }
        if let o = s.hardcodedSecret { hits.append(PatternHit(rule: "X3", message: "possible hardcoded secret", offset: o)) }
        var tags: [String] = []
        if s.exec != nil { tags.append("exec") }
        if s.eval != nil { tags.append("eval") }
        if s.dynamicImport != nil { tags.append("dynamic_import") }
        if s.compileExec != nil { tags.append("compile_exec") }
        let subs = zip(secretSubstrings, s.substrings).compactMap { n, o in o.map { (n, $0) } }
        return TextScan(security: hits, capabilities: tags.sorted(), substrings: subs)
    }
}
