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

    /// Does `needle` occur in `t` at `i`?
    @inline(__always)
    static func matches(_ t: UnsafeBufferPointer<UInt32>, _ i: Int, _ needle: [UInt32]) -> Bool {
        guard i + needle.count <= t.count else { return false }
        for k in 0..<needle.count where t[i + k] != needle[k] { return false }
        return true
    }

    static func skipSpace(_ t: UnsafeBufferPointer<UInt32>, _ i: Int) -> Int {
        var j = i
        while j < t.count && isSpace(t[j]) { j += 1 }
        return j
    }

    /// Does any needle occur between `from` and the end of its line (`.*` stops at `\\n`)?
    static func lineContains(_ t: UnsafeBufferPointer<UInt32>, _ from: Int, _ needles: [[UInt32]]) -> Bool {
        var i = from
        while i < t.count && t[i] != 0x0A {
            for n in needles where n[0] == t[i] {
                var k = 1
                while k < n.count && i + k < t.count && t[i + k] != 0x0A && t[i + k] == n[k] { k += 1 }
                if k == n.count { return true }
            }
            i += 1
        }
        return false
    }

    /// `\\bNAME\\s*\\(` at `i` (NAME starts with a word character, so `\\b` means no word
    /// character before). Returns the index after `(`.
    @inline(__always)
    static func call(_ t: UnsafeBufferPointer<UInt32>, _ i: Int, _ name: [UInt32]) -> Int? {
        guard matches(t, i, name), i == 0 || !isWord(t[i - 1]) else { return nil }
        let j = skipSpace(t, i + name.count)
        return j < t.count && t[j] == 0x28 ? j + 1 : nil
    }

    /// `(api[_-]?key|secret|password|token)\\s*=\\s*["'][^"']{8,}` at `i` for one of the words
    /// (no `\\b`; `\\s` and `[^"']` cross lines).
    static func secretAssignment(_ t: UnsafeBufferPointer<UInt32>, _ i: Int, _ word: [UInt32]) -> Bool {
        guard matches(t, i, word) else { return false }
        var j = skipSpace(t, i + word.count)
        guard j < t.count, t[j] == 0x3D else { return false }
        j = skipSpace(t, j + 1)
        guard j < t.count, t[j] == 0x22 || t[j] == 0x27 else { return false }
        var k = j + 1, n = 0
        while k < t.count && n < 8 && t[k] != 0x22 && t[k] != 0x27 { k += 1; n += 1 }
        return n >= 8
    }

    static let osSystemName = PyStr.codePoints("os.system")
    static let openName = PyStr.codePoints("open")
    static let compileName = PyStr.codePoints("compile")
    static let execName = PyStr.codePoints("exec")
    static let evalName = PyStr.codePoints("eval")
    static let importName = PyStr.codePoints("__import__")
    static let fileNeedles = ["/etc", "/proc", ".env", ".ssh", "passwd"].map(PyStr.codePoints)
    static let quotedExec = ["\"exec\"", "\"exec'", "'exec\"", "'exec'"].map(PyStr.codePoints)
    static let secretWords = ["api_key", "api-key", "apikey", "secret", "password", "token"].map(PyStr.codePoints)

    /// Where each pattern first matches (what `re.search` reports), found in one pass.
    struct Scan {
        /// `\\bos\\.system\\s*\\(`
        var osSystem: Int?
        /// `\\bopen\\s*\\(.*(\\/etc|\\/proc|\\.env|\\.ssh|passwd)`
        var suspiciousOpen: Int?
        /// `(api[_-]?key|secret|password|token)\\s*=\\s*["'][^"']{8,}`
        var hardcodedSecret: Int?
        var exec: Int?, eval: Int?, dynamicImport: Int?
        /// `\\bcompile\\s*\\(.*["']exec["']`
        var compileExec: Int?
        /// First offset of each of the substrings asked for (plain `in` tests).
        var substrings: [Int?]
    }

    /// Probe-table column of the character after `i`: ASCII by code, anything else (or the
    /// end of the text) in the last column.
    static let otherColumn = 128

    /// What to try at each pair of characters (first ASCII character × column of the next):
    /// bits 1–5 the patterns by their first two letters.
    static let patternProbe: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 128 * 129)
        func set(_ a: String, _ bit: UInt8) {
            let u = Array(a.utf8)
            t[Int(u[0]) * 129 + Int(u[1])] |= bit
        }
        set("os", 2); set("op", 2); set("ex", 4); set("ev", 4); set("__", 8); set("co", 16)
        for w in secretWords { set(PyStr.string(w[0..<2]), 32) }
        return t
    }()

    static func scan(_ text: [UInt32], substrings: [[UInt32]]) -> Scan {
        var r = Scan(substrings: Array(repeating: nil, count: substrings.count))
        var open = substrings.count  // substrings not found yet
        // Bit 0: a substring may start here (by its first two characters).
        var probe = patternProbe
        for n in substrings {
            guard let f = n.first, f < 128 else { continue }
            if n.count == 1 {
                for c in 0...otherColumn { probe[Int(f) * 129 + c] |= 1 }
            } else {
                probe[Int(f) * 129 + Int(min(n[1], UInt32(otherColumn)))] |= 1
            }
        }
        let other = substrings.contains { ($0.first ?? 0) >= 128 }
        // The probe is read for every ASCII character: a first test of "starts any pattern" was
        // fewer instructions but slower (a branch taken at random on common letters).
        text.withUnsafeBufferPointer { t in
            probe.withUnsafeBufferPointer { probe in
                let last = t.count - 1
                for i in 0..<t.count {
                    let c = t[i]
                    let bits: UInt8
                    if c < 128 {
                        let next = i < last ? min(t[i + 1], UInt32(otherColumn)) : UInt32(otherColumn)
                        bits = probe[Int(c) * 129 + Int(next)]
                    } else {
                        bits = other ? 1 : 0
                    }
                    if bits == 0 { continue }
                    if bits & 1 != 0 && open > 0 {
                        for k in 0..<substrings.count where r.substrings[k] == nil && substrings[k][0] == c && matches(t, i, substrings[k]) {
                            r.substrings[k] = i
                            open -= 1
                        }
                    }
                    if bits & 2 != 0 {
                        if r.osSystem == nil, call(t, i, osSystemName) != nil { r.osSystem = i }
                        if r.suspiciousOpen == nil, let j = call(t, i, openName), lineContains(t, j, fileNeedles) { r.suspiciousOpen = i }
                    }
                    if bits & 4 != 0 {
                        if r.exec == nil, call(t, i, execName) != nil { r.exec = i }
                        if r.eval == nil, call(t, i, evalName) != nil { r.eval = i }
                    }
                    if bits & 8 != 0, r.dynamicImport == nil, call(t, i, importName) != nil { r.dynamicImport = i }
                    if bits & 16 != 0, r.compileExec == nil, let j = call(t, i, compileName), lineContains(t, j, quotedExec) { r.compileExec = i }
                    if bits & 32 != 0, r.hardcodedSecret == nil, secretWords.contains(where: { $0[0] == c && secretAssignment(t, i, $0) }) {
                        r.hardcodedSecret = i
                    }
                }
            }
        }
        return r
    }
}
