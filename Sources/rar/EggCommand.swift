import ArgumentParser
import Foundation
import RARCore

/// `rar egg …`: pack, inspect, hatch, sign and verify `.egg` cartridges.
/// Exit codes: 0 ok, 1 rejected or invalid egg, 2 usage or I/O error.
public struct EggCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "egg",
        abstract: "Pack, inspect, hatch, sign and verify .egg cartridges (strict rapp/1-egg; legacy import).",
        subcommands: [EggPack.self, EggInspect.self, EggHatch.self, EggKeygen.self, EggSign.self, EggVerify.self, EggForge.self, EggDecode.self]
    )
    public init() {}
}

// MARK: - shared plumbing

struct EggOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false
}

enum EggCLI {
    static let limitHelp = "Largest egg file read, in bytes."

    static func emit(_ v: JSONValue) { print(v.serialized(.pretty)) }

    static func stderr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// Local problems (I/O, usage, destination conflicts) exit 2; rejected eggs exit 1.
    static func exitCode(for e: EggError) -> Int32 {
        e.code.hasPrefix("io-") || e.code.hasPrefix("usage-") || e.code.hasPrefix("destination-") || e.code == "invalid-keyring" || e.code == "invalid-key" ? 2 : 1
    }

    /// Report a failure (JSON or one human line) and exit with the right code.
    static func fail(_ e: EggError, json: Bool, extra: [(String, JSONValue)] = []) -> ExitCode {
        if json {
            emit(.object([("ok", false), ("error_code", .string(e.code)), ("error", .string(e.message))] + extra))
        } else {
            stderr("rar egg: error: \(e.code): \(e.message)")
        }
        return ExitCode(exitCode(for: e))
    }

    static func readEgg(_ path: String, limits: EggLimits = .default) throws(EggError) -> [UInt8] {
        try EggFiles.read(path, limit: limits.maxEggBytes)
    }

    static func keyring(_ path: String?) throws(EggError) -> EggKeyring? {
        guard let path else { return nil }
        return try EggKeyring.load(path: path)
    }

