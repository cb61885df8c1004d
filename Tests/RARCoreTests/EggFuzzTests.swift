import Foundation
import Testing
@testable import RARCore


@Suite("Robustness: mutated eggs")
struct EggFuzzTests {
    static let bases = [
        "golden/golden-organism.egg", "golden/golden-organism-signed-ed25519.egg", "golden/golden-rapplication.egg",
        "golden/golden-session.egg", "golden/golden-invite-signed-ed25519.egg", "golden/golden-neighborhood.egg",
        "golden/golden-estate.egg", "samples/legacy-2.2-organism--journal.egg", "samples/legacy-rappterbox-cart-0.1--hello.cart.json",
        "adversarial/L05-legacy-organism-secrets.egg", "adversarial/L09-legacy-rapplication-manifest-path-injection.egg",
    ]

    static func mutate(_ b: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var m = b
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:  // byte flips
            for _ in 0..<Int.random(in: 1...8, using: &rng) where !m.isEmpty {
                m[Int.random(in: 0..<m.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
        case 1:  // truncation
            m = Array(m.prefix(Int.random(in: 0...m.count, using: &rng)))
        case 2:  // insertion
            let at = Int.random(in: 0...m.count, using: &rng)
            m.insert(contentsOf: (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
        case 3:  // header-field smash: a 32-bit little-endian value somewhere
            if m.count > 4 {
                let at = Int.random(in: 0..<(m.count - 4), using: &rng)
                let v = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, m.count, Int.random(in: 0...0xFFFF, using: &rng)].randomElement(using: &rng)!
                for k in 0..<4 { m[at + k] = UInt8((v >> (8 * k)) & 0xFF) }
            }
        default:  // duplicate a chunk
            if m.count > 2 {
                let a = Int.random(in: 0..<m.count, using: &rng), len = Int.random(in: 1...min(256, m.count - a), using: &rng)
                m.insert(contentsOf: m[a..<a + len], at: Int.random(in: 0...m.count, using: &rng))
            }
        }
        return m
    }

    static func peakRSSKiB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    @Test("mutations never crash, never write outside the target, stay bounded")
    func fuzz() throws {
        let seeds = try Self.bases.map { try EggFixtures.bytes($0) }
        var rng = SplitMix64(state: 0x5EED_E665)
        let work = TempDir()
        let outside = TempDir()
        try outside.write("sentinel.txt", "untouched")
        var limits = EggLimits()
        limits.maxTotalBytes = 8 << 20
        limits.maxEntryBytes = 4 << 20
        let start = Date()
        let rssBefore = Self.peakRSSKiB()
        var iterations = 0, hatched = 0, accepted = 0
        while Date().timeIntervalSince(start) < 6, iterations < 4000 {
            let base = seeds[iterations % seeds.count]
            var egg = Self.mutate(base, &rng)
            if iterations % 3 == 0 { egg = Self.mutate(egg, &rng) }
            let report = EggInspector.inspect(egg, limits: limits)
            if report.accepted { accepted += 1 }
            _ = report.json().serialized()
            if iterations % 4 == 0 {
                var o = EggHatchOptions(into: work.path + "/t\(iterations)")
                o.limits = limits
                if let r = try? EggHatcher.hatch(egg, options: o) {
                    hatched += 1
                    for p in r.written { #expect(!p.contains("..") && !p.hasPrefix("/")) }
                }
            }
            iterations += 1
        }
        // Everything under the work dir is a target directory; no staging directories survive.
        let top = try FileManager.default.contentsOfDirectory(atPath: work.path)
        #expect(top.allSatisfy { $0.hasPrefix("t") && !$0.contains("rar-stage") }, "\(top.filter { !$0.hasPrefix("t") })")
        #expect(outside.tree() == ["sentinel.txt"])
        #expect(try String(contentsOfFile: outside.path + "/sentinel.txt", encoding: .utf8) == "untouched")
        #expect(iterations > 200, "only \(iterations) iterations")
        // Bounded memory: the peak grew by well under what declared sizes could have asked for.
        let grown = Self.peakRSSKiB() - rssBefore
        #expect(grown < 512 * 1024, "peak RSS grew by \(grown) KiB")
        print("fuzz: \(iterations) mutated eggs, \(accepted) still accepted, \(hatched) hatched")
    }

    @Test("A08's declared 4 GiB is refused before any allocation")
    func hugeDeclared() throws {
        let r = EggInspector.inspect(try EggFixtures.bytes("adversarial/A08-huge-declared-size.egg"))
        #expect(r.strictCode == "invalid-zip" && !r.accepted)
    }
}
