/// A small RFC 1951 (raw deflate) decoder for reading legacy eggs. Output is capped: the caller
/// gives the exact size it expects and decoding stops as soon as that would be exceeded.
enum Inflate {
    struct Failure: Error { let message: String }

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]
        init(lengths: ArraySlice<Int>) throws(Failure) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for l in lengths { counts[l] += 1 }
            var left = 1
            for len in 1..<16 {
                left <<= 1
                left -= counts[len]
                if left < 0 { throw Failure(message: "over-subscribed Huffman code") }
            }
            var offs = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offs[len + 1] = offs[len] + counts[len] }
            for (sym, l) in lengths.enumerated() where l != 0 {
                symbols[offs[l]] = sym
                offs[l] += 1
            }
        }
    }

    private struct State {
        let input: ArraySlice<UInt8>
        var pos: Int
        var bitBuf = 0
        var bitCount = 0
        var out: [UInt8] = []
        let cap: Int

        init(_ input: ArraySlice<UInt8>, cap: Int) {
            self.input = input
            pos = input.startIndex
            self.cap = cap
        }

        mutating func bits(_ need: Int) throws(Failure) -> Int {
            var val = bitBuf
            while bitCount < need {
                guard pos < input.endIndex else { throw Failure(message: "truncated deflate stream") }
                val |= Int(input[pos]) << bitCount
                pos += 1
                bitCount += 8
            }
            bitBuf = val >> need
            bitCount -= need
            return val & ((1 << need) - 1)
        }

        mutating func decode(_ h: Huffman) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for len in 1..<16 {
                code |= try bits(1)
                let count = h.counts[len]
                if code - count < first { return h.symbols[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw Failure(message: "invalid Huffman code")
        }

        mutating func emit(_ b: UInt8) throws(Failure) {
            if out.count >= cap { throw Failure(message: "inflated data exceeds its declared size") }
            out.append(b)
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Decode a raw deflate stream into at most `cap` bytes.
    static func inflate(_ input: ArraySlice<UInt8>, cap: Int) throws(Failure) -> [UInt8] {
        var s = State(input, cap: cap)
        s.out.reserveCapacity(min(cap, input.count * 8 + 4096))
        let fixed = try fixedTables()
        var last = 0
        repeat {
            last = try s.bits(1)
            let type = try s.bits(2)
            switch type {
            case 0:
                s.bitBuf = 0
                s.bitCount = 0
                guard s.pos + 4 <= input.endIndex else { throw Failure(message: "truncated stored block") }
                let len = Int(input[s.pos]) | Int(input[s.pos + 1]) << 8
                let nlen = Int(input[s.pos + 2]) | Int(input[s.pos + 3]) << 8
                guard len == (~nlen & 0xFFFF) else { throw Failure(message: "stored block length mismatch") }
                s.pos += 4
                guard s.pos + len <= input.endIndex else { throw Failure(message: "truncated stored block") }
                guard s.out.count + len <= cap else { throw Failure(message: "inflated data exceeds its declared size") }
                s.out += input[s.pos..<s.pos + len]
                s.pos += len
            case 1:
                try codes(&s, fixed.0, fixed.1)
            case 2:
                let t = try dynamicTables(&s)
                try codes(&s, t.0, t.1)
            default:
                throw Failure(message: "invalid deflate block type")
            }
        } while last == 0
        return s.out
    }

    private static func codes(_ s: inout State, _ lencode: Huffman, _ distcode: Huffman) throws(Failure) {
        while true {
            var sym = try s.decode(lencode)
            if sym < 256 {
                try s.emit(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                sym -= 257
                guard sym < 29 else { throw Failure(message: "invalid length symbol") }
                let len = lengthBase[sym] + (try s.bits(lengthExtra[sym]))
                let dsym = try s.decode(distcode)
                guard dsym < 30 else { throw Failure(message: "invalid distance symbol") }
                let dist = distBase[dsym] + (try s.bits(distExtra[dsym]))
                guard dist <= s.out.count else { throw Failure(message: "distance too far back") }
                guard s.out.count + len <= s.cap else { throw Failure(message: "inflated data exceeds its declared size") }
                let start = s.out.count - dist
                for k in 0..<len { s.out.append(s.out[start + k]) }
            }
        }
    }

    private static func fixedTables() throws(Failure) -> (Huffman, Huffman) {
        var l = [Int](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        let lencode = try Huffman(lengths: l[...])
        let distcode = try Huffman(lengths: [Int](repeating: 5, count: 30)[...])
        return (lencode, distcode)
    }

    private static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func dynamicTables(_ s: inout State) throws(Failure) -> (Huffman, Huffman) {
        let nlen = try s.bits(5) + 257, ndist = try s.bits(5) + 1, ncode = try s.bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw Failure(message: "bad code counts") }
        var lengths = [Int](repeating: 0, count: 320)
        for i in 0..<ncode { lengths[order[i]] = try s.bits(3) }
        let lencodeCL = try Huffman(lengths: lengths[0..<19])
        var index = 0
        while index < nlen + ndist {
            var sym = try s.decode(lencodeCL)
            if sym < 16 {
                lengths[index] = sym
                index += 1
            } else {
                var len = 0
                if sym == 16 {
                    guard index > 0 else { throw Failure(message: "repeat with no first length") }
                    len = lengths[index - 1]
                    sym = 3 + (try s.bits(2))
                } else if sym == 17 {
                    sym = 3 + (try s.bits(3))
                } else {
                    sym = 11 + (try s.bits(7))
                }
                guard index + sym <= nlen + ndist else { throw Failure(message: "too many lengths") }
                for _ in 0..<sym { lengths[index] = len; index += 1 }
            }
        }
        guard lengths[256] != 0 else { throw Failure(message: "no end-of-block code") }
        let lencode = try Huffman(lengths: lengths[0..<nlen])
        let distcode = try Huffman(lengths: lengths[nlen..<(nlen + ndist)])
        return (lencode, distcode)
    }
}
