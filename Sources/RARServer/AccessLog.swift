import Foundation
import NIOConcurrencyHelpers

/// The request log: one line per request on stderr, written in batches (every 200 ms, or at
/// 64 KiB) so a request costs no write of its own. Lines read like the server's other log lines.
final class AccessLog: Sendable {
    static let shared = AccessLog()

    private struct State {
        var buffer: [UInt8] = []
        var second = 0
        var stamp = ""
    }
    private let state = NIOLockedValueBox(State())

    private init() {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.2)
                flush()
            }
        }
    }

    func record(label: String, method: String, path: String, status: Int, ms: Double) {
        var line = ""
        line.reserveCapacity(96 + path.utf8.count)
        let now = Int(Date().timeIntervalSince1970)
        let full = state.withLockedValue { s -> Bool in
            if s.second != now {
                s.second = now
                s.stamp = Self.stamp(now)
            }
            line += s.stamp
            line += " info \(label): method=\(method) path="
            for u in path.unicodeScalars { if u.value < 0x20 || u.value == 0x7F { line += "%" + String(u.value, radix: 16) } else { line.unicodeScalars.append(u) } }
            line += " status=\(status) ms=\(Self.millis(ms)) request\n"
            s.buffer += line.utf8
            return s.buffer.count >= 64 << 10
        }
        if full { flush() }
    }

    func flush() {
        let out = state.withLockedValue { s -> [UInt8] in
            defer { s.buffer.removeAll(keepingCapacity: true) }
            return s.buffer
        }
        guard !out.isEmpty else { return }
        out.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(2, b.baseAddress! + off, b.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// `2026-11-22T01:35:13+0000`, as swift-log's stream handler prints it.
    static func stamp(_ t: Int) -> String {
        var time = time_t(t)
        var parts = tm()
        localtime_r(&time, &parts)
        var buf = [Int8](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Two decimals without Foundation's formatter.
    static func millis(_ ms: Double) -> String {
        let hundredths = Int((ms * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
