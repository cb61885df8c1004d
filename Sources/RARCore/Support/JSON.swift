import Foundation

/// A JSON value that keeps object key order and integers of any size.
/// Used for every document RAR reads or writes, so output is deterministic.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in `Int`.
    case int(Int)
    /// An integer outside `Int`'s range, as decimal text (optional leading `-`).
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bigInt(x), .bigInt(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y && y.rounded() == y
        case let (.string(x), .string(y)): return JSONValue.sameKey(x, y)
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where !(JSONValue.sameKey(p.0, q.0) && p.1 == q.1) { return false }
            return true
        default: return false
        }
    }

    // MARK: accessors

    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.last(where: { JSONValue.sameKey($0.0, key) })?.1
    }

    /// Keys match by code points (not by Swift's canonical equivalence), compared as UTF-8 bytes.
    @inline(__always) static func sameKey(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0)
            }
        }
        return (fast ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// A number as Double (ints, big ints and doubles).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .bigInt(let s): return Double(s)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Integer from decimal text: `.int` when it fits, `.bigInt` otherwise.
    public static func integer(_ text: String) -> JSONValue {
        if let i = Int(text) { return .int(i) }
        var t = text
        let neg = t.hasPrefix("-")
        if neg || t.hasPrefix("+") { t.removeFirst() }
        while t.count > 1 && t.hasPrefix("0") { t.removeFirst() }
        return .bigInt((neg ? "-" : "") + t)
    }

    /// Object from pairs (convenience).
    public static func obj(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(pairs) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

// MARK: - Writing

public struct JSONWriteOptions: Sendable {
    /// nil: one line. Otherwise the indent width, like Python's `json.dumps(indent=N)`.
    public var indent: Int?
    /// Escape every non-ASCII scalar as `\uXXXX` (Python's default `ensure_ascii=True`).
    public var ensureASCII: Bool
    /// Sort object keys by code point (Python's `sort_keys=True`).
    public var sortKeys: Bool
    /// Python-style separators `", "` / `": "` on one line; compact `","` / `":"` when false.
    public var spacedSeparators: Bool
    /// Escape `/` as `\/`? Never: kept for clarity.
    public init(indent: Int? = nil, ensureASCII: Bool = false, sortKeys: Bool = false, spacedSeparators: Bool = true) {
        self.indent = indent
        self.ensureASCII = ensureASCII
        self.sortKeys = sortKeys
        self.spacedSeparators = spacedSeparators
    }
    /// Python `json.dumps(v)`.
    public static let python = JSONWriteOptions(ensureASCII: true)
    /// Compact UTF-8, no spaces: for canonical forms and wire output.
    public static let compact = JSONWriteOptions(spacedSeparators: false)
    /// Two-space indent, UTF-8: for files people read.
    public static let pretty = JSONWriteOptions(indent: 2)
}

extension JSONValue {
    public func serialized(_ options: JSONWriteOptions = .compact) -> String {
        String(decoding: serializedBytes(options), as: UTF8.self)
    }

    public func serializedData(_ options: JSONWriteOptions = .compact) -> Data {
        Data(serializedBytes(options))
    }

    /// The UTF-8 bytes of `serialized(options)`.
    public func serializedBytes(_ options: JSONWriteOptions = .compact) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, options, level: 0)
        return out
    }

    private static func newline(_ out: inout [UInt8], _ spaces: Int) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: spaces))
    }

    func write(into out: inout [UInt8], _ o: JSONWriteOptions, level: Int) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .bigInt(let s): out += s.utf8
        case .double(let d): out += JSONValue.pythonFloatRepr(d).utf8
        case .string(let s): JSONValue.writeString(s, into: &out, ensureASCII: o.ensureASCII)
        case .array(let items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(0x5B)
            for (i, v) in items.enumerated() {
                if i > 0 { out.append(0x2C); if o.indent == nil && o.spacedSeparators { out.append(0x20) } }
                if let n = o.indent { JSONValue.newline(&out, n * (level + 1)) }
                v.write(into: &out, o, level: level + 1)
            }
            if let n = o.indent { JSONValue.newline(&out, n * level) }
            out.append(0x5D)
        case .object(var pairs):
            if pairs.isEmpty { out += "{}".utf8; return }
            if o.sortKeys { pairs.sort { JSONValue.codePointLess($0.0, $1.0) } }
            out.append(0x7B)
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(0x2C); if o.indent == nil && o.spacedSeparators { out.append(0x20) } }
                if let n = o.indent { JSONValue.newline(&out, n * (level + 1)) }
                JSONValue.writeString(k, into: &out, ensureASCII: o.ensureASCII)
                out.append(0x3A)
                if o.spacedSeparators || o.indent != nil { out.append(0x20) }
                v.write(into: &out, o, level: level + 1)
            }
            if let n = o.indent { JSONValue.newline(&out, n * level) }
            out.append(0x7D)
        }
    }

    /// `serializedBytes(o)` of a top-level object, plus where each member's value and each
    /// element of the array under `arrayKey` landed (byte ranges), so a later build can patch
    /// single records in place. Same bytes as `serializedBytes` (key order kept).
    func serializedBytesWithSpans(_ o: JSONWriteOptions, arrayKey: String) -> (bytes: [UInt8], members: [String: Range<Int>], elements: [Range<Int>]) {
        guard case .object(let pairs) = self, !pairs.isEmpty, !o.sortKeys else { return (serializedBytes(o), [:], []) }
        var out: [UInt8] = []
        var members: [String: Range<Int>] = [:]
        var elements: [Range<Int>] = []
        func separator() { out.append(0x2C); if o.indent == nil && o.spacedSeparators { out.append(0x20) } }
        out.append(0x7B)
        for (i, (k, v)) in pairs.enumerated() {
            if i > 0 { separator() }
            if let n = o.indent { JSONValue.newline(&out, n) }
            JSONValue.writeString(k, into: &out, ensureASCII: o.ensureASCII)
            out.append(0x3A)
            if o.spacedSeparators || o.indent != nil { out.append(0x20) }
            let start = out.count
            if k == arrayKey, case .array(let items) = v, !items.isEmpty {
                out.append(0x5B)
                for (j, e) in items.enumerated() {
                    if j > 0 { separator() }
                    if let n = o.indent { JSONValue.newline(&out, n * 2) }
                    let at = out.count
                    e.write(into: &out, o, level: 2)
                    elements.append(at..<out.count)
                }
                if let n = o.indent { JSONValue.newline(&out, n) }
                out.append(0x5D)
            } else {
                v.write(into: &out, o, level: 1)
            }
            members[k] = start..<out.count
        }
        if o.indent != nil { JSONValue.newline(&out, 0) }
        out.append(0x7D)
        return (out, members, elements)
    }

    /// Compare strings by Unicode code point, as Python does (Swift `<` does not).
    public static func codePointLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    static func writeString(_ s: String, into out: inout [UInt8], ensureASCII: Bool) {
        out.append(0x22)
        var s = s
        s.withUTF8 { u in
            // Fast path: nothing to escape, append whole.
            var clean = true
            for b in u where b < 0x20 || b == 0x22 || b == 0x5C || (ensureASCII && b > 0x7E) { clean = false; break }
            if clean { out.append(contentsOf: u); return }
            var i = 0
            while i < u.count {
                let b = u[i]
                switch b {
                case 0x22: out += #"\""#.utf8; i += 1; continue
                case 0x5C: out += #"\\"#.utf8; i += 1; continue
                case 0x0A: out += #"\n"#.utf8; i += 1; continue
                case 0x0D: out += #"\r"#.utf8; i += 1; continue
                case 0x09: out += #"\t"#.utf8; i += 1; continue
                case 0x08: out += #"\b"#.utf8; i += 1; continue
                case 0x0C: out += #"\f"#.utf8; i += 1; continue
                default: break
                }
                if b < 0x20 || (ensureASCII && b == 0x7F) { hex4(UInt32(b), into: &out); i += 1; continue }
                if b < 0x80 { out.append(b); i += 1; continue }
                // A multi-byte scalar (the String is valid UTF-8).
                let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                if !ensureASCII { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[i..<i + len])); i += len; continue }
                var v = UInt32(b) & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07)
                for k in 1..<len { v = v << 6 | (UInt32(u[i + k]) & 0x3F) }
                if v > 0xFFFF {
                    let w = v - 0x10000
                    hex4(0xD800 + (w >> 10), into: &out)
                    hex4(0xDC00 + (w & 0x3FF), into: &out)
                } else {
                    hex4(v, into: &out)
                }
                i += len
            }
        }
        out.append(0x22)
    }

    private static func hex4(_ v: UInt32, into out: inout [UInt8]) {
        func digit(_ n: UInt32) -> UInt8 { n < 10 ? 0x30 + UInt8(n) : 0x57 + UInt8(n) }
        out.append(0x5C); out.append(0x75)
        out.append(digit(v >> 12 & 0xF)); out.append(digit(v >> 8 & 0xF)); out.append(digit(v >> 4 & 0xF)); out.append(digit(v & 0xF))
    }

    /// Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16).
    public static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-lay them out Python's way.
        let desc = "\(d.magnitude)"
        var digits = ""
        var exp10 = 0
        if let eIdx = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mant = String(desc[..<eIdx])
            exp10 = Int(desc[desc.index(after: eIdx)...])!
            let parts = mant.split(separator: ".", omittingEmptySubsequences: false)
            digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
            exp10 += parts[0].count - 1
        } else {
            let parts = desc.split(separator: ".", omittingEmptySubsequences: false)
            let ip = String(parts[0]), fp = parts.count > 1 ? String(parts[1]) : ""
            digits = ip + fp
            exp10 = ip.count - 1
        }
        // strip leading zeros (e.g. "0.001" -> digits "0001")
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); exp10 -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        if exp10 < -4 || exp10 >= 16 {
            var m = String(digits.first!)
            if digits.count > 1 { m += "." + digits.dropFirst() }
            let e = exp10 < 0 ? "-" + pad2(-exp10) : "+" + pad2(exp10)
            return sign + m + "e" + e
        }
        if exp10 < 0 {
            return sign + "0." + String(repeating: "0", count: -exp10 - 1) + digits
        }
        if digits.count <= exp10 + 1 {
            return sign + digits + String(repeating: "0", count: exp10 + 1 - digits.count) + ".0"
        }
        let ip = digits.prefix(exp10 + 1), fp = digits.dropFirst(exp10 + 1)
        return sign + ip + "." + fp
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

