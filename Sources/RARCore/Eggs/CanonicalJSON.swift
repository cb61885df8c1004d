import Foundation

/// RFC 8785 (JCS) canonical JSON and the strict RAPP input profile, on top of `JSONValue`.
public enum CanonicalJSON {
    public static let maxCanonicalBytes = 1024 * 1024
    public static let maxDepth = 64

    // MARK: strict reading

    /// Parse bytes under the RAPP I-JSON profile: no BOM, strict UTF-8, no duplicate keys,
    /// numbers that survive binary64 exactly, no lone surrogates, depth <= 64, canonical size <= 1 MiB.
    public static func strictParse(_ bytes: [UInt8]) throws(EggError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { throw EggError("utf8-bom", "a UTF-8 byte-order mark is forbidden") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw EggError("invalid-utf8", "input is not strict UTF-8")
        }
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: 512, rejectDuplicateKeys: true).parse(bytes: bytes)
        } catch let e as JSONParseError {
            switch e.kind {
            case .duplicateKey: throw EggError("duplicate-key", "duplicate JSON object member: \(e.message)")
            case .tooDeep: throw EggError("depth-exceeded", "JSON nesting depth exceeds \(maxDepth)")
            default:
                if startsNonFinite(bytes, at: e.offset) {
                    throw EggError("number-not-finite", "non-finite JSON number is forbidden")
                }
                throw EggError("invalid-json", "input is not valid JSON (\(e.message) at byte \(e.offset))")
            }
        } catch {
            throw EggError("invalid-json", "input is not valid JSON")
        }
        try scanTokens(bytes)
        try checkDepth(value, depth: 1)
        _ = try canonicalBytes(value)
        return value
    }

    /// Python's json accepts NaN/Infinity literals; the profile refuses them as non-finite.
    private static func startsNonFinite(_ b: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset < b.count else { return false }
        let rest = b[offset...]
        for w in ["NaN", "Infinity", "-Infinity"] where rest.starts(with: w.utf8) { return true }
        return false
    }

    /// Walk the raw text (already known to be valid JSON): check number tokens and \u escapes.
    private static func scanTokens(_ b: [UInt8]) throws(EggError) {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == 0x22 {  // string
                i += 1
                var pendingHigh = false
                while i < n, b[i] != 0x22 {
                    if b[i] == 0x5C {
                        let e = b[i + 1]
                        if e == 0x75 {
                            let v = hex4(b, i + 2)
                            if (0xD800...0xDBFF).contains(v) {
                                if pendingHigh { throw loneSurrogate() }
                                pendingHigh = true
                            } else if (0xDC00...0xDFFF).contains(v) {
                                if !pendingHigh { throw loneSurrogate() }
                                pendingHigh = false
                            } else if pendingHigh {
                                throw loneSurrogate()
                            }
                            i += 6
                        } else {
                            if pendingHigh { throw loneSurrogate() }
                            i += 2
                        }
                    } else {
                        if pendingHigh { throw loneSurrogate() }
                        i += 1
                    }
                }
                if pendingHigh { throw loneSurrogate() }
                i += 1
            } else if c == 0x2D || (0x30...0x39).contains(c) {
                let start = i
                i += 1
                while i < n, let d = Optional(b[i]),
                    (0x30...0x39).contains(d) || d == 0x2E || d == 0x65 || d == 0x45 || d == 0x2B || d == 0x2D
                {
                    i += 1
                }
                try validateNumberToken(String(decoding: b[start..<i], as: UTF8.self))
            } else {
                i += 1
            }
        }
    }

    private static func loneSurrogate() -> EggError { EggError("lone-surrogate", "unpaired UTF-16 surrogate is forbidden") }

    private static func hex4(_ b: [UInt8], _ o: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[o + k]
            let d: UInt32 = c <= 0x39 ? UInt32(c - 0x30) : (c <= 0x46 ? UInt32(c - 0x41 + 10) : UInt32(c - 0x61 + 10))
            v = v << 4 | d
        }
        return v
    }

    /// The token's value must equal, exactly, what JCS prints for its nearest binary64.
    static func validateNumberToken(_ token: String) throws(EggError) {
        guard let d = Double(token) else { throw EggError("number-not-binary64", "number token does not map to binary64: \(token)") }
        guard d.isFinite else { throw EggError("number-not-finite", "number token maps to a non-finite value: \(token)") }
        if DecimalText(token) != DecimalText(ecmaNumber(d)) {
            throw EggError("number-not-roundtrip", "number token changes value through binary64: \(token)")
        }
    }

    private static func checkDepth(_ v: JSONValue, depth: Int) throws(EggError) {
        if depth > maxDepth { throw EggError("depth-exceeded", "JSON nesting depth exceeds \(maxDepth)") }
        switch v {
        case .array(let items):
            for x in items { try checkDepth(x, depth: x.isContainer ? depth + 1 : depth) }
        case .object(let pairs):
            for (_, x) in pairs { try checkDepth(x, depth: x.isContainer ? depth + 1 : depth) }
        default: break
        }
    }

    // MARK: canonical writing

    /// RFC 8785 bytes. Refuses non-finite numbers and output over 1 MiB.
    public static func canonicalBytes(_ v: JSONValue, limit: Int? = maxCanonicalBytes) throws(EggError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        try write(v, into: &out)
        if let limit, out.count > limit {
            throw EggError("canonical-size-exceeded", "canonical form exceeds \(limit) bytes")
        }
        return out
    }

    public static func canonicalString(_ v: JSONValue) throws(EggError) -> String {
        String(decoding: try canonicalBytes(v, limit: nil), as: UTF8.self)
    }

    private static func write(_ v: JSONValue, into out: inout [UInt8]) throws(EggError) {
        switch v {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i):
            if i.magnitude <= (1 << 53) - 1 { out += Array(String(i).utf8) } else { out += Array(ecmaNumber(Double(i)).utf8) }
        case .bigInt(let s):
            guard let d = Double(s), d.isFinite else { throw EggError("number-not-finite", "integer is outside binary64") }
            out += Array(ecmaNumber(d).utf8)
        case .double(let d):
            guard d.isFinite else { throw EggError("number-not-finite", "non-finite JSON number is forbidden") }
            out += Array(ecmaNumber(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(0x5B)
            for (k, x) in items.enumerated() {
                if k > 0 { out.append(0x2C) }
                try write(x, into: &out)
            }
            out.append(0x5D)
        case .object(let pairs):
            // JCS sorts member names by their UTF-16 code units.
            let sorted = pairs.sorted { Array($0.0.utf16).lexicographicallyPrecedes(Array($1.0.utf16)) }
            out.append(0x7B)
            for (k, (key, x)) in sorted.enumerated() {
                if k > 0 { out.append(0x2C) }
                writeString(key, into: &out)
                out.append(0x3A)
                try write(x, into: &out)
            }
            out.append(0x7D)
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        let hexd = Array("0123456789abcdef".utf8)
        for u in s.utf8 {
            switch u {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hexd[Int(u >> 4)], hexd[Int(u & 15)]]
            default: out.append(u)
            }
        }
        out.append(0x22)
    }

    /// ECMAScript Number::toString for a finite double (shortest round-trip digits).
    public static func ecmaNumber(_ d: Double) -> String {
        if d == 0 { return "0" }
        let (digits, point) = shortestDigits(d.magnitude)  // value = 0.digits * 10^point
        let sign = d < 0 ? "-" : ""
        let k = digits.count
        let n = point
        if k <= n && n <= 21 { return sign + digits + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 {
            return sign + String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        }
        if -6 < n && n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + digits }
        let e = n - 1
        let es = e < 0 ? "-\(-e)" : "+\(e)"
        if k == 1 { return sign + digits + "e" + es }
        return sign + String(digits.prefix(1)) + "." + String(digits.dropFirst()) + "e" + es
    }

    /// Shortest digits from Swift's description, as (digits, n) with value = 0.d1d2... * 10^n.
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        let desc = "\(d)"
        var mant = Substring(desc)
        var exp = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mant = desc[..<e]
            exp = Int(desc[desc.index(after: e)...])!
        }
        let parts = mant.split(separator: ".", omittingEmptySubsequences: false)
        let ip = String(parts[0])
        let fp = parts.count > 1 ? String(parts[1]) : ""
        var digits = ip + fp
        var n = ip.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); n -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, n)
    }

    // MARK: Unicode

    /// True when `s` is already in Unicode NFC (compared scalar by scalar, never normalised).
    public static func isNFC(_ s: String) -> Bool {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return true }
        return s.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(s.unicodeScalars)
    }

    /// Refuse object keys (recursively) that are not NFC.
    static func requireNFCKeys(_ v: JSONValue) throws(EggError) {
        switch v {
        case .object(let pairs):
            for (k, x) in pairs {
                if !isNFC(k) { throw EggError("invalid-egg-payload", "producer payload object keys must be Unicode NFC") }
                try requireNFCKeys(x)
            }
        case .array(let items): for x in items { try requireNFCKeys(x) }
        default: break
        }
    }
}

