import Foundation

/// Writes a fresh staging tree from several threads with one writer per directory at a time.
///
/// Two threads creating files in one directory queue on that directory's lock in the kernel,
/// and the waiting thread spins there. On a disk filesystem, where each create is slow, that
/// spinning was a tenth of a 100,000-agent build's CPU. Here a file whose directory is busy is
/// held (copied) and written later by whichever thread next finds that directory free; once
/// `maxHeld` bytes are held, a writer waits for the directory instead, asleep.
final class StagingWriter: @unchecked Sendable {
    private struct Held { var parent: String; var path: String; var bytes: [UInt8] }
    private let cond = NSCondition()
    /// Directories being written to now (one per writing thread, so a short list).
    private var busy: [String] = []
    private var held: [Held] = []
    private var heldBytes = 0
    private var failed: [String] = []
    private let maxHeld: Int

    init(maxHeld: Int = 4 << 20) { self.maxHeld = maxHeld }

    /// Writes `buf` to `path`, now or later. False only for a write that failed now; a held
    /// file that fails to write is reported by `settle`.
    func write(_ path: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        let parent = Self.parent(of: path)
        cond.lock()
        if busy.contains(parent) {
            if heldBytes + buf.count <= maxHeld {
                held.append(Held(parent: parent, path: path, bytes: Array(buf)))
                heldBytes += buf.count
                cond.unlock()
                return true
            }
            while busy.contains(parent) { cond.wait() }
        }
        claim(parent, path: path)
        cond.unlock()
        let ok = FastFile.write(path, buf)
        release(parent)
        writeHeld(wait: false)
        return ok
    }

    /// A hard link at `path` to `target`, when `path`'s directory is free now (false otherwise,
    /// or when the link fails: the caller writes the bytes instead).
    func link(_ target: String, _ path: String) -> Bool {
        let parent = Self.parent(of: path)
        cond.lock()
        if busy.contains(parent) { cond.unlock(); return false }
        claim(parent, path: path)
        cond.unlock()
        let ok = Foundation.link(target, path) == 0
        release(parent)
        return ok
    }

    /// Writes every held file; returns the paths that failed (now or earlier).
    func settle() -> [String] {
        writeHeld(wait: true)
        cond.lock(); defer { cond.unlock() }
        return failed
    }

    /// Marks `parent` busy (lock held). A held copy of `path` is older than the write about to
    /// happen, so it is dropped.
    private func claim(_ parent: String, path: String) {
        busy.append(parent)
        if !held.isEmpty, let k = held.firstIndex(where: { $0.path == path }) {
            heldBytes -= held[k].bytes.count
            held.remove(at: k)
        }
    }

    private func release(_ parent: String) {
        cond.lock()
        if let k = busy.firstIndex(of: parent) { busy.remove(at: k) }
        cond.broadcast()
        cond.unlock()
    }

    /// Writes held files whose directory is free; with `wait`, waits for busy ones too.
    private func writeHeld(wait: Bool) {
        while true {
            cond.lock()
            if held.isEmpty { cond.unlock(); return }
            guard let k = held.firstIndex(where: { !busy.contains($0.parent) }) else {
                if !wait { cond.unlock(); return }
                cond.wait(); cond.unlock(); continue
            }
            let h = held.remove(at: k)
            heldBytes -= h.bytes.count
            busy.append(h.parent)
            cond.unlock()
            let ok = h.bytes.withUnsafeBytes { FastFile.write(h.path, $0) }
            if !ok { cond.lock(); failed.append(h.path); cond.unlock() }
            release(h.parent)
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }
}
