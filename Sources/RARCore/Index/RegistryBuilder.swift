import Foundation

/// Options for one registry build.
public struct BuildOptions: Sendable {
    /// The registry checkout (holds `agents/`, optionally `swarms/`, `cards/holo_cards.json`, `rar.config.json`).
    public var root: String
    /// Where a previous build lives (cache, previous registry.json); nil = none.
    public var previousOutput: String?
    /// Publish valid agents even when some files are rejected.
    public var keepGoing = false
    /// Every validator error blocks (default: only the rules the reference enforces, plus parse failures).
    public var strict = false
    /// `generated_at`; nil = now.
    public var generatedAt: Date?
    public var useCache = true
    /// Render each file's docstring for the HTML catalog (kept in the cache).
    public var renderDocstrings = true
    public var sizeLimit = SourceText.defaultSizeLimit
    /// Called from the scan with (done, total) now and then.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Build from these files (relative path → bytes) instead of reading `root`: no git facts,
    /// no previous registry, no disk cache. The server builds its live registry this way.
    public var tree: [String: [UInt8]]?
    /// Facts kept across builds in memory (by path and content hash), for repeated in-memory builds.
    public var memo: FactsMemo?

    public init(root: String) { self.root = root }
}

/// A thread-safe in-memory cache of per-file facts, keyed by path and the bytes' sha256.
public final class FactsMemo: @unchecked Sendable {
    private var entries: [String: FileFacts] = [:]
    private let lock = NSLock()
    public init() {}
    func lookup(_ path: String, rawSHA256: String) -> FileFacts? {
        lock.lock(); defer { lock.unlock() }
        guard let f = entries[path], f.rawSHA256 == rawSHA256 else { return nil }
        return f
    }
    func store(_ f: FileFacts) { lock.lock(); entries[f.path] = f; lock.unlock() }
}

/// A file the build refused, with the diagnostics that refused it.
public struct Rejection: Sendable {
    public var path: String
    public var diagnostics: [Diagnostic]

    public var json: JSONValue {
        let first = diagnostics.first
        return .object([
            ("path", .string(path)),
            ("rule", .string(first?.rule ?? "")),
            ("line", .int(first?.line ?? 0)),
            ("column", .int(first?.column ?? 0)),
            ("message", .string(first?.message ?? "")),
            ("diagnostics", .array(diagnostics.map { d in
                .object([("rule", .string(d.rule)), ("line", .int(d.line)), ("column", .int(d.column)), ("message", .string(d.message))])
            })),
        ])
    }
}

/// The result of a build: the registry document plus what was left out and why.
public struct RegistryBuild: Sendable {
    public var registry: JSONValue
    public var agents: [JSONValue]
    public var rejected: [Rejection]
    /// Files left out on purpose (templates, superseded legacy files, shadowed duplicates), with the reason.
    public var skipped: [(path: String, reason: String)]
    /// Warnings on published files (non-blocking validator errors and warnings).
    public var warnings: [Diagnostic]
    public var filesScanned: Int
    public var filesParsed: Int
    public var duplicateDisplayNames: Int
    public var generatedAt: Date
    /// Facts for every analysed file (for the cache).
    var facts: [FileFacts]
    /// Whether `facts` carry rendered docstrings.
    var docstringsRendered = false
    var cacheKey: String
    /// Build options that change the registry beyond the cache key (for patching later).
    var flags = ""
    /// Stamps of the other files the build read (root-relative; [] = absent) and the git head
    /// it read history at: a later build with the same ones may patch instead of rebuilding.
    var inputStamps: [String: [Int]] = [:]
    var gitHead = ""

    /// Exit status the build asks for: rejected files or duplicate display names fail unless kept going.
    public func failed(keepGoing: Bool) -> Bool { !keepGoing && (!rejected.isEmpty || duplicateDisplayNames > 0) }
}

public enum RegistryBuilder {
    public static let schema = "rapp-registry/1.1"

    /// Rules whose errors keep a file out of the registry by default: parse failures, the
    /// manifest, runtime-contract, security, stub and swarm checks the reference applies.
    static let blockingRules: Set<String> = [
        "F1", "F2", "F3", "F4", "F5", "F7", "F8",
        "M1", "M2", "M5", "M6", "M7", "M10",
        "V1", "V2", "V3", "V4", "V7",
        "C3", "C4", "C5",
        "X1", "X2", "X3",
        "S1", "S2", "W1",
    ]
    static let utilityNames: Set<String> = ["update_agents.py", "d365_base_agent.py", "__init__.py"]

