import Foundation

/// Why a file could not even be tokenized: the reference's error classes.
public enum SourceErrorCode: String, Sendable, Codable {
    case decodeError = "decode_error"
    case nullBytes = "null_bytes"
    case syntaxError = "syntax_error"
    case parserLimit = "parser_limit"
    case tooLarge = "too_large"
}

/// A lexical/syntax error with a 1-based line and 0-based column (in scalars).
public struct PySyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case syntax = "SyntaxError", indentation = "IndentationError", tab = "TabError" }
    public var code: SourceErrorCode
    public var kind: Kind
    public var message: String
    public var line: Int
    public var col: Int

    public init(_ message: String, line: Int, col: Int, kind: Kind = .syntax, code: SourceErrorCode = .syntaxError) {
        self.message = message
        self.line = line
        self.col = col
        self.kind = kind
        self.code = code
    }

    public var description: String {
        switch code {
        case .syntaxError: return "\(kind.rawValue): \(message) (line \(line))"
        default: return message
        }
    }
}

/// Source text as Python's `Path.read_text` sees it: strict UTF-8, universal newlines,
/// held as code points so columns never depend on grapheme clustering.
public struct SourceText: Sendable {
    /// Code points after newline normalisation.
    public let scalars: [UInt32]
    /// Index into `scalars` where each line starts (line 1 at index 0).
    public let lineStarts: [Int]

    public static let defaultSizeLimit = 1 << 20

    /// Decode bytes; throws `PySyntaxError` with code decode_error / null_bytes / too_large.
    public init(bytes: [UInt8], sizeLimit: Int = SourceText.defaultSizeLimit) throws {
        if bytes.count > sizeLimit {
            throw PySyntaxError("file is \(bytes.count) bytes, over the \(sizeLimit)-byte limit", line: 1, col: 0, code: .tooLarge)
        }
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 16)
        var failure: (Int, String)?
        var sawNul = false
        // One pass over raw buffers: decode, normalise newlines, note where lines start.
        let out = [UInt32](unsafeUninitializedCapacity: bytes.count) { buf, count in
            bytes.withUnsafeBufferPointer { src in
                var i = 0, o = 0
                let n = src.count
                let raw = UnsafeRawPointer(src.baseAddress)
                while i < n {
                    // Eight ASCII bytes with no CR, LF or NUL are copied as they are.
                    if i + 8 <= n, let raw, SourceText.plainASCII(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                        for k in 0..<8 { buf[o + k] = UInt32(src[i + k]) }
                        i += 8
                        o += 8
                        continue
                    }
                    let b0 = src[i]
                    if b0 < 0x80 {
                        if b0 == 0x0D {  // \r\n and lone \r become \n
                            buf[o] = 0x0A
                            o += 1
                            starts.append(o)
                            i += (i + 1 < n && src[i + 1] == 0x0A) ? 2 : 1
                            continue
                        }
                        if b0 == 0x0A { starts.append(o + 1) } else if b0 == 0 { sawNul = true }
                        buf[o] = UInt32(b0)
                        o += 1
                        i += 1
                        continue
                    }
                    let (scalar, len, err) = SourceText.decodeMultibyte(bytes, i)
                    if let err { failure = (i, err); break }
                    buf[o] = scalar
                    o += 1
                    i += len
                }
                count = o
            }
        }
        if let (i, err) = failure {
            throw PySyntaxError(
                "'utf-8' codec can't decode byte 0x\(String(format: "%02x", bytes[i])) in position \(i): \(err)",
                line: 1, col: 0, code: .decodeError)
        }
        if sawNul {
            throw PySyntaxError("source code string cannot contain null bytes", line: 1, col: 0, code: .nullBytes)
        }
        scalars = out
        lineStarts = starts
    }

    public init(string: String) {
        // Strings are already valid Unicode; still apply newline normalisation.
        try! self.init(bytes: Array(string.utf8), sizeLimit: Int.max)
    }

    /// True when no byte of `w` is non-ASCII, CR, LF or NUL (bit tricks on the eight bytes).
    @inline(__always)
    static func plainASCII(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        return w & highs == 0 && !hasZero(w) && !hasZero(w ^ (ones &* 0x0A)) && !hasZero(w ^ (ones &* 0x0D))
    }

    /// Decode one multi-byte UTF-8 sequence the way CPython classifies errors.
    static func decodeMultibyte(_ b: [UInt8], _ i: Int) -> (UInt32, Int, String?) {
        let b0 = b[i]
        let n = b.count
        var need = 0
        var value: UInt32 = 0
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1; value = UInt32(b0 & 0x1F)
        case 0xE0: need = 2; value = UInt32(b0 & 0x0F); lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: need = 2; value = UInt32(b0 & 0x0F)
        case 0xED: need = 2; value = UInt32(b0 & 0x0F); hi = 0x9F
        case 0xF0: need = 3; value = UInt32(b0 & 0x07); lo = 0x90
        case 0xF1...0xF3: need = 3; value = UInt32(b0 & 0x07)
        case 0xF4: need = 3; value = UInt32(b0 & 0x07); hi = 0x8F
        default: return (0, 1, "invalid start byte")
        }
        for k in 1...need {
            guard i + k < n else { return (0, 1, "unexpected end of data") }
            let c = b[i + k]
            let (l, h) = k == 1 ? (lo, hi) : (UInt8(0x80), UInt8(0xBF))
            guard c >= l && c <= h else { return (0, 1, "invalid continuation byte") }
            value = (value << 6) | UInt32(c & 0x3F)
        }
        return (value, need + 1, nil)
    }

    public var lineCount: Int { lineStarts.count }

    /// 1-based line and 0-based scalar column of an offset.
    public func location(of offset: Int) -> (line: Int, col: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo])
    }

    /// UTF-8 byte column (what Python's ast reports) of a scalar column on a line.
    public func byteColumn(line: Int, col: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return col }
        let start = lineStarts[line - 1]
        var bytes = 0
        var k = start
        while k < start + col && k < scalars.count {
            let c = scalars[k]
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
            k += 1
        }
        return bytes
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : scalars.count
        if end < start { end = start }
        return PyStr.string(scalars[start..<end])
    }
}

/// Helpers for code-point arrays.
enum PyStr {
    /// Code points → String (lone surrogates become U+FFFD), encoded to UTF-8 in one buffer.
    static func string<C: Collection>(_ cps: C) -> String where C.Element == UInt32 {
        if cps.allSatisfy({ $0 < 0x80 }) {
            // ASCII (most names and keys): straight into the string's own storage.
            let n = cps.count
            return String(unsafeUninitializedCapacity: n) { buf in
                var k = 0
                for c in cps { buf[k] = UInt8(truncatingIfNeeded: c); k += 1 }
                return n
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cps.count)
        for c in cps {
            if c < 0x80 { bytes.append(UInt8(truncatingIfNeeded: c)); continue }
            bytes.append(contentsOf: UTF8.encode(Unicode.Scalar(c) ?? "\u{FFFD}")!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// String → code points (decoded straight from UTF-8).
    static func codePoints(_ s: String) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars { out.append(u.value) }
        return out
    }
}