    static func human(_ r: EggReport, indent: String = "") -> String {
        var lines: [String] = []
        func row(_ k: String, _ v: String?) { if let v { lines.append("\(indent)\(k.padding(toLength: 13, withPad: " ", startingAt: 0)) \(v)") } }
        row("generation", r.generation)
        row("kind", r.kind)
        if !r.variants.isEmpty { row("variants", r.variants.joined(separator: ", ")) }
        row("rappid", r.rappid)
        row("created_utc", r.createdUTC)
        row("egg_hash", r.eggHash)
        if !r.sha256.isEmpty { row("sha256", r.sha256) }
        if r.byteCount > 0 { row("bytes", String(r.byteCount)) }
        row("signature", r.signatureStatus + (r.signatureKids.isEmpty ? "" : " (\(r.signatureKids.joined(separator: ", ")))"))
        row("trust", r.trustStatus)
        row("verdict", r.accepted ? "accepted" : (r.structurallyValid ? "refused" : "invalid"))
        row("error", r.errorCode.map { "\($0): \(r.errorMessage ?? "")" })
        if let sv = r.strictValid, r.generation != "rapp/1" {
            row("rapp/1 strict", sv ? "valid" : "invalid (\(r.strictCode ?? ""))")
        }
        for (k, v) in r.details { row(k, v.stringValue ?? v.serialized()) }
        if !r.members.isEmpty {
            lines.append("\(indent)members (\(r.members.count)):")
            for m in r.members { lines.append("\(indent)  \(String(m.size).leftPad(9))  \(m.hash.prefix(16))…  \(m.path)") }
        }
        for s in r.skipped { lines.append("\(indent)  skipped  \(s.path)  (\(s.reason))") }
        for w in r.warnings { lines.append("\(indent)warning: \(w)") }
        for (c, i) in zip(r.children, r.children.indices) {
            lines.append("\(indent)sub-egg \(i + 1):")
            lines.append(human(c, indent: indent + "  "))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

// MARK: - pack

struct EggPack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack a directory (or a payload file) into a strict rapp/1-egg.",
        discussion: """
            ZIP kinds (organism, rapplication, neighborhood, estate) take a directory. Secrets and junk \
            (.git, __pycache__, node_modules, .DS_Store, *.key, private/, …) are left out and .env values \
            are scrubbed; everything left out is reported. JSON kinds (session, invite) take a payload \
            JSON file or --payload. Invites must be signed (--key).
            """)

    @Option(name: .long, help: "organism | rapplication | session | neighborhood | estate | invite")
    var kind: String
    @Argument(help: "Source directory (ZIP kinds) or payload JSON file (session, invite).")
    var source: String?
    @Option(name: .shortAndLong, help: "Output .egg file.")
    var output: String
    @Option(name: .long, help: "RAPP/1 rappid (default: rappid.json's, else --mint).")
    var rappid: String?
    @Option(name: .long, help: "Mint a fresh keyless rappid for OWNER/SLUG.")
    var mint: String?
    @Option(name: .long, help: "created_utc, e.g. 2026-07-16T22:41:23.842Z (default: now).")
    var createdUtc: String?
    @Option(name: .long, help: "Payload JSON object, inline or @FILE.")
    var payload: String?
    @Option(name: .long, help: "Sign with this key file (rar egg keygen).")
    var key: String?
    @Flag(name: .long, help: "Write brainstem-egg/2.2-organism, 2.2-rapplication or 2.3-session instead.")
    var legacy = false
    @Flag(name: .long, help: "Replace OUTPUT if it exists.")
    var force = false
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        do throws(EggError) {
            guard let k = EggPackKind(rawValue: kind) else {
                throw EggError("usage-unknown-kind", "unknown kind '\(kind)'; known: \(EggPackKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var o = EggPackOptions()
            o.rappid = rappid
            o.createdUTC = createdUtc
            o.legacy = legacy
            if let m = mint {
                let parts = m.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw EggError("usage-invalid-mint", "--mint takes OWNER/SLUG") }
                o.mint = (String(parts[0]), String(parts[1]))
            }
            if let p = payload {
                let bytes: [UInt8] = p.hasPrefix("@") ? try EggFiles.read(String(p.dropFirst()), limit: 1 << 20) : Array(p.utf8)
                do { o.payload = try CanonicalJSON.strictParse(bytes) } catch { throw EggError("usage-invalid-payload", "--payload: \(error.message)") }
                guard o.payload?.objectValue != nil else { throw EggError("usage-invalid-payload", "--payload must be a JSON object") }
            }
            if let key { o.signingKey = try EggSigningKey.load(path: key) }
            let outAbs = EggFiles.absolute(output)
            if let src = source, EggFiles.kind(src) == .directory {
                let srcAbs = EggFiles.realPath(src) ?? EggFiles.absolute(src)
                let outDir = EggFiles.realPath((outAbs as NSString).deletingLastPathComponent) ?? (outAbs as NSString).deletingLastPathComponent
                if outDir == srcAbs || outDir.hasPrefix(srcAbs + "/") {
                    throw EggError("usage-output-inside-source", "the output must not be inside the source directory")
                }
            }
            let r = try EggPacker.pack(kind: k, source: source, options: o)
            try EggFiles.writeAtomically(output, r.bytes, overwrite: force)
            if out.json {
                EggCLI.emit(.object([
                    ("ok", true), ("output", .string(outAbs)), ("schema", .string(r.schema)), ("kind", .string(r.kind)),
                    ("rappid", .string(r.rappid)), ("created_utc", .string(r.createdUTC)), ("egg_hash", r.eggHash.map(JSONValue.string) ?? .null),
                    ("bytes", .int(r.bytes.count)), ("sha256", .string(EggHash.sha256(r.bytes))),
                    ("files", .array(r.files.map { .object([("path", .string($0.path)), ("size", .int($0.size))]) })),
                    ("left_out", .array(r.leftOut.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
                    ("scrubbed", .array(r.scrubbed.map { .object([("path", .string($0.path)), ("note", .string($0.note))]) })),
                ]))
            } else {
                print("packed \(r.schema) \(r.kind) → \(output) (\(r.bytes.count) bytes, \(r.files.count) files)")
                print("  rappid      \(r.rappid)")
                if let h = r.eggHash { print("  egg_hash    \(h)") }
                for l in r.leftOut { print("  left out    \(l.path)  (\(l.reason))") }
                for s in r.scrubbed { print("  scrubbed    \(s.path)  \(s.note)") }
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}

// MARK: - inspect

struct EggInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe an egg file or a compact seed string. Never writes anything.")

    @Argument(help: "An .egg file, or a compact rapp-egg/1.0 seed string.")
    var target: String
    @Option(name: .long, help: "Keyring JSON for verifying signatures.")
    var keyring: String?
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        var accepted = true
        do throws(EggError) {
            let ring = try EggCLI.keyring(keyring)
            if EggFiles.kind(target) == .missing && CompactSeeds.looksCompact(target) {
                let seeds = try CompactSeeds.decodeCompact(target)
                if out.json {
                    EggCLI.emit(.object([
                        ("generation", "compact"), ("kind", "rapp-egg/1.0 compact"), ("structurally_valid", true), ("accepted", true),
                        ("error_code", .null), ("seeds", .array(seeds.map { .string(String($0)) })), ("count", .int(seeds.count)),
                    ]))
                } else {
                    print("generation    compact (rapp-egg/1.0 seed string)")
                    for s in seeds { print("  seed \(s)  0x\(String(s, radix: 16))") }
                }
                return
            }
            let bytes = try EggCLI.readEgg(target)
            accepted = { () -> Bool in
                let r = EggInspector.inspect(bytes, keyring: ring)
                if out.json { EggCLI.emit(r.json()) } else { print(EggCLI.human(r)) }
                return r.accepted
            }()
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
        if !accepted { throw ExitCode(1) }
    }
}

// MARK: - hatch

struct EggHatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hatch",
        abstract: "Check an egg completely, then extract it into DIR through a staging directory.",
        discussion: "Nothing is written unless every check passes. Existing files are never replaced without --force. Sessions and invites write nothing and report what they point to.")

    @Argument(help: "The .egg file, or a compact rapp-egg/1.0 string (its agents install from the registry).")
    var file: String
    @Option(name: .long, help: "Destination directory (created if missing).")
    var into: String
    @Option(help: "Registry for compact strings: a source tree, a `rar build` output, or a URL (default: $RAR_REGISTRY or ./registry).")
    var registry: String?
    @Flag(name: .long, help: "Replace existing regular files the egg also carries.")
    var force = false
    @Option(name: .long, help: "Keyring JSON for verifying signatures.")
    var keyring: String?
    @Flag(name: .long, help: "Refuse eggs that are not signed and verified.")
    var requireVerified = false
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        if !FileManager.default.fileExists(atPath: file), (try? CompactSeeds.decodeCompact(file)) != nil {
            return try hatchCompact()
        }
        var o = EggHatchOptions(into: into)
        o.force = force
        o.requireVerified = requireVerified
        let bytes: [UInt8]
        do throws(EggError) {
            o.keyring = try EggCLI.keyring(keyring)
            bytes = try EggCLI.readEgg(file)
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
        do throws(EggHatchFailure) {
            let r = try EggHatcher.hatch(bytes, options: o)
            if out.json {
                EggCLI.emit(.object([("ok", true)] + r.json().objectValue!))
            } else if r.written.isEmpty {
                print("hatched \(r.report.kind ?? "egg"): nothing to write (trust \(r.report.trustStatus))")
                for (k, v) in r.pointer { print("  \(k.padding(toLength: 18, withPad: " ", startingAt: 0)) \(v.stringValue ?? v.serialized())") }
            } else {
                print("hatched \(r.report.kind ?? "egg") into \(r.destination): \(r.written.count) file(s), trust \(r.report.trustStatus)")
                for w in r.written { print("  \(w)") }
                for p in r.replaced { print("  replaced \(p)") }
                for s in r.report.skipped { print("  skipped \(s.path)  (\(s.reason))") }
            }
        } catch {
            var extra: [(String, JSONValue)] = [("conflicts", .array(error.conflicts.map(JSONValue.string)))]
            extra.append(("inspection", error.report.json()))
            if !out.json {
                if error.report.details.count > 0 && error.report.generation == "legacy" {
                    for (k, v) in error.report.details { EggCLI.stderr("  \(k): \(v.stringValue ?? v.serialized())") }
                }
            }
            throw EggCLI.fail(error.error, json: out.json, extra: extra)
        }
    }
}

// MARK: - keys and signatures

struct EggKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Create an Ed25519 signing key (kid = rappid bound to its SPKI).")

    @Option(name: .shortAndLong, help: "Private key file to create (mode 0600).")
    var output: String
    @Option(name: .long, help: "Owner label of the signer's kid.")
    var owner: String
    @Option(name: .long, help: "Slug label of the signer's kid.")
    var slug: String
    @Option(name: .long, help: "Also add the public key to this keyring file (created if missing).")
    var keyringOut: String?
    @Flag(name: .long, help: "Replace OUTPUT if it exists.")
    var force = false
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        do throws(EggError) {
            let key = try EggSigningKey.generate(owner: owner, slug: slug)
            try EggFiles.writeAtomically(output, Array(key.serialized().utf8), overwrite: force, mode: 0o600)
            if let kr = keyringOut {
                var ring = EggFiles.kind(kr) == .missing ? EggKeyring() : try EggKeyring.load(path: kr)
                ring.add(key.publicKey)
                try EggFiles.writeAtomically(kr, Array(ring.serialized().utf8), overwrite: true)
            }
            let spki = Data(key.spkiDER).base64EncodedString()
            if out.json {
                EggCLI.emit(.object([("ok", true), ("key", .string(EggFiles.absolute(output))), ("kid", .string(key.kid)), ("alg", "EdDSA"), ("spki_der_b64", .string(spki))]))
            } else {
                print("created \(output) (keep it private)")
                print("  kid           \(key.kid)")
                print("  spki_der_b64  \(spki)")
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}

struct EggSign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Add a detached EdDSA JWS to a rapp/1-egg (its egg_hash is unchanged).")

    @Argument(help: "The .egg file.")
    var file: String
    @Option(name: .long, help: "Key file from rar egg keygen.")
    var key: String
    @Option(name: .shortAndLong, help: "Write here instead of replacing FILE.")
    var output: String?
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        do throws(EggError) {
            let k = try EggSigningKey.load(path: key)
            let signed = try EggPacker.sign(try EggCLI.readEgg(file), key: k)
            let dest = output ?? file
            try EggFiles.writeAtomically(dest, signed, overwrite: output == nil)
            let r = EggInspector.inspect(signed)
            if out.json {
                EggCLI.emit(.object([("ok", true), ("output", .string(EggFiles.absolute(dest))), ("kid", .string(k.kid)),
                                     ("egg_hash", r.eggHash.map(JSONValue.string) ?? .null), ("sha256", .string(r.sha256))]))
            } else {
                print("signed \(dest) as \(k.kid)")
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}

struct EggVerify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify every signature in an egg (nested ones too) against a keyring.")

    @Argument(help: "The .egg file.")
    var file: String
    @Option(name: .long, help: "Keyring JSON: {\"keys\":[{\"kid\":…,\"spki_der_b64\":…}]}.")
    var keyring: String
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        var verified = false
        do throws(EggError) {
            let ring = try EggKeyring.load(path: keyring)
            let r = EggInspector.inspect(try EggCLI.readEgg(file), keyring: ring)
            let ok = r.structurallyValid && r.signatureStatus == "verified"
            if out.json {
                EggCLI.emit(.object([("ok", .bool(ok)), ("signature_status", .string(r.signatureStatus)),
                                     ("signature_kids", .array(r.signatureKids.map(JSONValue.string))),
                                     ("details", .array(r.signatureDetails.map(JSONValue.string))),
                                     ("error_code", r.errorCode.map(JSONValue.string) ?? .null), ("egg_hash", r.eggHash.map(JSONValue.string) ?? .null)]))
            } else if ok {
                print("verified: \(r.signatureKids.joined(separator: ", "))")
            } else {
                let why = !r.structurallyValid ? "\(r.errorCode ?? "invalid"): \(r.errorMessage ?? "")" : r.signatureStatus
                EggCLI.stderr("rar egg: not verified: \(why)\(r.signatureDetails.isEmpty ? "" : " — " + r.signatureDetails.joined(separator: "; "))")
            }
            verified = ok
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
        if !verified { throw ExitCode(1) }
    }
}

// MARK: - compact seed strings

struct EggForge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forge",
        abstract: "Encode agents (names, files or seeds) as a compact rapp-egg/1.0 string.",
        discussion: "Names resolve through the registry (--registry, $RAR_REGISTRY or ./registry); files are minted statically.")

    @Argument(help: "@publisher/slug names or agent files.")
    var agents: [String] = []
    @Option(name: .long, parsing: .upToNextOption, help: "Raw seeds (decimal or 0x-hex, up to 66 bits).")
    var seed: [String] = []
    @Option(help: "Registry for names: registry.json, a `rar build` output directory, or a URL.")
    var registry: String?
    @OptionGroup var out: EggOutputOptions

    /// The seed of a name (from the registry) or of an agent file (minted from its manifest).
    func seedOf(_ target: String, _ registryAgents: () throws -> [JSONValue]) throws(EggError) -> UInt128 {
        if FileManager.default.fileExists(atPath: target), AgentTree.isAgentFileName(target) {
            guard let manifest = (try? AgentFile(path: target))?.manifest.value?.json,
                  let card = try? CardIdentity.mintCard(manifest: manifest, path: target),
                  let s = CardIdentity.seed(of: card) else { throw EggError("usage-invalid-agent", "\(target): no usable __manifest__") }
            return s
        }
        let agents: [JSONValue]
        do { agents = try registryAgents() } catch { throw EggError("usage-no-registry", "\(error)") }
        guard let entry = agents.first(where: { $0["name"]?.stringValue == target }), let s = CardLookup.seedValue(entry["_seed"]) else {
            let near = EditDistance.suggestions(for: target, in: agents.compactMap { $0["name"]?.stringValue }, maxDistance: 3)
            throw EggError("usage-unknown-agent", "\(target): not in the registry" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"))
        }
        return s
    }

    func run() throws {
        do throws(EggError) {
            guard !agents.isEmpty || !seed.isEmpty else { throw EggError("usage-nothing-to-forge", "give agent names, files or --seed values") }
            var cached: [JSONValue]?
            let load = { () throws -> [JSONValue] in
                if let c = cached { return c }
                let a = try RegistryAccess.loadAgents(registry ?? RegistryAccess.defaultSpec())
                cached = a
                return a
            }
            var seeds: [UInt128] = []
            for a in agents { seeds.append(try seedOf(a, load)) }
            for s in seed {
                guard let v = CompactSeeds.parseSeed(s) else { throw EggError("usage-invalid-seed", "not a seed: \(s)") }
                seeds.append(v)
            }
            let compact = try CompactSeeds.encodeCompact(seeds: seeds)
            if out.json {
                EggCLI.emit(.object([("ok", true), ("compact", .string(compact)), ("seeds", .array(seeds.map { .string(String($0)) }))]))
            } else {
                print(compact)
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}

struct EggDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode a compact rapp-egg/1.0 string (strictly).")

    @Argument(help: "The compact string.")
    var compact: String
    @OptionGroup var out: EggOutputOptions

    func run() throws {
        do throws(EggError) {
            let seeds = try CompactSeeds.decodeCompact(compact)
            if out.json {
                EggCLI.emit(.object([("ok", true), ("seeds", .array(seeds.map { .string(String($0)) })), ("count", .int(seeds.count))]))
            } else {
                for s in seeds { print("\(s)\t0x\(String(s, radix: 16))") }
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}

extension EggHatch {
    /// A compact seed string: resolve each seed in the registry, verify, validate, install.
    func hatchCompact() throws {
        let spec = registry ?? RegistryAccess.defaultSpec()
        do throws(EggError) {
            let agents: [JSONValue]
            do { agents = try RegistryAccess.loadAgents(spec) } catch { throw EggError("usage-no-registry", "\(error)") }
            let installer = CompactInstall(agents: agents) { rel in try RegistryAccess.fetchFile(spec, relative: rel) }
            var outcome = try installer.plan(file)
            if !outcome.problems.isEmpty {
                throw EggError("compact-install-refused", outcome.problems.joined(separator: "; "))
            }
            try CompactInstall.write(&outcome, into: into, force: force)
            if out.json {
                EggCLI.emit(.object([
                    ("ok", true),
                    ("installed", .array(outcome.installed.map { .object([("name", .string($0.name)), ("version", .string($0.version)),
                                                                          ("file", .string($0.installName)), ("seed", .string(String($0.seed))),
                                                                          ("via_alias", .bool($0.viaAlias))]) })),
                    ("unchanged", .array(outcome.unchanged.map { .string($0) })),
                    ("previews", .array(outcome.previews.map { .object([("seed", .string(String($0.seed))), ("card", $0.card)]) })),
                ]))
            } else {
                for p in outcome.installed { print("installed \(p.name)@\(p.version) → \(into)/\(p.installName)\(p.viaAlias ? " (via seed alias)" : "")") }
                for u in outcome.unchanged { print("unchanged \(into)/\(u)") }
                for (seed, card) in outcome.previews {
                    print("not in the registry: seed \(seed) — preview card \(card["display_name"]?.stringValue ?? "?") (\(card["types"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "/") ?? ""))")
                }
            }
        } catch {
            throw EggCLI.fail(error, json: out.json)
        }
    }
}
