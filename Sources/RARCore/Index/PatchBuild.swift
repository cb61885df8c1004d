import Crypto
import Foundation

/// What a patched build did (the same figures a full build reports).
public struct PatchOutcome: Sendable {
    public var agents: Int
    public var swarms: Int
    public var skipped: [(path: String, reason: String)]
    public var filesScanned: Int
    public var filesParsed: Int
    public var filesOut: Int
    public var filesWritten: Int
}

/// Bring an output tree up to date by patching it, when the last build left a patch index
/// and only a few agent files changed in ways that touch nothing beyond their own records:
/// same name, display name, category, tier, tags and type, still valid, no seed taken from
/// another agent. Everything else (new or removed files, other inputs, options, git head,
/// stubs, swarms, stacks) falls back to the full build, which is the reference for the
/// bytes: a patched tree equals what a full build writes (the tests compare them).
public enum PatchBuild {
    /// More changed files than this: a full build.
    static let maxChanged = 256

    /// nil: cannot patch (nothing was touched); run the full build.
    public static func run(_ opt: BuildOptions, api: StaticAPI.Options, out: String) -> PatchOutcome? {
        guard opt.useCache, opt.tree == nil, opt.memo == nil, api.incremental, api.memo == nil else { return nil }
        let root = opt.root.hasSuffix("/") && opt.root.count > 1 ? String(opt.root.dropLast()) : opt.root
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let dir = outURL.path
        guard let index = PatchIndex.load(dir) else { return nil }
        guard let key = try? StaticAPI.stateKey(cacheKey: RegistryBuilder.cacheKey(opt), options: api),
              index.config == key + "|" + RegistryBuilder.flags(opt) else { return nil }
        guard let lock = try? OutputLock(StaticAPI.sibling(of: outURL, "rar-build.lock")) else { return nil }
        defer { lock.release() }
        guard PatchIndex.stamps(of: PatchIndex.trackedOutputs(catalog: api.catalog != nil), in: dir) == index.outputStamps,
              RegistryBuilder.inputStamps(root: root) == index.inputStamps else { return nil }
        let head = BackgroundJob { GitHistory.head(root: root) }
        BuildTrace.mark("patch: index, stamps")

        // The same files as last time (none added, none removed), with their stamps.
        var found: [String: FileStamp] = [:]
        found.reserveCapacity(index.sources.count + index.unread.count)
        stampTree(root: root, dir: "agents", into: &found, accept: RegistryBuilder.isAgentSource)
        stampTree(root: root, dir: "swarms", into: &found, accept: RegistryBuilder.isSwarmSource)
        guard found.count == index.sources.count + index.unread.count, index.unread.allSatisfy({ found[$0] != nil }) else { return nil }
        BuildTrace.mark("patch: walk \(found.count) files")

        // Which files changed: stamp first, then content.
        enum Look { case same, restamped([Int]), changed([UInt8], [Int]) }
        let recent = Int(Date().timeIntervalSince1970) - 1
        let seen = found
        let looks: [Look?] = ParallelMap.map(index.sources) { s in
            guard let st = seen[s.path] else { return nil }
            if !s.stamp.isEmpty && st.fields == s.stamp { return .same }
            guard let bytes = FastFile.read(root + "/" + s.path) else { return nil }
            let fields = st.modified >= recent ? [] : st.fields
            return BuildSupport.sha256Hex(bytes) == s.rawSHA256 ? .restamped(fields) : .changed(bytes, fields)
        }
        guard !looks.contains(where: { if case .none = $0 { return true }; return false }), (try? head.wait()) == index.gitHead else { return nil }
        var changed: [(source: Int, bytes: [UInt8], stamp: [Int])] = []
        for (k, l) in looks.enumerated() { if case .changed(let b, let st)? = l { changed.append((k, b, st)) } }
        guard changed.count <= maxChanged else { return nil }
        BuildTrace.mark("patch: \(changed.count) changed")

        var plan = Plan(index: index, root: root, dir: dir, opt: opt, api: api)
        do { try plan.prepare(changed) } catch { return nil }
        BuildTrace.mark("patch: rendered")
        guard let written = plan.commit() else { return nil }
        var next = plan.next
        for (k, l) in looks.enumerated() {
            switch l {
            case .restamped(let st)?: next.sources[k].stamp = st
            case .changed(_, let st)?: next.sources[k].stamp = st
            default: break
            }
        }
        next.outputStamps = PatchIndex.stamps(of: PatchIndex.trackedOutputs(catalog: api.catalog != nil), in: dir)
        _ = next.write(to: dir)
        BuildTrace.mark("patch: written")
        return PatchOutcome(agents: index.agents.count, swarms: index.swarmCount, skipped: index.skipped, filesScanned: index.scanned,
                            filesParsed: changed.count, filesOut: next.filesOut, filesWritten: written)
    }

