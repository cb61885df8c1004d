import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RARCore

/// registry.json and the static API, built from the database with the same code as `rar build`
/// (so the bytes agree for the same content) and cached until the store's generation changes.
actor LiveRegistry {
    struct Snapshot: Sendable {
        var generation: Int64
        var build: RegistryBuild
        /// registry.json entries by agent name (latest live version of each agent).
        var entries: [String: JSONValue]
        var agents: [JSONValue] { build.agents }
        /// The whole `rar build` output tree: path → bytes ready to send, with their ETags.
        var files: [String: StaticFile]
        /// Sources by registry `_file`, for the catalog and egg downloads.
        var sources: [String: [UInt8]]
    }

    struct StaticFile: Sendable {
        var body: ByteBuffer
        var etag: String
    }

    let store: any RegistryStore
    let memo = FactsMemo()
    /// Per-agent outputs of the last render, so a publish re-renders one agent plus the aggregates.
    let pages = RenderMemo()
    var cached: Snapshot? { didSet { latest.withLockedValue { $0 = cached } } }
    /// The cached snapshot, readable without a hop onto the actor.
    nonisolated let latest = NIOLockedValueBox<Snapshot?>(nil)
    /// The one render running, if any, and the generation it renders.
    var rendering: (generation: Int64, task: Task<Snapshot, any Error>)?
    /// Options for the catalog pages rendered with the static output.
    let baseURL: String
    let siteDir: String?
    /// Largest agent file the build reads (the server's max_agent_bytes).
    let sizeLimit: Int

    init(store: any RegistryStore, baseURL: String = "", siteDir: String? = nil, sizeLimit: Int = SourceText.defaultSizeLimit) {
        self.store = store
        self.sizeLimit = sizeLimit
        self.baseURL = baseURL
        self.siteDir = siteDir
    }

    /// The file an agent occupies in the registry tree.
    static func treePath(_ a: AgentRecord) -> String { "agents/\(a.publisher)/\(Scaffold.fileName(slug: a.slug))" }

    /// The snapshot for the store's generation. One render runs at a time; a request waits for the
    /// render that covers the generation it read, so every server shows a change as soon as the
    /// database holds it (never an older snapshot after a newer generation was seen).
    nonisolated func current() async throws -> Snapshot {
        let gen = try await store.generation()
        if let c = latest.withLockedValue({ $0 }), c.generation >= gen { return c }
        return try await refresh(gen)
    }

    private func refresh(_ gen: Int64) async throws -> Snapshot {
        if let c = cached, c.generation >= gen { return c }
        if let r = rendering {
            if r.generation >= gen { return try await r.task.value }
            _ = try? await r.task.value
            return try await refresh(try await store.generation())
        }
        let store = self.store, memo = self.memo, pages = self.pages, baseURL = self.baseURL, siteDir = self.siteDir, limit = self.sizeLimit
        let previous = cached?.files ?? [:]
        let task = Task<Snapshot, any Error> {
            let rows = try await store.latestSources()
            let changed = try await store.meta("changed_at").flatMap { Double($0) } ?? 0
            // Seconds of CPU for a large registry: on the I/O thread pool, not the request executor.
            return try await NIOThreadPool.singleton.runIfActive {
                try LiveRegistry.render(rows: rows, generation: gen, changedAt: Date(timeIntervalSince1970: changed), memo: memo, baseURL: baseURL, siteDir: siteDir,
                                        sizeLimit: limit, pages: pages, previous: previous)
            }
        }
        rendering = (gen, task)
        defer { rendering = nil }
        let snap = try await task.value
        if cached.map({ $0.generation < snap.generation }) ?? true { cached = snap }
        return snap
    }

    /// Build the registry and the whole static tree in memory, with the same code as `rar build`.
    /// `pages` carries per-agent outputs between renders; files equal to `previous` ones keep their buffer and ETag.
    static func render(rows: [(AgentRecord, VersionRecord, [UInt8])], generation: Int64, changedAt: Date, memo: FactsMemo, baseURL: String, siteDir: String?,
                       sizeLimit: Int = SourceText.defaultSizeLimit, pages: RenderMemo? = nil, previous: [String: StaticFile] = [:]) throws -> Snapshot {
        var tree: [String: [UInt8]] = [:]
        var tiers: [String: String] = [:]
        for (a, _, src) in rows {
            tree[treePath(a)] = src
            tiers[a.name] = a.tier
        }
        var opt = BuildOptions(root: "/nonexistent")
        opt.tree = tree
        opt.memo = memo
        opt.keepGoing = true
        opt.sizeLimit = sizeLimit
        opt.generatedAt = changedAt
        var build = try RegistryBuilder.build(opt)
        // The server's tier wins over the manifest's claim (admins grant verified/official).
        func retier(_ v: JSONValue) -> JSONValue {
            guard case .object(var pairs) = v, let n = v["name"]?.stringValue, let t = tiers[n], v["quality_tier"]?.stringValue != t else { return v }
            BuildSupport.set(&pairs, "quality_tier", .string(t))
            return .object(pairs)
        }
        build.agents = build.agents.map(retier)
        if case .object(var top) = build.registry {
            BuildSupport.set(&top, "agents", .array(build.agents))
            build.registry = .object(top)
        }
        var entries: [String: JSONValue] = [:]
        for e in build.agents { if let n = e["name"]?.stringValue { entries[n] = e } }

        var api = StaticAPI.Options()
        api.baseURL = baseURL
        // The catalog pages of `rar build`, in live mode: sign-in, upload, owner actions.
        var catalog = CatalogOptions()
        catalog.live = true
        catalog.siteDir = siteDir
        api.catalog = catalog
        api.memo = pages
        var files: [String: StaticFile] = [:]
        for (path, bytes) in try StaticAPI.render(build, sources: tree, options: api) where !path.hasPrefix(".") {
            if let old = previous[path], old.body.readableBytes == bytes.count,
               bytes.isEmpty || old.body.withUnsafeReadableBytes({ o in bytes.withUnsafeBytes { memcmp(o.baseAddress!, $0.baseAddress!, bytes.count) == 0 } }) {
                files[path] = old
            } else {
                files[path] = StaticFile(body: ByteBuffer(bytes: bytes), etag: "\"\(BuildSupport.sha256Hex(bytes).prefix(32))\"")
            }
        }
        pages?.sweep()
        // A render frees megabytes of transient buffers across threads: hand the free pages
        // back, or the heap arenas keep them and the resident size only climbs.
        MallocTrim.run()
        return Snapshot(generation: generation, build: build, entries: entries, files: files, sources: tree)
    }
}

/// glibc's `malloc_trim(0)`, where the C library has it (looked up once, at run time).
enum MallocTrim {
    private typealias Fn = @convention(c) (Int) -> Int32
    private static let fn: Fn? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Fn.self) }  // nil: RTLD_DEFAULT
    static func run() { _ = fn?(0) }
}
