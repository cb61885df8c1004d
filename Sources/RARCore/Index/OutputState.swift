import Crypto
import Foundation

/// Outputs an earlier build left in place, by render unit: a unit is one agent's API files,
/// one catalog page or one raw copy, keyed by a digest of everything its render reads.
protocol OutputUnits: Sendable {
    /// The unit's paths when its output from an earlier build is in place and its key is
    /// unchanged (the caller then skips the render); nil = render it.
    func reuse(_ id: String, key: String) -> [String]?
    /// What a fresh render of the unit wrote, for the next build.
    func record(_ id: String, key: String, paths: [String])
}

/// What a build wrote into its output directory (`.rar-build-state`), so the next build can
/// leave unchanged files alone: units with their keys and paths, and every other file with a
/// content digest. Written last; removed before an in-place update starts, so a build that
/// stops half way leaves no state and the next one writes a fresh tree.
struct OutputState: Sendable {
    static let fileName = ".rar-build-state"
    static let magic = Array("rar-build-state/1\n".utf8)

    struct Unit: Sendable { var key: String; var paths: [String] }
    /// Tool version and every option that changes output; a different key means a fresh tree.
    var key: String
    var units: [String: Unit] = [:]
    /// Files outside units (registry.json, catalog.json, assets, …) → sha256.
    var loose: [String: [UInt8]] = [:]

    init(key: String) { self.key = key }

    var allPaths: Set<String> {
        var s = Set(loose.keys)
        for u in units.values { s.formUnion(u.paths) }
        return s
    }

    // MARK: encoding (length-prefixed fields; paths may hold any byte)

    func encoded() -> [UInt8] {
        // Sorted by UTF-8 bytes, so the file is the same for the same tree; sized up front.
        let sortedUnits = BuildSupport.sorted(Array(units)) { Array($0.key.utf8) }
        let sortedLoose = BuildSupport.sorted(Array(loose)) { Array($0.key.utf8) }
        var size = OutputState.magic.count + 12 + key.utf8.count
        for (id, u) in units { size += 12 + id.utf8.count + u.key.utf8.count + u.paths.reduce(0) { $0 + 4 + $1.utf8.count } }
        for (p, d) in loose { size += 8 + p.utf8.count + d.count }
        var out = OutputState.magic
        out.reserveCapacity(size)
        func u32(_ n: Int) { let v = UInt32(n); for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        func str(_ s: String) { u32(s.utf8.count); out.append(contentsOf: s.utf8) }
        str(key)
        u32(units.count)
        for (id, u) in sortedUnits {
            str(id); str(u.key); u32(u.paths.count)
            for p in u.paths { str(p) }
        }
        u32(loose.count)
        for (p, d) in sortedLoose { str(p); u32(d.count); out.append(contentsOf: d) }
        return out
    }

    static func decode(_ b: [UInt8]) -> OutputState? {
        var i = magic.count
        guard b.count >= i, b[0..<i].elementsEqual(magic) else { return nil }
        func u32() -> Int? {
            guard i + 4 <= b.count else { return nil }
            let v = Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
            i += 4
            return v
        }
        func raw() -> ArraySlice<UInt8>? {
            guard let n = u32(), n <= b.count - i else { return nil }
            defer { i += n }
            return b[i..<i + n]
        }
        func str() -> String? { raw().flatMap { String(validating: $0, as: UTF8.self) } }
        // Paths are removed when a later build no longer makes them: only plain relative paths
        // inside the tree are accepted (a state file naming anything else is not trusted).
        func path() -> String? { str().flatMap { isTreePath($0) ? $0 : nil } }
        guard let key = str(), let unitCount = u32(), unitCount <= b.count else { return nil }
        var s = OutputState(key: key)
        s.units.reserveCapacity(unitCount)
        for _ in 0..<unitCount {
            guard let id = str(), let k = str(), let n = u32(), n <= b.count else { return nil }
            var paths: [String] = []
            paths.reserveCapacity(n)
            for _ in 0..<n { guard let p = path() else { return nil }; paths.append(p) }
            s.units[id] = Unit(key: k, paths: paths)
        }
        guard let looseCount = u32(), looseCount <= b.count else { return nil }
        for _ in 0..<looseCount {
            guard let p = path(), let d = raw() else { return nil }
            s.loose[p] = Array(d)
        }
        return i == b.count ? s : nil
    }

    /// A relative path with no empty, `.` or `..` segment.
    static func isTreePath(_ p: String) -> Bool {
        !p.isEmpty && !p.utf8.contains(0) && p.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// The state plus the patches a later build journaled on top (nil: none, or unreadable).
    static func load(_ dir: String) -> OutputState? {
        guard var s = FastFile.read(dir + "/" + fileName).flatMap(decode) else { return nil }
        guard let journal = FastFile.read(dir + "/" + journalName) else { return s }
        return s.apply(journal: journal) ? s : nil
    }

    // MARK: journal

    /// Changes a patch made after the state was written (`.rar-build-state.journal`), appended
    /// before the patch touches the tree. A full build removes it with the state.
    static let journalName = ".rar-build-state.journal"
    static let journalMagic = Array("rar-build-state-journal/1\n".utf8)

    /// Append records: units (key "" = stale, rendered again by the next full build) and loose
    /// files (empty digest = stale).
    static func appendJournal(dir: String, units: [(String, Unit)], loose: [String]) -> Bool {
        let path = dir + "/" + journalName
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        var w = ByteWriter(st.st_size == 0 ? journalMagic : [])
        for (id, u) in units {
            w.out.append(0x55); w.str(id); w.str(u.key); w.int(u.paths.count)
            for p in u.paths { w.str(p) }
        }
        for p in loose { w.out.append(0x4C); w.str(p); w.bytes([]) }
        return w.out.withUnsafeBytes { FastFile.writeAll(fd, $0) } && fsync(fd) == 0
    }

    mutating func apply(journal b: [UInt8]) -> Bool {
        guard b.count >= OutputState.journalMagic.count, b[0..<OutputState.journalMagic.count].elementsEqual(OutputState.journalMagic) else { return false }
        var r = ByteReader(b, at: OutputState.journalMagic.count)
        while !r.atEnd {
            let tag = b[r.i]
            r.i += 1
            switch tag {
            case 0x55:
                guard let id = r.str(), let key = r.str(), let n = r.count() else { return false }
                var paths: [String] = []
                for _ in 0..<n { guard let p = r.str(), OutputState.isTreePath(p) else { return false }; paths.append(p) }
                units[id] = Unit(key: key, paths: paths)
            case 0x4C:
                guard let p = r.str(), OutputState.isTreePath(p), let d = r.bytes() else { return false }
                loose[p] = d
            default: return false
            }
        }
        return true
    }
}

/// Collects the state of the build being written, from many threads.
final class StateRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var state: OutputState
    init(key: String) { state = OutputState(key: key) }
    func unit(_ id: String, _ u: OutputState.Unit) { lock.withLock { state.units[id] = u } }
    func loose(_ path: String, _ digest: [UInt8]) { lock.withLock { state.loose[path] = digest } }
    var result: OutputState { lock.withLock { state } }
}

/// The output tree on disk; raw agent sources are read from the registry root. Either a fresh,
/// empty staging directory (`previous` nil) that is swapped in whole afterwards, or a tree an
/// earlier build described, updated in place: units whose key is unchanged are kept as they
/// are, other files are replaced one by one (temp file + rename, so a reader never sees half a
/// file), and files the new build no longer makes are removed at the end. Either way it
/// records what the tree holds, for the next build.
final class DirectorySink: TreeSink, @unchecked Sendable {
    let dir: String
    let root: String
    let previous: OutputState?
    let recorder: StateRecorder
    private let lock = NSLock()
    private(set) var written = 0
    /// Writes into a staging tree (one writer per directory at a time).
    private let staging: StagingWriter?