    enum Kind { case agent, card, stub, swarm }

    /// Errors that block `path` (kind-aware: stubs skip code checks, swarms skip the runtime contract).
    static func blocking(_ f: FileFacts, kind: Kind, strict: Bool) -> [Diagnostic] {
        f.diagnostics.filter { d in
            guard d.severity == .error else { return false }
            if strict { return true }
            guard blockingRules.contains(d.rule) else { return false }
            switch kind {
            case .stub: return !d.rule.hasPrefix("X") && !d.rule.hasPrefix("C")
            case .swarm: return !d.rule.hasPrefix("C")
            default: return !d.rule.hasPrefix("S") && !d.rule.hasPrefix("W")
            }
        }
    }

    /// Why the build skips a code file it found (nil: it does not).
    static func ruleSkip(_ path: String) -> String? {
        let u = path.utf8
        if u.allSatisfy({ $0 < 0x80 }) {
            // ASCII (nearly every path): the same rules, on the bytes.
            let parts = u.split(separator: 0x2F)
            guard let name = parts.last else { return nil }
            if name.contains(0x2D) { return nil }  // the dash error wins over the skip rules
            if utilityNames.contains(String(Substring(name))) { return "utility file" }
            if parts.contains(where: { $0.elementsEqual("templates".utf8) }) { return "under templates/" }
            if parts.contains(where: { $0.elementsEqual("_sources".utf8) }) { return "under _sources/" }
            return nil
        }
        let parts = path.split(separator: "/")
        let name = String(parts.last!)
        if stem(name).contains("-") { return nil }  // the dash error wins over the skip rules
        if utilityNames.contains(name) { return "utility file" }
        if parts.contains("templates") { return "under templates/" }
        if parts.contains("_sources") { return "under _sources/" }
        return nil
    }

    // MARK: discovery

    /// Files under `dir` (relative to `root`) whose names pass `accept`, in Python Path order.
    static func discover(root: String, dir: String, tree: [String: [UInt8]]? = nil, sorted: Bool = true, accept: (String) -> Bool) -> [String] {
        if let tree {
            return BuildSupport.sortedPaths(tree.keys.filter { $0.hasPrefix(dir + "/") && accept(String($0.split(separator: "/").last ?? "")) })
        }
        var out: [String] = []
        var stack = [dir]
        while let rel = stack.popLast() {
            for (name, isDir) in AgentTree.entries(root + "/" + rel) {
                let child = rel + "/" + name
                if isDir {
                    if name != ".git" { stack.append(child) }
                } else if accept(name) {
                    out.append(child)
                }
            }
        }
        return sorted ? BuildSupport.sortedPaths(out) : out
    }

    /// File names the build reads under `agents/` and under `swarms/`.
    static func isAgentSource(_ name: String) -> Bool { name.hasSuffix(".py") || name.hasSuffix(".py.card") || name.hasSuffix(".py.stub") }
    static func isSwarmSource(_ name: String) -> Bool { name.hasSuffix(".py") && name != "__init__.py" }

    /// The git-derived fields of an entry, in entry order.
    static let gitKeys = ["_added_at", "_first_commit_sha", "_latest_commit_sha"]

    static func stem(_ name: String) -> String {
        for ext in [".py.stub", ".py.card", ".py"] where name.hasSuffix(ext) { return String(name.dropLast(ext.count)) }
        return name
    }

    // MARK: build

