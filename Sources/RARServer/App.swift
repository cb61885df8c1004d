import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RARCore
import ServiceLifecycle

/// The request context: Hummingbird's core storage plus the client address (rate limits, logs).
public struct RARContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Shared state of one server process. Servers hold no state of their own beyond caches
/// keyed by the store's generation, so several can run in front of one database.
public final class ServerState: Sendable {
    public let config: ServerConfig
    public let store: any RegistryStore
    let auth: Authenticator
    let live: LiveRegistry
    let limiter: any RateLimiting
    let metrics = ServerMetrics()
    let routes = RouteTable()
    public let signingKey: EggSigningKey
    let logger: Logger
    let tester: ContractWorker?
    let sourceCache = SourceCache()
    let search: SearchService

    init(config: ServerConfig, store: any RegistryStore, signingKey: EggSigningKey, logger: Logger) {
        self.config = config
        self.store = store
        self.auth = Authenticator(store: store)
        let scratch = (config.isPostgres ? NSTemporaryDirectory() : (config.sqlitePath as NSString).deletingLastPathComponent) + "/scratch"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        self.live = LiveRegistry(store: store, siteDir: config.siteDir, sizeLimit: config.maxAgentBytes)
        self.search = SearchService(store: store)
        // Servers sharing PostgreSQL share their rate limits; the embedded store keeps them in memory.
        if let pg = store as? PostgresStore {
            self.limiter = PostgresRateLimiter(store: pg, limits: config.rateLimits)
        } else {
            self.limiter = RateLimiter(limits: config.rateLimits)
        }
        self.signingKey = signingKey
        self.logger = logger
        self.tester = config.contractTests ? ContractWorker(store: store, executable: config.testerExecutable, scratch: scratch, logger: logger) : nil
    }
}

/// What bootstrapping printed for the operator (the one-time admin token).
public struct BootstrapReport: Sendable {
    public var adminToken: String?
    public var seeded: Int
    public var seedProblems: [String]
}

public enum RARServerApp {
    /// Open (and migrate) the store the configuration names.
    public static func openStore(_ config: ServerConfig) async throws -> any RegistryStore {
        if config.isPostgres {
            let store: PostgresStore
            do { store = try PostgresStore(url: config.database ?? "", leaseTimeout: .seconds(config.databaseTimeoutSeconds)) } catch { throw ServerConfig.Invalid(description: "--db: \(error)") }
            do { try await store.migrate() } catch {
                await store.close()
                throw error
            }
            return store
        }
        let path = config.sqlitePath
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let fresh = !FileManager.default.fileExists(atPath: path)
        let store = try SQLiteStore(path: path)
        if fresh { chmod(path, 0o600) }
        try await store.migrate()
        return store
    }

    /// First start: the admin account and token, the server's signing key, the seed agents.
    /// Servers starting together on one database agree: one creates the admin, all keep one key.
    public static func bootstrap(_ config: ServerConfig, store: any RegistryStore, logger: Logger) async throws -> (BootstrapReport, EggSigningKey) {
        var report = BootstrapReport(adminToken: nil, seeded: 0, seedProblems: [])
        if try await store.userCount() == 0 {
            let secret: String
            if let t = config.adminToken {
                guard Tokens.wellFormed(t), t.count >= Tokens.prefix.count + 20 else {
                    throw ServerConfig.Invalid(description: "RAR_ADMIN_TOKEN must look like rar_ followed by at least 20 characters of a-z and 2-7")
                }
                secret = t
            } else {
                secret = Tokens.mint().secret
            }
            let admin: UserRecord?
            do { admin = try await store.createUser(name: "admin", admin: true, actor: "system") } catch StoreError.conflict(_) {
                admin = nil  // another server on this database made it a moment ago
            }
            if let admin {
                let id = "tok_" + Tokens.base32(Tokens.random(8))
                try await store.createToken(TokenRecord(id: id, userID: admin.id, userName: admin.name, scopes: Set(Scope.allCases), label: "bootstrap admin",
                                                        createdAt: Clock.stamp(Date()), expiresAt: nil), hash: Tokens.hash(secret), actor: "system")
                if config.adminToken == nil { report.adminToken = secret }
            }
        }
        let key: EggSigningKey
        let existing = try await store.meta("signing_key")
        if let k = existing, let parsed = try? EggSigningKey.parse(Array(k.utf8)) {
            key = parsed
        } else {
            let fresh = try EggSigningKey.generate(owner: "rar", slug: "registry")
            if existing == nil, let parsed = try? EggSigningKey.parse(Array(try await store.claimMeta("signing_key", fresh.serialized()).utf8)) {
                key = parsed
            } else {
                key = fresh
                try await store.setMeta("signing_key", key.serialized())
            }
        }
        if config.seed, try await store.meta("seeded") == nil {
            let (n, problems) = try await seed(config: config, store: store)
            report.seeded = n
            report.seedProblems = problems
            try await store.setMeta("seeded", Clock.stamp(Date()))
        }
        return (report, key)
    }

