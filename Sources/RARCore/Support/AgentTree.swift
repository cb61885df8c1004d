import Foundation

/// Finding agent files on disk.
public enum AgentTree {
    public struct NotFound: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or directory" }
    }

    static let skippedDirs: Set<String> = ["__pycache__", "node_modules", ".git", ".build", "venv", ".venv"]
    static let skippedFiles: Set<String> = ["__init__.py", "basic_agent.py"]

    public static func isAgentFileName(_ name: String) -> Bool {
        name.hasSuffix(".py") || name.hasSuffix(".py.card") || name.hasSuffix(".py.stub")
    }

    /// Files named directly are kept as given; directories are walked (sorted, deterministic).
    public static func collect(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw NotFound(path: p) }
            if !isDir.boolValue { out.append(p); continue }
            out += walk(p)
        }
        return out
    }

    /// Agent files under a directory, sorted by path.
    public static func walk(_ root: String) -> [String] {
        var out: [String] = []
        var stack = [root]
        while let dir = stack.popLast() {
            for (name, isDir) in entries(dir) {
                let full = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                if isDir {
                    if !name.hasPrefix(".") && !skippedDirs.contains(name) { stack.append(full) }
                } else if isAgentFileName(name) && !skippedFiles.contains(name) && !name.hasPrefix(".") {
                    out.append(full)
                }
            }
        }
        return out.sorted()
    }

    /// Names in a directory and whether each is a directory (symlinks followed; dangling
    /// links and unreadable entries left out). readdir's d_type spares a stat per file.
    static func entries(_ path: String) -> [(name: String, isDir: Bool)] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [(name: String, isDir: Bool)] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            switch Int32(e.pointee.d_type) {
            case Int32(DT_DIR): out.append((name, true))
            case Int32(DT_REG): out.append((name, false))
            default:
                var st = stat()
                guard stat(path + "/" + name, &st) == 0 else { continue }
                out.append((name, (st.st_mode & S_IFMT) == S_IFDIR))
            }
        }
        return out
    }
}

/// Order-preserving parallel map over the machine's cores.
public enum ParallelMap {
    /// `map` for work that parses Python: runs on large-stack threads, so each parse runs in
    /// place instead of being handed to one.
    public static func mapParsing<T, R>(_ items: [T], _ f: (T) -> R) -> [R] { BigStack.shared.map(items, f) }

    public static func map<T, R>(_ items: [T], _ f: (T) -> R) -> [R] {
        if items.count < 2 { return items.map(f) }
        let slots = ResultSlots<R>(items.count)
        withoutActuallyEscaping(f) { f in
            nonisolated(unsafe) let f = f
            nonisolated(unsafe) let items = items
            DispatchQueue.concurrentPerform(iterations: items.count) { i in slots.set(i, f(items[i])) }
        }
        return slots.values
    }
}

/// Results written by index from several threads.
final class ResultSlots<R>: @unchecked Sendable {
    private var r: [R?]
    private let lock = NSLock()
    init(_ n: Int) { r = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: R) { lock.lock(); r[i] = v; lock.unlock() }
    var values: [R] { r.map { $0! } }
}

extension AgentFile {
    /// Source text for showing diagnostics (nil when unreadable).
    public static func sourceForDisplay(path: String) -> SourceText? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? SourceText(bytes: [UInt8](data), sizeLimit: Int.max)
    }
}
