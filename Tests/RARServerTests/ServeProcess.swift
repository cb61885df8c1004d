#if canImport(Glibc)
import Foundation
import Glibc
import RARCore

/// A real `rar serve` child process on a random loopback port (the binary beside the tests).
final class ServeProcess: @unchecked Sendable {
    let process: Process
    let url: String
    let port: Int

    private init(process: Process, url: String, port: Int) {
        self.process = process; self.url = url; self.port = port
    }

    /// Start on ROOT (seeding ROOT/agents only when `seed`) and wait for the startup line.
    static func start(root: String, seed: Bool = false, database: String? = nil, env: [String: String] = [:]) throws -> ServeProcess {
        guard let rar = CLIEndToEndTests.rar else { throw Failure(message: "no rar binary beside the tests") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rar)
        p.arguments = ["serve", "--root", root, "--port", "0", "--json"] + (seed ? [] : ["--no-seed"]) + (database.map { ["--db", $0] } ?? [])
        p.environment = ProcessInfo.processInfo.environment.merging(["RAR_ADMIN_TOKEN": TestServer.adminToken, "RAR_LOG_LEVEL": "error"].merging(env) { $1 }) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let line = out.firstLine()
        guard let start = try? JSONParser().parse(line), let url = start["url"]?.stringValue, let port = start["port"]?.intValue else {
            p.terminate()
            throw Failure(message: "rar serve did not start: \(String(decoding: line, as: UTF8.self))")
        }
        return ServeProcess(process: p, url: url, port: port)
    }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func stop() { kill(SIGTERM) }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Run blocking work on its own thread, never on the cooperative pool (which the servers under test share).
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in Thread.detachNewThread { c.resume(returning: body()) } }
}

/// Blocking HTTP/1.1 over a plain socket, for requests URLSession will not send (raw bytes in the
/// path, trickled headers) and for timing. Loopback only.
enum RawHTTP {
    struct Reply {
        var status: Int?
        var head: String
        var body: [UInt8]
        /// The server closed the connection (before or after a reply).
        var closed: Bool
        var seconds: Double
    }

    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(fd); return nil }
        return fd
    }

    static func setTimeout(_ fd: Int32, _ seconds: Double, option: Int32) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Write everything (or as much as the peer takes before closing or timing out).
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8], timeout: Double = 5) -> Bool {
        setTimeout(fd, timeout, option: SO_SNDTIMEO)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    /// Read one response (head, then Content-Length bytes), or until close or `timeout`.
    static func read(_ fd: Int32, timeout: Double, start: DispatchTime = .now()) -> Reply {
        setTimeout(fd, 0.2, option: SO_RCVTIMEO)
        var buf = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var closed = false
        var headEnd: Int?
        var want: Int?
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { closed = true; break }
            if n > 0 { buf += chunk[0..<n] }
            if headEnd == nil, let r = find(buf, Array("\r\n\r\n".utf8)) {
                headEnd = r + 4
                let head = String(decoding: buf[0..<r], as: UTF8.self).lowercased()
                want = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
            }
            if let h = headEnd, let w = want, buf.count >= h + w { break }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        guard let h = headEnd else { return Reply(status: nil, head: "", body: buf, closed: closed, seconds: seconds) }
        let head = String(decoding: buf[0..<(h - 4)], as: UTF8.self)
        let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
        return Reply(status: status, head: head, body: Array(buf[h...]), closed: closed, seconds: seconds)
    }

    /// One request on a fresh connection.
    static func exchange(port: Int, _ request: [UInt8], timeout: Double = 10) -> Reply {
        let start = DispatchTime.now()
        guard let fd = connect(port: port) else { return Reply(status: nil, head: "connect failed", body: [], closed: true, seconds: 0) }
        defer { close(fd) }
        send(fd, request, timeout: timeout)
        return read(fd, timeout: timeout, start: start)
    }

    /// `METHOD PATH HTTP/1.1` with Host, Connection: close and the given headers and body.
    static func request(_ method: String, _ path: [UInt8], headers: [String: String] = [:], body: [UInt8]? = nil) -> [UInt8] {
        var h = "Host: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { h += "\(k): \(v)\r\n" }
        if let body, headers["Content-Length"] == nil, headers["Transfer-Encoding"] == nil { h += "Content-Length: \(body.count)\r\n" }
        return Array("\(method) ".utf8) + path + Array(" HTTP/1.1\r\n\(h)\r\n".utf8) + (body ?? [])
    }

    static func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) -> [UInt8] {
        request(method, Array(path.utf8), headers: headers, body: body)
    }

    static func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
#endif
