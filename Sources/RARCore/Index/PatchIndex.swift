import Foundation

/// What a finished build left for the next one to patch instead of rebuilding
/// (`.rar-patch-index` in the output tree): the inputs it read (stamps and content hashes),
/// and where each agent landed in the shared files (byte ranges in registry.json,
/// catalog.json and data.js; its API document, seeds, page and the listing pages showing it).
/// Written only for clean builds (nothing rejected, no duplicate display names).
struct PatchIndex: Sendable {
    static let fileName = ".rar-patch-index"
    static let magic = Array("rar-patch-index/1\n".utf8)

    struct Source: Sendable {
        var path: String
        /// FileStamp fields ([]: not trusted, read again next time).
        var stamp: [Int]
        var rawSHA256: String
    }

    struct Agent: Sendable {
        /// Its file, as an index into `sources`.
        var source: Int
        /// Only plain agent and card files are patched; stubs and stack members are not.
        var patchable: Bool
        /// Whether its API document is at `StaticAPI.agentDocPath(name)` (false: none, another
        /// name took that path).
        var hasDoc: Bool
        var registry: Range<Int>
        var lean: Range<Int>
        var data: Range<Int>
        /// Its catalog page ("" = `Catalog.agentPagePath(name)`).
        var page: String
        /// The pages of the index, its publisher's and its category's listings showing its row
        /// (0 = none: no catalog).
        var listingPages: [Int]
    }

    /// State key plus the build flags: a build with other options does not patch.
    var config = ""
    var gitHead = ""
    var inputStamps: [String: [Int]] = [:]
    /// Output files the patch reads or trusts, with their stamps when the index was written.
    var outputStamps: [String: [Int]] = [:]
    var sources: [Source] = []
    /// Files found but never read (under templates/, utility files): only their presence counts.
    var unread: [String] = []
    var skipped: [(path: String, reason: String)] = []
    var agents: [Agent] = []
    var generatedAt: Range<Int> = 0..<0
    var leanGenerated: Range<Int> = 0..<0
    var taxonomyGenerated: Range<Int> = 0..<0
    /// Seeds the catalog-less swarms claim (they have no seed documents).
    var swarmSeeds: [String] = []
    var swarmCount = 0
    var seedCount = 0
    var filesOut = 0
    var scanned = 0
    /// The agent whose incantation the index and resolver pages show as the example.
    var exampleName = ""
    var front: [UInt8] = []
    var placeholder = ""

    // MARK: encoding

    func encoded() -> [UInt8] {
        var w = ByteWriter(PatchIndex.magic)
        w.str(config); w.str(gitHead)
        w.int(inputStamps.count)
        for (k, v) in inputStamps.sorted(by: { $0.key < $1.key }) { w.str(k); w.ints(v) }
        w.int(outputStamps.count)
        for (k, v) in outputStamps.sorted(by: { $0.key < $1.key }) { w.str(k); w.ints(v) }
        w.int(sources.count)
        for s in sources { w.str(s.path); w.ints(s.stamp); w.str(s.rawSHA256) }
        w.int(unread.count)
        for p in unread { w.str(p) }
        w.int(skipped.count)
        for s in skipped { w.str(s.path); w.str(s.reason) }
        w.int(agents.count)
        for a in agents {
            w.int(a.source); w.int((a.patchable ? 1 : 0) | (a.hasDoc ? 2 : 0))
            w.range(a.registry); w.range(a.lean); w.range(a.data)
            w.str(a.page); w.ints(a.listingPages)
        }
        w.range(generatedAt); w.range(leanGenerated); w.range(taxonomyGenerated)
        w.int(swarmSeeds.count); for s in swarmSeeds { w.str(s) }
        w.int(swarmCount); w.int(seedCount); w.int(filesOut); w.int(scanned)
        w.str(exampleName); w.bytes(front); w.str(placeholder)
        return w.out
    }

