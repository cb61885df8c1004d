import Foundation
import NIOConcurrencyHelpers
import PostgresNIO

/// Decides whether a request may go ahead: nil when allowed, else the seconds to wait.
protocol RateLimiting: Sendable {
    func retryAfter(action: String, key: String) async -> Int?
}

/// Per-key token buckets: `perMinute` requests a minute, bursting up to a minute's worth.
final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var at: Double }
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])
    let limits: [String: Int]

    init(limits: [String: Int]) { self.limits = limits }

    /// nil when allowed; otherwise the seconds to wait.
    func check(action: String, key: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        guard let perMinute = limits[action], perMinute > 0 else { return nil }
        let rate = Double(perMinute) / 60, cap = Double(perMinute)
        return buckets.withLockedValue { b in
            if b.count > 100_000 { b.removeAll(keepingCapacity: true) }  // bounded memory under key floods
            var bucket = b[action + "|" + key] ?? Bucket(tokens: cap, at: now)
            bucket.tokens = min(cap, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            defer { b[action + "|" + key] = bucket }
            if bucket.tokens >= 1 { bucket.tokens -= 1; return nil }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

extension RateLimiter: RateLimiting {
    func retryAfter(action: String, key: String) async -> Int? { check(action: action, key: key) }
}

/// The same token buckets in PostgreSQL (one row per action and key, clocked by the database),
/// so every server in front of one database spends one budget.
final class PostgresRateLimiter: RateLimiting {
    let store: PostgresStore
    let limits: [String: Int]

    init(store: PostgresStore, limits: [String: Int]) {
        self.store = store
        self.limits = limits
    }

    func retryAfter(action: String, key: String) async -> Int? {
        guard let perMinute = limits[action], perMinute > 0 else { return nil }
        let rate = Double(perMinute) / 60, cap = Double(perMinute)
        let refill = "LEAST($2, b.tokens + GREATEST(0, excluded.at - b.at) * $3)"
        var binds = PostgresBindings()
        binds.append(action + "|" + String(key.prefix(200)))
        binds.append(cap)
        binds.append(rate)
        let sql = """
            INSERT INTO rate_buckets AS b (bucket, tokens, at, ok) VALUES ($1, $2 - 1, extract(epoch FROM clock_timestamp())::float8, true)
            ON CONFLICT (bucket) DO UPDATE SET
                tokens = CASE WHEN \(refill) >= 1 THEN \(refill) - 1 ELSE \(refill) END, ok = \(refill) >= 1, at = excluded.at
            RETURNING ok, tokens
            """
        do {
            // Idle buckets are full again after a minute: forget them now and then.
            let sweep = Int.random(in: 0..<500) == 0, query = PostgresQuery(unsafeSQL: sql, binds: binds)
            let row = try await store.withConnection { c in
                if sweep { try await c.query("DELETE FROM rate_buckets WHERE at < extract(epoch FROM clock_timestamp()) - 300", logger: PostgresStore.log) }
                return try await c.query(query, logger: PostgresStore.log).collect().first?.decode((Bool, Double).self)
            }
            guard let (ok, tokens) = row, !ok else { return nil }
            return max(1, Int(((1 - tokens) / rate).rounded(.up)))
        } catch {
            return nil  // the database is away: requests fail on their own with 503
        }
    }
}

/// Prometheus text-format counters and a request-duration histogram.
final class ServerMetrics: Sendable {
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private struct State {
        var requests: [String: Int] = [:]
        var buckets = [Int](repeating: 0, count: ServerMetrics.bounds.count + 1)
        var sum = 0.0
        var count = 0
        var events: [String: Int] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let started = Date()

    func observe(method: String, status: Int, seconds: Double) {
        state.withLockedValue { s in
            s.requests["method=\"\(method)\",status=\"\(status)\"", default: 0] += 1
            let i = ServerMetrics.bounds.firstIndex { seconds <= $0 } ?? ServerMetrics.bounds.count
            s.buckets[i] += 1
            s.sum += seconds
            s.count += 1
        }
    }

    func event(_ name: String) { state.withLockedValue { $0.events[name, default: 0] += 1 } }

    func render(extra: [(String, String, Double)]) -> String {
        let s = state.withLockedValue { $0 }
        var out = "# HELP rar_http_requests_total HTTP requests by method and status.\n# TYPE rar_http_requests_total counter\n"
        for k in s.requests.keys.sorted() { out += "rar_http_requests_total{\(k)} \(s.requests[k]!)\n" }
        out += "# HELP rar_http_request_duration_seconds Request latency.\n# TYPE rar_http_request_duration_seconds histogram\n"
        var cum = 0
        for (i, b) in ServerMetrics.bounds.enumerated() {
            cum += s.buckets[i]
            out += "rar_http_request_duration_seconds_bucket{le=\"\(b)\"} \(cum)\n"
        }
        out += "rar_http_request_duration_seconds_bucket{le=\"+Inf\"} \(s.count)\n"
        out += "rar_http_request_duration_seconds_sum \(s.sum)\nrar_http_request_duration_seconds_count \(s.count)\n"
        out += "# HELP rar_events_total Registry events (publishes, yanks, installs, rate limits).\n# TYPE rar_events_total counter\n"
        for k in s.events.keys.sorted() { out += "rar_events_total{event=\"\(k)\"} \(s.events[k]!)\n" }
        for (name, help, v) in extra { out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(v)\n" }
        out += "# HELP rar_uptime_seconds Seconds since start.\n# TYPE rar_uptime_seconds gauge\nrar_uptime_seconds \(Date().timeIntervalSince(started))\n"
        return out
    }
}