    public static func build(_ opt: BuildOptions) throws -> RegistryBuild {
        let root = opt.root.hasSuffix("/") && opt.root.count > 1 ? String(opt.root.dropLast()) : opt.root
        var isDir: ObjCBool = false
        let tree = opt.tree
        guard tree != nil || (FileManager.default.fileExists(atPath: root + "/agents", isDirectory: &isDir) && isDir.boolValue) else {
            throw BuildError.io("\(root): no agents/ directory")
        }
        let inputStamps = tree != nil ? [:] : RegistryBuilder.inputStamps(root: root)
        // Git history is read while the files are analyzed.
        let gitLoad = BackgroundJob { tree != nil ? GitHistory() : GitHistory.load(root: root) }
        // So are the holo cards and the previous registry (both JSON parses, independent of the files).
        let previousOutput = opt.previousOutput
        let sideLoad = BackgroundJob { () -> (HoloCards, PreviousRegistry) in
            guard tree == nil else { return (HoloCards(), PreviousRegistry.load(paths: [])) }
            return (HoloCards.load(root + "/cards/holo_cards.json"),
                    PreviousRegistry.load(paths: [previousOutput.map { $0 + "/registry.json" }, root + "/registry.json"].compactMap { $0 }))
        }
        // One walk of agents/ finds both kinds (sorted order is kept by the partition).
        let agentFiles = discover(root: root, dir: "agents", tree: tree, accept: isAgentSource)
        let mainFiles = agentFiles.filter { !$0.hasSuffix(".py.stub") }
        let stubFiles = agentFiles.filter { $0.hasSuffix(".py.stub") }
        let swarmFiles = (tree != nil || FileManager.default.fileExists(atPath: root + "/swarms"))
            ? discover(root: root, dir: "swarms", tree: tree, accept: isSwarmSource) : []

        var skipped: [(String, String)] = []
        var toAnalyze: [String] = []
        for p in mainFiles {
            if let why = ruleSkip(p) { skipped.append((p, why)) } else { toAnalyze.append(p) }
        }
        toAnalyze += stubFiles + swarmFiles
        BuildTrace.mark("discover \(toAnalyze.count) files")

        // Cache key: tool version + the options that change analysis.
        let cacheKey = cacheKey(opt)
        let cache = (opt.useCache && opt.previousOutput != nil) ? BuildCache.load(from: opt.previousOutput!, key: cacheKey) : BuildCache(key: cacheKey)
        let validator = Validator(sizeLimit: opt.sizeLimit)
        let counter = ProgressCounter(total: toAnalyze.count, report: opt.progress)
        let memo = opt.memo
        // On large-stack threads: each parse then runs in place, with no hand-off per file.
        let results: [(FileFacts, Bool)?] = ParallelMap.mapParsing(toAnalyze) { rel in
            defer { counter.tick() }
            let bytes: [UInt8]
            var stamp: FileStamp?
            if let tree { guard let b = tree[rel] else { return nil }; bytes = b } else {
                // A file whose size, times and inode match the cache's record is not read again.
                stamp = FileStamp(root + "/" + rel)
                if let stamp, let hit = cache.lookup(rel, stamp: stamp) { return (hit, false) }
                // A file changed within the last second could change again without its stamp
                // changing (coarse clocks): it gets no stamp, so it is read next time too.
                if let s = stamp, s.modified >= Int(Date().timeIntervalSince1970) - 1 { stamp = nil }
                guard let data = FastFile.read(root + "/" + rel) else { return nil }
                bytes = data
            }
            let (sha, lfSize) = BuildSupport.lfHash(bytes)
            // With no CRLF the bytes are what sha256-lf hashed.
            let raw = lfSize == bytes.count ? sha : BuildSupport.sha256Hex(bytes)
            if var hit = memo?.lookup(rel, rawSHA256: raw) ?? cache.lookup(rel, rawSHA256: raw) {
                hit.stamp = stamp
                return (hit, false)
            }
            var f = FileFacts.analyze(path: rel, bytes: bytes, sha256: sha, rawSHA256: raw, lfSize: lfSize, validator: validator,
                                      docstrings: opt.renderDocstrings)
            f.stamp = stamp
            memo?.store(f)
            return (f, true)
        }
        BuildTrace.mark("analyze (cache loaded)")
        var facts: [String: FileFacts] = [:]
        facts.reserveCapacity(toAnalyze.count)
        var rejected: [Rejection] = []
        var parsed = 0
        for (rel, r) in zip(toAnalyze, results) {
            guard let (f, fresh) = r else {
                rejected.append(Rejection(path: rel, diagnostics: [Diagnostic(rule: "F4", severity: .error, file: rel, message: "cannot read file")]))
                continue
            }
            facts[rel] = f
            if fresh { parsed += 1 }
        }

        BuildTrace.mark("facts collected")
        let (holo, previous) = try sideLoad.wait()
        BuildTrace.mark("holo cards, previous registry")
        let git = try gitLoad.wait()
        BuildTrace.mark("git history")

        var warnings: [Diagnostic] = []
        func warn(_ f: FileFacts) {
            let block = blocking(f, kind: .agent, strict: opt.strict)
            warnings += f.diagnostics.filter { $0.severity != .note && !block.contains($0) }
        }
        func gitFields(_ path: String) -> [(String, JSONValue)] {
            let g = git.byPath[path]
            return zip(gitKeys, [g?.addedAt, g?.firstSha, g?.latestSha]).map { ($0, $1.map { .string($0) } ?? .null) }
        }

        // Canonical-name pre-pass for legacy supersession.
        var canonical: [String: String] = [:]
        for p in mainFiles where p.hasSuffix("_agent.py") {
            guard let f = facts[p], let name = f.name else { continue }
            if blocking(f, kind: .agent, strict: false).contains(where: { !$0.rule.hasPrefix("X") }) { continue }
            canonical[p] = name
        }

        var agents: [JSONValue] = []
        var agentNames: [String] = []
        var seen = Set<String>()
        var publishers = Set<String>()
        var categories = Set<String>()
        /// Record an entry that made it into the registry.
        func accept(_ name: String, _ f: FileFacts) {
            seen.insert(name)
            warn(f)
            publishers.insert(String(name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]))
            categories.insert(f.manifest?["category"]?.stringValue ?? "uncategorized")
        }