// MARK: - Reading

public struct JSONParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable { case syntax, duplicateKey = "duplicate-key", tooDeep = "too-deep", invalidUTF8 = "invalid-utf8" }
    public var kind: Kind
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

public struct JSONParser {
    public var maxDepth = 512
    /// Reject objects that repeat a key (the strict egg reader needs this).
    public var rejectDuplicateKeys = false

    public init(maxDepth: Int = 512, rejectDuplicateKeys: Bool = false) {
        self.maxDepth = maxDepth
        self.rejectDuplicateKeys = rejectDuplicateKeys
    }

    public func parse(_ data: Data) throws -> JSONValue { try parse(bytes: [UInt8](data)) }
    public func parse(_ text: String) throws -> JSONValue { try parse(bytes: Array(text.utf8)) }

    public func parse(bytes: [UInt8]) throws -> JSONValue {
        var p = Cursor(b: bytes, opts: self)
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        if p.i != bytes.count { throw p.err("extra data after the JSON value") }
        return v
    }

    struct Cursor {
        let b: [UInt8]
        let opts: JSONParser
        var i = 0
        init(b: [UInt8], opts: JSONParser) { self.b = b; self.opts = opts }

        func err(_ m: String, _ k: JSONParseError.Kind = .syntax) -> JSONParseError { JSONParseError(kind: k, message: m, offset: i) }