    static func decode(_ b: [UInt8]) -> PatchIndex? {
        var r = ByteReader(b, at: magic.count)
        guard b.count >= magic.count, b[0..<magic.count].elementsEqual(magic) else { return nil }
        var x = PatchIndex()
        guard let config = r.str(), let head = r.str(), let nIn = r.count() else { return nil }
        x.config = config; x.gitHead = head
        for _ in 0..<nIn { guard let k = r.str(), let v = r.ints() else { return nil }; x.inputStamps[k] = v }
        guard let nOut = r.count() else { return nil }
        for _ in 0..<nOut { guard let k = r.str(), let v = r.ints() else { return nil }; x.outputStamps[k] = v }
        guard let nSrc = r.count() else { return nil }
        x.sources.reserveCapacity(nSrc)
        // Paths it names are read (sources) or written (pages): only plain paths in their trees.
        func source(_ p: String) -> Bool { OutputState.isTreePath(p) && (p.hasPrefix("agents/") || p.hasPrefix("swarms/")) }
        for _ in 0..<nSrc {
            guard let p = r.str(), source(p), let st = r.ints(), let sha = r.str() else { return nil }
            x.sources.append(Source(path: p, stamp: st, rawSHA256: sha))
        }
        guard let nUnread = r.count() else { return nil }
        for _ in 0..<nUnread { guard let p = r.str(), source(p) else { return nil }; x.unread.append(p) }
        guard let nSkip = r.count() else { return nil }
        for _ in 0..<nSkip { guard let p = r.str(), let why = r.str() else { return nil }; x.skipped.append((p, why)) }
        guard let nAgents = r.count() else { return nil }
        x.agents.reserveCapacity(nAgents)
        for _ in 0..<nAgents {
            guard let src = r.int(), src >= 0, src < x.sources.count, let flags = r.int(), let reg = r.range(), let lean = r.range(), let data = r.range(),
                  let page = r.str(), page.isEmpty || (OutputState.isTreePath(page) && page.hasPrefix("catalog/")), let listing = r.ints() else { return nil }
            x.agents.append(Agent(source: src, patchable: flags & 1 != 0, hasDoc: flags & 2 != 0, registry: reg, lean: lean, data: data,
                                  page: page, listingPages: listing))
        }
        guard let g = r.range(), let lg = r.range(), let tg = r.range(), let nSw = r.count() else { return nil }
        x.generatedAt = g; x.leanGenerated = lg; x.taxonomyGenerated = tg
        for _ in 0..<nSw { guard let s = r.str() else { return nil }; x.swarmSeeds.append(s) }
        guard let sw = r.int(), let sc = r.int(), let fo = r.int(), let scanned = r.int(), let ex = r.str(), let front = r.bytes(), let ph = r.str(), r.atEnd else { return nil }
        x.swarmCount = sw; x.seedCount = sc; x.filesOut = fo; x.scanned = scanned; x.exampleName = ex; x.front = front; x.placeholder = ph
        return x
    }

    static func load(_ dir: String) -> PatchIndex? {
        FastFile.read(dir + "/" + fileName).flatMap(decode)
    }

    /// Output files whose stamps the index keeps: a patch reads them, so they must be the ones it describes.
    static func trackedOutputs(catalog: Bool) -> [String] {
        var out = ["registry.json", "api/v1/catalog.json", "api/v1/taxonomy.json", "api/v1/status.json", OutputState.fileName, OutputState.journalName]
        if catalog { out += [Catalog.dataScriptPath, Catalog.indexPagePath(page: 1)] }
        return out
    }

    static func stamps(of paths: [String], in dir: String) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for p in paths { out[p] = FileStamp(dir + "/" + p)?.fields ?? [] }
        return out
    }

    /// Write atomically into `dir`.
    func write(to dir: String) -> Bool {
        let tmp = dir + "/" + PatchIndex.fileName + ".tmp"
        guard encoded().withUnsafeBytes({ FastFile.write(tmp, $0) }), rename(tmp, dir + "/" + PatchIndex.fileName) == 0 else {
            unlink(tmp)
            return false
        }
        return true
    }
}

/// Where a build put things, gathered while it writes (the patch index is made from it).
final class BuildLayout: @unchecked Sendable {
    var registrySpans: [Range<Int>] = []
    var registryGenerated: Range<Int> = 0..<0
    var leanSpans: [String: Range<Int>] = [:]
    var leanGenerated: Range<Int> = 0..<0
    var taxonomyGenerated: Range<Int> = 0..<0
    var docs: [String] = []
    var swarmSeeds: [String] = []
    var swarmCount = 0
    var seedCount = 0
    var filesOut = 0
    var catalog: CatalogLayout?
}

// MARK: - length-prefixed fields

struct ByteWriter {
    var out: [UInt8]
    init(_ prefix: [UInt8] = []) { out = prefix }
    /// Zigzag LEB128: small numbers (most lengths and stamps' parts) take a byte or two.
    mutating func int(_ n: Int) {
        var v = UInt64(bitPattern: Int64(n << 1) ^ Int64(n >> 63))
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
    mutating func str(_ s: String) { int(s.utf8.count); out += s.utf8 }
    mutating func bytes(_ b: [UInt8]) { int(b.count); out += b }
    mutating func ints(_ a: [Int]) { int(a.count); for n in a { int(n) } }
    mutating func range(_ r: Range<Int>) { int(r.lowerBound); int(r.upperBound) }
}

struct ByteReader {
    let b: [UInt8]
    var i: Int
    init(_ b: [UInt8], at i: Int) { self.b = b; self.i = i }
    var atEnd: Bool { i == b.count }

    mutating func int() -> Int? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count, shift < 64 {
            let byte = b[i]
            i += 1
            v |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return Int(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))) }
            shift += 7
        }
        return nil
    }
    /// A count no larger than the bytes left (a corrupt count fails here, not in an allocation).
    mutating func count() -> Int? {
        guard let n = int(), n >= 0, n <= b.count - i else { return nil }
        return n
    }
    mutating func raw() -> ArraySlice<UInt8>? {
        guard let n = count() else { return nil }
        defer { i += n }
        return b[i..<i + n]
    }
    mutating func str() -> String? { raw().flatMap { String(validating: $0, as: UTF8.self) } }
    mutating func bytes() -> [UInt8]? { raw().map(Array.init) }
    mutating func ints() -> [Int]? {
        guard let n = count() else { return nil }
        var a: [Int] = []
        a.reserveCapacity(n)
        for _ in 0..<n { guard let v = int() else { return nil }; a.append(v) }
        return a
    }
    mutating func range() -> Range<Int>? {
        guard let lo = int(), let hi = int(), lo >= 0, lo <= hi else { return nil }
        return lo..<hi
    }
}
