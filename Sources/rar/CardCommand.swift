import ArgumentParser
import Foundation
import RARCore


/// Where the CLI reads a registry from: a registry.json file, a directory holding one
/// (a `rar build` output), or an http(s) URL of either.
enum RegistryAccess {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func defaultSpec() -> String {
        ProcessInfo.processInfo.environment["RAR_REGISTRY"] ?? "registry"
    }

    static func loadAgents(_ spec: String) throws -> [JSONValue] {
        // A source tree (agents/ but no built registry.json): build it in memory.
        var isDir: ObjCBool = false
        let fm = FileManager.default
        if !spec.hasPrefix("http"), fm.fileExists(atPath: spec, isDirectory: &isDir), isDir.boolValue,
           !fm.fileExists(atPath: (spec as NSString).appendingPathComponent("registry.json")),
           !fm.fileExists(atPath: (spec as NSString).appendingPathComponent("_site/registry.json")),
           fm.fileExists(atPath: (spec as NSString).appendingPathComponent("agents")) {
            var opt = BuildOptions(root: spec)
            opt.keepGoing = true
            opt.useCache = false
            do { return try RegistryBuilder.build(opt).agents } catch {
                throw Failure(description: "\(spec): cannot read the registry source tree: \(error)")
            }
        }
        let data = try fetch(spec)
        let doc: JSONValue
        do { doc = try JSONParser().parse(data) } catch { throw Failure(description: "\(spec): registry.json is not valid JSON (\(error))") }
        guard let agents = doc["agents"]?.arrayValue else { throw Failure(description: "\(spec): registry.json has no \"agents\" list") }
        return agents
    }

    static func fetch(_ spec: String) throws -> Data {
        if spec.hasPrefix("http://") || spec.hasPrefix("https://") {
            let url = URL(string: spec.hasSuffix(".json") ? spec : spec.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/registry.json")
            guard let url else { throw Failure(description: "\(spec): not a URL") }
            return try httpGet(url)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec, isDirectory: &isDir) else {
            throw Failure(description: "\(spec): no such registry (give a registry.json, a `rar build` output directory or a URL with --registry)")
        }
        var path = spec
        if isDir.boolValue {
            for candidate in ["registry.json", "_site/registry.json"] {
                let p = (spec as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: p) { path = p; break }
            }
            if path == spec {
                throw Failure(description: "\(spec) has no registry.json; run `rar build \(spec) --out \(spec)/_site` first, or pass --registry")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "\(path): cannot read") }
        return data
    }

    /// A file named relative to the registry root (`_file`): from a source tree, a build output or a URL.
    static func fetchFile(_ spec: String, relative: String) throws -> [UInt8] {
        guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
            throw Failure(description: "refusing registry path \(relative)")
        }
        if spec.hasPrefix("http://") || spec.hasPrefix("https://") {
            var base = spec.hasSuffix(".json") ? (spec as NSString).deletingLastPathComponent : spec
            if base.hasSuffix("/") { base.removeLast() }
            guard let url = URL(string: base + "/" + relative) else { throw Failure(description: "bad URL for \(relative)") }
            return [UInt8](try httpGet(url))
        }
        var root = spec
        if spec.hasSuffix(".json") { root = (spec as NSString).deletingLastPathComponent }
        for candidate in [root, (root as NSString).appendingPathComponent("_site")] {
            if let d = FileManager.default.contents(atPath: (candidate as NSString).appendingPathComponent(relative)) { return [UInt8](d) }
        }
        throw Failure(description: "\(relative) not found under \(root)")
    }

    static func httpGet(_ url: URL, timeout: TimeInterval = 30) throws -> Data {
        let reply: BlockingHTTP.Reply
        do { reply = try BlockingHTTP.send("GET", url.absoluteString, timeout: timeout) }
        catch BlockingHTTP.Failure.transport(let m) { throw Failure(description: "\(url): \(m)") }
        guard (200..<300).contains(reply.status) else { throw Failure(description: "\(url): HTTP \(reply.status)") }
        return reply.body
    }
}

