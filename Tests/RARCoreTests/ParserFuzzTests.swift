import Foundation
import Testing
@testable import RARCore

/// Random and mutated inputs: the reader never crashes or hangs, and always answers with a
/// value or a classified error.
@Suite struct ParserFuzzTests {
    static let knownCodes: Set<String> = ["decode_error", "null_bytes", "syntax_error", "parser_limit", "not_found",
                                           "not_literal", "unhashable", "none_value", "too_large"]
    static let fragments: [[UInt8]] = ["(", ")", "[", "]", "{", "}", ":", ",", "'", "\"", "\"\"\"", "\\", "\n", "    ", "\t",
                                       "#", "=", "*", "**", "f'", "b'", "r'", "{x}", "0x", "1e", "_", "é", "\u{FEFF}", "\0",
                                       "lambda", "if", "else", "await", "yield", ":=", "...", "@", "\r", "\u{00A0}", "\\N{",
                                       "__manifest__ = ", "async def f(): pass\n", "class A:\n", "-" ].map { Array($0.utf8) }

    static func seeds() -> [[UInt8]] {
        ManifestConformanceTests.adversarialRows().map { ManifestConformanceTests.sourceBytes($0.fixture) }.filter { $0.count < 20_000 }
    }

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let pos = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: if !b.isEmpty { b.remove(at: pos) }
            case 1: b.insert(contentsOf: fragments.randomElement(using: &rng)!, at: pos)
            case 2: if !b.isEmpty { b[pos] = UInt8.random(in: 0...255, using: &rng) }
            case 3: if b.count > 2 { let end = min(b.count, pos + Int.random(in: 1...40, using: &rng)); b.removeSubrange(pos..<end) }
            default: if !b.isEmpty { let end = min(b.count, pos + 30); b.insert(contentsOf: b[pos..<end], at: pos) }
            }
        }
        return b
    }

    @Test func mutatedInputsAlwaysClassified() throws {
        var rng = SplitMix64(state: 0xC0FFEE)
        let seeds = Self.seeds()
        try #require(!seeds.isEmpty, "no seed files (the conformance fixtures beside the project)")
        let deadline = Date().addingTimeInterval(6)
        var n = 0
        while Date() < deadline && n < 20_000 {
            let input = Self.mutate(seeds[n % seeds.count], &rng)
            let file = AgentFile(path: "fuzz_agent.py", bytes: input)
            let m = file.manifest
            #expect(m.value != nil || Self.knownCodes.contains(m.errorCode ?? ""), "unclassified result for input #\(n)")
            _ = Validator().validate(file)
            n += 1
        }
        #expect(n > 200)
    }

    @Test func randomBytesAlwaysClassified() {
        var rng = SplitMix64(state: 42)
        for n in 0..<3000 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...64, using: &rng) {
                if Bool.random(using: &rng) { input += Self.fragments.randomElement(using: &rng)! } else { input.append(UInt8.random(in: 0x20...0x7E, using: &rng)) }
            }
            let m = AgentFile(path: "r_agent.py", bytes: input).manifest
            #expect(m.value != nil || Self.knownCodes.contains(m.errorCode ?? ""), "input #\(n)")
        }
    }

    /// Hostile nesting ends in a classified error, not a stack overflow.
    /// Keywords are matched as written: a fullwidth spelling is a name (NFKC-normalised), as
    /// CPython 3.11 parses it, so `ｐａｓｓ` is an expression and `ｒｅｔｕｒｎ 1` a syntax error.
    @Test func keywordsAreMatchedAsWritten() {
        let name = AgentFile(path: "a.py", bytes: Array("\u{FF50}\u{FF41}\u{FF53}\u{FF53}\n".utf8))
        #expect(name.parseError == nil)
        if case .expr(let e)? = name.module?.body.first?.kind, case .name(let id) = e.kind { #expect(id == "pass") } else { Issue.record("not a Name") }
        let ret = AgentFile(path: "b.py", bytes: Array("def f():\n    \u{FF52}\u{FF45}\u{FF54}\u{FF55}\u{FF52}\u{FF4E} 1\n".utf8))
        #expect(ret.parseError?.message == "invalid syntax" && ret.parseError?.line == 2)
    }

    /// The f-string shortcut accepts only what the full expression parse accepts.
    @Test func fStringSimplePrimariesAreExpressions() throws {
        var rng = SplitMix64(state: 0xF57)
        let atoms = ["a", "b_1", "_", "self", "x", ".", ".", "[", "]", "(", ")", ",", ", ", " ", "'k'", "\"k\"", "'", "0", "00", "7", "12", "1.5", "0x1",
                     "None", "if", "lambda", "match", "1", "9x", "é", "continue", "nonlocal", "abcdefghi", "\\", "'a\nb'", "''", "+", "="]
        var fast = 0
        for _ in 0..<6000 {
            let s = (0..<Int(rng.next() % 8) + 1).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            guard Parser.isSimplePrimary(s.unicodeScalars.map(\.value)) else { continue }
            fast += 1
            let wrapped = try SourceText(bytes: Array("(\(s))".utf8), sizeLimit: Int.max)
            var parser = Parser(tokens: try Tokenizer.tokenize(wrapped), source: wrapped)
            _ = try parser.starExpressions()
            #expect(parser.cur.kind == .newline || parser.cur.kind == .endmarker, "\(s.debugDescription)")
        }
        #expect(fast > 300)
        for bad in ["if", "a.if", "a.", ".a", "a..b", "1a", "a.None", "", "  ", "a b", "é", "a[01]", "a[1a]", "a['x]", "a(b,)", "a[]", "a(,)", "f(1.5)"] {
            #expect(!Parser.isSimplePrimary(bad.unicodeScalars.map(\.value)), "\(bad)")
        }
        for good in [" self.name ", "row['id']", "len(items)", "x.get('k', 0)", "a[0].b(c)(d)", "f()"] {
            #expect(Parser.isSimplePrimary(good.unicodeScalars.map(\.value)), "\(good)")
        }
        // Through the whole file: a keyword still fails where Python fails.
        #expect(AgentFile(path: "f.py", bytes: Array("x = f'{a.if}'\n".utf8)).parseError != nil)
        #expect(AgentFile(path: "f.py", bytes: Array("x = f'{a.b} {c[\"k\"]}'\n".utf8)).parseError == nil)
    }

    /// Source decoding (eight plain bytes at a time where it can) gives the scalars and line
    /// starts of a plain decode with CR LF and CR made LF.
    @Test func sourceTextDecodesAsStringsDo() throws {
        var rng = SplitMix64(state: 0x50_0C3)
        let atoms = ["a", "abcdefgh", "x = 1", "\n", "\r\n", "\r", "é", "😀", "    ", "\t", "0123456789abcdef"]
        for _ in 0..<3000 {
            let s = (0..<Int(rng.next() % 24)).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            let t = try SourceText(bytes: Array(s.utf8))
            let normal = s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            let scalars = normal.unicodeScalars.map(\.value)
            #expect(Array(t.scalars) == scalars, "\(s.debugDescription)")
            #expect(t.lineStarts == [0] + scalars.indices.filter { scalars[$0] == 0x0A }.map { $0 + 1 }, "\(s.debugDescription)")
        }
        #expect(throws: PySyntaxError.self) { try SourceText(bytes: Array("abcdefgh\u{0}abcdefgh".utf8)) }
    }

    /// The packed-word table answers as a dictionary of the same pairs does.
    @Test func packedWordTableMatchesDictionary() {
        var rng = SplitMix64(state: 0x7AB1E)
        for size in [0, 1, 7, 40, 300] {
            var d: [UInt64: Int] = [:]
            while d.count < size { d[rng.next() % 5000] = Int(rng.next() % 100) }
            let t = PackedWordTable(d.map { ($0.key, $0.value) })
            for k in 0..<UInt64(6000) { #expect(t[k] == d[k]) }
            #expect(t[.max] == nil)
        }
    }

    /// The UTF-8 check agrees with the standard library's on every lead byte with every second
    /// byte, on truncated sequences at each offset of an ASCII run, and on random bytes.
    @Test func utf8CheckMatchesStandardLibrary() {
        func agree(_ b: [UInt8]) {
            #expect(UTF8Check.isValid(b) == (String(validating: b, as: UTF8.self) != nil), "\(b)")
        }
        for lead in 0x80...0xFF {
            for second in 0...0xFF {
                agree([UInt8(lead), UInt8(second), 0x80, 0x80])
                agree([0x41, UInt8(lead), UInt8(second), 0xBF, 0xBF, 0x41])
            }
        }
        for seq: [UInt8] in [[0xE2, 0x80, 0x94], [0xF0, 0x9F, 0x98, 0x80], [0xC3, 0xA9], [0xED, 0x9F, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF]] {
            for offset in 0..<20 {
                let run = [UInt8](repeating: 0x61, count: offset)
                for cut in 0...seq.count { agree(run + seq.prefix(cut)); agree(run + seq.prefix(cut) + run) }
            }
        }
        var rng = SplitMix64(state: 0x07F8)
        for _ in 0..<3000 {
            let n = Int(rng.next() % 40)
            agree((0..<n).map { _ in rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : UInt8(0x20 + rng.next() % 90) })
        }
    }

    /// The byte buffer keeps every byte across growth from a small start.
    @Test func byteBufferGrowsWithoutLoss() {
        var rng = SplitMix64(state: 0xB0FF)
        var want: [UInt8] = []
        var buf = ByteBuffer(capacity: 1)
        for _ in 0..<2000 {
            let chunk = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            chunk.withUnsafeBufferPointer { buf.append($0) }
            want += chunk
            buf.append(0x2A); want.append(0x2A)
            buf.append("<s>"); want += Array("<s>".utf8)
        }
        let ends = buf.ends(with: "<s>")
        #expect(ends)
        buf.removeLast(3); want.removeLast(3)
        let got = buf.take()
        #expect(got == want)
    }

    @Test func deepNestingIsBounded() {
        let cases = [
            "x = " + String(repeating: "not ", count: 100_000) + "1\n",
            "x = " + String(repeating: "-", count: 200_000) + "1\n",
            "x = " + String(repeating: "lambda: ", count: 50_000) + "1\n",
            "x = " + String(repeating: "a if b else ", count: 50_000) + "1\n",
            "x = 1" + String(repeating: " ** 1", count: 50_000) + "\n",
            "x = a" + String(repeating: ".b", count: 100_000) + "\n",
            "x = f" + String(repeating: "()", count: 100_000) + "\n",
        ]
        for c in cases {
            let m = AgentFile(path: "deep_agent.py", bytes: Array(c.utf8), sizeLimit: 4 << 20).manifest
            #expect(["parser_limit", "not_found", "syntax_error"].contains(m.errorCode ?? ""), "\(c.prefix(20)): \(m.errorCode ?? "nil")")
        }
        // The build's path: parses run in place on the pool's large-stack threads, several at once.
        let codes = ParallelMap.mapParsing(cases + cases) { c in
            AgentFile(path: "deep_agent.py", bytes: Array(c.utf8), sizeLimit: 4 << 20).manifest.errorCode ?? "nil"
        }
        #expect(codes.count == 2 * cases.count)
        for code in codes { #expect(["parser_limit", "not_found", "syntax_error"].contains(code), "\(code)") }
    }

    /// The large-stack pool keeps order and runs nested work in place.
    @Test func bigStackMapKeepsOrder() throws {
        let out = ParallelMap.mapParsing(Array(0..<5000)) { i in (try? BigStack.shared.run { i * 2 }) ?? -1 }
        #expect(out == (0..<5000).map { $0 * 2 })
        #expect(try BigStack.shared.run { BigStack.onBigStack })
        #expect(!BigStack.onBigStack)
    }
}
