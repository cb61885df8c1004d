import Crypto
import Foundation

/// Writes registry.json, the static JSON API, raw agent files, card SVGs and the build cache
/// into a fresh directory, then swaps it into place.
public enum StaticAPI {
    public struct Options: Sendable {
        /// Prefix for absolute URLs ("" = URLs relative to the output root).
        public var baseURL = ""
        public var cardSVGs = true
        /// The HTML catalog (index.html, catalog/…); nil = JSON only.
        public var catalog: CatalogOptions? = CatalogOptions()
        /// Per-agent outputs of earlier renders, reused while their inputs are unchanged.
        public var memo: RenderMemo?
        /// Update a tree an earlier build wrote in place, rewriting only what changed.
        public var incremental = true
        public init() {}
    }

    public struct Stats: Sendable {
        /// Files in the tree.
        public var files = 0
        /// Files this build wrote (the rest were left as an earlier build wrote them).
        public var written = 0
        public init(files: Int = 0, written: Int = 0) { self.files = files; self.written = written }
    }

    static let apiJSON = JSONWriteOptions(indent: 2, ensureASCII: false)
    /// Per-agent documents (agent, seed, incantation) are compact: a 100k registry writes 300k of
    /// them, and pretty-printing made them a third larger. Shared documents stay indented.
    static let docJSON = JSONWriteOptions(indent: nil, ensureASCII: false, spacedSeparators: false)
    /// registry.json as the reference formats it.
    static let registryJSON = JSONWriteOptions(indent: 2, ensureASCII: true)

    /// `@pub/slug` → `api/v1/agents/@pub/slug.json` (path-safe; nil when the name has no `/`).
    public static func agentDocPath(_ name: String) -> String? {
        guard let slash = name.firstIndex(of: "/") else { return nil }
        func safe(_ s: Substring) -> String {
            var out = ""
            for u in s.unicodeScalars {
                let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_" || u == "-" || u == "@" || u == "."
                out += ok ? String(u) : "_"
            }
            return out.isEmpty || out == "." || out == ".." ? "_" : out
        }
        return "api/v1/agents/\(safe(name[..<slash]))/\(safe(name[name.index(after: slash)...])).json"
    }

    /// The incantation as a file stem: lower-case words joined by `-`.
    public static func incantationSlug(_ seed: CardSeed) -> String? {
        guard let words = try? Incantation.encode(seed) else { return nil }
        return String(decoding: words.utf8.map { $0 == 0x20 ? 0x2D : ($0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0) }, as: UTF8.self)
    }

    /// Build everything into `out`. A tree an earlier build wrote with the same options is
    /// updated in place (unchanged files are left alone); otherwise a fresh tree is staged
    /// beside `out` and swapped in whole.
    @discardableResult
    public static func write(_ build: RegistryBuild, root: String, out: String, options: Options = Options()) throws -> Stats {
        let fm = FileManager.default
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let key = try stateKey(build, options: options)
        // One writer per output tree: a second build into the same --out waits for none, it fails.
        let lock = try OutputLock(sibling(of: outURL, "rar-build.lock"))
        defer { lock.release() }
        BuildTrace.mark("state key, lock")
        if options.incremental, let previous = OutputState.load(outURL.path), previous.key == key {
            // An update that fails part way has removed the state: a fresh tree replaces it.
            if let stats = try? update(build, root: root, out: outURL.path, previous: previous, key: key, options: options) { return stats }
        }
        let pid = ProcessInfo.processInfo.processIdentifier
        let tmp = sibling(of: outURL, "tmp-\(pid)")
        try? fm.removeItem(atPath: tmp)
        do { try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true) } catch { throw BuildError.io("cannot create \(tmp): \(error.localizedDescription)") }
        do {
            let sink = DirectorySink(dir: tmp, root: root, previous: nil, key: key)
            let layout = patchable(build) ? BuildLayout() : nil
            let n = try writeTree(build, sink: sink, options: options, layout: layout)
            try writeStateAndIndex(build, sink: sink, layout: layout, files: n, key: key, options: options, dir: tmp)
            try swap(tmp: tmp, into: outURL, pid: pid)
            ExitReclaim.hold((sink, layout))
            BuildTrace.mark("state, swap")
            return Stats(files: n, written: sink.written)
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
    }