        mutating func skipWS() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < opts.maxDepth else { throw err("nesting deeper than \(opts.maxDepth)", .tooDeep) }
            guard i < b.count else { throw err("unexpected end of JSON") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(String, JSONValue)] = []
                var seen = Set<[Unicode.Scalar]>()
                skipWS()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skipWS()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw err("expected a string key") }
                    let k = try string()
                    if opts.rejectDuplicateKeys {
                        let key = Array(k.unicodeScalars)
                        if !seen.insert(key).inserted { throw err("duplicate key \"\(k)\"", .duplicateKey) }
                    }
                    skipWS()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw err("expected ':'") }
                    i += 1
                    skipWS()
                    let v = try value(depth: depth + 1)
                    pairs.append((k, v))
                    skipWS()
                    guard i < b.count else { throw err("unexpected end of JSON") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; break }
                    throw err("expected ',' or '}'")
                }
                return .object(pairs)
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipWS()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipWS()
                    items.append(try value(depth: depth + 1))
                    skipWS()
                    guard i < b.count else { throw err("unexpected end of JSON") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; break }
                    throw err("expected ',' or ']'")
                }
                return .array(items)
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                return try number()
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { throw err("invalid literal") }
            i += w.count
        }

        mutating func number() throws -> JSONValue {
            let start = i
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw err("invalid value") }
            if b[i] == UInt8(ascii: "0") { i += 1 } else { while i < b.count, isDigit(b[i]) { i += 1 } }
            var isFloat = false
            if i < b.count, b[i] == UInt8(ascii: ".") {
                isFloat = true
                i += 1
                guard i < b.count, isDigit(b[i]) else { throw err("invalid number") }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                isFloat = true
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard i < b.count, isDigit(b[i]) else { throw err("invalid number") }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            if isFloat {
                guard let d = Double(text) else { throw err("invalid number") }
                return .double(d)
            }
            return JSONValue.integer(text)
        }

        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= b.count else { throw err("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw err("invalid \\u escape")
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }

        mutating func string() throws -> String {
            i += 1  // opening quote
            // Fast path: no escapes before the closing quote.
            let start = i
            var j = i
            while j < b.count {
                let c = b[j]
                if c == 0x22 {
                    guard let s = String(validating: b[start..<j], as: UTF8.self) else { throw err("invalid UTF-8 in string", .invalidUTF8) }
                    i = j + 1
                    return s
                }
                if c == 0x5C || c < 0x20 { break }
                j += 1
            }
            var bytes = Array(b[start..<j])
            i = j
            while true {
                guard i < b.count else { throw err("unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw err("control character in string") }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < b.count else { throw err("unterminated string") }
                    let e = b[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""): bytes.append(0x22)
                    case UInt8(ascii: "\\"): bytes.append(0x5C)
                    case UInt8(ascii: "/"): bytes.append(0x2F)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"):
                        var v = try hex4()
                        if (0xD800...0xDBFF).contains(v), i + 6 <= b.count, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") {
                            let save = i
                            i += 2
                            let lo = try hex4()
                            if (0xDC00...0xDFFF).contains(lo) {
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                i = save
                            }
                        }
                        // A lone surrogate cannot live in a Swift String: U+FFFD stands in.
                        bytes += UTF8.encode(Unicode.Scalar(v) ?? "\u{FFFD}")!
                    default: throw err("invalid escape")
                    }
                    continue
                }
                bytes.append(c)
                i += 1
            }
            guard let s = String(validating: bytes, as: UTF8.self) else { throw err("invalid UTF-8 in string", .invalidUTF8) }
            return s
        }
    }
}

extension JSONValue {
    /// Parse strictly; invalid UTF-8 is an error rather than repaired.
    public static func parse(_ data: Data, rejectDuplicateKeys: Bool = false) throws -> JSONValue {
        guard String(validatingUTF8CString: data) != nil || data.isEmpty else {
            throw JSONParseError(kind: .invalidUTF8, message: "JSON text is not valid UTF-8", offset: 0)
        }
        return try JSONParser(rejectDuplicateKeys: rejectDuplicateKeys).parse(data)
    }
}

extension String {
    /// Strict UTF-8 validation of raw bytes (no NUL handling).
    init?(validatingUTF8CString data: Data) {
        var it = data.makeIterator()
        var decoder = UTF8()
        var s = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let u): s.append(u)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(s)
    }
}
