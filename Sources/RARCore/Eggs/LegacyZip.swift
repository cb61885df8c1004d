/// Limits applied before anything is inflated or written.
public struct EggLimits: Sendable {
    public var maxEggBytes = 1 << 30
    public var maxEntries = 65_535
    public var maxEntryBytes = 512 << 20
    public var maxTotalBytes = 1 << 30
    /// Largest allowed uncompressed/compressed ratio for a deflated entry.
    public var maxRatio = 200
    public init() {}
    public static let `default` = EggLimits()
}

/// One entry of a conventional (legacy) ZIP, located but not yet inflated.
struct LegacyZipEntry {
    enum Kind { case file, directory, symlink, special }
    let name: String
    let method: Int
    let crc: Int
    let compressedSize: Int
    let size: Int
    let dataRange: Range<Int>
    let kind: Kind
}

/// A careful reader for the deflated, non-deterministic ZIPs legacy packers wrote.
/// Structure is checked first; members are inflated one at a time under the size caps.
enum LegacyZip {
    static func fail(_ m: String) -> EggError { EggError("legacy-invalid-zip", m) }

    static func entries(_ d: [UInt8], limits: EggLimits, checkLimits: Bool = true) throws(EggError) -> [LegacyZipEntry] {
        guard d.count >= 22 else { throw fail("ZIP is too short") }
        // The EOCD must end the file exactly (its comment included): no trailing bytes.
        var e = -1
        var k = d.count - 22
        let lowest = max(0, d.count - 22 - 0xFFFF)
        while k >= lowest {
            if Bytes.rd32(d, k) == StrictZip.eocdSig && k + 22 + Bytes.rd16(d, k + 20) == d.count { e = k; break }
            k -= 1
        }
        guard e >= 0 else { throw fail("no end-of-central-directory record at the end of the file") }
        let total = Bytes.rd16(d, e + 10), cdSize = Bytes.rd32(d, e + 12), cdOffset = Bytes.rd32(d, e + 16)
        if total == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            throw EggError("legacy-zip64", "ZIP64 archives are not supported")
        }
        guard Bytes.rd16(d, e + 4) == 0, Bytes.rd16(d, e + 6) == 0, Bytes.rd16(d, e + 8) == total else {
            throw fail("multi-disk archives are not supported")
        }
        guard cdOffset + cdSize <= e else { throw fail("central directory overlaps the end record") }
        if checkLimits && total > limits.maxEntries { throw EggError("legacy-limit-exceeded", "\(total) entries exceed the limit of \(limits.maxEntries)") }
        var out: [LegacyZipEntry] = []
        var seen = Set<[UInt8]>()
        var cursor = cdOffset
        var totalSize = 0
        for _ in 0..<total {
            guard cursor + 46 <= e, Bytes.rd32(d, cursor) == StrictZip.centralSig else { throw fail("bad central directory entry") }
            let madeBy = Bytes.rd16(d, cursor + 4), flags = Bytes.rd16(d, cursor + 8), method = Bytes.rd16(d, cursor + 10)
            let crc = Bytes.rd32(d, cursor + 16), csize = Bytes.rd32(d, cursor + 20), usize = Bytes.rd32(d, cursor + 24)
            let nameLen = Bytes.rd16(d, cursor + 28), extraLen = Bytes.rd16(d, cursor + 30), commentLen = Bytes.rd16(d, cursor + 32)
            let external = Bytes.rd32(d, cursor + 38), localOffset = Bytes.rd32(d, cursor + 42)
            let nameStart = cursor + 46
            guard nameStart + nameLen + extraLen + commentLen <= e else { throw fail("truncated central directory") }
            let nameBytes = Array(d[nameStart..<nameStart + nameLen])
            cursor = nameStart + nameLen + extraLen + commentLen
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw EggError("legacy-unsafe-path", "member name is not UTF-8")
            }
            if csize == 0xFFFF_FFFF || usize == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw EggError("legacy-zip64", "ZIP64 entries are not supported: \(name)")
            }
            if flags & 0x1 != 0 { throw fail("encrypted member: \(name)") }
            guard seen.insert(nameBytes).inserted else { throw EggError("legacy-duplicate-member", "duplicate member name: \(name)") }
            // Entry type from the attributes: Unix mode when made on Unix, DOS bits otherwise.
            var kind = LegacyZipEntry.Kind.file
            let host = madeBy >> 8
            let mode = (external >> 16) & 0xFFFF
            if host == 3 && mode != 0 {
                switch mode & 0o170000 {
                case 0o120000: kind = .symlink
                case 0o040000: kind = .directory
                case 0o100000, 0: kind = .file
                default: kind = .special
                }
            }
            if name.hasSuffix("/") || (external & 0x10) != 0 && host != 3 { if kind == .file { kind = .directory } }
            if kind == .directory && (usize != 0 || csize > 2) { throw fail("directory entry carries data: \(name)") }
            guard method == 0 || method == 8 else { throw fail("unsupported compression method \(method): \(name)") }
            if method == 0 && csize != usize { throw fail("stored member sizes disagree: \(name)") }
            if checkLimits && usize > limits.maxEntryBytes {
                throw EggError("legacy-limit-exceeded", "\(name) declares \(usize) bytes, over the per-entry limit of \(limits.maxEntryBytes)")
            }
            totalSize += usize
            if checkLimits && totalSize > limits.maxTotalBytes {
                throw EggError("legacy-limit-exceeded", "declared total size exceeds the limit of \(limits.maxTotalBytes) bytes")
            }
            if checkLimits && method == 8 && usize > 4096 && usize / max(csize, 1) > limits.maxRatio {
                throw EggError("legacy-limit-exceeded", "\(name) has a compression ratio of \(usize / max(csize, 1)):1, over the limit of \(limits.maxRatio):1")
            }
            // Local header: same name; data must sit inside the archive before the central directory.
            guard localOffset + 30 <= cdOffset, Bytes.rd32(d, localOffset) == StrictZip.localSig else { throw fail("bad local header: \(name)") }
            let lNameLen = Bytes.rd16(d, localOffset + 26), lExtraLen = Bytes.rd16(d, localOffset + 28)
            let dataStart = localOffset + 30 + lNameLen + lExtraLen
            guard dataStart + csize <= cdOffset else { throw fail("member data runs past the central directory: \(name)") }
            guard d[(localOffset + 30)..<(localOffset + 30 + lNameLen)].elementsEqual(nameBytes) else {
                throw fail("local and central names differ: \(name)")
            }
            out.append(LegacyZipEntry(name: name, method: method, crc: crc, compressedSize: csize, size: usize,
                                      dataRange: dataStart..<dataStart + csize, kind: kind))
        }
        return out
    }

    /// Inflate (or copy) one member; size and CRC must match what the directory declared.
    static func read(_ entry: LegacyZipEntry, from d: [UInt8]) throws(EggError) -> [UInt8] {
        let raw = d[entry.dataRange]
        var data: [UInt8]
        if entry.method == 0 {
            data = Array(raw)
        } else {
            do { data = try Inflate.inflate(raw, cap: entry.size) } catch { throw fail("\(entry.name): \(error.message)") }
        }
        guard data.count == entry.size else { throw fail("\(entry.name): size differs from the directory") }
        guard Int(CRC32.checksum(data)) == entry.crc else { throw fail("\(entry.name): CRC mismatch") }
        return data
    }

    /// Stored, deterministic writer for `--legacy` packs (a valid ZIP any legacy reader opens).
    static func encode(_ entries: [(name: String, data: [UInt8])]) throws(EggError) -> [UInt8] {
        try StrictZip.encode(entries.map { ($0.name, $0.data[...]) })
    }
}