    /// In-place update of a tree described by `previous`. The state file goes first, so if
    /// this stops half way the next build finds no state and writes a fresh tree.
    static func update(_ build: RegistryBuild, root: String, out: String, previous: OutputState, key: String, options: Options) throws -> Stats {
        let statePath = out + "/" + OutputState.fileName
        guard unlink(statePath) == 0 else { throw BuildError.io("cannot update \(out): \(String(cString: strerror(errno)))") }
        unlink(out + "/" + OutputState.journalName)
        unlink(out + "/" + PatchIndex.fileName)
        let sink = DirectorySink(dir: out, root: root, previous: previous, key: key)
        let layout = patchable(build) ? BuildLayout() : nil
        let n = try writeTree(build, sink: sink, options: options, layout: layout)
        sink.removeStale()
        try writeStateAndIndex(build, sink: sink, layout: layout, files: n, key: key, options: options, dir: out)
        ExitReclaim.hold((sink, layout, previous))
        BuildTrace.mark("stale files, state")
        return Stats(files: n, written: sink.written)
    }

    /// Whether a later build may patch this one's tree: a clean build read from disk.
    static func patchable(_ build: RegistryBuild) -> Bool {
        build.rejected.isEmpty && build.duplicateDisplayNames == 0 && !build.inputStamps.isEmpty
    }

    /// The state file and, for a patchable build, the patch index. The index is made on a
    /// second thread while the state is encoded (each is a pass over every output); it records
    /// the stamps of the tracked outputs, so those are taken after the state file is written.
    static func writeStateAndIndex(_ build: RegistryBuild, sink: DirectorySink, layout: BuildLayout?, files n: Int, key: String,
                                   options: Options, dir: String) throws {
        let index = layout.map { layout in
            BackgroundJob { () -> PatchIndex? in
                layout.filesOut = n
                return PatchBuild.index(build, layout: layout, key: key)
            }
        }
        let state = Result { try writeState(sink.recorder.result, dir: dir) }
        let made = try index?.wait()
        try state.get()
        if var x = made ?? nil {
            x.outputStamps = PatchIndex.stamps(of: PatchIndex.trackedOutputs(catalog: options.catalog != nil), in: dir)
            _ = x.write(to: dir)
        }
    }

    static func writeState(_ state: OutputState, dir: String) throws {
        let bytes = state.encoded()
        let tmp = dir + "/." + OutputState.fileName + ".tmp"
        guard bytes.withUnsafeBytes({ FastFile.write(tmp, $0) }), rename(tmp, dir + "/" + OutputState.fileName) == 0 else {
            throw BuildError.io("cannot write \(dir)/\(OutputState.fileName)")
        }
    }

    /// Tool version and every option that shapes the tree.
    static func stateKey(_ build: RegistryBuild, options: Options) throws -> String { try stateKey(cacheKey: build.cacheKey, options: options) }

    static func stateKey(cacheKey: String, options: Options) throws -> String {
        var parts = [RARVersion.current, cacheKey, options.baseURL, options.cardSVGs ? "svg" : "-"]
        if let c = options.catalog {
            parts += ["catalog", c.live ? "live" : "static", c.title, String(c.pageSize), try CatalogSite.load(c.siteDir).fingerprint]
        }
        return RenderMemo.key(parts)
    }

    /// The same tree in memory (path → bytes), for a server; `sources` are the raw agent files by `_file`.
    public static func render(_ build: RegistryBuild, sources: [String: [UInt8]], options: Options = Options()) throws -> [String: [UInt8]] {
        let sink = MemorySink(sources: sources)
        _ = try writeTree(build, sink: sink, options: options)
        return sink.files
    }

    /// `…/site` → `…/.site.SUFFIX`: the build's scratch, old-tree and lock names live beside
    /// the tree, since the tree itself is swapped.
    static func sibling(of out: URL, _ suffix: String) -> String {
        out.deletingLastPathComponent().path + "/." + out.lastPathComponent + "." + suffix
    }