        // Each file's seed and entry depend on that file alone: made on both cores ahead of the
        // ordered pass below, which decides which of them are published.
        // (A seed that cannot be forged is the entry's failure.)
        let prepared = ParallelMap.map(mainFiles) { p -> Result<JSONValue, Error>? in
            guard let f = facts[p], case .object(let pairs)? = f.manifest, let name = f.name else { return nil }
            return Result {
                let seed = try CardForgeInput(entry: f.manifest!, name: name).seed
                return mainEntry(pairs, path: p, facts: f, name: name, seed: seed, isCard: p.hasSuffix(".py.card"), holo: holo, git: gitFields(p))
            }
        }
        for (p, ready) in zip(mainFiles, prepared) {
            guard let f = facts[p] else { continue }
            let fileName = String(p.split(separator: "/").last!)
            let isCard = p.hasSuffix(".py.card")
            if !isCard && !fileName.hasSuffix("_agent.py") {
                let sibling = String(p.dropLast(3)) + "_agent.py"
                if let cn = canonical[sibling] {
                    let legacy = f.name
                    if legacy == nil || legacy == cn || legacy! + "_agent" == cn {
                        skipped.append((p, "legacy file superseded by \(sibling)"))
                        continue
                    }
                }
            }
            let block = blocking(f, kind: isCard ? .card : .agent, strict: opt.strict)
            if !block.isEmpty { rejected.append(Rejection(path: p, diagnostics: block)); continue }
            guard case .object? = f.manifest, let name = f.name, let version = f.manifest?["version"]?.stringValue, let ready else {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "M7", severity: .error, file: p, message: "__manifest__ must be a dict with string name and version")]))
                continue
            }
            if seen.contains(name) {
                if !isCard {
                    let owner = agents.first { $0["name"]?.stringValue == name }?["_file"]?.stringValue ?? "?"
                    skipped.append((p, "duplicate name \(name) (already published from \(owner))"))
                    continue
                }
                if let i = agentNames.firstIndex(of: name) {
                    skipped.append((agents[i]["_file"]?.stringValue ?? "?", "replaced by card \(p)"))
                    agents.remove(at: i); agentNames.remove(at: i)
                }
            }
            // Version immutability (one build deep, like the reference).
            if let prev = previous.byName[name], prev["version"]?.stringValue == version, prev["_file"]?.stringValue == p,
               let ph = prev["_sha256"]?.stringValue, !ph.isEmpty, ph != f.sha256 {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "B1", severity: .error, file: p,
                    message: "Version \(version) already published with different content (hash mismatch). Bump the version number.")]))
                continue
            }
            let entry: JSONValue
            switch ready {
            case .success(let e): entry = e
            case .failure(let error):
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "V7", severity: .error, file: p, message: "cannot forge seed: \(error)")]))
                continue
            }
            accept(name, f)
            agents.append(entry)
            agentNames.append(name)
        }

        // Converged swarms.
        var converged: [JSONValue] = []
        for p in swarmFiles {
            guard let f = facts[p] else { continue }
            let block = blocking(f, kind: .swarm, strict: opt.strict)
            if !block.isEmpty { rejected.append(Rejection(path: p, diagnostics: block)); continue }
            guard let m = f.manifest, let name = f.name, let sw = f.swarm else {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "W1", severity: .error, file: p, message: "missing __swarm__ dict (required for swarms/)")]))
                continue
            }
            guard let seed = try? CardForgeInput(entry: m, name: name).seed else {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "V7", severity: .error, file: p, message: "cannot forge seed")]))
                continue
            }
            warn(f)
            publishers.insert(String(name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]))
            categories.insert(m["category"]?.stringValue ?? "uncategorized")
            var e: [(String, JSONValue)] = [
                ("type", "converged"), ("schema", m["schema"] ?? "rapp-agent/1.0"), ("name", .string(name)),
                ("version", m["version"] ?? "0.0.0"), ("display_name", m["display_name"] ?? ""), ("description", m["description"] ?? ""),
                ("author", m["author"] ?? ""), ("tags", m["tags"] ?? .array([])), ("category", m["category"] ?? ""),
                ("quality_tier", m["quality_tier"] ?? "community"), ("requires_env", m["requires_env"] ?? .array([])),
                ("dependencies", m["dependencies"] ?? .array([])), ("_file", .string(p)),
                ("_install_filename", .string(BuildSupport.installFilename(name))), ("_sha256", .string(f.sha256)),
                ("_seed", BuildSupport.seedJSON(seed)), ("_size_kb", .double(BuildSupport.sizeKB(f.lfSize))), ("_lines", .int(f.lines)),
            ]
            e += gitFields(p)
            e.append(("_swarm", sw))
            if let h = holo.card(name) { e.append(("_card_sha256", .string(HoloCards.contentHash(h)))) }
            converged.append(.object(e))
        }

        // Stubs, after every code file.
        for p in stubFiles {
            guard let f = facts[p] else { continue }
            let block = blocking(f, kind: .stub, strict: opt.strict)
            if !block.isEmpty { rejected.append(Rejection(path: p, diagnostics: block)); continue }
            guard case .object(var pairs)? = f.manifest, let name = f.name, let src = f.source else {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "S2", severity: .error, file: p, message: "missing __manifest__ or __source__ dict")]))
                continue
            }
            if seen.contains(name) {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "B2", severity: .error, file: p, message: "duplicate name '\(name)' (already registered)")]))
                continue
            }
            BuildSupport.set(&pairs, "quality_tier", "private")
            guard let seed = try? CardForgeInput(entry: .object(pairs), name: name).seed else {
                rejected.append(Rejection(path: p, diagnostics: [Diagnostic(rule: "V7", severity: .error, file: p, message: "cannot forge seed")]))
                continue
            }
            accept(name, f)
            BuildSupport.set(&pairs, "type", "stub")
            BuildSupport.set(&pairs, "_file", .string(p))
            BuildSupport.set(&pairs, "_install_filename", .string(BuildSupport.installFilename(name)))
            BuildSupport.set(&pairs, "_stub_sha256", .string(f.sha256))
            BuildSupport.set(&pairs, "_source", src)
            BuildSupport.set(&pairs, "_seed", BuildSupport.seedJSON(seed))
            BuildSupport.set(&pairs, "_size_kb", .double(BuildSupport.sizeKB(f.lfSize)))
            BuildSupport.set(&pairs, "_lines", .int(f.lines))
            let hasCard = holo.has(name)
            BuildSupport.set(&pairs, "_has_card", .bool(hasCard))
            for (k, v) in gitFields(p) { BuildSupport.set(&pairs, k, v) }
            if hasCard, let h = holo.card(name) { BuildSupport.set(&pairs, "_card_sha256", .string(HoloCards.contentHash(h))) }
            agents.append(.object(pairs))
            agentNames.append(name)
        }

        // Seed aliases carried from the previous registry, appended last.
        agents = ParallelMap.map(Array(agents.indices)) { withAliases(agents[$0], name: agentNames[$0], previous: previous) }

        // Seed collisions across agents, aliases and converged swarms.
        var seedOwner: [CardSeed: String] = [:]
        func claim(_ s: CardSeed, _ name: String, _ file: String) {
            if let other = seedOwner[s] {
                rejected.append(Rejection(path: file, diagnostics: [Diagnostic(rule: "B3", severity: .error, file: file,
                    message: "Seed collision: \(name) and \(other) both resolve to seed \(s)")]))
            } else { seedOwner[s] = name }
        }
        // What the passes below read of each entry, read on every core (an entry is a list of
        // pairs: each read is a scan).
        struct Keys { var name: String; var file: String; var seeds: [CardSeed]; var display: JSONValue; var displayKey: String }
        let keys = ParallelMap.map(agents + converged) { a -> Keys in
            var seeds = a["_seed"].flatMap(BuildSupport.seedValue).map { [$0] } ?? []
            for v in a["_seed_aliases"]?.arrayValue ?? [] { if let s = BuildSupport.seedValue(v) { seeds.append(s) } }
            let dn = a["display_name"] ?? ""
            return Keys(name: a["name"]?.stringValue ?? "", file: a["_file"]?.stringValue ?? "", seeds: seeds, display: dn, displayKey: dn.serialized(.compact))
        }
        seedOwner.reserveCapacity(keys.count)
        for k in keys { for s in k.seeds { claim(s, k.name, k.file) } }

        // Duplicate display names (exact, agents and stubs).
        var seenDisplay: [String: String] = [:]
        seenDisplay.reserveCapacity(agents.count)
        var duplicates: [JSONValue] = []
        for (a, k) in zip(agents, keys) {
            if let first = seenDisplay[k.displayKey] {
                duplicates.append(.object([("display_name", k.display), ("agents", .array([.string(first), a["name"] ?? .null]))]))
            } else { seenDisplay[k.displayKey] = k.name }
        }

        // Stacks (backward-compatible map) and stack swarms.
        var stackOrder: [String] = []
        var stackAgents: [String: [JSONValue]] = [:]
        for a in agents {
            guard let s = a["_stack"]?.stringValue, !s.isEmpty else { continue }
            if stackAgents[s] == nil { stackOrder.append(s); stackAgents[s] = [] }
            stackAgents[s]!.append(a)
        }
        var stacks: [(String, JSONValue)] = []
        var stackSwarms: [JSONValue] = []
        for s in stackOrder {
            let members = stackAgents[s]!
            let vertical = members[0]["_stack_vertical"]?.stringValue ?? ""
            let display = PythonTitle.title(s.replacingOccurrences(of: "_", with: " "))
            let names = JSONValue.array(members.map { $0["name"] ?? .null })
            stacks.append((s, .object([("name", .string(s)), ("display_name", .string(display)), ("vertical", .string(vertical)), ("agents", names)])))
            let size = members.reduce(0.0) { $0 + ($1["_size_kb"]?.doubleValue ?? 0) }
            stackSwarms.append(.object([
                ("type", "stack"), ("name", .string("@\(vertical)/\(s)")), ("display_name", .string(display)),
                ("vertical", .string(vertical)), ("category", .string(vertical)), ("agent_count", .int(members.count)),
                ("agents", names), ("agent_files", .array(members.map { $0["_file"] ?? .null })),
                ("_size_kb", .double((size * 10).rounded(.toNearestOrEven) / 10)),
                ("_lines", .int(members.reduce(0) { $0 + ($1["_lines"]?.intValue ?? 0) })),
            ]))
        }
        let swarms = converged + stackSwarms

        let generated = opt.generatedAt ?? Date()
        let sortedPubs = publishers.sorted(by: JSONValue.codePointLess)
        let sortedCats = categories.sorted(by: JSONValue.codePointLess)
        var top: [(String, JSONValue)] = [
            ("schema", .string(schema)), ("version", "1.1.0"), ("generated_at", .string(BuildSupport.pythonISO(generated))),
            ("stats", .object([
                ("total_agents", .int(agents.count)), ("total_swarms", .int(swarms.count)),
                ("total_stubs", .int(agents.filter { $0["type"]?.stringValue == "stub" }.count)),
                ("publishers", .int(publishers.count)), ("categories", .int(categories.count)),
                ("publisher_list", .array(sortedPubs.map { .string($0) })), ("category_list", .array(sortedCats.map { .string($0) })),
            ])),
            ("duplicates", .array(duplicates)), ("agents", .array(agents)), ("swarms", .array(swarms)),
            ("lifecycle", .object([("schema", "rar-agent-lifecycle/1.0"), ("receipt_schema", "rar-receipt/1.0"), ("tombstones", .array([]))])),
        ]
        if !stacks.isEmpty { top.append(("stacks", .object(stacks))) }
        let cfgBytes = tree != nil ? tree!["rar.config.json"].map { Data($0) } : FileManager.default.contents(atPath: root + "/rar.config.json")
        if let cfgData = cfgBytes, let cfg = try? JSONParser().parse(cfgData), case .object = cfg {
            top.append(("instance", .object([("role", cfg["role"] ?? "main"), ("owner", cfg["owner"] ?? ""),
                                             ("repo", cfg["repo"] ?? ""), ("upstream", cfg["upstream"] ?? .null)])))
        }
        BuildTrace.mark("registry entries")
        rejected.sort { BuildSupport.pathLess($0.path, $1.path) }
        if !rejected.isEmpty && opt.keepGoing {
            top.append(("rejected", .array(rejected.map(\.json))))
        }
        var build = RegistryBuild(registry: .object(top), agents: agents, rejected: rejected, skipped: skipped, warnings: warnings,
                                  filesScanned: toAnalyze.count, filesParsed: parsed, duplicateDisplayNames: duplicates.count,
                                  generatedAt: generated, facts: toAnalyze.compactMap { facts[$0] }, docstringsRendered: opt.renderDocstrings,
                                  cacheKey: cacheKey)
        build.flags = flags(opt)
        build.inputStamps = inputStamps
        build.gitHead = git.head
        return build
    }

    /// Files besides agents/ and swarms/ that a build reads.
    static let otherInputs = ["cards/holo_cards.json", "rar.config.json"]

    static func inputStamps(root: String) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for rel in otherInputs { out[rel] = FileStamp(root + "/" + rel)?.fields ?? [] }
        return out
    }

    static func cacheKey(_ opt: BuildOptions) -> String {
        "\(RARVersion.current)|size=\(opt.sizeLimit)|doc=\(opt.renderDocstrings ? DocstringHTML.version : 0)"
    }

    static func flags(_ opt: BuildOptions) -> String { "strict=\(opt.strict) keep-going=\(opt.keepGoing)" }

    /// The registry entry of a published agent or card file (manifest keys, then the build's
    /// `_` fields), before seed aliases.
    static func mainEntry(_ manifest: [(String, JSONValue)], path p: String, facts f: FileFacts, name: String, seed: CardSeed, isCard: Bool,
                          holo: HoloCards, git: [(String, JSONValue)]) -> JSONValue {
        var pairs = manifest
        if !f.capabilities.isEmpty {
            BuildSupport.set(&pairs, "_capabilities", .array(f.capabilities.sorted().map { .string($0) }))
            BuildSupport.set(&pairs, "_uses_exec", .bool(f.capabilities.contains("exec") || f.capabilities.contains("compile_exec")))
        }
        BuildSupport.set(&pairs, "_file", .string(p))
        BuildSupport.set(&pairs, "_install_filename", .string(BuildSupport.installFilename(name)))
        if let (stack, vertical) = stackInfo(p) {
            BuildSupport.set(&pairs, "_stack", .string(stack))
            BuildSupport.set(&pairs, "_stack_vertical", .string(vertical))
        }
        BuildSupport.set(&pairs, "_sha256", .string(f.sha256))
        BuildSupport.set(&pairs, "_seed", BuildSupport.seedJSON(seed))
        BuildSupport.set(&pairs, "_size_kb", .double(BuildSupport.sizeKB(f.lfSize)))
        BuildSupport.set(&pairs, "_lines", .int(f.lines))
        let hasCard = isCard || holo.has(name)
        BuildSupport.set(&pairs, "_has_card", .bool(hasCard))
        for (k, v) in git { BuildSupport.set(&pairs, k, v) }
        if hasCard && !isCard, let h = holo.card(name) { BuildSupport.set(&pairs, "_card_sha256", .string(HoloCards.contentHash(h))) }
        if isCard, let c = f.card {
            BuildSupport.set(&pairs, "_card", c)
            BuildSupport.set(&pairs, "_card_sha256", .string(HoloCards.contentHash(c)))
        }
        return .object(pairs)
    }

    /// `entry` with `_seed_aliases` (from the previous registry) last, or none.
    static func withAliases(_ entry: JSONValue, name: String, previous: PreviousRegistry) -> JSONValue {
        guard case .object(var pairs) = entry, let seed = pairs.first(where: { $0.0 == "_seed" }).flatMap({ BuildSupport.seedValue($0.1) }) else { return entry }
        pairs.removeAll { $0.0 == "_seed_aliases" }
        let aliases = previous.aliases(for: name, current: seed)
        if !aliases.isEmpty { pairs.append(("_seed_aliases", .array(aliases.map(BuildSupport.seedJSON)))) }
        return .object(pairs)
    }

    /// `<vertical>_stacks/<stack>_stack/` in the path → (stack, vertical).
    static func stackInfo(_ path: String) -> (String, String)? {
        let parts = path.split(separator: "/").map(String.init)
        for i in parts.indices where parts[i].hasSuffix("_stacks") && i + 1 < parts.count && parts[i + 1].hasSuffix("_stack") {
            return (String(parts[i + 1].dropLast(6)), String(parts[i].dropLast(7)))
        }
        return nil
    }
}