extension JSONValue {
    var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    /// Member names in order, compared bytewise.
    var keySet: Set<ByteKey>? {
        guard case .object(let pairs) = self else { return nil }
        return Set(pairs.map { ByteKey($0.0) })
    }

    /// Byte-exact member lookup (the JSONValue subscript compares scalars, which is equivalent).
    func member(_ key: String) -> JSONValue? { self[key] }
}

/// A decimal number's exact mathematical value, for comparing number spellings.
struct DecimalText: Equatable {
    var negative = false
    var digits: [UInt8] = []  // significant digits, no leading/trailing zeros; empty for zero
    var exponent = 0  // value = 0.digits * 10^exponent

    init(_ text: String) {
        var u = Array(text.utf8)
        if u.first == 0x2D { negative = true; u.removeFirst() } else if u.first == 0x2B { u.removeFirst() }
        var mantissa: [UInt8] = []
        var pointPos: Int? = nil
        var exp = 0
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == 0x2E { pointPos = mantissa.count } else if c == 0x65 || c == 0x45 {
                exp = Int(String(decoding: u[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else { mantissa.append(c) }
            i += 1
        }
        let intLen = pointPos ?? mantissa.count
        var lead = 0
        while lead < mantissa.count, mantissa[lead] == 0x30 { lead += 1 }
        var d = Array(mantissa[lead...])
        while let l = d.last, l == 0x30 { d.removeLast() }
        digits = d
        exponent = d.isEmpty ? 0 : intLen - lead + exp
        if d.isEmpty { negative = false }
    }
}