    /// Rename the new tree over the old one; the old tree is kept until the new one is in place.
    static func swap(tmp: String, into outURL: URL, pid: Int32) throws {
        let fm = FileManager.default
        let out = outURL.path
        let old = sibling(of: outURL, "old-\(pid)")
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out, isDirectory: &isDir) {
            guard isDir.boolValue else { throw BuildError.io("\(out) exists and is not a directory") }
            try? fm.removeItem(atPath: old)
            guard rename(out, old) == 0 else { throw BuildError.io("cannot move \(out) aside: \(String(cString: strerror(errno)))") }
        }
        guard rename(tmp, out) == 0 else {
            _ = rename(old, out)
            throw BuildError.io("cannot move the new build into \(out): \(String(cString: strerror(errno)))")
        }
        try? fm.removeItem(atPath: old)
    }

    struct AgentInfo {
        var entry: JSONValue
        var name: String
        var seed: CardSeed?
        var aliases: [CardSeed]
        var doc: String?
        var incantation: String?
    }

    static func writeTree(_ build: RegistryBuild, sink: some TreeSink, options: Options, layout: BuildLayout? = nil) throws -> Int {
        let base = options.baseURL.hasSuffix("/") ? String(options.baseURL.dropLast()) : options.baseURL
        func url(_ rel: String) -> String { base.isEmpty ? rel : base + "/" + rel }
        let generated = BuildSupport.isoZ(Int(build.generatedAt.timeIntervalSince1970.rounded(.down)))
        var fileCount = 0

        // registry.json (exactly as the reference formats it) is written with the other shared files at the end.

        // Who owns each seed / doc path (first claimant wins, so writes never race).
        var infos: [AgentInfo] = []
        var seedOwner: [CardSeed: Int] = [:]
        var docOwner: [String: Int] = [:]
        let converged = (build.registry["swarms"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "converged" }
        // Each entry's own fields on every core; then claims in registry order.
        let own = ParallelMap.map(build.agents) { e -> AgentInfo in
            let name = e["name"]?.stringValue ?? ""
            let seed = e["_seed"].flatMap(BuildSupport.seedValue)
            let aliases = (e["_seed_aliases"]?.arrayValue ?? []).compactMap(BuildSupport.seedValue)
            return AgentInfo(entry: e, name: name, seed: seed, aliases: aliases, doc: agentDocPath(name), incantation: seed.flatMap(incantationSlug))
        }
        infos.reserveCapacity(own.count)
        for var info in own {
            if let d = info.doc { if docOwner[d] != nil { info.doc = nil } else { docOwner[d] = infos.count } }
            for s in [info.seed].compactMap({ $0 }) + info.aliases where seedOwner[s] == nil { seedOwner[s] = infos.count }
            infos.append(info)
        }

        // Directories, created once up front.
        var dirs: Set<String> = ["api/v1/agents", "api/v1/seeds", "api/v1/incantations", "cards"]
        for i in infos { if let d = i.doc { dirs.insert(BuildSupport.parent(d)) } }
        let rawFiles = (build.agents + converged).compactMap { $0["_file"]?.stringValue }
        for f in rawFiles { dirs.insert(BuildSupport.parent(f)) }
        for d in dirs.sorted() { try sink.makeDirectory(d) }
        BuildTrace.mark("api: owners, directories")

        // Lean catalog records, sorted by name (code point).
        let sortedInfos = infos.sorted { JSONValue.codePointLess($0.name, $1.name) }
        let catalogAgents = JSONValue.array(ParallelMap.map(sortedInfos) { leanRecord($0, url: url) })
        let catalog: [(String, JSONValue)] = [
            ("schema", "rar-catalog/1.0"), ("description", "Every published agent, one lean record each, sorted by name."),
            ("generated", .string(generated)), ("count", .int(infos.count)), ("self_url", .string(url("api/v1/catalog.json"))),
            ("agents", catalogAgents),
        ]

        // Taxonomy: counts by first appearance, then count descending (Counter.most_common).
        func counts(_ values: [String]) -> JSONValue {
            var order: [String] = []
            var n: [String: Int] = [:]
            for v in values { if n[v] == nil { order.append(v) }; n[v, default: 0] += 1 }
            let idx = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            return .array(order.sorted { n[$0]! != n[$1]! ? n[$0]! > n[$1]! : idx[$0]! < idx[$1]! }.map { .object([("name", .string($0)), ("count", .int(n[$0]!))]) })
        }
        let entries = build.agents
        let taxonomy: [(String, JSONValue)] = [
            ("schema", "rar-taxonomy/1.0"), ("generated", .string(generated)),
            ("categories", counts(entries.compactMap { $0["category"]?.stringValue })),
            ("publishers", counts(infos.map { publisherOf($0.name) })),
            ("quality_tiers", counts(entries.map { $0["quality_tier"]?.stringValue ?? "community" })),
            ("tags", { if case .array(let a) = counts(entries.flatMap { $0["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }) { return .array(Array(a.prefix(300))) }; return .array([]) }()),
        ]

        BuildTrace.mark("api: catalog records, taxonomy")
        // Per-agent docs, seed and incantation docs, SVGs and raw copies, in parallel.
        let failures = FailureBox()
        let perAgent: [(files: Int, card: Bool)] = ParallelMap.map(Array(infos.indices)) { k in
            let i = infos[k]
            var n = 0
            var wroteCard = false
            func put(_ rel: String, _ bytes: [UInt8]) {
                if bytes.withUnsafeBytes({ sink.writeUnitFile(rel, $0) }) { n += 1 } else { failures.add(rel) }
            }
            // The documents read only this entry, which seeds it owns, its paths and the options.
            let owned = ([i.seed].compactMap { $0 } + i.aliases).map { seedOwner[$0] == k ? "1" : "0" }.joined()
            let unitID = "api:" + i.name
            let memoKey = (options.memo != nil || sink.tracksUnits)
                ? RenderMemo.key(["api", base, options.cardSVGs ? "svg" : "", i.doc ?? "", owned, i.entry.serialized(.compact)]) : nil
            if let memoKey, let paths = sink.reuse(unitID, key: memoKey) {
                return (paths.count, paths.contains { $0.hasPrefix("cards/") })
            }
            if let memo = options.memo, let memoKey, let files = memo.lookup(unitID, key: memoKey) {
                for (rel, bytes) in files { put(rel, bytes) }
                sink.record(unitID, key: memoKey, paths: files.map(\.0))
                return (n, files.contains { $0.0.hasPrefix("cards/") })
            }
            var made: [(String, [UInt8])] = []
            var paths: [String] = []
            defer {
                if let memoKey, failures.first == nil {
                    options.memo?.store(unitID, key: memoKey, files: made)
                    sink.record(unitID, key: memoKey, paths: paths)
                }
            }
            var last: (rel: String, bytes: [UInt8])?
            for (rel, bytes) in agentUnitFiles(i, owns: { seedOwner[$0] == k }, cardSVGs: options.cardSVGs, url: url) {
                // An incantation document is its seed document's bytes (the same array, so
                // the comparison is one identity check): the sink may link the two.
                if let last, last.bytes == bytes {
                    if bytes.withUnsafeBytes({ sink.writeUnitFile(rel, sameAs: last.rel, $0) }) { n += 1 } else { failures.add(rel) }
                } else {
                    put(rel, bytes)
                }
                paths.append(rel)
                if options.memo != nil { made.append((rel, bytes)) }
                if rel.hasPrefix("cards/") { wroteCard = true }
                last = (rel, bytes)
            }
            return (n, wroteCard)
        }
        BuildTrace.mark("api: agent, seed, incantation docs and cards")
        fileCount += perAgent.reduce(0) { $0 + $1.files }
        // Raw files so install URLs work from a static host; the catalog shows them too.
        // A copy whose source is unchanged since the earlier build is left in place (unread).
        let keepSources = options.catalog != nil
        var rawDigest: [String: String] = [:]
        for f in build.facts where rawDigest[f.path] == nil { rawDigest[f.path] = f.rawSHA256 }
        let copied: [(ok: Bool, data: [UInt8]?)] = ParallelMap.map(rawFiles) { rel in
            let digest = rawDigest[rel]
            if let digest, sink.reuse("src:" + rel, key: digest) != nil { return (true, nil) }
            guard let data = sink.source(rel), data.withUnsafeBytes({ sink.writeUnitFile(rel, $0) }) else { failures.add(rel); return (false, nil) }
            // Keyed by the digest the build read (if the file changed since, the next build's differs and copies again).
            if sink.tracksUnits { sink.record("src:" + rel, key: digest ?? BuildSupport.sha256Hex(data), paths: [rel]) }
            return (true, keepSources ? data : [])
        }
        fileCount += copied.reduce(0) { $0 + ($1.ok ? 1 : 0) }
        if let bad = failures.first { throw BuildError.io("cannot write \(bad)") }
        BuildTrace.mark("raw copies")

        // The shared documents (registry.json, catalog, taxonomy, status, discovery) and the
        // facts cache do not depend on the pages: written on their own thread meanwhile.
        // Returns how many files it accounts for.
        func sharedDocuments() throws -> Int {
            var files = 0
            func put(_ rel: String, _ data: [UInt8]) throws {
                guard data.withUnsafeBytes({ sink.write(rel, $0) }) else { throw BuildError.io("cannot write \(rel)") }
                files += 1
            }
            func putJSON(_ rel: String, _ v: JSONValue) throws {
                try put(rel, v.serializedBytes(apiJSON) + [0x0A])
            }
            // Status hashes leave out the build stamp, so they change only when content does.
            let registry = build.registry.serializedBytesWithSpans(registryJSON, arrayKey: "agents")
            let registryBytes = registry.bytes
            try put("registry.json", registryBytes)
            let leanDoc = JSONValue.object(catalog).serializedBytesWithSpans(apiJSON, arrayKey: "agents")
            let taxonomyDoc = JSONValue.object(taxonomy).serializedBytesWithSpans(apiJSON, arrayKey: "")
            let catalogBytes = leanDoc.bytes + [0x0A]
            let taxonomyBytes = taxonomyDoc.bytes + [0x0A]
            if let layout {
                layout.registrySpans = registry.elements
                layout.registryGenerated = registry.members["generated_at"] ?? 0..<0
                for (i, span) in zip(sortedInfos, leanDoc.elements) { layout.leanSpans[i.name] = span }
                layout.leanGenerated = leanDoc.members["generated"] ?? 0..<0
                layout.taxonomyGenerated = taxonomyDoc.members["generated"] ?? 0..<0
                layout.docs = infos.map { $0.doc ?? "" }
                layout.swarmSeeds = converged.compactMap { $0["_seed"].flatMap(BuildSupport.seedValue).map { String($0) } }
                layout.seedCount = seedOwner.count
            }
            try put("api/v1/catalog.json", catalogBytes)
            try put("api/v1/taxonomy.json", taxonomyBytes)
            let registryHash = stampFreeHash(registryBytes, key: "generated_at", value: build.registry["generated_at"] ?? .null)
            let catalogHash = stampFreeHash(catalogBytes, key: "generated", value: .string(generated))
            let taxonomyHash = stampFreeHash(taxonomyBytes, key: "generated", value: .string(generated))
            let status: JSONValue = .object([
                ("schema", "rar-static-api-status/1.0"), ("generated", .string(generated)),
                ("summary", .object([
                    ("agents", .int(infos.count)), ("stubs", .int(entries.filter { $0["type"]?.stringValue == "stub" }.count)),
                    ("swarms", .int(build.registry["swarms"]?.arrayValue?.count ?? 0)),
                    ("publishers", build.registry["stats"]?["publishers"] ?? 0), ("categories", build.registry["stats"]?["categories"] ?? 0),
                    ("rejected", .int(build.rejected.count)), ("seeds", .int(seedOwner.count)),
                ])),
                ("hash_algorithm", "sha256 of the file's bytes without its top-level generated stamp member, first 16 hex"),
                ("endpoints", .array([
                    .object([("name", "registry"), ("url", .string(url("registry.json"))), ("count", .int(infos.count)), ("hash", .string(registryHash))]),
                    .object([("name", "catalog"), ("url", .string(url("api/v1/catalog.json"))), ("count", .int(infos.count)), ("hash", .string(catalogHash))]),
                    .object([("name", "taxonomy"), ("url", .string(url("api/v1/taxonomy.json"))), ("count", .int(taxonomy.count)), ("hash", .string(taxonomyHash))]),
                ])),
            ])
            try putJSON("api/v1/status.json", status)
            try putJSON("api/v1/badge.json", .object([("schemaVersion", 1), ("label", "RAR"),
                ("message", .string("\(infos.count) agents · \(build.registry["stats"]?["publishers"]?.intValue ?? 0) publishers")), ("color", "brightgreen")]))
            try putJSON("manifest.json", discovery(url: url, generated: generated))

            // The cache is a unit too: unchanged facts (same files, bytes and stamps) are not serialized again.
            let cacheUnit = BuildCache.fingerprint(build.facts, key: build.cacheKey)
            if sink.reuse("cache", key: cacheUnit) == nil {
                guard BuildCache.serialize(build.facts, key: build.cacheKey).withUnsafeBytes({ sink.writeUnitFile(BuildCache.fileName, $0) }) else {
                    throw BuildError.io("cannot write \(BuildCache.fileName)")
                }
                sink.record("cache", key: cacheUnit, paths: [BuildCache.fileName])
            }
            return files + 1  // the cache, written or left in place
        }
        let shared = BackgroundJob(sharedDocuments)

        // Errors are held until the shared documents' thread is joined.
        let pages = Result { () throws -> Void in
            // The HTML catalog.
            if var catalogOptions = options.catalog {
                if catalogOptions.generated == nil { catalogOptions.generated = generated }
                if catalogOptions.memo == nil { catalogOptions.memo = options.memo }
                if let layout { layout.catalog = CatalogLayout(); catalogOptions.layout = layout.catalog }
                var sources: [String: [UInt8]] = [:]
                for (rel, c) in zip(rawFiles, copied) { if let bytes = c.data { sources[rel] = bytes } }
                var agents = Catalog.agents(build: build, sources: sources)
                // Pages know their source by the digest the analysis took (not hashed again);
                // sources left unread above are read only to re-render.
                for k in agents.indices {
                    guard let rel = agents[k].entry["_file"]?.stringValue, let d = rawDigest[rel] else { continue }
                    agents[k].sourceDigest = d
                    if agents[k].source == nil { agents[k].loadSource = { sink.source(rel) } }
                }
                for k in agents.indices where !perAgent[k].card { agents[k].cardPath = nil }
                for d in Catalog.directories(agents: agents, pageSize: catalogOptions.pageSize) {
                    try sink.makeDirectory(d)
                }
                let written = Counter()
                var unchangedPages = 0
                do {
                    unchangedPages = try Catalog.generate(agents: agents, options: catalogOptions, units: sink.tracksUnits ? sink : nil) { rel, bytes, unit in
                        if bytes.withUnsafeBytes({ unit ? sink.writeUnitFile(rel, $0) : sink.write(rel, $0) }) { written.add() } else { failures.add(rel) }
                    }
                } catch { throw BuildError.io("catalog: \(error)") }
                if let bad = failures.first { throw BuildError.io("cannot write \(bad)") }
                ExitReclaim.hold((agents, sources))
                fileCount += written.value + unchangedPages
                BuildTrace.mark("catalog pages")
            }
        }
        let docs = Result { try shared.wait() }
        let unwritten = sink.settle()
        try pages.get()
        let sharedFiles = try docs.get()
        if let bad = unwritten.first { throw BuildError.io("cannot write \(bad)") }
        ExitReclaim.hold((infos, sortedInfos, catalog, copied, rawDigest))
        BuildTrace.mark("shared documents, facts cache")
        return fileCount + sharedFiles
    }

    /// `@pub/slug` → `@pub`.
    static func publisherOf(_ name: String) -> String { String(name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    /// A string or null.
    static func str(_ s: String?) -> JSONValue { s.map { JSONValue.string($0) } ?? .null }

    /// One agent's lean record in `api/v1/catalog.json`.
    static func leanRecord(_ i: AgentInfo, url: (String) -> String) -> JSONValue {
        let e = i.entry
        let file = e["_file"]?.stringValue ?? ""
        let sha: JSONValue = e["_sha256"] ?? e["_stub_sha256"] ?? .string("")
        var id = ""
        for ch in i.name.drop(while: { $0 == "@" }) { if ch == "/" { id += "__" } else { id.append(ch) } }
        var o: [(String, JSONValue)] = []
        o.append(("id", .string(id)))
        o.append(("name", .string(i.name)))
        for k in ["display_name", "description", "version"] { o.append((k, e[k] ?? .null)) }
        o.append(("publisher", .string(publisherOf(i.name))))
        o.append(("author", e["author"] ?? .null))
        o.append(("category", e["category"] ?? .null))
        o.append(("tags", e["tags"] ?? .array([])))
        o.append(("quality_tier", e["quality_tier"] ?? .string("community")))
        o.append(("type", e["type"] ?? .string("agent")))
        o.append(("requires_env", e["requires_env"] ?? .array([])))
        o.append(("dependencies", e["dependencies"] ?? .array([])))
        o.append(("seed", str(i.seed.map { String($0) })))
        o.append(("incantation", str(i.incantation)))
        let source: [(String, JSONValue)] = [("path", .string(file)), ("url", .string(url(file))), ("sha256", sha)]
        o.append(("source", .object(source)))
        o.append(("install_filename", e["_install_filename"] ?? .null))
        let stats: [(String, JSONValue)] = [("lines", e["_lines"] ?? .null), ("size_kb", e["_size_kb"] ?? .null), ("added_at", e["_added_at"] ?? .null)]
        o.append(("stats", .object(stats)))
        o.append(("url", str(i.doc.map { url($0) })))
        return .object(o)
    }

    /// One agent's API unit: its document, the seed and incantation documents of the seeds it
    /// owns (`owns`: first claimant), and its card SVG; paths relative to the output root.
    static func agentUnitFiles(_ i: AgentInfo, owns: (CardSeed) -> Bool, cardSVGs: Bool, url: (String) -> String) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        func w(_ rel: String, _ bytes: [UInt8]) { out.append((rel, bytes)) }
        let e = i.entry
        let file = e["_file"]?.stringValue ?? ""
        let card = (try? CardIdentity.mintCard(manifest: e, path: file)) ?? .null
        let cardRel = i.seed.map { "cards/\($0).svg" }
        if let s = i.seed, owns(s), cardSVGs, case .object = card { w(cardRel!, CardSVG.renderBytes(card: card)) }
        let docURL = i.doc.map { url($0) }
        if let doc = i.doc {
            let sha: JSONValue = e["_sha256"] ?? e["_stub_sha256"] ?? .null
            var version: [(String, JSONValue)] = [("version", e["version"] ?? .null), ("sha256", sha), ("file", .string(file))]
            version.append(("added_at", e["_added_at"] ?? .null))
            version.append(("commit", e["_latest_commit_sha"] ?? .null))
            var d: [(String, JSONValue)] = [("schema", .string("rar-agent/1.0")), ("name", .string(i.name))]
            for k in ["display_name", "description"] { d.append((k, e[k] ?? .null)) }
            d.append(("type", e["type"] ?? .string("agent")))
            d.append(("publisher", .string(publisherOf(i.name))))
            for k in ["author", "category"] { d.append((k, e[k] ?? .null)) }
            d.append(("tags", e["tags"] ?? .array([])))
            d.append(("quality_tier", e["quality_tier"] ?? .string("community")))
            d.append(("version", e["version"] ?? .null))
            d.append(("versions", .array([.object(version)])))
            d.append(("sha256", sha))
            d.append(("sha256_algorithm", .string("sha256-lf-v1")))
            d.append(("seed", str(i.seed.map { String($0) })))
            d.append(("_seed", e["_seed"] ?? .null))
            d.append(("_seed_aliases", .array(i.aliases.map(BuildSupport.seedJSON))))
            d.append(("incantation", str(i.incantation)))
            let install: [(String, JSONValue)] = [("filename", e["_install_filename"] ?? .null), ("path", .string(file)), ("url", .string(url(file)))]
            d.append(("install", .object(install)))
            d.append(("card", card))
            d.append(("card_svg", str(cardRel.map { url($0) })))
            if let src = e["_source"] { d.append(("source", src)) }
            if let caps = e["_capabilities"] { d.append(("capabilities", caps)) }
            d.append(("registry_entry", e))
            w(doc, JSONValue.object(d).serializedBytes(docJSON) + [0x0A])
        }
        // One GET resolves a seed (current or alias) or an incantation.
        for s in [i.seed].compactMap({ $0 }) + i.aliases where owns(s) {
            let inc = incantationSlug(s)
            var sd: [(String, JSONValue)] = [("schema", .string("rar-seed/1.0")), ("seed", .string(String(s))), ("seed_int", BuildSupport.seedJSON(s))]
            sd.append(("incantation", str(inc)))
            sd.append(("name", .string(i.name)))
            sd.append(("version", e["version"] ?? .null))
            sd.append(("current", .bool(s == i.seed)))
            sd.append(("current_seed", str(i.seed.map { String($0) })))
            sd.append(("current_incantation", str(i.incantation)))
            sd.append(("_seed_aliases", .array(i.aliases.map(BuildSupport.seedJSON))))
            sd.append(("agent_url", str(docURL)))
            sd.append(("install_url", .string(url(file))))
            sd.append(("card", s == i.seed ? card : CardIdentity.resolveCard(seed: s)))
            let bytes = JSONValue.object(sd).serializedBytes(docJSON) + [0x0A]
            w("api/v1/seeds/\(s).json", bytes)
            if let inc { w("api/v1/incantations/\(inc).json", bytes) }
        }
        return out
    }

    /// sha256 (first 16 hex) of a JSON file's bytes with its `"key": value` stamp member cut out,
    /// comma included. The stamp is among the first members of these files, ahead of any nested
    /// text that could repeat it.
    static func stampFreeHash(_ bytes: [UInt8], key: String, value: JSONValue) -> String {
        let member = JSONValue.object([(key, value)]).serializedBytes(JSONWriteOptions(ensureASCII: true)).dropFirst().dropLast()
        guard let at = BuildSupport.firstRange(of: Array(member), in: bytes) else { return String(BuildSupport.sha256Hex(bytes).prefix(16)) }
        var end = at.upperBound
        if end < bytes.count, bytes[end] == 0x2C { end += 1 }
        var h = SHA256()
        h.update(data: bytes[..<at.lowerBound])
        h.update(data: bytes[end...])
        return String(BuildSupport.hex(h.finalize()).prefix(16))
    }

    /// The discovery root: every endpoint with a URL (or template) and a description.
    static func discovery(url: (String) -> String, generated: String) -> JSONValue {
        func ep(_ u: String, _ d: String, example: String? = nil) -> JSONValue {
            var o: [(String, JSONValue)] = [("url", .string(u)), ("description", .string(d))]
            if let example { o.append(("example", .string(example))) }
            return .object(o)
        }
        return .object([
            ("schema", "rapp-static-api/1.0"), ("name", "rar"), ("title", "RAR static registry API"),
            ("description", "Read-only JSON files; every lookup is one GET."),
            ("base_url", .string(url(""))), ("generated", .string(generated)), ("auth", "none"),
            ("registry_schema", .string(RegistryBuilder.schema)),
            ("endpoints", .object([
                ("manifest", ep(url("manifest.json"), "This discovery document.")),
                ("registry", ep(url("registry.json"), "The full registry (rapp-registry/1.1); seeds are JSON integers up to 66 bits.")),
                ("catalog", ep(url("api/v1/catalog.json"), "Lean record per agent, sorted by name.")),
                ("taxonomy", ep(url("api/v1/taxonomy.json"), "Categories, publishers, tiers and tags with counts.")),
                ("status", ep(url("api/v1/status.json"), "Counts and content hashes that change only when content does.")),
                ("badge", ep(url("api/v1/badge.json"), "shields.io endpoint badge.")),
                ("agent", ep(url("api/v1/agents/{publisher}/{slug}.json"), "One agent: versions, sha256, seed, incantation, card, install URL.",
                             example: url("api/v1/agents/@publisher/slug.json"))),
                ("seed", ep(url("api/v1/seeds/{seed}.json"), "Resolve a decimal seed (current or alias) to its agent and card.")),
                ("incantation", ep(url("api/v1/incantations/{word-word-word-word-word-word-word}.json"), "Resolve a 7-word incantation (lower case, dash-separated).")),
                ("card_svg", ep(url("cards/{seed}.svg"), "Card image for a current seed.")),
                ("agent_source", ep(url("{_file}"), "Raw agent file; verify against sha256 (sha256-lf-v1).")),
            ])),
            ("recipes", .object([
                ("install_an_agent", .array(["GET the agent document", "GET install.url", "check sha256 of the bytes with CRLF→LF", "save as install.filename"])),
                ("resolve_a_seed", .array(["GET api/v1/seeds/{seed}.json", "follow agent_url"])),
            ])),
        ])
    }
}

/// An exclusive advisory lock (flock) on a file beside the output tree, held while writing it.
struct OutputLock {
    let fd: Int32

    init(_ path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BuildError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BuildError.io("another build is writing this output (\(path) is locked)")
        }
    }

    func release() { flock(fd, LOCK_UN); close(fd) }
}

final class FailureBox: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLock()
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return items.sorted().first }
}

/// Where `writeTree` puts files and finds raw agent sources.
protocol TreeSink: OutputUnits {
    func makeDirectory(_ rel: String) throws
    /// A file outside render units (registry.json, catalog.json, assets, …).
    func write(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool
    /// A file of a render unit (the unit's key stands for its content).
    func writeUnitFile(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool
    /// A unit file with the same bytes as `earlier`, a file of the same unit just written.
    func writeUnitFile(_ rel: String, sameAs earlier: String, _ buf: UnsafeRawBufferPointer) -> Bool
    func source(_ rel: String) -> [UInt8]?
    /// Whether unit keys are worth computing (recorded for the next build, or compared).
    var tracksUnits: Bool { get }
    /// Finishes writes the sink held back; returns the files that could not be written.
    func settle() -> [String]
}

/// Files collected in memory.
final class MemorySink: TreeSink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String: [UInt8]] = [:]
    private let sources: [String: [UInt8]]
    init(sources: [String: [UInt8]]) { self.sources = sources }
    func makeDirectory(_ rel: String) throws {}
    func write(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        let bytes = [UInt8](buf)
        lock.lock(); collected[rel] = bytes; lock.unlock()
        return true
    }
    func writeUnitFile(_ rel: String, _ buf: UnsafeRawBufferPointer) -> Bool { write(rel, buf) }
    func writeUnitFile(_ rel: String, sameAs earlier: String, _ buf: UnsafeRawBufferPointer) -> Bool { write(rel, buf) }
    func source(_ rel: String) -> [UInt8]? { sources[rel] }
    var files: [String: [UInt8]] { lock.lock(); defer { lock.unlock() }; return collected }
    var tracksUnits: Bool { false }
    func settle() -> [String] { [] }
    func reuse(_ id: String, key: String) -> [String]? { nil }
    func record(_ id: String, key: String, paths: [String]) {}
}

/// Plain open/write/close: the output tree is staged and renamed as a whole, so each file
/// needs no temp-file-and-rename of its own (Foundation's createFile does one per file).
enum FastFile {
    /// The file's bytes (one read into an array of its size; nil: missing or unreadable).
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        // One byte of room past the size shows whether the file grew since the fstat.
        let size = Int(st.st_size)
        var failed = false
        var out = [UInt8](unsafeUninitializedCapacity: size + 1) { buf, count in
            var off = 0
            while off < buf.count {
                let n = Foundation.read(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failed = true; break }
                if n == 0 { break }
                off += n
            }
            count = off
        }
        guard !failed, out.count >= size else { return nil }
        if out.count > size {
            // It grew: read the rest too.
            var more = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = more.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                out += more[0..<n]
            }
        }
        return out
    }

    static func write(_ path: String, _ data: Data) -> Bool {
        data.withUnsafeBytes { write(path, $0) }
    }

    static func write(_ path: String, _ buf: UnsafeRawBufferPointer) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return writeAll(fd, buf)
    }

    /// Every byte of `buf` to `fd` (write may take less than asked).
    static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) -> Bool {
        var off = 0
        while off < buf.count {
            let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }
}

/// A thread-safe count.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
