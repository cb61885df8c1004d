// rar-identity-bench: hidden developer tool for the Identity module.
//   rar-identity-bench [--count N]           timing + checksums as one JSON line (bench/identity.sh)
//   rar-identity-bench verify FILE            compare against reference outputs in FILE (see below)
//   rar-identity-bench svg SEED|WORDS|--manifest FILE.json          print a card's SVG
//   rar-identity-bench term SEED|WORDS|--manifest FILE.json [--color]
//
// verify FILE: a JSON object with any of these arrays (seeds as decimal strings):
//   "registry":      registry agent entries (for resolve_name and name-seed resolution)
//   "mint":          {"path", "manifest", "expected" (card) | "error": true}
//   "resolve_name":  {"name", "expected"}
//   "resolve_seed":  {"seed", "full_seed" (true/false/null), "expected"}
//   "seed_to_words": {"seed", "expected"}
//   "words_to_seed": {"input", "expected" (seed) | "error" (message)}
import Foundation
import RARCore

func fail(_ msg: String) -> Never {
    FileHandle.standardError.write(Data((msg + "\n").utf8))
    exit(2)
}

func seedFrom(_ text: String) -> CardSeed {
    if let s = try? CardIdentity.parseSeed(text) { return s }
    switch Incantation.decodeForgiving(text) {
    case .success(let s): return s
    case .failure(let p): fail("not a seed or incantation: \(p)")
    }
}

func verify(_ path: String) -> Int32 {
    guard let data = FileManager.default.contents(atPath: path), let doc = try? JSONParser().parse(data) else {
        fail("cannot read \(path)")
    }
    let registry = doc["registry"]?.arrayValue
    var checked = 0, failed = 0
    func report(_ section: String, _ i: Int, _ ok: Bool, _ detail: @autoclosure () -> String) {
        checked += 1
        if !ok {
            failed += 1
            if failed <= 20 { print("FAIL \(section)[\(i)]: \(detail())") }
        }
    }
    for (i, c) in (doc["mint"]?.arrayValue ?? []).enumerated() {
        let got = try? CardIdentity.mintCard(manifest: c["manifest"], path: c["path"]?.stringValue ?? "")
        if c["error"] == .bool(true) {
            report("mint", i, got == nil, "expected an error, got \(got?.serialized() ?? "")\n  manifest \(c["manifest"]?.serialized() ?? "")")
        } else {
            report("mint", i, got == c["expected"], "got \(got?.serialized() ?? "error")\n  want \(c["expected"]?.serialized() ?? "")\n  manifest \(c["manifest"]?.serialized() ?? "")")
        }
    }
    for (i, c) in (doc["resolve_name"]?.arrayValue ?? []).enumerated() {
        let got = try? CardIdentity.resolveCard(name: c["name"]?.stringValue ?? "", registryAgents: registry ?? [])
        report("resolve_name", i, got == c["expected"], "got \(got?.serialized() ?? "error") want \(c["expected"]?.serialized() ?? "")")
    }
    for (i, c) in (doc["resolve_seed"]?.arrayValue ?? []).enumerated() {
        guard let seed = try? CardIdentity.parseSeed(c["seed"]?.stringValue ?? "") else { report("resolve_seed", i, false, "bad seed"); continue }
        let got = CardIdentity.resolveCard(seed: seed, fullSeed: c["full_seed"]?.boolValue, registryAgents: registry)
        report("resolve_seed", i, got == c["expected"], "seed \(seed): got \(got.serialized()) want \(c["expected"]?.serialized() ?? "")")
    }
    for (i, c) in (doc["seed_to_words"]?.arrayValue ?? []).enumerated() {
        let seed = try? CardIdentity.parseSeed(c["seed"]?.stringValue ?? "")
        let got = seed.flatMap { try? Incantation.encode($0) }
        report("seed_to_words", i, got == c["expected"]?.stringValue, "seed \(c["seed"]?.stringValue ?? ""): got \(got ?? "error")")
    }
    for (i, c) in (doc["words_to_seed"]?.arrayValue ?? []).enumerated() {
        let input = c["input"]?.stringValue ?? ""
        var got: String
        do { got = String(try Incantation.decodeStrict(input)) } catch { got = "error: " + error.message }
        let want = c["expected"]?.stringValue ?? ("error: " + (c["error"]?.stringValue ?? ""))
        report("words_to_seed", i, got == want, "input \(JSONValue.string(input).serialized(.python)): got \(got) want \(want)")
    }
    print("verify: \(checked) checks, \(failed) failures")
    return failed == 0 ? 0 : 1
}

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "verify":
    guard args.count >= 2 else { fail("usage: rar-identity-bench verify FILE") }
    exit(verify(args[1]))
case "svg", "term":
    // SEED | WORDS | --manifest FILE.json (a __manifest__ dict as JSON, minted)
    let rest = Array(args.dropFirst().filter { $0 != "--color" })
    let card: JSONValue
    if rest.first == "--manifest", rest.count >= 2 {
        guard let d = FileManager.default.contents(atPath: rest[1]), let m = try? JSONParser().parse(d) else { fail("cannot read \(rest[1])") }
        do { card = try CardIdentity.mintCard(manifest: m, path: rest[1]) } catch { fail(error.message) }
    } else {
        guard !rest.isEmpty else { fail("usage: rar-identity-bench svg|term SEED|WORDS|--manifest FILE [--color]") }
        card = CardIdentity.resolveCard(seed: seedFrom(rest.joined(separator: " ")))
    }
    if args[0] == "svg" {
        print(CardSVG.render(card: card), terminator: "")
    } else {
        print(CardTerminal.render(card: card, color: args.contains("--color")), terminator: "")
    }
default:
    var count = 100_000
    if let i = args.firstIndex(of: "--count"), i + 1 < args.count, let n = Int(args[i + 1]), n > 0 { count = n }
    _ = IdentityBenchmark.run(count: min(count, 5_000))  // warm-up (caches, lazy tables)
    let r = IdentityBenchmark.run(count: count)
    print(r.json().serialized(.compact))
}
