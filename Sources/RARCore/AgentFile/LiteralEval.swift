import Foundation

/// A Python value produced by `ast.literal_eval`.
public indirect enum PyValue: Sendable {
    case str([UInt32])
    case bytes([UInt8])
    case int(negative: Bool, digits: String)
    case float(Double)
    case complex(Double, Double)
    case bool(Bool)
    case none
    case ellipsis
    case tuple([PyValue])
    case list([PyValue])
    case set([PyValue])
    case dict([(PyValue, PyValue)])

    /// Python's `type(v).__name__`.
    public var typeName: String {
        switch self {
        case .str: return "str"
        case .bytes: return "bytes"
        case .int: return "int"
        case .float: return "float"
        case .complex: return "complex"
        case .bool: return "bool"
        case .none: return "NoneType"
        case .ellipsis: return "ellipsis"
        case .tuple: return "tuple"
        case .list: return "list"
        case .set: return "set"
        case .dict: return "dict"
        }
    }

    public var string: String? { if case .str(let s) = self { return PyStr.string(s) }; return nil }

    /// `dict.get(key)` with a str key.
    public func get(_ key: String) -> PyValue? {
        guard case .dict(let pairs) = self else { return nil }
        let k = PyStr.codePoints(key)
        for (pk, v) in pairs { if case .str(let s) = pk, s == k { return v } }
        return nil
    }

    /// Python truthiness.
    public var truthy: Bool {
        switch self {
        case .str(let s): return !s.isEmpty
        case .bytes(let b): return !b.isEmpty
        case .int(_, let d): return d != "0"
        case .float(let f): return f != 0
        case .complex(let a, let b): return a != 0 || b != 0
        case .bool(let b): return b
        case .none: return false
        case .ellipsis: return true
        case .tuple(let a), .list(let a), .set(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        }
    }
}

/// Why `literal_eval` refused a node: ValueError (not a literal) or TypeError (unhashable).
public enum LiteralError: Error, Sendable, Equatable {
    /// `node` is the Python class name; line is nil for the `**` case.
    case notLiteral(node: String?, line: Int?, col: Int?)
    case unhashable(type: String, line: Int?, col: Int?)

    public var message: String {
        switch self {
        case .notLiteral(let node, let line, _):
            guard let node else { return "ValueError: malformed node or string: None" }
            return "ValueError: malformed node or string on line \(line ?? 0): <ast.\(node) object>"
        case .unhashable(let t, _, _): return "TypeError: unhashable type: '\(t)'"
        }
    }
}

/// `ast.literal_eval` over our AST, with Python's evaluation order and dict semantics.
public enum LiteralEval {
    public static func eval(_ e: Expr) throws -> PyValue {
        try convert(e)
    }

    static func malformed(_ e: Expr?) -> LiteralError {
        guard let e else { return .notLiteral(node: nil, line: nil, col: nil) }
        return .notLiteral(node: e.pyClassName, line: e.span.line, col: e.span.col)
    }

    static func convert(_ node: Expr?) throws -> PyValue {
        guard let e = node else { throw malformed(nil) }
        switch e.kind {
        case .constant(let c): return constant(c)
        case .tuple(let items): return .tuple(try items.map(convert))
        case .list(let items): return .list(try items.map(convert))
        case .set(let items):
            var acc = PySetBuilder()
            for item in items { try acc.insert(try convert(item), at: item) }
            return .set(acc.items)
        case .call(let f, let args, let kws):
            if case .name("set") = f.kind, args.isEmpty, kws.isEmpty { return .set([]) }
        case .dict(let keys, let values):
            var acc = PyDictBuilder()
            for (k, v) in zip(keys, values) {
                let kv = try convert(k)
                let vv = try convert(v)
                try acc.insert(kv, vv, at: k ?? v)
            }
            return .dict(acc.pairs)
        case .binOp(let l, let op, let r) where op == "+" || op == "-":
            let left = try signedNum(l)
            let right = try num(r)
            if case .complex(let re, let im) = right {
                let lf: Double
                switch left {
                case .int(let neg, let d): lf = (Double(d) ?? .infinity) * (neg ? -1 : 1)
                case .float(let f): lf = f
                default: return try signedNum(e)
                }
                return op == "+" ? .complex(lf + re, im) : .complex(lf - re, -im)
            }
        default: break
        }
        return try signedNum(e)
    }

    static func signedNum(_ e: Expr) throws -> PyValue {
        if case .unaryOp(let op, let operand) = e.kind, op == "+" || op == "-" {
            let v = try num(operand)
            if op == "+" { return v }
            switch v {
            case .int(let neg, let d): return .int(negative: d == "0" ? false : !neg, digits: d)
            case .float(let f): return .float(-f)
            case .complex(let a, let b): return .complex(-a, -b)
            default: return v
            }
        }
        return try num(e)
    }

    static func num(_ e: Expr) throws -> PyValue {
        if case .constant(let c) = e.kind {
            switch c {
            case .int, .float, .complex: return constant(c)
            default: break
            }
        }
        throw malformed(e)
    }

    static func constant(_ c: PyConstant) -> PyValue {
        switch c {
        case .str(let s): return .str(s)
        case .bytes(let b): return .bytes(b)
        case .int(let d): return .int(negative: false, digits: d.digits)
        case .float(let f): return .float(f)
        case .complex(let a, let b): return .complex(a, b)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .ellipsis: return .ellipsis
        }
    }

    /// A key with Python's hash equality (1 == 1.0 == True == 1+0j; str by code points).
    static func hashKey(_ v: PyValue) -> String? {
        switch v {
        case .str(let s): return hexKey(UInt8(ascii: "s"), s, digits: 6)  // code points ≤ 0x10FFFF
        case .bytes(let b): return hexKey(UInt8(ascii: "b"), b.map(UInt32.init), digits: 2)
        case .int(let neg, let d): return "n" + (neg ? "-" : "") + d
        case .bool(let b): return b ? "n1" : "n0"
        case .float(let f): return floatKey(f)
        case .complex(let a, let b): return b == 0 ? floatKey(a) : "c\(a),\(b)"
        case .none: return "N"
        case .ellipsis: return "E"
        case .tuple(let items):
            var parts: [String] = []
            for i in items { guard let k = hashKey(i) else { return nil }; parts.append(k) }
            return "t(" + parts.joined(separator: ";") + ")"
        case .list, .set, .dict: return nil
        }
    }

    /// `tag` then each value as fixed-width hex: one key per sequence, cheap to build.
    static func hexKey(_ tag: UInt8, _ values: [UInt32], digits: Int) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [tag]
        out.reserveCapacity(1 + digits * values.count)
        for v in values {
            for shift in stride(from: 4 * (digits - 1), through: 0, by: -4) { out.append(hex[Int((v >> UInt32(shift)) & 15)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func floatKey(_ f: Double) -> String {
        if f.isFinite && f == f.rounded() && abs(f) < 1e300 {
            // Integral floats equal ints: render exactly.
            let d = f == 0 ? "0" : String(format: "%.0f", abs(f))
            return "n" + (f < 0 ? "-" : "") + d
        }
        return f.isNaN ? "nan\(UUID().uuidString)" : "f\(f)"
    }

    /// The first unhashable type inside a value (for the TypeError message).
    static func unhashableType(_ v: PyValue) -> String? {
        switch v {
        case .list: return "list"
        case .set: return "set"
        case .dict: return "dict"
        case .tuple(let items):
            for i in items { if let t = unhashableType(i) { return t } }
            return nil
        default: return nil
        }
    }
}

struct PyDictBuilder {
    var pairs: [(PyValue, PyValue)] = []
    var index: [String: Int] = [:]

    mutating func insert(_ k: PyValue, _ v: PyValue, at node: Expr) throws {
        guard let key = LiteralEval.hashKey(k) else {
            throw LiteralError.unhashable(type: LiteralEval.unhashableType(k) ?? k.typeName, line: node.span.line, col: node.span.col)
        }
        if let i = index[key] {
            pairs[i].1 = v  // first position, last value
        } else {
            index[key] = pairs.count
            pairs.append((k, v))
        }
    }
}

struct PySetBuilder {
    var items: [PyValue] = []
    var seen: Set<String> = []

    mutating func insert(_ v: PyValue, at node: Expr) throws {
        guard let key = LiteralEval.hashKey(v) else {
            throw LiteralError.unhashable(type: LiteralEval.unhashableType(v) ?? v.typeName, line: node.span.line, col: node.span.col)
        }
        if seen.insert(key).inserted { items.append(v) }
    }
}

// MARK: - JSON encoding (the conformance fixture's value encoding)

extension PyValue {
    /// JSON form: tuples → arrays, sets → sorted arrays, non-JSON values → `$`-tagged objects.
    public var json: JSONValue {
        switch self {
        case .str(let s):
            if s.contains(where: { $0 >= 0xD800 && $0 <= 0xDFFF }) {
                return .object([("$str_codepoints", .array(s.map { .int(Int($0)) }))])
            }
            return .string(PyStr.string(s))
        case .bytes(let b):
            return .object([("$bytes_hex", .string(b.map { String(format: "%02x", $0) }.joined()))])
        case .int(let neg, let d):
            if PyValue.fitsJSONInt(d), let v = Int(d) { return .int(neg ? -v : v) }
            return .object([("$int", .string((neg ? "-" : "") + d))])
        case .float(let f):
            if f.isNaN { return .object([("$float", "nan")]) }
            if f.isInfinite { return .object([("$float", .string(f < 0 ? "-inf" : "inf"))]) }
            return .double(f)
        case .complex(let a, let b):
            return .object([("$complex", .array([PyValue.float(a).json, PyValue.float(b).json]))])
        case .bool(let b): return .bool(b)
        case .none: return .null
        case .ellipsis: return .object([("$ellipsis", true)])
        case .tuple(let items), .list(let items): return .array(items.map(\.json))
        case .set(let items): return .array(PyValue.sortedForJSON(items.map(\.json)))
        case .dict(let pairs):
            if pairs.allSatisfy({ if case .str = $0.0 { return true }; return false }) {
                return .object(pairs.map { (PyStr.string(($0.0.strCodePoints)!), $0.1.json) })
            }
            return .object([("$dict", .array(pairs.map { .array([$0.0.json, $0.1.json]) }))])
        }
    }

    var strCodePoints: [UInt32]? { if case .str(let s) = self { return s }; return nil }

    /// |n| <= 2**53
    static func fitsJSONInt(_ digits: String) -> Bool {
        let limit = "9007199254740992"
        if digits.count != limit.count { return digits.count < limit.count }
        return digits <= limit
    }

    static func sortedForJSON(_ items: [JSONValue]) -> [JSONValue] {
        if items.allSatisfy({ $0.stringValue != nil }) {
            return items.sorted { JSONValue.codePointLess($0.stringValue!, $1.stringValue!) }
        }
        let numeric = items.allSatisfy { v in
            switch v { case .int, .double, .bool: return true; default: return false }
        }
        if numeric {
            func n(_ v: JSONValue) -> Double { if case .bool(let b) = v { return b ? 1 : 0 }; return v.doubleValue ?? 0 }
            return items.sorted { n($0) < n($1) }
        }
        return items.sorted { JSONValue.codePointLess($0.serialized(.python), $1.serialized(.python)) }
    }
}
