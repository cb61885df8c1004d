import Foundation
import Logging
import PostgresNIO
@testable import RARServer

/// The PostgreSQL the suites run against when `RAR_TEST_POSTGRES` holds a base URL
/// (e.g. from `Tests/support/pg.sh start`): every test server gets a fresh database.
enum TestPostgres {
    static let base: String? = ProcessInfo.processInfo.environment["RAR_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static var enabled: Bool { base != nil }
    static let skipNote = "SKIPPED PostgreSQL-only test: set RAR_TEST_POSTGRES=postgres://USER@HOST:PORT/postgres (Tests/support/pg.sh start)"

    /// One pooled client on the base database for CREATE/DROP DATABASE, running for the whole test process.
    static let admin: PostgresClient? = {
        guard let base, let url = try? PostgresURL(base) else { return nil }
        let client = PostgresClient(configuration: url.clientConfiguration(maxConnections: 4))
        Task.detached { await client.run() }
        return client
    }()

    /// Databases left by test processes that have ended (a loopback server is this machine's).
    static let sweep: Task<Void, Never> = Task {
        guard let admin, let base, let host = try? PostgresURL(base).host, ["127.0.0.1", "localhost", "::1"].contains(host),
              let rows = try? await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'rar\\_test\\_%'").collect() else { return }
        for name in rows.compactMap({ try? $0.decode(String.self) }) {
            let parts = name.split(separator: "_")
            guard parts.count == 4, let pid = Int32(parts[2]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            await dropDatabase("postgres:///" + name)
        }
    }

    /// A new empty database (named after this process); its URL.
    static func createDatabase() async throws -> String {
        guard let base, let admin, var u = URLComponents(string: base) else { throw StoreError.unavailable("RAR_TEST_POSTGRES is not set") }
        await sweep.value
        let name = "rar_test_\(getpid())_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        // The name is generated here (letters and digits), never user input.
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        u.path = "/" + name
        return u.string!
    }

    static func dropDatabase(_ url: String) async {
        guard let admin, let name = URLComponents(string: url)?.path.split(separator: "/").last.map(String.init), name.hasPrefix("rar_test_"),
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" }) else { return }
        _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }
}
