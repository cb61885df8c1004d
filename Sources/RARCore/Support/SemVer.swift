/// Semantic versions (semver.org 2.0) with precedence ordering; build metadata is ignored.
public struct SemVer: Comparable, Sendable, CustomStringConvertible {
    public var major: Int, minor: Int, patch: Int
    public var prerelease: [String]
    public var build: String?
    public let description: String

    public init?(_ text: String) {
        guard text.utf8.count <= 128, !text.isEmpty else { return nil }
        var core = Substring(text)
        if let plus = core.firstIndex(of: "+") {
            let b = core[core.index(after: plus)...]
            guard SemVer.idents(b, numericRule: false) != nil else { return nil }
            build = String(b); core = core[..<plus]
        }
        var pre: [String] = []
        if let dash = core.firstIndex(of: "-") {
            guard let p = SemVer.idents(core[core.index(after: dash)...], numericRule: true) else { return nil }
            pre = p; core = core[..<dash]
        }
        let nums = core.split(separator: ".", omittingEmptySubsequences: false)
        guard nums.count == 3 else { return nil }
        var v: [Int] = []
        for n in nums {
            guard !n.isEmpty, n.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), n == "0" || !n.hasPrefix("0"), let i = Int(n) else { return nil }
            v.append(i)
        }
        major = v[0]; minor = v[1]; patch = v[2]; prerelease = pre; description = text
    }

    /// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading zeros when `numericRule`.
    private static func idents(_ s: Substring, numericRule: Bool) -> [String]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        for p in parts {
            guard !p.isEmpty, p.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }) else { return nil }
            if numericRule, p.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), p.count > 1, p.hasPrefix("0") { return nil }
        }
        return parts.map(String.init)
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }

    public static func < (a: SemVer, b: SemVer) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) { return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
        if a.prerelease.isEmpty != b.prerelease.isEmpty { return !a.prerelease.isEmpty }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            switch (Int(x), Int(y)) {
            case let (i?, j?): return i < j
            case (_?, nil): return true
            case (nil, _?): return false
            default: return x < y
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    public static func == (a: SemVer, b: SemVer) -> Bool { !(a < b) && !(b < a) }

    /// The newest of `versions`, preferring releases over pre-releases.
    public static func newest(_ versions: [String]) -> String? {
        let parsed = versions.compactMap { SemVer($0) }
        let releases = parsed.filter { !$0.isPrerelease }
        return (releases.isEmpty ? parsed : releases).max()?.description
    }
}
