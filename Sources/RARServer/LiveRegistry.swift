import Foundation
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
        /// The whole `rar build` output tree: path → bytes.
        var files: [String: [UInt8]]
        /// Sources by registry `_file`, for the catalog and egg downloads.
        var sources: [String: [UInt8]]
    }

    let store: any RegistryStore
    let scratch: String
    let memo = FactsMemo()
    var cached: Snapshot?
    var inFlight: (Int64, Task<Snapshot, any Error>)?
    /// Options for the catalog pages rendered with the static output.
    let baseURL: String
    let siteDir: String?
    /// Largest agent file the build reads (the server's max_agent_bytes).
    let sizeLimit: Int

    init(store: any RegistryStore, scratch: String, baseURL: String = "", siteDir: String? = nil, sizeLimit: Int = SourceText.defaultSizeLimit) {
        self.store = store
        self.sizeLimit = sizeLimit
        self.scratch = scratch
        self.baseURL = baseURL
        self.siteDir = siteDir
    }

    /// The file an agent occupies in the registry tree.
    static func treePath(_ a: AgentRecord) -> String { "agents/\(a.publisher)/\(Scaffold.fileName(slug: a.slug))" }

    func current() async throws -> Snapshot {
        let gen = try await store.generation()
        if let c = cached, c.generation == gen { return c }
        if let (g, task) = inFlight, g == gen { return try await task.value }
        let store = self.store, memo = self.memo, scratch = self.scratch, baseURL = self.baseURL, siteDir = self.siteDir, limit = self.sizeLimit
        let task = Task<Snapshot, any Error> {
            let rows = try await store.latestSources()
            let changed = try await store.meta("changed_at").flatMap { Double($0) } ?? 0
            return try LiveRegistry.render(rows: rows, generation: gen, changedAt: Date(timeIntervalSince1970: changed), memo: memo, scratch: scratch, baseURL: baseURL, siteDir: siteDir, sizeLimit: limit)
        }
        inFlight = (gen, task)
        defer { if inFlight?.0 == gen { inFlight = nil } }
        let snap = try await task.value
        if cached.map({ $0.generation < snap.generation }) ?? true { cached = snap }
        return snap
    }

    /// Build the registry in memory, then write the static tree through `StaticAPI` into a
    /// private scratch directory and read it back.
    static func render(rows: [(AgentRecord, VersionRecord, [UInt8])], generation: Int64, changedAt: Date, memo: FactsMemo, scratch: String, baseURL: String, siteDir: String?, sizeLimit: Int = SourceText.defaultSizeLimit) throws -> Snapshot {
        var tree: [String: [UInt8]] = [:]
        var tiers: [String: String] = [:]
        for (a, _, src) in rows {
            tree[treePath(a)] = src
            tiers[a.name] = a.tier
        }
        var opt = BuildOptions(root: scratch)
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

        // Write the static output through the same code as `rar build`, then load it.
        let fm = FileManager.default
        let dir = scratch + "/live-\(getpid())-\(generation)-\(UInt32.random(in: 0...UInt32.max))"
        let src = dir + "/src", out = dir + "/out"
        defer { try? fm.removeItem(atPath: dir) }
        for (rel, bytes) in tree {
            let p = src + "/" + rel
            try fm.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: p, contents: Data(bytes)) else { throw StoreError.unavailable("cannot write the live registry scratch tree") }
        }
        try fm.createDirectory(atPath: src + "/agents", withIntermediateDirectories: true)
        var api = StaticAPI.Options()
        api.baseURL = baseURL
        // The catalog pages of `rar build`, in live mode: sign-in, upload, owner actions.
        var catalog = CatalogOptions()
        catalog.live = true
        catalog.siteDir = siteDir
        api.catalog = catalog
        try StaticAPI.write(build, root: src, out: out, options: api)
        var files: [String: [UInt8]] = [:]
        if let walker = fm.enumerator(atPath: out) {
            while let rel = walker.nextObject() as? String {
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: out + "/" + rel, isDirectory: &isDir), !isDir.boolValue, !rel.hasPrefix(".") else { continue }
                if let d = fm.contents(atPath: out + "/" + rel) { files[rel] = [UInt8](d) }
            }
        }
        files.removeValue(forKey: BuildCache.fileName)
        return Snapshot(generation: generation, build: build, entries: entries, files: files, sources: tree)
    }
}
