/// Source range of a node: 1-based lines, 0-based columns in code points
/// (convert with `SourceText.byteColumn` for Python's UTF-8 byte columns).
public struct Span: Sendable, Equatable {
    public var line: Int
    public var col: Int
    public var endLine: Int
    public var endCol: Int
}

/// A constant as Python's parser produces it.
public enum PyConstant: Sendable {
    case str([UInt32])
    case bytes([UInt8])
    /// Decimal digits (no sign, no leading zeros except "0").
    case int(BigDecimalText)
    case float(Double)
    case complex(Double, Double)
    case bool(Bool)
    case none
    case ellipsis
}

/// Non-negative integer kept as decimal text, for exactness without a big-int dependency.
public struct BigDecimalText: Sendable, Equatable {
    public var digits: String
    public init(_ digits: String) { self.digits = digits }
}

public enum ExprKind: Sendable {
    case name(String)
    case constant(PyConstant)
    /// f-string (a JoinedStr): never a literal.
    case joinedStr
    /// `keys[i] == nil` is a `**mapping` entry.
    case dict(keys: [Expr?], values: [Expr])
    case set([Expr])
    case list([Expr])
    case tuple([Expr])
    case unaryOp(String, Expr)
    case binOp(Expr, String, Expr)
    case call(Expr, args: [Expr], keywords: [Keyword])
    case attribute(Expr, String)
    case `subscript`(Expr, Expr)
    case starred(Expr)
    case namedExpr(Expr, Expr)
    /// Anything else (Lambda, IfExp, comprehensions, Compare, BoolOp, Await, Yield, Slice, ...):
    /// the Python class name, for messages.
    case other(String)
}

public struct Keyword: Sendable {
    public var arg: String?
    public var value: Expr
}

public final class Expr: Sendable {
    public let kind: ExprKind
    public let span: Span
    /// Nesting depth of this expression tree (1 for a leaf), to bound recursion.
    public let depth: Int
    /// Child expressions of `.other` nodes, in Python's field order.
    public let otherChildren: [Expr]

    init(_ kind: ExprKind, _ span: Span, depth: Int, otherChildren: [Expr] = []) {
        self.kind = kind
        self.span = span
        self.depth = depth
        self.otherChildren = otherChildren
    }

    /// Direct child expressions in Python's `ast.iter_child_nodes` order
    /// (keyword values count one level deeper, as `keyword` nodes do in Python).
    public var children: [Expr] {
        switch kind {
        case .name, .constant, .joinedStr: return []
        case .dict(let keys, let values): return keys.compactMap { $0 } + values
        case .set(let a), .list(let a), .tuple(let a): return a
        case .unaryOp(_, let e), .attribute(let e, _), .starred(let e): return [e]
        case .binOp(let l, _, let r), .subscript(let l, let r), .namedExpr(let l, let r): return [l, r]
        case .call(let f, let args, _): return [f] + args
        case .other: return otherChildren
        }
    }

    /// Python's AST class name (`Constant`, `Dict`, `JoinedStr`, ...).
    public var pyClassName: String {
        switch kind {
        case .name: return "Name"
        case .constant: return "Constant"
        case .joinedStr: return "JoinedStr"
        case .dict: return "Dict"
        case .set: return "Set"
        case .list: return "List"
        case .tuple: return "Tuple"
        case .unaryOp: return "UnaryOp"
        case .binOp: return "BinOp"
        case .call: return "Call"
        case .attribute: return "Attribute"
        case .subscript: return "Subscript"
        case .starred: return "Starred"
        case .namedExpr: return "NamedExpr"
        case .other(let n): return n
        }
    }
}

public struct Parameter: Sendable {
    public enum Kind: Sendable { case positionalOnly, positional, varPositional, keywordOnly, varKeyword }
    public var name: String
    public var kind: Kind
    public var hasDefault: Bool
    public var span: Span
}

public struct ExceptHandler: Sendable {
    public var type: Expr?
    public var name: String?
    public var body: [Stmt]
    public var span: Span
}

public struct MatchCase: Sendable {
    public var body: [Stmt]
    public var span: Span
}

public enum StmtKind: Sendable {
    case assign(targets: [Expr], value: Expr)
    case annAssign(target: Expr, value: Expr?)
    case augAssign(target: Expr, op: String, value: Expr)
    case expr(Expr)
    case functionDef(name: String, params: [Parameter], body: [Stmt], decorators: [Expr], isAsync: Bool)
    case classDef(name: String, bases: [Expr], keywords: [Keyword], body: [Stmt], decorators: [Expr])
    case ifStmt(test: Expr, body: [Stmt], orelse: [Stmt])
    case loop(kind: String, body: [Stmt], orelse: [Stmt])
    case with(body: [Stmt], isAsync: Bool)
    case tryStmt(body: [Stmt], handlers: [ExceptHandler], orelse: [Stmt], finalbody: [Stmt])
    case match(cases: [MatchCase])
    case importFrom(module: String, level: Int, names: [String])
    /// pass, break, continue, return, raise, global, nonlocal, del, assert, import
    case simple(String)
}

public struct Stmt: Sendable {
    public var kind: StmtKind
    public var span: Span

    /// Python's AST class name, for messages.
    public var pyClassName: String {
        switch kind {
        case .assign: return "Assign"
        case .annAssign: return "AnnAssign"
        case .augAssign: return "AugAssign"
        case .expr: return "Expr"
        case .functionDef(_, _, _, _, let a): return a ? "AsyncFunctionDef" : "FunctionDef"
        case .classDef: return "ClassDef"
        case .ifStmt: return "If"
        case .loop(let k, _, _): return k
        case .with(_, let a): return a ? "AsyncWith" : "With"
        case .tryStmt: return "Try"
        case .match: return "Match"
        case .importFrom: return "ImportFrom"
        case .simple(let k): return k
        }
    }
}

public struct Module: Sendable {
    public var body: [Stmt]
}

extension Expr {
    /// For a dict display: the value node of the last entry whose key is the str constant `key`.
    public func dictEntry(_ key: String) -> Expr? {
        guard case .dict(let keys, let values) = kind else { return nil }
        let k = PyStr.codePoints(key)
        for (kn, v) in zip(keys, values).reversed() {
            if let kn, case .constant(.str(let s)) = kn.kind, s == k { return v }
        }
        return nil
    }
}