public enum BuildError: Error, CustomStringConvertible {
    case io(String)
    public var description: String { switch self { case .io(let m): return m } }
}

/// Thread-safe progress ticks.
final class ProgressCounter: @unchecked Sendable {
    let total: Int
    let report: (@Sendable (Int, Int) -> Void)?
    private var done = 0
    private let lock = NSLock()
    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) { self.total = total; self.report = report }
    func tick() {
        guard let report else { return }
        lock.lock(); done += 1; let d = done; lock.unlock()
        if d % 2000 == 0 || d == total { report(d, total) }
    }
}

/// `cards/holo_cards.json`: a dict keyed by agent name.
struct HoloCards {
    var cards: [String: JSONValue] = [:]

    static func load(_ path: String) -> HoloCards {
        var h = HoloCards()
        guard let data = FileManager.default.contents(atPath: path), let v = try? JSONParser().parse(data), let pairs = v.objectValue else { return h }
        for (k, c) in pairs { h.cards[k] = c }
        return h
    }

    func card(_ name: String) -> JSONValue? {
        if cards.isEmpty { return nil }
        for k in [name, name.replacingOccurrences(of: "_", with: "-"), name.replacingOccurrences(of: "-", with: "_")] {
            if let c = cards[k] { return c }
        }
        return nil
    }
    func has(_ name: String) -> Bool { card(name) != nil }

