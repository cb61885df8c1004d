import Crypto
import Foundation

/// Small, pure helpers shared by the registry build.
public enum BuildSupport {
    /// sha256-lf-v1: sha256 over the bytes with every CRLF replaced by LF, lowercase hex.
    /// Returns the digest and the LF-normalised length.
    public static func lfHash(_ bytes: [UInt8]) -> (hex: String, lfCount: Int) {
        var h = SHA256()
        var count = 0
        bytes.withUnsafeBufferPointer { buf in
            var start = 0
            let n = buf.count
            // From one CR to the next (memchr; most files have none).
            var i = crIndex(buf, from: 0)
            while i < n {
                if i + 1 < n && buf[i + 1] == 0x0A {
                    // Emit everything up to (excluding) the CR.
                    if i > start { h.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf[start..<i]))) }
                    count += i - start
                    start = i + 1
                }
                i = crIndex(buf, from: i + 1)
            }
            if n > start { h.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf[start..<n]))) }
            count += n - start
        }
        return (hex(h.finalize()), count)
    }

    /// `a/b/c.json` → `a/b` (`""` for a bare name): NSString's deletingLastPathComponent for
    /// the relative paths a build writes, without bridging.
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: 0x2F) else { return "" }
        return String(path[..<slash])
    }

    /// Where `needle` first occurs in `haystack`.
    static func firstRange(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Range<Int>? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<i + needle.count].elementsEqual(needle) { return i..<i + needle.count }
            i += 1
        }
        return nil
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
    public static func sha256Hex(_ s: String) -> String { hex(SHA256.hash(data: Array(s.utf8))) }

    static let hexDigits = Array("0123456789abcdef".utf8)
    static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in d { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lines as Python's `read_text().split("\n")` counts them (universal newlines:
    /// CRLF, lone CR and LF each end a line; a trailing newline adds an empty line).
    public static func pythonLineCount(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buf in
            let c = buf.count
            guard crIndex(buf, from: 0) < c else { return 1 + lfCount(buf) }
            var n = 1
            var i = 0
            while i < c {
                let b = buf[i]
                if b == 0x0A { n += 1 } else if b == 0x0D { n += 1; if i + 1 < c && buf[i + 1] == 0x0A { i += 1 } }
                i += 1
            }
            return n
        }
    }

    /// Index of the first CR at or after `from` (`buf.count` when there is none).
    @inline(__always)
    static func crIndex(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = buf.baseAddress, from < buf.count, let hit = memchr(base + from, 0x0D, buf.count - from) else { return buf.count }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// LF bytes in `buf`, eight at a time (exact zero-byte test per word, no borrow between bytes).
    static func lfCount(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = buf.baseAddress else { return 0 }
        let n = buf.count
        var count = 0
        var i = 0
        while i + 8 <= n {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let t = ((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x
            count += (~t & 0x8080_8080_8080_8080).nonzeroBitCount
            i += 8
        }
        while i < n { if base[i] == 0x0A { count += 1 }; i += 1 }
        return count
    }

    /// Python `round(len / 1024, 1)`: n·10/1024 is exact in binary, so half-even on it is exact.
    public static func sizeKB(_ lfCount: Int) -> Double {
        (Double(lfCount) * 10 / 1024).rounded(.toNearestOrEven) / 10
    }

    /// `rar_<safe>.py`: drop the leading `@`s, runs of [^A-Za-z0-9_] → `_`, strip `_`,
    /// lower-case, ensure an `_agent` suffix.
    public static func installFilename(_ name: String) -> String {
        var s = Substring(name)
        while s.hasPrefix("@") { s = s.dropFirst() }
        var out = ""
        var inRun = false
        for u in s.unicodeScalars {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
            if ok { out.unicodeScalars.append(u); inRun = false } else if !inRun { out += "_"; inRun = true }
        }
        var t = Substring(out)
        while t.hasPrefix("_") { t = t.dropFirst() }
        while t.hasSuffix("_") { t = t.dropLast() }
        // Python lower() on ASCII-only text.
        var safe = String(t).lowercased()
        if !safe.hasSuffix("_agent") { safe += "_agent" }
        return "rar_\(safe).py"
    }

    /// Paths in Python `Path` order, each key computed once.
    public static func sortedPaths(_ paths: [String]) -> [String] { sorted(paths, byBytes: pathKey) }

    /// `items` ordered by a byte key, computed once per item.
    static func sorted<T>(_ items: [T], byBytes key: (T) -> [UInt8]) -> [T] {
        let keys = items.map(key)
        // Sorting indices moves small values, not the items (stable, like `sorted`).
        return keys.indices.sorted { bytesLess(keys[$0], keys[$1]) }.map { items[$0] }
    }

    /// `a.lexicographicallyPrecedes(b)` for bytes, by `memcmp`.
    @inline(__always)
    public static func bytesLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    /// A byte key ordering like `pathLess`: the components' UTF-8 (which orders as code points)
    /// joined by NUL, which sorts below every byte a component holds.
    static func pathKey(_ s: String) -> [UInt8] {
        // Most paths have no empty component: the key is their bytes with each `/` made NUL.
        var bytes = Array(s.utf8)
        if bytes.first != 0x2F, bytes.last != 0x2F, !zip(bytes, bytes.dropFirst()).contains(where: { $0 == 0x2F && $1 == 0x2F }) {
            for i in bytes.indices where bytes[i] == 0x2F { bytes[i] = 0 }
            return bytes
        }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.split(separator: "/", omittingEmptySubsequences: true) {
            if !out.isEmpty { out.append(0) }
            out += c.utf8
        }
        return out
    }

    /// Python `Path` ordering: compare component tuples, each by code point.
    public static func pathLess(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "/", omittingEmptySubsequences: true)
        let pb = b.split(separator: "/", omittingEmptySubsequences: true)
        for (x, y) in zip(pa, pb) where x != y {
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value }
        }
        return pa.count < pb.count
    }

    /// `datetime.isoformat()` of a UTC instant: microseconds only when non-zero.
    public static func pythonISO(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let secs = Int(micros.floorDiv(1_000_000))
        let frac = Int(micros - Int64(secs) * 1_000_000)
        let base = utcStamp(secs)
        return frac == 0 ? base + "+00:00" : base + String(format: ".%06d", frac) + "+00:00"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func isoZ(_ epoch: Int) -> String { utcStamp(epoch) + "Z" }

    static func utcStamp(_ epoch: Int) -> String {
        var t = time_t(epoch)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    /// Manifest value → JSON the way Python's json.dump writes it (big ints stay integers).
    public static func pythonJSON(_ v: PyValue) -> JSONValue {
        switch v {
        case .int(let neg, let d): return JSONValue.integer((neg ? "-" : "") + d)
        case .tuple(let items), .list(let items): return .array(items.map(pythonJSON))
        case .dict(let pairs):
            if pairs.allSatisfy({ if case .str = $0.0 { return true }; return false }) {
                return .object(pairs.map { (PyStr.string(($0.0.strCodePoints)!), pythonJSON($0.1)) })
            }
            return v.json
        default: return v.json
        }
    }

    /// A seed as a JSON integer (`.bigInt` beyond Int).
    public static func seedJSON(_ s: CardSeed) -> JSONValue { JSONValue.integer(String(s)) }

    /// An integer JSON value as a seed (nil for anything else, negatives included).
    public static func seedValue(_ v: JSONValue) -> CardSeed? {
        switch v {
        case .int(let i): return i >= 0 ? CardSeed(i) : nil
        case .bigInt(let s): return CardSeed(s)
        default: return nil
        }
    }

    /// Set a key in place (Python dict assignment keeps the key's position) or append it.
    public static func set(_ pairs: inout [(String, JSONValue)], _ key: String, _ value: JSONValue) {
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
}

/// Git facts for every path, from one `git log` walk.
public struct GitHistory: Sendable {
    public struct Facts: Sendable {
        public var addedAt: String?
        public var firstSha: String?
        public var latestSha: String?

        /// One more commit touching the path, walking newest first.
        mutating func update(sha: String, added: Bool, date: String?) {
            if latestSha == nil { latestSha = sha }
            if added { firstSha = sha; addedAt = date }  // ends on the earliest add
        }
    }
    public var byPath: [String: Facts] = [:]
    public var available = false
    /// `head(root:)` when the history was read ("" outside a work tree or before any commit).
    var head = ""

    public init() {}

    /// The root's place in its work tree and the commit checked out: the history of a root
    /// with the same head text is the same. "" when not in a work tree (or no commit yet).
    static func head(root: String) -> String { run(["-C", root, "rev-parse", "--show-prefix", "HEAD"]) ?? "" }

    /// Reads history when `root` is inside a git work tree; paths are made relative to `root`.
    /// Dates are the committer time in UTC (`…Z`), independent of the git version.
    public static func load(root: String) -> GitHistory {
        var g = GitHistory()
        g.head = head(root: root)
        guard !g.head.isEmpty else { return g }
        let prefix = String(g.head.split(separator: "\n", omittingEmptySubsequences: false)[0]).trimmingCharacters(in: .whitespaces)
        // Only the trees a registry reads: the rest of the history is not needed.
        let scopes = ["agents", "swarms"].filter { FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent($0)) }
        guard !scopes.isEmpty else { return g }
        guard let log = runBytes(["-C", root, "log", "--name-status", "--format=%x00%H%x00%ct", "--no-renames", "--"] + scopes) else { return g }
        g.available = true
        // Read as bytes (this output is the largest text a build takes from a child).
        let prefixBytes = Array(prefix.utf8)
        var sha: String?
        var date: String?
        for line in log.split(separator: 0x0A, omittingEmptySubsequences: true) {
            if line.first == 0 {
                let parts = line.split(separator: 0, omittingEmptySubsequences: false)
                guard parts.count >= 3 else { continue }
                sha = String(decoding: parts[1], as: UTF8.self)
                date = Int(String(decoding: parts[2], as: UTF8.self)).map { BuildSupport.isoZ($0) }
                continue
            }
            guard let sha, let tab = line.lastIndex(of: 0x09) else { continue }
            var pathBytes = line[(tab + 1)...]
            if !prefixBytes.isEmpty {
                guard pathBytes.starts(with: prefixBytes) else { continue }
                pathBytes = pathBytes.dropFirst(prefixBytes.count)
            }
            let path = String(decoding: pathBytes, as: UTF8.self)
            let added = line.first == 0x41  // status "A…" (the field before the first tab)
            g.byPath[path, default: Facts()].update(sha: sha, added: added, date: date)
        }
        return g
    }

    /// `git ARGS` with stdout captured (posix_spawn: Foundation's Process adds tens of ms per call).
    static func run(_ args: [String]) -> String? { runBytes(args).map { String(decoding: $0, as: UTF8.self) } }

    static func runBytes(_ args: [String]) -> [UInt8]? {
        var env = ProcessInfo.processInfo.environment
        env["GIT_PAGER"] = "cat"
        env["LC_ALL"] = "C"
        let argv = ["git"] + args
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "git", &actions, nil, cArgs, cEnv)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); return nil }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 { out += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exited normally with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return nil }
        return out
    }
}
