/// Well-formed UTF-8 (Unicode's table 3-7, as `String(validating:)` accepts it), eight ASCII
/// bytes at a time: the highlighter checks every agent file, and most of a file is ASCII.
enum UTF8Check {
    static func isValid(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = p.baseAddress else { return true }
        let n = p.count
        var i = 0
        @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && base[i + k] & 0xC0 == 0x80 }
        @inline(__always) func second(_ lo: UInt8, _ hi: UInt8) -> Bool { i + 1 < n && base[i + 1] >= lo && base[i + 1] <= hi }
        while i < n {
            while i + 8 <= n && UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            switch base[i] {
            case 0x00...0x7F: i += 1
            case 0xC2...0xDF: guard cont(1) else { return false }; i += 2
            case 0xE0: guard second(0xA0, 0xBF), cont(2) else { return false }; i += 3
            case 0xE1...0xEC, 0xEE...0xEF: guard cont(1), cont(2) else { return false }; i += 3
            case 0xED: guard second(0x80, 0x9F), cont(2) else { return false }; i += 3
            case 0xF0: guard second(0x90, 0xBF), cont(2), cont(3) else { return false }; i += 4
            case 0xF1...0xF3: guard cont(1), cont(2), cont(3) else { return false }; i += 4
            case 0xF4: guard second(0x80, 0x8F), cont(2), cont(3) else { return false }; i += 4
            default: return false
            }
        }
        return true
    }

    static func isValid(_ a: [UInt8]) -> Bool { a.withUnsafeBufferPointer { isValid($0) } }
}