    /// Import every valid agent under ROOT/agents/ as the admin (namespaces created for it): files
    /// checked on every core, stored a thousand per transaction.
    static func seed(config: ServerConfig, store: any RegistryStore) async throws -> (Int, [String]) {
        let files = AgentTree.walk(config.root + "/agents")
        var n = 0
        var problems: [String] = []
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(start + 1000, files.count)])
            let limit = config.maxAgentBytes
            let prepared = ParallelMap.map(chunk) { path -> Result<Publishing.Prepared, Problem>? in
                guard let data = FileManager.default.contents(atPath: path) else { return nil }
                do throws(Problem) {
                    return .success(try Publishing.prepare(bytes: [UInt8](data), fileName: (path as NSString).lastPathComponent, limit: limit))
                } catch {
                    return .failure(error)
                }
            }
            var batch: [NewVersion] = []
            for (path, r) in zip(chunk, prepared) {
                switch r {
                case .success(let p)?: batch.append(p.newVersion(actor: "admin", tier: p.declaredTier, createNamespace: true))
                case .failure(let p)?: problems.append("\(path): \(p.detail)")
                case nil: continue
                }
            }
            for e in try await store.publishAll(batch) {
                switch e {
                case nil: n += 1
                case .conflict?: continue
                case let other?: throw other
                }
            }
        }
        return (n, problems)
    }

    /// Write out buffered request-log lines (at shutdown).
    public static func flushLogs() { AccessLog.shared.flush() }

    /// Build the Hummingbird application for a bootstrapped store.
    public static func makeApplication(config: ServerConfig, store: any RegistryStore, signingKey: EggSigningKey, logger: Logger,
                                       onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let state = ServerState(config: config, store: store, signingKey: signingKey, logger: logger)
        let router = Router(context: RARContext.self, options: .autoGenerateHeadEndpoints)
        let table = state.routes
        router.add(middleware: RequestMetricsMiddleware(metrics: state.metrics, log: logger.logLevel <= .info ? AccessLog.shared : nil, label: logger.label))
        router.add(middleware: ProblemMiddleware(table: table))
        Routes.register(on: router, state: state)
        table.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
        // Services stop in reverse order: the HTTP server drains first, then these.
        var services: [any Service] = [StoreCloser(store: store)]
        if let t = state.tester { services.append(t) }
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [BodyDeadlineHandler(timeout: .seconds(Int64(config.bodyTimeoutSeconds)))],
                                                idleTimeout: .seconds(Int64(config.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "rar/\(RARVersion.current)"),
            services: services,
            onServerRunning: { channel in
                Task { await state.search.warm() }  // the search index builds in the background
                await onServerRunning(channel.localAddress?.port ?? config.port)
            },
            logger: logger
        )
    }
}

/// Closes the store once the server has stopped (after its last request).
struct StoreCloser: Service {
    let store: any RegistryStore
    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}

/// Counts requests and their latency for /metrics and writes one log line per request at info
/// level (never the Authorization header or bodies).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let log: AccessLog?
    let label: String
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        metrics.observe(method: request.method.rawValue, status: Int(response.status.code), seconds: seconds)
        log?.record(label: label, method: request.method.rawValue, path: request.uri.path, status: Int(response.status.code), ms: seconds * 1000)
        return response
    }
}
