import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let sysRead = Glibc.read
private let sysWrite = Glibc.write
#elseif canImport(Darwin)
private let sysRead = Darwin.read
private let sysWrite = Darwin.write
#endif

/// Small POSIX file helpers: bounded reads, exclusive creation, no following of symlinks.
public enum EggFiles {
    public enum Kind { case missing, file, directory, symlink, other }

    public static func kind(_ path: String) -> Kind {
        var st = stat()
        if lstat(path, &st) != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Read a regular file (symlinks refused), refusing anything larger than `limit`.
    public static func read(_ path: String, limit: Int) throws(EggError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw EggError("io-read-failed", "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw EggError("io-read-failed", "\(path) is not a regular file") }
        let size = Int(st.st_size)
        if size > limit { throw EggError("io-too-large", "\(path) is \(size) bytes, over the limit of \(limit)") }
        var buf = [UInt8](repeating: 0, count: size)
        var got = 0
        while got < size {
            let n = buf.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress! + got, size - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        guard got == size else { throw EggError("io-read-failed", "short read from \(path)") }
        return buf
    }

    /// Create a new file exclusively (fails if anything exists there) and write all bytes.
    public static func createExclusive(_ path: String, _ data: ArraySlice<UInt8>, mode: mode_t = 0o644) throws(EggError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw EggError("io-write-failed", "cannot create \(path): \(String(cString: strerror(errno)))") }
        var ok = true
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = sysWrite(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false; return }
                off += n
            }
        }
        if close(fd) != 0 { ok = false }
        if !ok { unlink(path); throw EggError("io-write-failed", "cannot write \(path)") }
    }

    /// Write `data` to `path` through a temp file in the same directory and a rename.
    public static func writeAtomically(_ path: String, _ data: [UInt8], overwrite: Bool, mode: mode_t = 0o644) throws(EggError) {
        if !overwrite && kind(path) != .missing { throw EggError("io-exists", "\(path) already exists (use --force to replace it)") }
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).tmp-\(UInt32.random(in: 0...UInt32.max))"
        try createExclusive(tmp, data[...], mode: mode)
        if !overwrite {
            // link() never replaces an existing name.
            if link(tmp, path) != 0 {
                let e = errno
                unlink(tmp)
                throw EggError(e == EEXIST ? "io-exists" : "io-write-failed", "cannot create \(path): \(String(cString: strerror(e)))")
            }
            unlink(tmp)
        } else if rename(tmp, path) != 0 {
            unlink(tmp)
            throw EggError("io-write-failed", "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// mkdir that refuses to pass through symlinks (each component is checked with lstat).
    static func makeDirectories(_ root: String, _ relative: [String]) throws(EggError) {
        var cur = root
        for seg in relative {
            cur += "/" + seg
            switch kind(cur) {
            case .directory: continue
            case .missing:
                if mkdir(cur, 0o755) != 0 && errno != EEXIST {
                    throw EggError("io-write-failed", "cannot create directory \(cur): \(String(cString: strerror(errno)))")
                }
                guard kind(cur) == .directory else { throw EggError("extraction-path-escape", "\(cur) is not a directory") }
            default:
                throw EggError("extraction-path-escape", "\(cur) is not a plain directory")
            }
        }
    }

    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Absolute, symlink-resolved form of an existing directory.
    public static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Absolute form without resolving symlinks (so a symlinked destination is still seen as one).
    public static func absolute(_ path: String) -> String {
        var p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }

    /// Names directly inside a directory (nil if it cannot be listed).
    static func list(_ dir: String) -> [String]? {
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
