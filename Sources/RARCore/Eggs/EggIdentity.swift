import Crypto
import Foundation

/// Domain-separated SHA-256 addresses: SHA-256(space || 0x0A || bytes), lowercase hex.
public enum EggHash {
    public static let fileSpace = "rapp/1:egg"
    public static let manifestSpace = "rapp/1:egg-manifest"
    public static let rappidSpace = "rapp/1:rappid"

    /// Hb(space, bytes).
    public static func bytes(_ space: String, _ data: some DataProtocol) -> String {
        var h = SHA256()
        h.update(data: Array(space.utf8) + [0x0A])
        h.update(data: data)
        return Bytes.hex(h.finalize())
    }

    /// H(space, value): over the value's canonical JSON.
    public static func value(_ space: String, _ v: JSONValue) throws(EggError) -> String {
        bytes(space, try CanonicalJSON.canonicalBytes(v))
    }

    /// Plain SHA-256 hex (legacy hashes).
    public static func sha256(_ data: some DataProtocol) -> String { Bytes.hex(SHA256.hash(data: data)) }
}

/// A RAPP/1 rappid: `rappid:@<owner>/<slug>:<64 lowercase hex>`.
public struct Rappid: Equatable, Sendable, CustomStringConvertible {
    public let owner: String
    public let slug: String
    public let tail: String
    public var description: String { "rappid:@\(owner)/\(slug):\(tail)" }

    /// Strict parse; nil for anything outside the RAPP/1 grammar (legacy forms included).
    public init?(_ s: String) {
        let u = Array(s.utf8)
        let prefix = Array("rappid:@".utf8)
        guard u.count > prefix.count, u.starts(with: prefix) else { return nil }
        let rest = u[prefix.count...]
        guard let slash = rest.firstIndex(of: 0x2F) else { return nil }
        let afterSlash = rest[(slash + 1)...]
        guard let colon = afterSlash.firstIndex(of: 0x3A) else { return nil }
        let owner = String(decoding: rest[..<slash], as: UTF8.self)
        let slug = String(decoding: afterSlash[..<colon], as: UTF8.self)
        let tail = String(decoding: afterSlash[(colon + 1)...], as: UTF8.self)
        guard Rappid.isLabel(owner, max: 39), Rappid.isLabel(slug, max: 100), Bytes.isLowerHex64(tail) else { return nil }
        self.owner = owner
        self.slug = slug
        self.tail = tail
    }

    public init?(owner: String, slug: String, tail: String) {
        self.init("rappid:@\(owner)/\(slug):\(tail)")
    }

    /// `[a-z0-9]+(-[a-z0-9]+)*`, 1...max characters.
    public static func isLabel(_ s: String, max: Int) -> Bool {
        let u = Array(s.utf8)
        guard (1...max).contains(u.count), u.first != 0x2D, u.last != 0x2D else { return false }
        var prevHyphen = false
        for c in u {
            if c == 0x2D {
                if prevHyphen { return false }
                prevHyphen = true
            } else if (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) {
                prevHyphen = false
            } else { return false }
        }
        return true
    }

    /// Sub-egg file name inside a neighborhood or estate.
    public var memberFileName: String { "\(owner)--\(slug).egg" }

    /// Keyless mint: tail = Hb("rapp/1:rappid", 16 random UUIDv4 bytes).
    public static func mintKeyless(owner: String, slug: String) -> Rappid? {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        return Rappid(owner: owner, slug: slug, tail: EggHash.bytes(EggHash.rappidSpace, b))
    }

    /// Keyed mint: tail = Hb("rapp/1:rappid", SPKI DER).
    public static func mintKeyed(owner: String, slug: String, spkiDER: [UInt8]) -> Rappid? {
        Rappid(owner: owner, slug: slug, tail: EggHash.bytes(EggHash.rappidSpace, spkiDER))
    }
}

/// The fixed 24-byte UTC form `YYYY-MM-DDTHH:MM:SS.mmmZ`.
public enum EggUTC {
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 24 else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        for (c, p) in zip(u, shape) {
            if p == UInt8(ascii: "d") { guard (0x30...0x39).contains(c) else { return false } } else if c != p { return false }
        }
        func num(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(u[$1] - 0x30) } }
        let y = num(0..<4), mo = num(5..<7), d = num(8..<10), h = num(11..<13), mi = num(14..<16), sec = num(17..<19)
        guard y >= 1, (1...12).contains(mo), h <= 23, mi <= 59, sec <= 59 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
        return (1...days).contains(d)
    }

    /// Now, in the fixed form (milliseconds, UTC).
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let ms = (c.nanosecond ?? 0) / 1_000_000
        func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(c.year!, 4))-\(p(c.month!, 2))-\(p(c.day!, 2))T\(p(c.hour!, 2)):\(p(c.minute!, 2)):\(p(c.second!, 2)).\(p(ms, 3))Z"
    }
}
