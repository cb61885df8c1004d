import Foundation

/// A refusal with a stable machine-readable code (the reference strict core's codes for RAPP/1,
/// `legacy-*` codes for the legacy importer, `io-*`/`usage-*` for local problems).
public struct EggError: Error, CustomStringConvertible, Equatable, Sendable {
    public let code: String
    public let message: String
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }

    /// True for local problems (I/O, usage) rather than a bad egg.
    public var isLocalProblem: Bool { code.hasPrefix("io-") || code.hasPrefix("usage-") }
}

/// Byte helpers shared by the egg code.
enum Bytes {
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func fromHex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        func nib(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var i = 0
        while i < u.count {
            guard let h = nib(u[i]), let l = nib(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    static func isLowerHex64(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 64 && u.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Byte-wise (UTF-8) comparison: Swift's `==` on String uses canonical equivalence.
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    static func le16(_ v: Int, into out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF))
    }
    static func le32(_ v: Int, into out: inout [UInt8]) {
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((v >> s) & 0xFF)) }
    }
    static func rd16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func rd32(_ b: [UInt8], _ o: Int) -> Int {
        Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
    }
}

/// A String compared and hashed by its UTF-8 bytes (never by canonical equivalence).
struct ByteKey: Hashable {
    let bytes: [UInt8]
    init(_ s: String) { bytes = Array(s.utf8) }
}