    struct Refused: Error {}

    /// Regular files under `root/dir` whose names pass `accept` (`.git` left out), with their
    /// stamps: one pass of readdir and fstatat on each directory.
    static func stampTree(root: String, dir: String, into out: inout [String: FileStamp], accept: @escaping (String) -> Bool) {
        // Publisher directories in parallel.
        var subdirs: [String] = []
        stampWalk(root: root, dir: dir, into: &out, accept: accept) { subdirs.append($0) }
        for part in ParallelMap.map(subdirs, { sub -> [String: FileStamp] in
            var d: [String: FileStamp] = [:]
            stampWalk(root: root, dir: sub, into: &d, accept: accept)
            return d
        }) { out.merge(part) { a, _ in a } }
    }

    /// `subdirectory`: given the directories found instead of walking them.
    static func stampWalk(root: String, dir: String, into out: inout [String: FileStamp], accept: (String) -> Bool,
                          subdirectory: ((String) -> Void)? = nil) {
        func descend(_ name: String) {
            guard name != ".git" else { return }
            if let subdirectory { subdirectory(dir + "/" + name) } else { stampWalk(root: root, dir: dir + "/" + name, into: &out, accept: accept) }
        }
        guard let d = opendir(root + "/" + dir) else { return }
        defer { closedir(d) }
        let fd = dirfd(d)
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let type = Int32(e.pointee.d_type)
            if type == Int32(DT_DIR) { descend(name); continue }
            if type == Int32(DT_REG) && !accept(name) { continue }
            var st = stat()
            guard fstatat(fd, name, &st, 0) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                descend(name)
            } else if accept(name) {
                out[dir + "/" + name] = FileStamp(st)
            }
        }
    }

    /// The new bytes of every file a patch touches, computed before anything is written.
    struct Plan {
        let index: PatchIndex
        let root: String
        let dir: String
        let opt: BuildOptions
        let api: StaticAPI.Options
        var next: PatchIndex
        /// Files to write (path → bytes) and to remove.
        var files: [String: [UInt8]] = [:]
        var spliced: [String: Splice] = [:]
        var removed: Set<String> = []
        /// Journal: units to mark stale (id → paths), loose files to mark stale.
        var staleUnits: [String: Set<String>] = [:]
        var staleLoose: Set<String> = []

        init(index: PatchIndex, root: String, dir: String, opt: BuildOptions, api: StaticAPI.Options) {
            self.index = index; self.root = root; self.dir = dir; self.opt = opt; self.api = api
            next = index
        }

        func read(_ rel: String) throws -> [UInt8] {
            guard let d = FastFile.read(dir + "/" + rel) else { throw Refused() }
            return d
        }

        func map(_ rel: String) throws -> MappedFile {
            guard let m = MappedFile(dir + "/" + rel) else { throw Refused() }
            return m
        }

        mutating func prepare(_ changed: [(source: Int, bytes: [UInt8], stamp: [Int])]) throws {
            let generatedAt = opt.generatedAt ?? Date()
            let generated = BuildSupport.isoZ(Int(generatedAt.timeIntervalSince1970.rounded(.down)))
            let base = api.baseURL.hasSuffix("/") ? String(api.baseURL.dropLast()) : api.baseURL
            let url: (String) -> String = { base.isEmpty ? $0 : base + "/" + $0 }
            var byFile: [String: Int] = [:]
            for (k, a) in index.agents.enumerated() { byFile[index.sources[a.source].path] = k }
            let registryMap = try map("registry.json")
            let validator = Validator(sizeLimit: opt.sizeLimit)
            let docstrings = opt.renderDocstrings
            let facts: [FileFacts] = ParallelMap.mapParsing(changed) { c in
                let path = index.sources[c.source].path
                let (sha, lfSize) = BuildSupport.lfHash(c.bytes)
                let raw = lfSize == c.bytes.count ? sha : BuildSupport.sha256Hex(c.bytes)
                return FileFacts.analyze(path: path, bytes: c.bytes, sha256: sha, rawSHA256: raw, lfSize: lfSize, validator: validator, docstrings: docstrings)
            }
            let holo = HoloCards.load(root + "/cards/holo_cards.json")
            var catalogOptions = api.catalog
            if catalogOptions?.generated == nil { catalogOptions?.generated = generated }
            let ctx = try catalogOptions.map { try Catalog.Context(site: CatalogSite.load($0.siteDir), options: $0, agents: []) }
            let swarmSeeds = Set(index.swarmSeeds)
            var claimed: Set<String> = []
            var registryEdits: [(Range<Int>, [UInt8])] = [(index.generatedAt, JSONValue.string(BuildSupport.pythonISO(generatedAt)).serializedBytes(StaticAPI.registryJSON))]
            var leanEdits: [(Range<Int>, [UInt8])] = [(index.leanGenerated, JSONValue.string(generated).serializedBytes(StaticAPI.apiJSON))]
            var dataEdits: [(Range<Int>, [UInt8])] = []
            var pages: [String: [UInt8]] = [:]
            var front = index.front

            for (c, f) in zip(changed, facts) {
                let path = index.sources[c.source].path
                guard let k = byFile[path], index.agents[k].patchable else { throw Refused() }
                let a = index.agents[k]
                let isCard = path.hasSuffix(".py.card")
                guard RegistryBuilder.blocking(f, kind: isCard ? .card : .agent, strict: opt.strict).isEmpty,
                      case .object(let manifest)? = f.manifest, let name = f.name, let version = f.manifest?["version"]?.stringValue,
                      a.registry.upperBound <= registryMap.bytes.count,
                      let old = try? JSONParser().parse(bytes: Array(registryMap.bytes[a.registry])), old["name"]?.stringValue == name else { throw Refused() }
                let oldSeeds = PatchBuild.seeds(old)
                // The same version with other bytes is refused by the full build (immutability).
                if old["version"]?.stringValue == version, old["_file"]?.stringValue == path,
                   let h = old["_sha256"]?.stringValue, !h.isEmpty, h != f.sha256 { throw Refused() }
                guard let seed = try? CardForgeInput(entry: f.manifest!, name: name).seed else { throw Refused() }
                // Git facts follow the (unchanged) head and path.
                let git = RegistryBuilder.gitKeys.map { ($0, old[$0] ?? .null) }
                var entry = RegistryBuilder.mainEntry(manifest, path: path, facts: f, name: name, seed: seed, isCard: isCard, holo: holo, git: git)
                entry = RegistryBuilder.withAliases(entry, name: name, previous: PreviousRegistry(byName: [name: old]))
                // Nothing that other files or pages count may change.
                for key in ["display_name", "category", "quality_tier", "tags", "type", "_stack"] where entry[key] != old[key] { throw Refused() }
                let aliases = (entry["_seed_aliases"]?.arrayValue ?? []).compactMap(BuildSupport.seedValue)
                let seeds = ([seed] + aliases).map { String($0) }
                for s in seeds where !oldSeeds.contains(s) {
                    let taken = swarmSeeds.contains(s) || claimed.contains(s) || FileManager.default.fileExists(atPath: "\(dir)/api/v1/seeds/\(s).json")
                    if taken { throw Refused() }
                }
                claimed.formUnion(seeds)
                if name == index.exampleName && seeds[0] != oldSeeds.first { throw Refused() }
                let doc = a.hasDoc ? StaticAPI.agentDocPath(name) : nil
                let info = StaticAPI.AgentInfo(entry: entry, name: name, seed: seed, aliases: aliases, doc: doc,
                                               incantation: StaticAPI.incantationSlug(seed))

                // The agent's API unit; paths the old one had and the new one has not go.
                let unit = StaticAPI.agentUnitFiles(info, owns: { _ in true }, cardSVGs: api.cardSVGs, url: url)
                let oldPaths = unitPaths(doc: doc, seeds: oldSeeds)
                let newPaths = Set(unit.map(\.0))
                for (p, b) in unit { files[p] = b }
                for p in oldPaths where !newPaths.contains(p) { removed.insert(p) }
                staleUnits["api:" + name] = oldPaths.union(newPaths)
                files[path] = c.bytes
                staleUnits["src:" + path] = [path]
                next.filesOut += newPaths.count - oldPaths.count
                next.seedCount += seeds.count - oldSeeds.count

                var regEntry: [UInt8] = []
                entry.write(into: &regEntry, StaticAPI.registryJSON, level: 2)
                registryEdits.append((a.registry, regEntry))
                var lean: [UInt8] = []
                StaticAPI.leanRecord(info, url: url).write(into: &lean, StaticAPI.apiJSON, level: 2)
                leanEdits.append((a.lean, lean))

                if let ctx {
                    let pagePath = a.page.isEmpty ? Catalog.agentPagePath(name) : a.page
                    var page = CatalogAgent(entry: entry, source: c.bytes)
                    page.docstringHTML = docstrings ? (f.docstringHTML ?? "") : nil
                    page.pagePath = pagePath
                    if !unit.contains(where: { $0.0.hasPrefix("cards/") }) { page.cardPath = nil }
                    files[pagePath] = try ctx.agentPage(page)
                    staleUnits["page:" + pagePath] = [pagePath]
                    dataEdits.append((a.data, Catalog.dataRecordBytes(page)))
                    var was = CatalogAgent(entry: old)
                    was.pagePath = pagePath
                    for listing in Catalog.listingPaths(was, pages: a.listingPages) {
                        let before = try ctx.rowHTML(was, path: listing), after = try ctx.rowHTML(page, path: listing)
                        if before == after { continue }
                        let isFront = listing == Catalog.indexPagePath(page: 1)
                        let text = isFront ? front : try pages[listing] ?? read(listing)
                        // The row must be there exactly once to be replaced.
                        guard let at = BuildSupport.firstRange(of: before, in: text),
                              BuildSupport.firstRange(of: before, in: text, from: at.upperBound) == nil else { throw Refused() }
                        let patched = Array(text[..<at.lowerBound]) + after + Array(text[at.upperBound...])
                        if isFront { front = patched } else { pages[listing] = patched; staleUnits["page:" + listing] = [listing] }
                    }
                }
            }

            BuildTrace.mark("patch: agents")
            // Shared files: splice the records, restamp, rehash.
            let reg = try Splice(registryMap, registryEdits)
            spliced["registry.json"] = reg
            let leanNew = try Splice(map("api/v1/catalog.json"), leanEdits)
            spliced["api/v1/catalog.json"] = leanNew
            let taxonomy = try Splice(map("api/v1/taxonomy.json"), [(index.taxonomyGenerated, JSONValue.string(generated).serializedBytes(StaticAPI.apiJSON))])
            files["api/v1/taxonomy.json"] = taxonomy.bytes
            files["manifest.json"] = StaticAPI.discovery(url: url, generated: generated).serializedBytes(StaticAPI.apiJSON) + [0x0A]
            BuildTrace.mark("patch: spliced")
            files["api/v1/status.json"] = try status(generated: generated, generatedAt: generatedAt, registry: reg, lean: leanNew, taxonomy: taxonomy)
            for p in ["registry.json", "api/v1/catalog.json", "api/v1/taxonomy.json", "manifest.json", "api/v1/status.json"] { staleLoose.insert(p) }
            BuildTrace.mark("patch: status")
            var data: Splice?
            if ctx != nil {
                data = try Splice(map(Catalog.dataScriptPath), dataEdits)
                spliced[Catalog.dataScriptPath] = data
                files[Catalog.indexPagePath(page: 1)] = Catalog.Context.fillGenerated(front, placeholder: Array(index.placeholder.utf8), generated)
                for (p, b) in pages { files[p] = b }
                staleLoose.formUnion([Catalog.dataScriptPath, Catalog.indexPagePath(page: 1)])
            }

            // The next patch's index: moved ranges, new seeds.
            next.generatedAt = reg.map(index.generatedAt)
            next.leanGenerated = leanNew.map(index.leanGenerated)
            next.taxonomyGenerated = taxonomy.map(index.taxonomyGenerated)
            next.front = front
            for k in next.agents.indices {
                next.agents[k].registry = reg.map(index.agents[k].registry)
                next.agents[k].lean = leanNew.map(index.agents[k].lean)
                if let data { next.agents[k].data = data.map(index.agents[k].data) }
            }
            for (c, f) in zip(changed, facts) { next.sources[c.source].rawSHA256 = f.rawSHA256 }
        }

        /// The files an agent's API unit holds, from what the index knows of it.
        func unitPaths(doc: String?, seeds: [String]) -> Set<String> {
            var out: Set<String> = []
            if let doc { out.insert(doc) }
            if let s = seeds.first, api.cardSVGs, FileManager.default.fileExists(atPath: "\(dir)/cards/\(s).svg") { out.insert("cards/\(s).svg") }
            for s in seeds {
                out.insert("api/v1/seeds/\(s).json")
                if let v = CardSeed(s), let inc = StaticAPI.incantationSlug(v) { out.insert("api/v1/incantations/\(inc).json") }
            }
            return out
        }

        /// status.json: new build time, seed count and content hashes; the rest as it was.
        func status(generated: String, generatedAt: Date, registry: Splice, lean: Splice, taxonomy: Splice) throws -> [UInt8] {
            guard case .object(var top) = try JSONParser().parse(bytes: read("api/v1/status.json")) else { throw Refused() }
            let docs: [(String, Splice, String, JSONValue, Range<Int>)] = [
                ("registry", registry, "generated_at", .string(BuildSupport.pythonISO(generatedAt)), index.generatedAt),
                ("catalog", lean, "generated", .string(generated), index.leanGenerated),
                ("taxonomy", taxonomy, "generated", .string(generated), index.taxonomyGenerated),
            ]
            let hashes = Dictionary(uniqueKeysWithValues: ParallelMap.map(docs) { ($0.0, $0.1.stampFreeHash(key: $0.2, value: $0.3, at: $0.4)) })
            for i in top.indices {
                switch top[i].0 {
                case "generated": top[i].1 = .string(generated)
                case "summary":
                    guard case .object(var s) = top[i].1 else { throw Refused() }
                    for j in s.indices where s[j].0 == "seeds" { s[j].1 = .int(next.seedCount) }
                    top[i].1 = .object(s)
                case "endpoints":
                    guard case .array(var eps) = top[i].1 else { throw Refused() }
                    for j in eps.indices {
                        guard case .object(var e) = eps[j], let n = eps[j]["name"]?.stringValue, let h = hashes[n] else { continue }
                        for m in e.indices where e[m].0 == "hash" { e[m].1 = .string(h) }
                        eps[j] = .object(e)
                    }
                    top[i].1 = .array(eps)
                default: break
                }
            }
            return JSONValue.object(top).serializedBytes(StaticAPI.apiJSON) + [0x0A]
        }

        /// Journal first (what is about to change is marked stale, and the index goes), then
        /// each file by temp file and rename. Returns how many files were written.
        func commit() -> Int? {
            // Only files whose bytes change are written (nothing, when nothing changed and the
            // build time is pinned), and only their units are journaled.
            let small = files.filter { FastFile.read(dir + "/" + $0.key) != $0.value }
            let changedBig = spliced.filter { !$0.value.unchanged }
            let gone = removed.filter { FileManager.default.fileExists(atPath: dir + "/" + $0) }
            let touched = Set(small.keys).union(changedBig.keys).union(gone)
            if touched.isEmpty { return 0 }
            guard unlink(dir + "/" + PatchIndex.fileName) == 0 else { return nil }
            let units = staleUnits.filter { !$0.value.isDisjoint(with: touched) }.sorted { $0.key < $1.key }
                .map { ($0.key, OutputState.Unit(key: "", paths: $0.value.sorted())) }
            guard OutputState.appendJournal(dir: dir, units: units, loose: staleLoose.intersection(touched).sorted()) else { return nil }
            BuildTrace.mark("patch: journal")
            var written = 0
            func put(_ rel: String, _ write: (String) -> Bool) -> Bool {
                let path = dir + "/" + rel
                let tmp = path + ".rar-tmp"
                guard write(tmp), rename(tmp, path) == 0 else { unlink(tmp); return false }
                written += 1
                return true
            }
            for (rel, bytes) in small.sorted(by: { $0.key < $1.key }) {
                guard put(rel, { tmp in bytes.withUnsafeBytes { FastFile.write(tmp, $0) } }) else { return nil }
            }
            // The large shared files, two at a time.
            let big = changedBig.sorted { $0.key < $1.key }
            let ok = ParallelMap.map(big) { rel, splice -> Bool in
                let path = dir + "/" + rel, tmp = path + ".rar-tmp"
                guard splice.write(to: tmp), rename(tmp, path) == 0 else { unlink(tmp); return false }
                return true
            }
            guard ok.allSatisfy({ $0 }) else { return nil }
            written += big.count
            for rel in gone { unlink(dir + "/" + rel) }
            return written
        }
    }

    /// A file read-only in memory (mapped; unmapped when released). Large shared files are
    /// spliced from their maps, never copied whole.
    final class MappedFile: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        private let base: UnsafeMutableRawPointer?

        init?(_ path: String) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            let n = Int(st.st_size)
            if n == 0 { base = nil; bytes = UnsafeRawBufferPointer(start: nil, count: 0); return }
            guard let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
            base = p
            bytes = UnsafeRawBufferPointer(start: p, count: n)
        }

        deinit { if let base { munmap(base, bytes.count) } }
    }

    /// A file's new bytes: its old bytes with some ranges replaced (not overlapping), kept as
    /// pieces; and where the old ranges moved.
    final class Splice: @unchecked Sendable {
        private let old: MappedFile
        private let edits: [(range: Range<Int>, bytes: [UInt8])]
        let count: Int

        init(_ old: MappedFile, _ list: [(Range<Int>, [UInt8])]) throws {
            self.old = old
            edits = list.sorted { $0.0.lowerBound < $1.0.lowerBound }
            var at = 0
            for e in edits {
                guard e.range.lowerBound >= at, e.range.upperBound <= old.bytes.count else { throw Refused() }
                at = e.range.upperBound
            }
            count = old.bytes.count + edits.reduce(0) { $0 + $1.bytes.count - $1.range.count }
        }

        /// Whether every edit puts back the bytes it replaces.
        var unchanged: Bool {
            edits.allSatisfy { old.bytes[$0.range].elementsEqual($0.bytes) }
        }

        /// The pieces in order.
        func forEachPiece(_ body: (UnsafeRawBufferPointer) -> Void) {
            var at = 0
            for e in edits {
                body(UnsafeRawBufferPointer(rebasing: old.bytes[at..<e.range.lowerBound]))
                e.bytes.withUnsafeBytes(body)
                at = e.range.upperBound
            }
            body(UnsafeRawBufferPointer(rebasing: old.bytes[at...]))
        }

        /// The new bytes in `r` (new coordinates).
        func slice(_ r: Range<Int>) -> [UInt8] {
            var out: [UInt8] = []
            var at = 0
            forEachPiece { p in
                let lo = max(r.lowerBound, at), hi = min(r.upperBound, at + p.count)
                if lo < hi { out += p[(lo - at)..<(hi - at)] }
                at += p.count
            }
            return out
        }

        var bytes: [UInt8] { slice(0..<count) }

        func write(to path: String) -> Bool {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var ok = true
            forEachPiece { p in if ok { ok = FastFile.writeAll(fd, p) } }
            return ok
        }

        /// `StaticAPI.stampFreeHash` of the new bytes, whose stamp value is the edit at `old`
        /// range `value` (hashed piece by piece, skipping the stamp member).
        func stampFreeHash(key: String, value: JSONValue, at valueRange: Range<Int>) -> String {
            let member = Array(JSONValue.object([(key, value)]).serializedBytes(JSONWriteOptions(ensureASCII: true)).dropFirst().dropLast())
            let v = map(valueRange)
            let start = v.upperBound - member.count
            guard start >= 0, slice(start..<v.upperBound) == member else { return StaticAPI.stampFreeHash(bytes, key: key, value: value) }
            var end = v.upperBound
            if end < count, slice(end..<end + 1) == [0x2C] { end += 1 }
            var h = SHA256()
            var at = 0
            forEachPiece { p in
                let first = at
                at += p.count
                for (lo, hi) in [(first, min(at, start)), (max(first, end), at)] where lo < hi {
                    h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: p[(lo - first)..<(hi - first)]))
                }
            }
            return String(BuildSupport.hex(h.finalize()).prefix(16))
        }

        /// Where `r` (an edited range or one clear of every edit) is in the new bytes.
        func map(_ r: Range<Int>) -> Range<Int> {
            var shift = 0
            for e in edits {
                if e.range == r { return (r.lowerBound + shift)..<(r.lowerBound + shift + e.bytes.count) }
                if e.range.upperBound <= r.lowerBound { shift += e.bytes.count - e.range.count } else { break }
            }
            return (r.lowerBound + shift)..<(r.upperBound + shift)
        }
    }

    /// An entry's seeds: current first, then aliases (decimal).
    static func seeds(_ e: JSONValue) -> [String] {
        ([e["_seed"]].compactMap { $0 } + (e["_seed_aliases"]?.arrayValue ?? [])).compactMap(BuildSupport.seedValue).map { String($0) }
    }

    // MARK: the index a full build leaves

    /// The index of a build just written, except `outputStamps`, which the caller takes once
    /// every tracked output (the state file among them) is in place.
    static func index(_ build: RegistryBuild, layout: BuildLayout, key: String) -> PatchIndex? {
        guard layout.registrySpans.count == build.agents.count else { return nil }
        var x = PatchIndex()
        x.config = key + "|" + build.flags
        x.gitHead = build.gitHead
        x.inputStamps = build.inputStamps
        var read = Set<String>()
        for f in build.facts {
            read.insert(f.path)
            x.sources.append(.init(path: f.path, stamp: f.stamp?.fields ?? [], rawSHA256: f.rawSHA256))
        }
        x.unread = build.skipped.map(\.path).filter { !read.contains($0) }
        x.skipped = build.skipped
        let cat = layout.catalog
        var sourceIndex: [String: Int] = [:]
        for (k, s) in x.sources.enumerated() { sourceIndex[s.path] = k }
        for (k, e) in build.agents.enumerated() {
            let name = e["name"]?.stringValue ?? ""
            let file = e["_file"]?.stringValue ?? ""
            let patchable = e["type"]?.stringValue != "stub" && e["_stack"] == nil && (file.hasSuffix(".py") || file.hasSuffix(".py.card"))
            guard let src = sourceIndex[file], let lean = layout.leanSpans[name] else { return nil }
            let page = cat?.pagePaths[name] ?? ""
            x.agents.append(.init(source: src, patchable: patchable, hasDoc: !layout.docs[k].isEmpty, registry: layout.registrySpans[k], lean: lean,
                                  data: cat?.dataSpans[name] ?? 0..<0, page: page == Catalog.agentPagePath(name) ? "" : page,
                                  listingPages: cat?.listings[name] ?? []))
        }
        x.generatedAt = layout.registryGenerated
        x.leanGenerated = layout.leanGenerated
        x.taxonomyGenerated = layout.taxonomyGenerated
        x.swarmSeeds = layout.swarmSeeds
        x.swarmCount = build.registry["swarms"]?.arrayValue?.count ?? 0
        x.seedCount = layout.seedCount
        x.filesOut = layout.filesOut
        x.scanned = build.filesScanned
        x.exampleName = build.agents.compactMap { $0["name"]?.stringValue }.min(by: JSONValue.codePointLess) ?? ""
        x.front = cat?.front ?? []
        x.placeholder = cat?.placeholder ?? ""
        if cat != nil && x.front.isEmpty { return nil }
        return x
    }
}
