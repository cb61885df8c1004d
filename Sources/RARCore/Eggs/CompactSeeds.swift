/// The compact `rapp-egg/1.0` seed string: seeds as big-endian integers, concatenated, base64url
/// without padding. 8 bytes each while every seed is below 2^64; otherwise 9 bytes each behind `v2.`.
public enum CompactSeeds {
    /// Seeds carry at most 66 bits (bit 64 frontier, bit 65 extended category list).
    public static let maxSeedBits = 66
    public static let v2Prefix = "v2."

    public static func encodeCompact(seeds: [UInt128]) throws(EggError) -> String {
        guard !seeds.isEmpty else { throw EggError("invalid-compact-egg", "a compact egg needs at least one seed") }
        if let big = seeds.first(where: { $0 >> maxSeedBits != 0 }) {
            throw EggError("invalid-compact-egg", "seed \(big) exceeds \(maxSeedBits) bits")
        }
        let wide = seeds.contains { $0 >> 64 != 0 }
        let width = wide ? 9 : 8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(seeds.count * width)
        for s in seeds {
            for k in stride(from: width - 1, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: s >> (8 * k))) }
        }
        return (wide ? v2Prefix : "") + Base64URL.encode(bytes)
    }

    /// Strict decoding: the exact alphabet, no padding, zero trailing bits, a whole number of
    /// seeds, at least one seed, and the canonical width (no `v2.` unless a seed needs it).
    public static func decodeCompact(_ text: String) throws(EggError) -> [UInt128] {
        var body = Substring(text)
        let wide = body.utf8.starts(with: v2Prefix.utf8)
        if wide { body = body.dropFirst(v2Prefix.count) }
        guard !body.isEmpty else { throw EggError("invalid-compact-egg", "compact egg is empty") }
        guard body.utf8.allSatisfy({ Base64URL.reverse[Int($0)] >= 0 }) else {
            throw EggError("invalid-compact-egg", "compact egg contains characters outside base64url (no padding allowed)")
        }
        guard let bytes = Base64URL.decodeCanonical(String(body)) else {
            throw EggError("invalid-compact-egg", "compact egg is not canonical base64url (length or trailing bits)")
        }
        let width = wide ? 9 : 8
        guard !bytes.isEmpty, bytes.count % width == 0 else {
            throw EggError("invalid-compact-egg", "compact egg payload has an invalid byte length (\(bytes.count) is not a multiple of \(width))")
        }
        var seeds: [UInt128] = []
        for start in stride(from: 0, to: bytes.count, by: width) {
            var v: UInt128 = 0
            for b in bytes[start..<start + width] { v = v << 8 | UInt128(b) }
            if v >> maxSeedBits != 0 { throw EggError("invalid-compact-egg", "seed \(v) exceeds \(maxSeedBits) bits") }
            seeds.append(v)
        }
        if wide && !seeds.contains(where: { $0 >> 64 != 0 }) {
            throw EggError("invalid-compact-egg", "v2. form used although every seed fits in 64 bits (non-canonical)")
        }
        return seeds
    }

    /// True when text looks like a compact egg at all (for input sniffing; decoding stays strict).
    public static func looksCompact(_ text: String) -> Bool {
        var body = Substring(text)
        if body.utf8.starts(with: v2Prefix.utf8) { body = body.dropFirst(v2Prefix.count) }
        return !body.isEmpty && body.utf8.allSatisfy { Base64URL.reverse[Int($0)] >= 0 }
    }

    /// Parse a decimal or 0x-hex seed.
    public static func parseSeed(_ s: String) -> UInt128? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt128(s.dropFirst(2), radix: 16) }
        return UInt128(s, radix: 10)
    }
}