    init(dir: String, root: String, previous: OutputState?, key: String) {
        self.dir = dir; self.root = root; self.previous = previous
        recorder = StateRecorder(key: key)
        staging = previous == nil ? StagingWriter() : nil
    }

    func makeDirectory(_ rel: String) throws { try FileManager.default.createDirectory(atPath: dir + "/" + rel, withIntermediateDirectories: true) }

    func write(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        let digest = Array(SHA256.hash(data: buf))
        recorder.loose(rel, digest)
        if previous?.loose[rel] == digest { return true }
        return put(rel, buf)
    }

    /// A unit file: written without a digest (its unit key stands for its content).
    func writeUnitFile(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool { put(rel, buf) }

    /// In a staging tree, a hard link to `earlier` (one inode and one copy of the data for
    /// two paths); otherwise, or where links fail, a write. Files of a tree are only ever
    /// replaced by rename, never rewritten in place, so the two paths never change together.
    func writeUnitFile(_ rel: String, sameAs earlier: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        if let staging, staging.link(dir + "/" + earlier, dir + "/" + rel) {
            lock.withLock { written += 1 }
            return true
        }
        return put(rel, buf)
    }

    func settle() -> [String] {
        let prefix = dir + "/"
        return staging?.settle().map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 } ?? []
    }

    private func put(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        let path = dir + "/" + rel
        if let staging {
            // Nobody reads a staging tree before it is swapped in: plain writes.
            guard staging.write(path, buf) else { return false }
        } else {
            let slash = path.lastIndex(of: "/")!
            let tmp = String(path[...slash]) + ".rar-tmp-" + String(path[path.index(after: slash)...])
            guard FastFile.write(tmp, buf) else { unlink(tmp); return false }
            guard rename(tmp, path) == 0 else { unlink(tmp); return false }
        }
        lock.withLock { written += 1 }
        return true
    }

    func source(_ rel: String) -> [UInt8]? { FastFile.read(root + "/" + rel) }

    var tracksUnits: Bool { true }

    func reuse(_ id: String, key: String) -> [String]? {
        guard let u = previous?.units[id], u.key == key else { return nil }
        recorder.unit(id, u)
        return u.paths
    }

    func record(_ id: String, key: String, paths: [String]) { recorder.unit(id, .init(key: key, paths: paths)) }

    /// Remove what the earlier build wrote and this one did not (then empty directories).
    func removeStale() {
        guard let previous else { return }
        let next = recorder.result
        // Most units come back with the same paths; only the others can leave files behind.
        var candidates: [String] = []
        for (id, u) in previous.units where next.units[id]?.paths != u.paths { candidates += u.paths }
        for p in previous.loose.keys where next.loose[p] == nil { candidates.append(p) }
        guard !candidates.isEmpty else { return }
        let now = next.allPaths
        var dirs = Set<String>()
        for p in candidates where !now.contains(p) {
            unlink(dir + "/" + p)
            if let s = p.lastIndex(of: "/") { dirs.insert(String(p[..<s])) }
        }
        // Deepest first; rmdir fails harmlessly on directories that still hold files.
        for d in dirs.sorted(by: { $0.count > $1.count }) {
            var cur = d
            while !cur.isEmpty, rmdir(dir + "/" + cur) == 0, let s = cur.lastIndex(of: "/") { cur = String(cur[..<s]) }
        }
    }
}
