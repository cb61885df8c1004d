/// Python's `str()` and `repr()` of literal values, for messages that must read exactly as
/// the reference's f-strings do.
extension PyValue {
    public var pyRepr: String {
        switch self {
        case .str(let s): return PyFormat.reprString(s)
        case .bytes(let b): return "b" + PyFormat.reprBytes(b)
        case .int(let neg, let d): return (neg ? "-" : "") + d
        case .float(let f):
            if f.isNaN { return "nan" }
            if f.isInfinite { return f < 0 ? "-inf" : "inf" }
            return JSONValue.pythonFloatRepr(f)
        case .complex(let a, let b):
            let im = PyFormat.complexPart(b) + "j"
            if a == 0 && a.sign == .plus { return im }
            let sign = b < 0 || (b == 0 && b.sign == .minus) ? "" : "+"
            return "(" + PyFormat.complexPart(a) + sign + im + ")"
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .ellipsis: return "Ellipsis"
        case .tuple(let a): return a.count == 1 ? "(" + a[0].pyRepr + ",)" : "(" + a.map(\.pyRepr).joined(separator: ", ") + ")"
        case .list(let a): return "[" + a.map(\.pyRepr).joined(separator: ", ") + "]"
        case .set(let a): return a.isEmpty ? "set()" : "{" + a.map(\.pyRepr).joined(separator: ", ") + "}"
        case .dict(let d): return "{" + d.map { $0.0.pyRepr + ": " + $0.1.pyRepr }.joined(separator: ", ") + "}"
        }
    }

    /// `str(v)`.
    public var pyStr: String {
        if case .str(let s) = self { return PyStr.string(s) }
        return pyRepr
    }
}

enum PyFormat {
    static func complexPart(_ d: Double) -> String {
        let r = JSONValue.pythonFloatRepr(d)
        return r.hasSuffix(".0") ? String(r.dropLast(2)) : r
    }

    /// Python's `str.isprintable()` for one code point.
    static func isPrintable(_ c: UInt32) -> Bool {
        if c == 0x20 { return true }
        guard let u = Unicode.Scalar(c) else { return false }
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default: return true
        }
    }

    static func reprString(_ s: [UInt32]) -> String {
        let hasSingle = s.contains(0x27), hasDouble = s.contains(0x22)
        let q: UInt32 = hasSingle && !hasDouble ? 0x22 : 0x27
        var out = PyStr.string([q])
        for c in s {
            switch c {
            case q, 0x5C: out += "\\" + PyStr.string([c])
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            default:
                if c < 0x20 || c == 0x7F {
                    out += "\\x" + hex(c, 2)
                } else if c < 0x7F || isPrintable(c) {
                    out += PyStr.string([c])
                } else if c <= 0xFF {
                    out += "\\x" + hex(c, 2)
                } else if c <= 0xFFFF {
                    out += "\\u" + hex(c, 4)
                } else {
                    out += "\\U" + hex(c, 8)
                }
            }
        }
        return out + PyStr.string([q])
    }

    static func reprBytes(_ b: [UInt8]) -> String {
        let hasSingle = b.contains(0x27), hasDouble = b.contains(0x22)
        let q: UInt8 = hasSingle && !hasDouble ? 0x22 : 0x27
        var out = String(UnicodeScalar(q))
        for c in b {
            switch c {
            case q, 0x5C: out += "\\" + String(UnicodeScalar(c))
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            default: out += (c < 0x20 || c >= 0x7F) ? "\\x" + hex(UInt32(c), 2) : String(UnicodeScalar(c))
            }
        }
        return out + String(UnicodeScalar(q))
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// `str.isdigit()`: Unicode Numeric_Type Digit or Decimal, and not empty.
    static func isDigit(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        return s.unicodeScalars.allSatisfy { u in
            let t = u.properties.numericType
            return t == .decimal || t == .digit
        }
    }
}
