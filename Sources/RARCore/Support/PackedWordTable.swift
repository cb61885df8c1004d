/// A fixed map from short words packed into a `UInt64` to small values, for the per-identifier
/// lookups of the tokenizer and the highlighter: open addressing with a multiplicative hash,
/// a few instructions a lookup where a `Set` or `Dictionary` runs SipHash.
struct PackedWordTable<Value: Sendable>: Sendable {
    private static var empty: UInt64 { .max }
    private let keys: [UInt64]
    private let values: [Value?]
    private let shift: UInt64
    private let mask: Int

    /// `pairs` must not use `UInt64.max` as a key (it marks an empty slot, and finds nothing).
    init(_ pairs: [(UInt64, Value)]) {
        var bits = 3
        while (1 << bits) < 4 * pairs.count { bits += 1 }  // at most a quarter full
        var keys = [UInt64](repeating: PackedWordTable.empty, count: 1 << bits)
        var values = [Value?](repeating: nil, count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
        for (k, v) in pairs {
            precondition(k != PackedWordTable.empty)
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[i] != PackedWordTable.empty && keys[i] != k { i = (i + 1) & mask }
            keys[i] = k
            values[i] = v
        }
        self.keys = keys
        self.values = values
    }

    @inline(__always)
    subscript(_ code: UInt64) -> Value? {
        var i = Int(truncatingIfNeeded: (code &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[i]
            if k == PackedWordTable.empty { return nil }
            if k == code { return values[i] }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    func contains(_ code: UInt64) -> Bool { self[code] != nil }
}
