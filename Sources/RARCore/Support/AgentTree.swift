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
        let fm = FileManager.default
        var stack = [root]
        while let dir = stack.popLast() {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                let full = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    if !name.hasPrefix(".") && !skippedDirs.contains(name) { stack.append(full) }
                } else if isAgentFileName(name) && !skippedFiles.contains(name) && !name.hasPrefix(".") {
                    out.append(full)
                }
            }
        }
        return out.sorted()
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
