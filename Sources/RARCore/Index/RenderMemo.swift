import Foundation

/// Per-agent outputs of earlier renders (API documents, card, catalog page), reused while their
/// inputs are unchanged, so re-rendering a registry after one publish costs the aggregates and
/// the one agent, not every agent again. Keys are digests of everything a render reads.
public final class RenderMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (key: String, files: [(String, [UInt8])])] = [:]
    private var used: Set<String> = []

    public init() {}

    func lookup(_ id: String, key: String) -> [(String, [UInt8])]? {
        lock.withLock {
            guard let e = entries[id], e.key == key else { return nil }
            used.insert(id)
            return e.files
        }
    }

    func store(_ id: String, key: String, files: [(String, [UInt8])]) {
        lock.withLock {
            entries[id] = (key, files)
            used.insert(id)
        }
    }

    /// Forget what the render just finished did not use.
    public func sweep() {
        lock.withLock {
            entries = entries.filter { used.contains($0.key) }
            used = []
        }
    }

    var ids: Set<String> { lock.withLock { Set(entries.keys) } }

    /// A digest of the parts, each length-prefixed so parts cannot run together.
    static func key(_ parts: [String]) -> String {
        var bytes: [UInt8] = []
        for p in parts {
            bytes += Array(String(p.utf8.count).utf8) + [0x3A] + Array(p.utf8)
        }
        return BuildSupport.sha256Hex(bytes)
    }
}