/// `rar card mint | resolve | words | svg`.
struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Agent identity: seeds, collectible cards and 7-word incantations.",
        subcommands: [Mint.self, Resolve.self, Words.self, SVG.self])

    struct Mint: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mint", abstract: "Seed, incantation and card of an agent file (read statically).")
        @Argument(help: "Agent file.") var file: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let card = try CardTarget.mint(file)
            try CardTarget.show(card: card, preview: false, json: json)
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Resolve a name, a seed or 7 words to an agent's card.",
            discussion: "A seed no registry knows resolves to a preview card, marked as such. Misspelled words get suggestions and never resolve to another agent.")
        @Argument(help: "@publisher/slug, a decimal seed, or the 7 words.") var query: [String]
        @Option(help: "Registry: registry.json, a `rar build` output directory, or a URL (default: $RAR_REGISTRY or ./registry).")
        var registry: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let (card, preview) = try CardTarget.resolve(query, registry: registry, needRegistry: true)
            try CardTarget.show(card: card, preview: preview, json: json)
        }
    }

    struct Words: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "words", abstract: "The 7-word incantation of a name, agent file or seed.")
        @Argument(help: "@publisher/slug, an agent file, or a seed.") var target: [String]
        @Option(help: "Registry for names (see `rar card resolve`).") var registry: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let (card, _) = try CardTarget.any(target, registry: registry)
            guard let seed = CardIdentity.seed(of: card) else { throw CardTarget.fail("no seed for \(target.joined(separator: " "))") }
            let words: String
            do { words = try Incantation.encode(seed) } catch { throw CardTarget.fail("\(error)") }
            if json {
                print(JSONValue.object([("seed", .string(String(seed))), ("incantation", .string(words))]).serialized(.pretty))
            } else {
                print(words)
            }
        }
    }

    struct SVG: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "svg", abstract: "Render a card as SVG (deterministic).")
        @Argument(help: "@publisher/slug, an agent file, a seed, or 7 words.") var target: [String]
        @Option(name: .shortAndLong, help: "Output file (default: stdout).") var output: String?
        @Option(help: "Registry for names (see `rar card resolve`).") var registry: String?

        func run() throws {
            let (card, _) = try CardTarget.any(target, registry: registry)
            let svg = CardSVG.render(card: card)
            if let output {
                do { try svg.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    throw CardTarget.fail("cannot write \(output): \(error.localizedDescription)")
                }
                Terminal.note("wrote \(output)")
            } else {
                print(svg, terminator: "")
            }
        }
    }
}

/// Shared resolution for the card subcommands.
enum CardTarget {
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        Terminal.error(message)
        return ExitCode(code)
    }

    static func mint(_ path: String) throws -> JSONValue {
        let file: AgentFile
        do { file = try AgentFile(path: path) } catch { throw fail("\(path): \(error.localizedDescription)", code: 2) }
        let m = file.manifest
        guard let v = m.value else { throw fail("\(path): no usable __manifest__ (\(m.errorCode ?? "error"): \(m.error ?? ""))") }
        do { return try CardIdentity.mintCard(manifest: v.json, path: path) } catch { throw fail("\(path): \(error)") }
    }

    /// A file path mints; anything else resolves (names need a registry; seeds and words do not).
    static func any(_ args: [String], registry: String?) throws -> (JSONValue, Bool) {
        if args.count == 1, FileManager.default.fileExists(atPath: args[0]), AgentTree.isAgentFileName(args[0]) {
            return (try mint(args[0]), false)
        }
        return try resolve(args, registry: registry, needRegistry: false)
    }

    static func resolve(_ args: [String], registry: String?, needRegistry: Bool) throws -> (JSONValue, Bool) {
        let query = CardQuery.parse(args)
        func agents(required: Bool) throws -> [JSONValue] {
            do { return try RegistryAccess.loadAgents(registry ?? RegistryAccess.defaultSpec()) } catch {
                if required || registry != nil { throw fail("\(error)", code: 2) }
                return []
            }
        }
        let outcome: CardLookup.Outcome
        switch query {
        case .invalid(let m): throw fail(m, code: 2)
        case .badIncantation(let p): throw fail("\(p)")
        case .name(let n): outcome = CardLookup(agents: try agents(required: true)).resolve(name: n)
        case .seed(let s): outcome = CardLookup(agents: try agents(required: false)).resolve(seed: s)
        case .incantation(let s): outcome = CardLookup(agents: try agents(required: false)).resolve(seed: s, fullSeed: true)
        }
        switch outcome {
        case .agent(_, let card, let viaAlias):
            if viaAlias { Terminal.note("note: this seed is an alias; it resolves to the agent's current card") }
            return (card, false)
        case .preview(let card): return (card, true)
        case .notFound(let m): throw fail(m)
        }
    }

    static func show(card: JSONValue, preview: Bool, json: Bool) throws {
        let seed = CardIdentity.seed(of: card)
        let words = seed.flatMap { try? Incantation.encode($0) }
        if json {
            print(JSONValue.object([
                ("seed", seed.map { .string(String($0)) } ?? .null),
                ("incantation", words.map { .string($0) } ?? .null),
                ("preview", .bool(preview)),
                ("card", card),
            ]).serialized(JSONWriteOptions(indent: 2, ensureASCII: false)))
            return
        }
        if preview { print("PREVIEW — no registry agent has this seed; this is the card the seed alone describes.") }
        print(CardTerminal.render(card: card, color: Terminal.colorEnabled), terminator: "")
        if let words { print("incantation: \(words)") }
    }
}