    /// sha256 of `json.dumps(card, sort_keys=True, separators=(",", ":"))` (ASCII-escaped).
    static func contentHash(_ card: JSONValue) -> String {
        BuildSupport.sha256Hex(card.serialized(JSONWriteOptions(ensureASCII: true, sortKeys: true, spacedSeparators: false)))
    }
}

/// The registry.json a build replaces: source of `_seed_aliases` and the immutability check.
struct PreviousRegistry {
    var byName: [String: JSONValue] = [:]

    static func load(paths: [String]) -> PreviousRegistry {
        var r = PreviousRegistry()
        for p in paths {
            guard let data = FastFile.read(p), let v = try? JSONParser().parse(bytes: data) else { continue }
            for a in v["agents"]?.arrayValue ?? [] {
                guard case .object = a, let n = a["name"]?.stringValue, !n.isEmpty else { continue }
                r.byName[n] = a  // later entries win, like a dict comprehension
            }
            return r
        }
        return r
    }

    /// Previous aliases (≠ current, de-duplicated, order kept), then the previous seed if it differs.
    func aliases(for name: String, current: CardSeed) -> [CardSeed] {
        guard let prev = byName[name] else { return [] }
        var out: [CardSeed] = []
        for v in prev["_seed_aliases"]?.arrayValue ?? [] {
            if let s = BuildSupport.seedValue(v), s != current, !out.contains(s) { out.append(s) }
        }
        if let s = prev["_seed"].flatMap(BuildSupport.seedValue), s != current, !out.contains(s) { out.append(s) }
        return out
    }
}

/// Python's `str.title()` for the ASCII stack names it is used on.
enum PythonTitle {
    static func title(_ s: String) -> String {
        var out = ""
        var prevCased = false
        for ch in s {
            let isLetter = ch.isLetter
            if isLetter { out += prevCased ? ch.lowercased() : ch.uppercased() } else { out.append(ch) }
            prevCased = isLetter
        }
        return out
    }
}
