import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RARCore

/// One HTTP exchange, waited for: the CLI's commands are synchronous. Every request names
/// itself `rar/VERSION` in User-Agent.
///
/// Built on AsyncHTTPClient rather than URLSession: on Linux URLSession means libcurl and some
/// thirty shared libraries loaded at every start of every command (about 12 ms), remote or not.
/// What URLSession gave is kept: redirects are followed (at most 5; the token is dropped when
/// the origin changes), proxies come from the environment variables curl reads, gzip bodies
/// are decoded, and `SSL_CERT_FILE` names roots trusted beside the system's.
enum BlockingHTTP {
    struct Reply {
        var status: Int
        /// Lower-cased names; repeated fields joined with ", ".
        var headers: [String: String]
        var body: Data
    }

    enum Failure: Error, CustomStringConvertible {
        /// The local set-up is wrong (a bad proxy variable, a bad URL): the CLI's exit 2.
        case setup(String)
        /// The server could not be reached or the exchange broke: exit 3.
        case transport(String)

        var description: String {
            switch self { case .setup(let m), .transport(let m): return m }
        }
    }

    /// Largest response body accepted (a 100,000-agent registry.json is about 85 MB).
    static let maxBody = 1 << 30

    static func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: Data? = nil,
                     timeout: TimeInterval) throws -> Reply {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty else { throw Failure.setup("bad URL \(url)") }
        let proxy = try ProxyEnvironment(ProcessInfo.processInfo.environment).proxy(scheme: scheme, host: host)

        var tls = TLSConfiguration.makeClientConfiguration()
        if let roots = ProcessInfo.processInfo.environment["SSL_CERT_FILE"], !roots.isEmpty {
            guard FileManager.default.isReadableFile(atPath: roots) else { throw Failure.setup("SSL_CERT_FILE: cannot read \(roots)") }
            // Added to the system's roots, so public hosts stay reachable beside a private CA.
            tls.additionalTrustRoots = [.file(roots)]
        }
        let seconds = max(1, Int64(timeout.rounded(.up)))
        var config = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(min(seconds, 15)), read: .seconds(seconds)),
            proxy: proxy,
            decompression: .enabled(limit: .size(maxBody)))
        // A refused connection is an answer: report it now instead of retrying until the timeout.
        config.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        defer { try? client.syncShutdown() }

        do {
            var h: HTTPHeaders = ["User-Agent": "rar/\(RARVersion.current)"]
            for (name, value) in headers { h.add(name: name, value: value) }
            let request = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method), headers: h,
                                                 body: body.map { .bytes($0) })
            let accumulator = ResponseAccumulator(request: request, maxBodySize: maxBody)
            let response = try client.execute(request: request, delegate: accumulator).futureResult.wait()
            var fields: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                fields[key] = fields[key].map { $0 + ", " + value } ?? value
            }
            let bytes = response.body.map { Data($0.readableBytesView) } ?? Data()
            return Reply(status: Int(response.status.code), headers: fields, body: bytes)
        } catch {
            throw Failure.transport(describe(error))
        }
    }

    /// A short reason for a transport error (the library's own names are not for users).
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "connection timed out"
            case .readTimeout, .deadlineExceeded: return "timed out waiting for the server"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .redirectLimitReached: return "too many redirects"
            case .redirectCycleDetected: return "redirect loop"
            case .proxyAuthenticationRequired: return "the proxy asks for credentials"
            case .invalidProxyResponse: return "the proxy refused the connection"
            default: break
            }
            if e.shortDescription.contains("ResponseTooBig") { return "response larger than \(maxBody) bytes" }
            return e.shortDescription
        }
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
        let text = String(describing: error)
        if text.contains("UnknownHost") { return "unknown host" }
        if error is NIOSSLError || error is BoringSSLError {
            // BoringSSL's reason code (CERTIFICATE_VERIFY_FAILED, WRONG_VERSION_NUMBER, …) is the useful part.
            let reason = text.components(separatedBy: "OPENSSL_internal:").dropFirst().first?.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return "TLS handshake failed" + (reason.map { " (\($0))" } ?? "")
        }
        return text
    }
}

/// The proxy settings curl takes from the environment: `http_proxy` (lower case only, as curl
/// reads it), `https_proxy`/`HTTPS_PROXY`, `all_proxy`/`ALL_PROXY`, and `no_proxy`/`NO_PROXY`
/// (comma-separated host names or domain suffixes, `*` for every host). An HTTP proxy is asked
/// for a CONNECT tunnel for either scheme (AsyncHTTPClient's way), where curl would send plain
/// http requests to it in absolute form.
struct ProxyEnvironment {
    var http: String?
    var https: String?
    var all: String?
    var noProxy: [String] = []

    init(_ env: [String: String]) {
        func first(_ names: String...) -> String? {
            names.lazy.compactMap { env[$0]?.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        }
        http = first("http_proxy")
        https = first("https_proxy", "HTTPS_PROXY")
        all = first("all_proxy", "ALL_PROXY")
        noProxy = (first("no_proxy", "NO_PROXY") ?? "").split(separator: ",").map {
            var s = $0.trimmingCharacters(in: .whitespaces).lowercased()
            while s.hasPrefix(".") { s.removeFirst() }
            return s
        }.filter { !$0.isEmpty }
    }

    /// Whether `host` is reached directly.
    func bypasses(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        return noProxy.contains { $0 == "*" || h == $0 || h.hasSuffix("." + $0) }
    }

    /// The proxy for a request, nil to go direct. A malformed setting is an error, not ignored.
    func proxy(scheme: String, host: String) throws -> HTTPClient.Configuration.Proxy? {
        guard let spec = (scheme == "https" ? https : http) ?? all, !bypasses(host) else { return nil }
        let withScheme = spec.contains("://") ? spec : "http://" + spec
        guard let u = URLComponents(string: withScheme), let phost = u.host, !phost.isEmpty else {
            throw BlockingHTTP.Failure.setup("proxy setting '\(spec)' is not a URL")
        }
        switch u.scheme?.lowercased() {
        case "http":
            let auth = u.user.map { HTTPClient.Authorization.basic(username: $0.removingPercentEncoding ?? $0,
                                                                    password: (u.password ?? "").removingPercentEncoding ?? "") }
            return .server(host: phost, port: u.port ?? 1080, authorization: auth)  // 1080: curl's default proxy port
        case "socks5", "socks5h":
            guard u.user == nil else { throw BlockingHTTP.Failure.setup("proxy \(spec): SOCKS proxies with credentials are not supported") }
            return .socksServer(host: phost, port: u.port ?? 1080)
        default:
            throw BlockingHTTP.Failure.setup("proxy \(spec): only http:// and socks5:// proxies are supported")
        }
    }
}
