/// The reference's security and capability regexes, matched directly over code points with
/// Python `re` semantics: `\b` and `\w` are Unicode-aware, `\s` is `str.isspace()`, and `.`
/// matches anything but `\n`. Each function returns the offset where `re.search` would match.
enum PyPattern {
    static func isWord(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard let u = Unicode.Scalar(c) else { return false }
        return u.properties.isAlphabetic || u.properties.numericType != nil
    }

    static func isSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The first index >= `from` where `needle` occurs in `t`.
    static func find(_ t: [UInt32], _ needle: [UInt32], from: Int = 0) -> Int? {
        guard let first = needle.first, needle.count <= t.count, from >= 0 else { return nil }
        return t.withUnsafeBufferPointer { tb in
            needle.withUnsafeBufferPointer { nb in
                var i = from
                let last = tb.count - nb.count
                while i <= last {
                    if tb[i] == first {
                        var k = 1
                        while k < nb.count && tb[i + k] == nb[k] { k += 1 }
                        if k == nb.count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Start indices of `needle` in `t`, in order, found one at a time.
    static func occurrences(_ t: [UInt32], _ needle: [UInt32]) -> some Sequence<Int> {
        AnySequence { () -> AnyIterator<Int> in
            var from = 0
            return AnyIterator {
                guard let i = find(t, needle, from: from) else { return nil }
                from = i + 1
                return i
            }
        }
    }

    static func skipSpace(_ t: [UInt32], _ i: Int) -> Int {
        var j = i
        while j < t.count && isSpace(t[j]) { j += 1 }
        return j
    }

    static func boundaryBefore(_ t: [UInt32], _ i: Int) -> Bool { i == 0 || !isWord(t[i - 1]) }

    /// `\\bNAME\\s*\\(` (NAME starts with a word character, so `\\b` means no word character before).
    static func call(_ t: [UInt32], _ name: String) -> Int? {
        let n = PyStr.codePoints(name)
        for i in occurrences(t, n) where boundaryBefore(t, i) {
            let j = skipSpace(t, i + n.count)
            if j < t.count && t[j] == 0x28 { return i }
        }
        return nil
    }

    /// `\\bos\\.system\\s*\\(`
    static func osSystem(_ t: [UInt32]) -> Int? { call(t, "os.system") }

    /// The rest of the line after index `from` (`.*` stops at `\\n`).
    static func lineEnd(_ t: [UInt32], _ from: Int) -> Int {
        var e = from
        while e < t.count && t[e] != 0x0A { e += 1 }
        return e
    }

    static func lineContains(_ t: [UInt32], _ from: Int, _ needles: [[UInt32]]) -> Bool {
        let end = lineEnd(t, from)
        let slice = Array(t[from..<end])
        return needles.contains { find(slice, $0) != nil }
    }

    static let fileNeedles = ["/etc", "/proc", ".env", ".ssh", "passwd"].map(PyStr.codePoints)

    /// `\\bopen\\s*\\(.*(\\/etc|\\/proc|\\.env|\\.ssh|passwd)`
    static func suspiciousOpen(_ t: [UInt32]) -> Int? {
        let n = PyStr.codePoints("open")
        for i in occurrences(t, n) where boundaryBefore(t, i) {
            let j = skipSpace(t, i + n.count)
            if j < t.count && t[j] == 0x28 && lineContains(t, j + 1, fileNeedles) { return i }
        }
        return nil
    }

    /// `\\bcompile\\s*\\(.*["']exec["']`
    static func compileExec(_ t: [UInt32]) -> Int? {
        let n = PyStr.codePoints("compile")
        let quoted = ["\"exec\"", "\"exec'", "'exec\"", "'exec'"].map(PyStr.codePoints)
        for i in occurrences(t, n) where boundaryBefore(t, i) {
            let j = skipSpace(t, i + n.count)
            if j < t.count && t[j] == 0x28 && lineContains(t, j + 1, quoted) { return i }
        }
        return nil
    }

    static let secretWords = ["api_key", "api-key", "apikey", "secret", "password", "token"].map(PyStr.codePoints)

    /// `(api[_-]?key|secret|password|token)\\s*=\\s*["'][^"']{8,}` (no `\\b`; `\\s` and `[^"']` cross lines).
    static func hardcodedSecret(_ t: [UInt32]) -> Int? {
        var best: Int?
        for w in secretWords {
            for i in occurrences(t, w) {
                if let b = best, i >= b { break }
                var j = skipSpace(t, i + w.count)
                guard j < t.count, t[j] == 0x3D else { continue }
                j = skipSpace(t, j + 1)
                guard j < t.count, t[j] == 0x22 || t[j] == 0x27 else { continue }
                var k = j + 1, n = 0
                while k < t.count && n < 8 && t[k] != 0x22 && t[k] != 0x27 { k += 1; n += 1 }
                if n >= 8 { best = i; break }
            }
        }
        return best
    }
}
