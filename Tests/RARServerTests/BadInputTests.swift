#if canImport(Glibc)
import Foundation
import Glibc
import NIOConcurrencyHelpers
import RARCore
@testable import RARServer
import Testing

/// Bad input under load: while good requests (reads and publishes) keep flowing, oversized
/// bodies, malformed JSON, invalid UTF-8, path traversal and slow clients each get their answer
/// (or their disconnect) in bounded time, and the good requests keep succeeding.
@Suite("server: bad input under load")
struct BadInputTests {
    static let token = TestServer.adminToken
    static let auth = ["Authorization": "Bearer \(token)"]

    struct Case {
        var label: String
        var request: [UInt8]
        var expect: Set<Int>
    }

    static func cases() throws -> [Case] {
        func json(_ path: String, _ body: [UInt8]) -> [UInt8] {
            RawHTTP.request("POST", path, headers: auth.merging(["Content-Type": "application/json"]) { $1 }, body: body)
        }
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: 100 << 10)
        var chunked = [UInt8]()
        for _ in 0..<4 { chunked += Array("8000\r\n".utf8) + [UInt8](repeating: 0x23, count: 0x8000) + Array("\r\n".utf8) }
        chunked += Array("0\r\n\r\n".utf8)
        var badAgent = [UInt8](try TestServer.agent("@acme/bad_bytes"))
        badAgent.insert(contentsOf: [0xFF, 0xFE, 0xC0, 0xAF], at: 3)
        let agent = [UInt8](try TestServer.agent("@pub/x"))
        var c: [Case] = [
            Case(label: "oversized agent (Content-Length)", request: RawHTTP.request("PUT", "/api/v1/agents/@acme/big/versions/1.0.0", headers: auth, body: big), expect: [413]),
            Case(label: "oversized agent (chunked)", request: RawHTTP.request("POST", "/api/v1/publish", headers: auth.merging(["Transfer-Encoding": "chunked"]) { $1 }, body: chunked), expect: [413]),
            Case(label: "oversized JSON", request: json("/api/v1/tokens", Array("{\"user\": \"".utf8) + [UInt8](repeating: 0x61, count: 70 << 10) + Array("\"}".utf8)), expect: [413]),
            Case(label: "malformed JSON", request: json("/api/v1/tokens", Array(#"{"user": "admin", "scopes": ["#.utf8)), expect: [400]),
            Case(label: "JSON not an object", request: json("/api/v1/admin/users", Array(#"["bob"]"#.utf8)), expect: [400]),
            Case(label: "JSON with invalid UTF-8", request: json("/api/v1/agents/@acme/release_notes/versions/1.0.0/yank", Array(#"{"reason": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)), expect: [400]),
            Case(label: "agent with invalid UTF-8", request: RawHTTP.request("POST", "/api/v1/publish", headers: auth, body: badAgent), expect: [422]),
            Case(label: "empty agent", request: RawHTTP.request("POST", "/api/v1/publish", headers: auth, body: []), expect: [400]),
            Case(label: "publish to a traversal name", request: RawHTTP.request("PUT", "/api/v1/agents/@pub/..%2f..%2fetc%2fpasswd/versions/1.0.0", headers: auth, body: agent), expect: [404]),
            Case(label: "raw invalid UTF-8 in the path", request: RawHTTP.request("GET", Array("/api/v1/agents/@pub/".utf8) + [0xFF, 0xFE]), expect: [400]),
            Case(label: "raw invalid UTF-8 in the query", request: RawHTTP.request("GET", Array("/api/v1/search?q=".utf8) + [0xFF]), expect: [400]),
        ]
        let traversal = [
            "/api/v1/agents/@pub/../../etc/passwd", "/api/v1/agents/@pub/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/v1/agents/@pub/..%2f..%2fetc%2fpasswd.json",
            "/../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/catalog/..%5c..%5c..%5cetc%5cpasswd", "/catalog/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
            "/api/v1/agents/@pub/%252e%252e%252fetc%252fpasswd/versions/1.0.0/source", "/api/v1/agents/%40pub/x%00y", "/agents/..%2f..%2f..%2fetc%2fpasswd",
            "/api/v1/agents/@pub/..%2F..%2Fetc%2Fpasswd/latest/source", "/registry.json/../../../etc/passwd",
        ]
        c += traversal.map { Case(label: "traversal \($0)", request: RawHTTP.request("GET", $0), expect: [404]) }
        let badEncoding = ["/api/v1/agents/@pub/%ff%fe", "/%ff.json", "/%c0%ae%c0%ae/etc/passwd", "/api/v1/search?q=%ff%fe", "/api/v1/resolve?incantation=%e2%28%a1", "/catalog/%"]
        c += badEncoding.map { Case(label: "invalid UTF-8 \($0)", request: RawHTTP.request("GET", $0), expect: [400]) }
        return c
    }

    /// Latencies (s) and statuses of the good traffic.
    final class Tally: @unchecked Sendable {
        let lock = NIOLock()
        var seconds: [Double] = []
        var failures: [String] = []
        func add(_ r: RawHTTP.Reply, ok: Set<Int>, _ label: String) {
            lock.withLock {
                seconds.append(r.seconds)
                if !(r.status.map(ok.contains) ?? false) { failures.append("\(label): \(r.status.map(String.init) ?? "no reply") \(String(decoding: r.body.prefix(200), as: UTF8.self))") }
            }
        }
    }

    /// Start `body` on its own thread; `await` the returned task for its end.
    static func thread(_ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task { await onThread(body) }
    }

    @Test func badInputUnderLoad() async throws {
        // The server runs as its own process: the timings below are the server's, not those of a
        // cooperative pool shared with the rest of the suite.
        let root = NSTemporaryDirectory() + "rar-bad-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestServer.projectRoot.appendingPathComponent("registry/agents").path, toPath: root + "/agents")
        try Data(#"{"idle_timeout_seconds": 3, "body_timeout_seconds": 4, "max_agent_bytes": 65536, "database_timeout_seconds": 60, "rate_limits": {"publish": 0, "read": 0, "admin": 0}}"#.utf8)
            .write(to: URL(fileURLWithPath: root + "/rar-server.json"))
        let database = TestPostgres.enabled ? try await TestPostgres.createDatabase() : nil
        let server = try await onThread { Result { try ServeProcess.start(root: root, seed: true, database: database) } }.get()
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: root)
            if let database { Task { await TestPostgres.dropDatabase(database) } }
        }
        let port = server.port
        let stop = NIOLockedValueBox(false)
        let good = Tally()

        // Good traffic: two readers and one publisher, new connection per request. Time bounds are loose
        // (the rest of the suite shares the cores); the figures are printed.
        let reads = ["/api/v1/agents/@acme/release_notes", "/api/v1/search?q=word", "/api/v1/agents/@acme/release_notes/latest/source",
                     "/api/v1/agents/@acme/release_notes.json", "/registry.json", "/healthz"]
        var workers = (0..<2).map { w in
            Self.thread {
                var i = w
                while !stop.withLockedValue({ $0 }) {
                    let path = reads[i % reads.count]
                    good.add(RawHTTP.exchange(port: port, RawHTTP.request("GET", path)), ok: [200], path)
                    i += 1
                    usleep(20_000)
                }
            }
        }
        workers.append(Self.thread {
            var i = 0
            while !stop.withLockedValue({ $0 }) && i < 200 {
                let file = [UInt8]((try? TestServer.agent("@acme/steady_\(i)")) ?? Data())
                good.add(RawHTTP.exchange(port: port, RawHTTP.request("POST", "/api/v1/publish", headers: Self.auth, body: file)), ok: [201], "publish \(i)")
                i += 1
                usleep(100_000)
            }
        })

        // Slow clients: heads a byte at a time, and bodies a byte at a time after a complete head.
        let slowHeads = 64, slowBodies = 8
        let slowResult = NIOLockedValueBox<(heads: [Double], bodies: [(Double, Int?)])>(([], []))
        let slow = Self.thread {
            let start = DispatchTime.now().uptimeNanoseconds
            func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            let head = Array("GET /registry.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + [UInt8](repeating: 0x61, count: 4096)
            let bodyHead = Array("POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\nContent-Length: 5000\r\n\r\n".utf8)
            var heads = (0..<slowHeads).compactMap { _ in RawHTTP.connect(port: port) }
            var bodies = (0..<slowBodies).compactMap { _ in RawHTTP.connect(port: port) }
            for fd in bodies { RawHTTP.send(fd, bodyHead) }
            var headClosed: [Double] = [], bodyClosed: [(Double, Int?)] = []
            var got = [Int32: [UInt8]]()
            var i = 0
            while (!heads.isEmpty || !bodies.isEmpty) && elapsed() < 20 {
                for fd in heads + bodies {
                    let byte: [UInt8] = heads.contains(fd) ? [head[min(i, head.count - 1)]] : [0x23]
                    _ = byte.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
                    var buf = [UInt8](repeating: 0, count: 4096)
                    let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
                    if n > 0 { got[fd, default: []] += buf[0..<n] }
                    guard n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) else { continue }
                    close(fd)
                    if heads.contains(fd) {
                        heads.removeAll { $0 == fd }
                        headClosed.append(elapsed())
                    } else {
                        bodies.removeAll { $0 == fd }
                        let text = String(decoding: got[fd] ?? [], as: UTF8.self)
                        bodyClosed.append((elapsed(), text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }))
                    }
                }
                i += 1
                usleep(100_000)
            }
            for fd in heads + bodies { close(fd) }
            slowResult.withLockedValue { $0 = (headClosed, bodyClosed) }
        }

        // The bad requests, each several times, while all that runs.
        var bad: [(String, RawHTTP.Reply)] = []
        let list = try Self.cases()
        for round in 0..<3 {
            for c in list {
                let r = await onThread { RawHTTP.exchange(port: port, c.request, timeout: 10) }
                bad.append((c.label, r))
                #expect(r.status.map(c.expect.contains) == true, "round \(round), \(c.label): \(r.status.map(String.init) ?? "no reply") \(String(decoding: r.body.prefix(300), as: UTF8.self))")
                #expect(r.seconds < 8, "\(c.label) took \(r.seconds) s")
                #expect(!String(decoding: r.body, as: UTF8.self).contains("root:"), "\(c.label) leaked a system file")
                if r.status != 400 || !r.head.contains("Content-Length: 0") {
                    #expect(r.head.lowercased().contains("content-type: application/problem+json"), "\(c.label): not a problem document")
                }
            }
        }
        await slow.value
        stop.withLockedValue { $0 = true }
        for w in workers { await w.value }

        let (heads, bodies) = slowResult.withLockedValue { $0 }
        #expect(heads.count == slowHeads, "\(slowHeads - heads.count) slow heads were still open after 20 s")
        #expect(heads.allSatisfy { $0 < 3 + 5 }, "slow heads closed after \(heads.max() ?? 0) s (idle timeout 3 s)")
        #expect(bodies.count == slowBodies, "\(slowBodies - bodies.count) slow bodies were still open after 20 s")
        #expect(bodies.allSatisfy { $0.0 < 4 + 5 && $0.1 == 408 }, "slow bodies: \(bodies)")

        let lat = good.lock.withLock { good.seconds.sorted() }
        let failures = good.lock.withLock { good.failures }
        #expect(failures.isEmpty, "good requests failed: \(failures.prefix(5))")
        #expect(lat.count >= 50, "only \(lat.count) good requests completed")
        let p99 = lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * 0.99))]
        #expect((lat.last ?? 0) < 15, "good requests: p99 \(p99) s, max \(lat.last ?? 0) s")
        print(String(format: "bad input under load: %d good requests (p50 %.1f ms, p99 %.1f ms, max %.1f ms), %d bad requests answered (slowest %.1f ms), %d slow heads closed by %.1f s, %d slow bodies got 408 by %.1f s",
                     lat.count, (lat.isEmpty ? 0 : lat[lat.count / 2]) * 1000, p99 * 1000, (lat.last ?? 0) * 1000,
                     bad.count, (bad.map(\.1.seconds).max() ?? 0) * 1000, heads.count, heads.max() ?? 0, bodies.count, bodies.map(\.0).max() ?? 0))
    }
}
#endif
