import Foundation

/// CRC-32 (IEEE), slicing-by-8.
enum CRC32 {
    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    static func checksum(_ data: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
        let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
        data.withUnsafeBufferPointer { buf in
            var i = 0
            let n = buf.count
            while i + 8 <= n {
                let a = c ^ (UInt32(buf[i]) | UInt32(buf[i + 1]) << 8 | UInt32(buf[i + 2]) << 16 | UInt32(buf[i + 3]) << 24)
                c = t7[Int(a & 0xFF)] ^ t6[Int((a >> 8) & 0xFF)] ^ t5[Int((a >> 16) & 0xFF)] ^ t4[Int(a >> 24)]
                    ^ t3[Int(buf[i + 4])] ^ t2[Int(buf[i + 5])] ^ t1[Int(buf[i + 6])] ^ t0[Int(buf[i + 7])]
                i += 8
            }
            while i < n {
                c = t0[Int((c ^ UInt32(buf[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return c ^ 0xFFFF_FFFF
    }
    static func checksum(_ data: [UInt8]) -> UInt32 { checksum(data[...]) }
}

/// One archive member: its name and where its stored bytes sit in the egg.
public struct EggZipMember: Sendable {
    public let name: String
    public let range: Range<Int>
}

/// The deterministic stored ZIP form of RAPP/1 eggs (eggs.md §3.2), written and read strictly.
public enum StrictZip {
    static let localSig = 0x0403_4B50, centralSig = 0x0201_4B50, eocdSig = 0x0605_4B50
    static let utf8Flag = 0x0800, version = 20, dosDate = 0x0021

    /// Deterministic encoder. Entries go in the order given.
    public static func encode(_ entries: [(name: String, data: ArraySlice<UInt8>)]) throws(EggError) -> [UInt8] {
        try encode(entries.map { ($0.name, $0.data, nil) })
    }

    /// Same, with CRCs the caller already computed (nil: compute here).
    static func encode(_ entries: [(name: String, data: ArraySlice<UInt8>, crc: UInt32?)]) throws(EggError) -> [UInt8] {
        if entries.count > 0xFFFF { throw EggError("zip64-forbidden", "ZIP64 entry counts are not supported") }
        var total = 22
        for e in entries { total += 30 + 46 + 2 * e.name.utf8.count + e.data.count }
        var out = [UInt8]()
        out.reserveCapacity(total)
        var central = [UInt8]()
        var offset = 0
        for e in entries {
            let name = Array(e.name.utf8)
            if name.count > 0xFFFF || e.data.count > 0xFFFF_FFFF { throw EggError("zip64-forbidden", "ZIP64 sizes are not supported") }
            let crc = Int(e.crc ?? CRC32.checksum(e.data))
            out += localHeader(name: name, crc: crc, size: e.data.count)
            out += name
            out += e.data
            central += centralHeader(name: name, crc: crc, size: e.data.count, offset: offset)
            central += name
            offset += 30 + name.count + e.data.count
        }
        if offset > 0xFFFF_FFFF || offset + central.count > 0xFFFF_FFFF { throw EggError("zip64-forbidden", "ZIP64 offsets are not supported") }
        out += central
        out += eocd(count: entries.count, centralSize: central.count, centralOffset: offset)
        return out
    }

    static func localHeader(name: [UInt8], crc: Int, size: Int) -> [UInt8] {
        var h = [UInt8]()
        h.reserveCapacity(30)
        Bytes.le32(localSig, into: &h); Bytes.le16(version, into: &h); Bytes.le16(utf8Flag, into: &h)
        Bytes.le16(0, into: &h); Bytes.le16(0, into: &h); Bytes.le16(dosDate, into: &h)
        Bytes.le32(crc, into: &h); Bytes.le32(size, into: &h); Bytes.le32(size, into: &h)
        Bytes.le16(name.count, into: &h); Bytes.le16(0, into: &h)
        return h
    }

    static func centralHeader(name: [UInt8], crc: Int, size: Int, offset: Int) -> [UInt8] {
        var h = [UInt8]()
        h.reserveCapacity(46)
        Bytes.le32(centralSig, into: &h); Bytes.le16(version, into: &h); Bytes.le16(version, into: &h)
        Bytes.le16(utf8Flag, into: &h); Bytes.le16(0, into: &h); Bytes.le16(0, into: &h); Bytes.le16(dosDate, into: &h)
        Bytes.le32(crc, into: &h); Bytes.le32(size, into: &h); Bytes.le32(size, into: &h)
        Bytes.le16(name.count, into: &h); Bytes.le16(0, into: &h); Bytes.le16(0, into: &h); Bytes.le16(0, into: &h)
        Bytes.le16(0, into: &h); Bytes.le32(0, into: &h); Bytes.le32(offset, into: &h)
        return h
    }

    static func eocd(count: Int, centralSize: Int, centralOffset: Int) -> [UInt8] {
        var h = [UInt8]()
        Bytes.le32(eocdSig, into: &h); Bytes.le16(0, into: &h); Bytes.le16(0, into: &h)
        Bytes.le16(count, into: &h); Bytes.le16(count, into: &h)
        Bytes.le32(centralSize, into: &h); Bytes.le32(centralOffset, into: &h); Bytes.le16(0, into: &h)
        return h
    }

    private static func need(_ d: [UInt8], _ offset: Int, _ length: Int, _ label: String) throws(EggError) {
        if offset < 0 || length < 0 || offset + length > d.count { throw EggError("invalid-zip", "truncated \(label)") }
    }

    static func decodeName(_ bytes: ArraySlice<UInt8>) throws(EggError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw EggError("invalid-zip-name", "ZIP filename is not UTF-8") }
        return s
    }

    /// Strict decode, checks in the reference core's order. Never allocates from declared sizes.
    public static func decode(_ d: [UInt8]) throws(EggError) -> [EggZipMember] { try decode(d, verifyCRC: true) }

    static func decode(_ d: [UInt8], verifyCRC: Bool) throws(EggError) -> [EggZipMember] {
        guard d.count >= 22 else { throw EggError("invalid-zip", "ZIP is too short") }
        let e = d.count - 22
        let total = Bytes.rd16(d, e + 10)
        let cdSize = Bytes.rd32(d, e + 12), cdOffset = Bytes.rd32(d, e + 16)
        if Bytes.rd32(d, e) != eocdSig || Bytes.rd16(d, e + 4) != 0 || Bytes.rd16(d, e + 6) != 0
            || Bytes.rd16(d, e + 8) != total || Bytes.rd16(d, e + 20) != 0 || cdOffset + cdSize != e
        {
            throw EggError("invalid-zip-metadata", "ZIP EOCD is not the deterministic RAPP form")
        }
        struct Central { var name: String; var nameBytes: ArraySlice<UInt8>; var crc: Int; var size: Int; var offset: Int; var headerStart: Int }
        var entries: [Central] = []
        entries.reserveCapacity(total)
        var cursor = cdOffset
        for _ in 0..<total {
            try need(d, cursor, 46, "central header")
            let h = cursor
            let flags = Bytes.rd16(d, h + 8), method = Bytes.rd16(d, h + 10)
            let time = Bytes.rd16(d, h + 12), date = Bytes.rd16(d, h + 14)
            let crc = Bytes.rd32(d, h + 16), csize = Bytes.rd32(d, h + 20), usize = Bytes.rd32(d, h + 24)
            let nameLen = Bytes.rd16(d, h + 28), extraLen = Bytes.rd16(d, h + 30), commentLen = Bytes.rd16(d, h + 32)
            let disk = Bytes.rd16(d, h + 34), localOffset = Bytes.rd32(d, h + 42)
            cursor += 46
            try need(d, cursor, nameLen, "central filename")
            let nameBytes = d[cursor..<cursor + nameLen]
            cursor += nameLen
            try need(d, cursor, extraLen + commentLen, "central extras")
            cursor += extraLen + commentLen
            if Bytes.rd32(d, h) != centralSig || flags != utf8Flag || method != 0 || time != 0 || date != dosDate
                || csize != usize || extraLen != 0 || commentLen != 0 || disk != 0
            {
                throw EggError("invalid-zip-metadata", "central entry is not stored/epoch/UTF-8/no-extras")
            }
            entries.append(Central(name: try decodeName(nameBytes), nameBytes: nameBytes, crc: crc, size: usize, offset: localOffset, headerStart: h))
        }
        if cursor != cdOffset + cdSize { throw EggError("invalid-zip", "central directory size is inconsistent") }
        var seen = Set<[UInt8]>()
        for c in entries where !seen.insert(Array(c.nameBytes)).inserted {
            throw EggError("duplicate-zip-member", "ZIP contains duplicate member names")
        }
        var members: [EggZipMember] = []
        members.reserveCapacity(entries.count)
        var expected = 0
        var nonCanonical = false
        for c in entries {
            if c.offset != expected { throw EggError("invalid-zip-order", "local entries are not contiguous central order") }
            try need(d, c.offset, 30, "local header")
            let h = c.offset
            let needed = Bytes.rd16(d, h + 4), flags = Bytes.rd16(d, h + 6), method = Bytes.rd16(d, h + 8)
            let time = Bytes.rd16(d, h + 10), date = Bytes.rd16(d, h + 12), crc = Bytes.rd32(d, h + 14)
            let csize = Bytes.rd32(d, h + 18), usize = Bytes.rd32(d, h + 22)
            let nameLen = Bytes.rd16(d, h + 26), extraLen = Bytes.rd16(d, h + 28)
            let nameOffset = h + 30
            try need(d, nameOffset, nameLen, "local filename")
            try need(d, nameOffset + nameLen, extraLen, "local extra")
            let body = nameOffset + nameLen + extraLen
            try need(d, body, csize, "member data")
            var bad = Bytes.rd32(d, h) != localSig || flags != utf8Flag || method != 0 || time != 0 || date != dosDate
                || crc != c.crc || csize != c.size || usize != c.size || extraLen != 0
            if !bad {
                let local = d[nameOffset..<nameOffset + nameLen]
                _ = try decodeName(local)
                bad = !local.elementsEqual(c.nameBytes)
            }
            if !bad && verifyCRC { bad = Int(CRC32.checksum(d[body..<body + csize])) != crc }
            if bad { throw EggError("invalid-zip-metadata", "local entry differs from deterministic central metadata") }
            // Fields the reference only catches by re-encoding at the end: versions, host, attributes.
            if needed != version
                || !d[c.headerStart..<c.headerStart + 46].elementsEqual(centralHeader(name: Array(c.nameBytes), crc: crc, size: c.size, offset: c.offset))
            {
                nonCanonical = true
            }
            members.append(EggZipMember(name: c.name, range: body..<body + csize))
            expected = body + csize
        }
        if expected != cdOffset { throw EggError("invalid-zip", "unexpected octets before central directory") }
        if nonCanonical { throw EggError("invalid-zip-metadata", "ZIP bytes differ from the deterministic RAPP encoding") }
        return members
    }
}
