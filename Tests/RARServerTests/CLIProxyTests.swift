import Foundation
import RARCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's HTTP client honours the proxy variables curl reads: a request for a registry goes
/// through the proxy (a CONNECT tunnel, for either scheme), `no_proxy` sends it direct, upper-case `HTTP_PROXY` is ignored
/// (as curl ignores it), and a malformed setting is a local error (exit 2), not a silent direct
/// connection. A registry behind TLS with a private CA is refused until `SSL_CERT_FILE` names it.
@Suite("cli: proxies and certificates from the environment")
struct CLIProxyTests {
    /// A loopback "proxy" that answers every request itself and records the request lines.
    final class FakeProxy: @unchecked Sendable {
        let port: Int
        private let fd: Int32
        private let lock = NSLock()
        private var lines: [String] = []
        var requests: [String] { lock.withLock { lines } }

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            self.fd = fd
            port = Int(UInt16(bigEndian: addr.sin_port))
            Thread.detachNewThread { [self] in serve() }
        }

        private func serve() {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                var line = readHead(c)
                lock.withLock { lines.append(line) }
                // A tunnel: the request proper follows on the same connection.
                if line.hasPrefix("CONNECT ") {
                    reply(c, "HTTP/1.1 200 Connection established\r\n\r\n")
                    line = readHead(c)
                    lock.withLock { lines.append(line) }
                }
                let body = line.contains("/api/v1/search")
                    ? #"{"total":1,"results":[{"name":"@via/proxy","version":"1.0.0","tier":"community","description":"answered by the proxy"}]}"#
                    : #"{"status":"ok"}"#
                reply(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
                close(c)
            }
        }

        /// The request line of the next request head on `c`.
        private func readHead(_ c: Int32) -> String {
            var got: [UInt8] = []
            var byte: UInt8 = 0
            while !got.suffix(4).elementsEqual("\r\n\r\n".utf8), read(c, &byte, 1) == 1 { got.append(byte) }
            return String(decoding: got.prefix { $0 != 0x0D }, as: UTF8.self)
        }

        private func reply(_ c: Int32, _ text: String) {
            _ = text.withCString { write(c, $0, strlen($0)) }
        }

        deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }

    @Test func proxyVariables() throws {
        guard CLIEndToEndTests.rar != nil else {
            print("SKIPPED cli proxy: no rar binary beside the tests (run `swift build --build-tests` first)")
            return
        }
        let proxy = try FakeProxy()
        let tmp = NSTemporaryDirectory() + "rar-proxy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // `.invalid` never resolves, so only a proxy can answer for it.
        let registry = "http://registry.invalid:7070"
        let clean = ["http_proxy": "", "HTTP_PROXY": "", "https_proxy": "", "HTTPS_PROXY": "", "all_proxy": "", "ALL_PROXY": "",
                     "no_proxy": "", "NO_PROXY": "", "XDG_CONFIG_HOME": tmp, "RAR_TOKEN": "", "NO_COLOR": "1"]
        func search(_ env: [String: String]) throws -> CLIEndToEndTests.Run {
            try CLIEndToEndTests.run(["search", "widgets", "--registry", registry], env: clean.merging(env) { $1 }, cwd: NSTemporaryDirectory())
        }

        let via = try search(["http_proxy": "http://127.0.0.1:\(proxy.port)"])
        #expect(via.status == 0, "\(via.err)")
        #expect(via.out.contains("@via/proxy@1.0.0"))
        #expect(proxy.requests.contains("CONNECT registry.invalid:7070 HTTP/1.1"), "\(proxy.requests)")
        #expect(proxy.requests.contains("GET /api/v1/search?q=widgets&page=1 HTTP/1.1"), "\(proxy.requests)")
        let seen = proxy.requests.count

        // Direct (and so unreachable): exit 3, and the proxy saw nothing more.
        let bypassed = try search(["http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": "example.org, .invalid"])
        #expect(bypassed.status == 3, "\(bypassed.out)\(bypassed.err)")
        let upper = try search(["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)"])
        #expect(upper.status == 3, "\(upper.out)\(upper.err)")
        #expect(proxy.requests.count == seen)

        // all_proxy is the fallback for either scheme.
        #expect(try search(["all_proxy": "127.0.0.1:\(proxy.port)"]).out.contains("@via/proxy"))

        let bad = try search(["http_proxy": "ftp://127.0.0.1:\(proxy.port)"])
        #expect(bad.status == 2 && bad.err.contains("only http:// and socks5:// proxies"), "\(bad.err)")
    }

    /// `env` command → exit status (output discarded).
    static func tool(_ args: [String], cwd: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func privateCertificateAuthority() throws {
        let tmp = NSTemporaryDirectory() + "rar-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        guard CLIEndToEndTests.rar != nil,
              Self.tool(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], cwd: tmp) == 0,
              Self.tool(["python3", "-c", "import ssl"], cwd: tmp) == 0 else {
            print("SKIPPED cli TLS: needs the rar binary, openssl and python3")
            return
        }
        let env = ["XDG_CONFIG_HOME": tmp, "RAR_TOKEN": "", "NO_COLOR": "1", "SSL_CERT_FILE": "",
                   "https_proxy": "", "HTTPS_PROXY": "", "all_proxy": "", "ALL_PROXY": ""]
        let build = try CLIEndToEndTests.run(["build", TestServer.projectRoot.appendingPathComponent("registry").path, "--out", tmp + "/site"],
                                             env: env, cwd: tmp)
        #expect(build.status == 0, "\(build.err)")

        // A static host over TLS on a free port; its first line is the port.
        let script = """
        import functools, http.server, ssl, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="site")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain("cert.pem", "key.pem")
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", script]
        server.currentDirectoryURL = URL(fileURLWithPath: tmp)
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: a child of the test runner may inherit an ignored SIGTERM.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let line = out.firstLine()
        let registry = "https://127.0.0.1:" + String(decoding: line, as: UTF8.self)

        let refused = try CLIEndToEndTests.run(["search", "release", "--registry", registry], env: env, cwd: tmp)
        #expect(refused.status == 3 && refused.err.contains("CERTIFICATE_VERIFY_FAILED"), "\(refused.err)")
        var trusted = env
        trusted["SSL_CERT_FILE"] = tmp + "/cert.pem"
        let found = try CLIEndToEndTests.run(["search", "release", "--registry", registry], env: trusted, cwd: tmp)
        #expect(found.status == 0 && found.out.contains("@acme/release_notes"), "\(found.err)")
        let install = try CLIEndToEndTests.run(["install", "@acme/release_notes", "--registry", registry, "--into", tmp + "/agents"], env: trusted, cwd: tmp)
        #expect(install.status == 0 && install.out.contains("verified"), "\(install.err)")
    }
}
