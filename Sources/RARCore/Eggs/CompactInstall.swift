import Foundation

/// Hatching a compact `rapp-egg/1.0` string: each seed resolves through a registry's agents
/// (aliases included), the agent file is fetched, its sha256-lf-v1 checked against the registry,
/// validated, and installed; seeds no registry knows come back as preview cards.
public struct CompactInstall: Sendable {
    public struct Planned: Sendable {
        public var seed: CardSeed
        public var name: String
        public var version: String
        public var installName: String
        public var bytes: [UInt8]
        public var viaAlias: Bool
    }

    public struct Outcome: Sendable {
        public var installed: [Planned] = []
        public var unchanged: [String] = []
        public var previews: [(seed: CardSeed, card: JSONValue)] = []
        public var problems: [String] = []
    }

    public let agents: [JSONValue]
    /// Reads a registry-relative path (`_file`) from wherever the registry lives.
    public let fetch: @Sendable (String) throws -> [UInt8]

    public init(agents: [JSONValue], fetch: @escaping @Sendable (String) throws -> [UInt8]) {
        self.agents = agents
        self.fetch = fetch
    }

    /// Resolve, fetch, verify and validate every seed; nothing is written here.
    public func plan(_ compact: String) throws(EggError) -> Outcome {
        let seeds = try CompactSeeds.decodeCompact(compact)
        let lookup = CardLookup(agents: agents)
        var out = Outcome()
        for seed in seeds {
            guard let hit = lookup.agent(forSeed: seed),
                  let entry = agents.first(where: { $0["name"]?.stringValue == hit.name }) else {
                out.previews.append((seed, CardIdentity.resolveCard(seed: seed, fullSeed: true, registryAgents: nil)))
                continue
            }
            guard let file = entry["_file"]?.stringValue, let want = entry["_sha256"]?.stringValue else {
                out.problems.append("\(hit.name): the registry entry has no _file/_sha256")
                continue
            }
            let bytes: [UInt8]
            do { bytes = try fetch(file) } catch {
                out.problems.append("\(hit.name): cannot fetch \(file): \(error)")
                continue
            }
            let got = BuildSupport.lfHash(bytes).hex
            guard got == want else {
                out.problems.append("\(hit.name): sha256 mismatch for \(file) (registry \(want.prefix(12))…, fetched \(got.prefix(12))…); refusing to install")
                continue
            }
            let installName = entry["_install_filename"]?.stringValue ?? (file as NSString).lastPathComponent
            let report = Validator().validate(AgentFile(path: installName, bytes: bytes))
            if !report.isValid {
                let first = report.diagnostics.first { $0.severity == .error }
                out.problems.append("\(hit.name): fails validation (\(first.map { "\($0.rule): \($0.message)" } ?? "invalid")); refusing to install")
                continue
            }
            out.installed.append(Planned(seed: seed, name: hit.name, version: entry["version"]?.stringValue ?? "?",
                                         installName: installName, bytes: bytes, viaAlias: hit.viaAlias))
        }
        return out
    }

    /// Write planned files into `dir`: staged beside it, conflicts refused unless `force`,
    /// identical files left alone. On any problem nothing is written.
    public static func write(_ outcome: inout Outcome, into dir: String, force: Bool) throws(EggError) {
        let fm = FileManager.default
        var conflicts: [String] = []
        var toWrite: [Planned] = []
        for p in outcome.installed {
            guard !p.installName.contains("/"), !p.installName.hasPrefix("."), !p.installName.isEmpty else {
                throw EggError("unsafe-extraction-path", "refusing install name \(p.installName)")
            }
            let target = (dir as NSString).appendingPathComponent(p.installName)
            if let existing = fm.contents(atPath: target) {
                if [UInt8](existing) == p.bytes { outcome.unchanged.append(p.installName); continue }
                if !force { conflicts.append(p.installName); continue }
            }
            toWrite.append(p)
        }
        if !conflicts.isEmpty {
            throw EggError("destination-conflict", "would overwrite \(conflicts.joined(separator: ", ")) in \(dir); use --force")
        }
        let stage = (dir as NSString).deletingLastPathComponent + "/.rar-hatch-\(UUID().uuidString)"
        defer { try? fm.removeItem(atPath: stage) }
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: stage, withIntermediateDirectories: true)
            for p in toWrite { try Data(p.bytes).write(to: URL(fileURLWithPath: stage + "/" + p.installName)) }
            for p in toWrite {
                let target = (dir as NSString).appendingPathComponent(p.installName)
                if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
                try fm.moveItem(atPath: stage + "/" + p.installName, toPath: target)
            }
        } catch {
            throw EggError("io-write-failed", "cannot install into \(dir): \(error.localizedDescription)")
        }
        outcome.installed = toWrite
    }
}
