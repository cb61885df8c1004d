import Foundation

/// What a legacy egg would hatch to. Built only after every member checked out.
public struct LegacyPlan: Sendable {
    public var kind: String
    public var rappid: String?
    /// Files to write, at validated relative paths.
    public var files: [(path: String, data: [UInt8])] = []
    /// Members deliberately not written, with the reason.
    public var skipped: [(path: String, reason: String)] = []
    /// Kind-specific facts to report (mount info, invite target…).
    public var details: [(String, JSONValue)] = []
    /// Set when the egg is recognised but cannot be accepted (unsigned invite, runtime hash mismatch…).
    public var refusal: EggError?
}

/// Recognition of what an input claims to be (eggs.md §8), by exact strings only.
enum EggRecognition {
    case rapp1
    case legacy(schema: String, manifest: JSONValue, container: EggContainer)
    /// A legacy-family schema RAR has no importer for.
    case unknownLegacy(schema: String, type: String?)
    case unrecognized
}

/// The read-only importer for legacy eggs. Never routes on substrings; refuses what it doesn't know.
public enum LegacyImporter {
    /// Exact schema strings the importer accepts (with the `type` each requires).
    public static let knownKinds: [(schema: String, type: String?, container: String)] = [
        ("brainstem-egg/2.2-organism", "organism", "zip"),
        ("brainstem-egg/2.2-rapplication", "rapplication", "zip"),
        ("brainstem-egg/2.3-session", "session", "json"),
        ("rappterbox-cart/0.1", nil, "json"),
        ("brainstem-egg/2.3-neighborhood", "neighborhood-invite", "json"),
        ("rapp-egg/2.0", nil, "zip"),
    ]
    public static let knownScales = ["agent", "twin", "brainstem", "neighborhood", "swarm", "factory", "industry", "estate"]
    static let legacyFamilies = ["brainstem-egg/", "rapp-egg/", "rappterbox-cart/"]

    public static var knownKindList: String {
        (["rapp/1-egg (organism, rapplication, session, invite, neighborhood, estate)"]
            + knownKinds.map { k in k.type.map { t in "\(k.schema) type=\(t)" } ?? k.schema }).joined(separator: "; ")
    }

    static func unknownKind(_ schema: String?, _ type: String?) -> EggError {
        EggError("unknown-egg-kind",
                 "unknown egg cartridge schema='\(schema ?? "")' type='\(type ?? "")'; not routing, refusing to guess. Known kinds: \(knownKindList)")
    }

    static func lenientJSON(_ b: [UInt8]) -> JSONValue? {
        guard String(validating: b, as: UTF8.self) != nil, !b.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil }
        return try? JSONParser(maxDepth: 64, rejectDuplicateKeys: true).parse(bytes: b)
    }

    static func classify(_ manifest: JSONValue, container: EggContainer) -> EggRecognition {
        guard let schema = manifest["schema"]?.stringValue else { return .unrecognized }
        if Bytes.same(schema, EggManifest.schema) { return .rapp1 }
        if knownKinds.contains(where: { Bytes.same($0.schema, schema) }) { return .legacy(schema: schema, manifest: manifest, container: container) }
        if legacyFamilies.contains(where: { schema.utf8.starts(with: $0.utf8) }) {
            return .unknownLegacy(schema: schema, type: manifest["type"]?.stringValue)
        }
        return .unrecognized
    }

    static func recognize(_ bytes: [UInt8], limits: EggLimits) -> EggRecognition {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            guard let entries = try? LegacyZip.entries(bytes, limits: limits, checkLimits: false) else { return .unrecognized }
            for name in ["manifest.json", "egg.json", "repo/manifest.json", "egg-manifest.json"] {
                guard let e = entries.first(where: { Bytes.same($0.name, name) }), e.kind == .file, e.size <= 4 << 20, e.method == 0 || e.size / max(e.compressedSize, 1) <= limits.maxRatio,
                    let data = try? LegacyZip.read(e, from: bytes), let m = lenientJSON(data)
                else { continue }
                let r = classify(m, container: .zip)
                if case .unrecognized = r { continue }
                // egg.json / repo/manifest.json only ever named rapp-egg/2.0 manifests.
                if name != "manifest.json", case .legacy(let s, _, _) = r, !Bytes.same(s, "rapp-egg/2.0") { continue }
                return r
            }
            return .unrecognized
        }
        guard let m = lenientJSON(bytes), m.objectValue != nil else { return .unrecognized }
        return classify(m, container: .json)
    }

    // MARK: planning

    static func plan(_ bytes: [UInt8], schema: String, manifest m: JSONValue, container: EggContainer, limits: EggLimits) throws(EggError) -> LegacyPlan {
        let spec = knownKinds.first { Bytes.same($0.schema, schema) }!
        let type = m["type"]
        if let t = type, !t.isNull {
            guard let ts = t.stringValue else { throw EggError("legacy-invalid-manifest", "type must be a string") }
            if let want = spec.type, !Bytes.same(ts, want) {
                throw EggError("legacy-schema-type-conflict", "schema '\(schema)' says \(want) but type says '\(ts)'; refusing to guess")
            }
            if spec.type == nil && !(schema == "rappterbox-cart/0.1" && ts == "session") && schema != "rapp-egg/2.0" {
                throw EggError("legacy-schema-type-conflict", "schema '\(schema)' with unexpected type '\(ts)'")
            }
        } else if schema == "brainstem-egg/2.3-neighborhood" {
            throw EggError("legacy-invalid-manifest", "a 2.3-neighborhood egg without type=neighborhood-invite has no shipped format")
        }
        let wantContainer: EggContainer = spec.container == "zip" ? .zip : .json
        if container != wantContainer {
            throw EggError("legacy-wrong-container", "\(schema) must be a \(spec.container.uppercased()) egg; this one is not (no shipped format to honour)")
        }
        var plan = LegacyPlan(kind: schema + (type?.stringValue.map { " (\($0))" } ?? ""))
        plan.rappid = m["rappid"]?.stringValue
        switch schema {
        case "brainstem-egg/2.3-session", "rappterbox-cart/0.1":
            try planSession(m, &plan)
        case "brainstem-egg/2.3-neighborhood":
            try planInvite(m, &plan)
        case "brainstem-egg/2.2-rapplication":
            try checkRapplicationNames(m)
            try planArchive(bytes, limits: limits, &plan)
            let agent = "agents/" + m["agent_filename"]!.stringValue!
            guard plan.files.contains(where: { Bytes.same($0.path, agent) }) else {
                throw EggError("legacy-invalid-manifest", "agent_filename names \(agent), which the egg does not carry")
            }
        case "rapp-egg/2.0":
            guard let scale = m["scale"]?.stringValue, knownScales.contains(scale) else {
                throw EggError("legacy-unknown-scale", "unknown scale '\(m["scale"]?.stringValue ?? "")'. Known: \(knownScales.joined(separator: ", "))")
            }
            try checkScaleMembers(m)
            plan.details.append(("scale", .string(scale)))
            try planArchive(bytes, limits: limits, &plan)
        default:  // 2.2-organism
            try planArchive(bytes, limits: limits, &plan)
            guard plan.files.contains(where: { Bytes.same($0.path, "soul.md") }) || plan.files.contains(where: { Bytes.same($0.path, "rappid.json") }) else {
                throw EggError("legacy-invalid-manifest", "organism egg carries neither soul.md nor rappid.json")
            }
        }
        return plan
    }

    static func isSafeName(_ s: String, allowDots: Bool) -> Bool {
        let u = Array(s.utf8)
        guard (1...128).contains(u.count), u.first != 0x2E else { return false }
        return u.allSatisfy { (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D || (allowDots && $0 == 0x2E) }
    }

    static func checkRapplicationNames(_ m: JSONValue) throws(EggError) {
        guard let id = m["rapp_id"]?.stringValue, isSafeName(id, allowDots: false) else {
            throw EggError("legacy-unsafe-manifest-name", "rapp_id must be a plain name, got '\(m["rapp_id"]?.stringValue ?? "?")'")
        }
        guard let agent = m["agent_filename"]?.stringValue, isSafeName(agent, allowDots: true), agent.hasSuffix("_agent.py") else {
            throw EggError("legacy-unsafe-manifest-name", "agent_filename must be a bare *_agent.py basename, got '\(m["agent_filename"]?.stringValue ?? "?")'")
        }
        if let organ = m["organ_filename"], !organ.isNull {
            guard let o = organ.stringValue, isSafeName(o, allowDots: true), o.hasSuffix(".py") else {
                throw EggError("legacy-unsafe-manifest-name", "organ_filename must be a bare .py basename")
            }
        }
    }

    static func checkScaleMembers(_ m: JSONValue) throws(EggError) {
        guard let members = m["members"] else { return }
        guard let list = members.arrayValue else {
            throw EggError("legacy-invalid-manifest", "members must be a list (the rappLocalFirstFleet object form is not supported)")
        }
        for item in list {
            guard item.objectValue != nil else { throw EggError("legacy-invalid-manifest", "members entries must be objects") }
            if let h = item["hash"], !h.isNull {
                guard let hs = h.stringValue, isSafeName(hs, allowDots: false) else {
                    throw EggError("legacy-unsafe-manifest-name", "member hash '\(h.stringValue ?? "?")' is not a plain name")
                }
            }
        }
    }

    static func planSession(_ m: JSONValue, _ plan: inout LegacyPlan) throws(EggError) {
        guard let runtime = m["runtime"], runtime.objectValue != nil else { throw EggError("legacy-invalid-manifest", "session has no runtime object") }
        let transcript = m["transcript"]?.arrayValue ?? []
        let participants = m["participants"]?.arrayValue ?? []
        var d: [(String, JSONValue)] = [
            ("title", m["title"] ?? .null), ("rappid", m["rappid"] ?? .null),
            ("runtime_type", runtime["type"] ?? runtime["engine"] ?? .null),
            ("transcript_events", .int(transcript.count)), ("participants", .int(participants.count)),
            ("participant_names", .array(participants.compactMap { $0["name"] })),
        ]
        if let payload = runtime["payload"]?.stringValue {
            let actual = EggHash.sha256(Array(payload.utf8))
            let declared = runtime["sha256"]?.stringValue ?? ""
            d.append(("runtime_sha256", .string(actual)))
            d.append(("payload_bytes", .int(payload.utf8.count)))
            if !Bytes.same(actual, declared) {
                plan.details = d
                throw EggError("legacy-runtime-hash-mismatch", "runtime.sha256 \(declared.prefix(16))… does not match the payload (\(actual.prefix(16))…); refusing to mount")
            }
            d.append(("mountable", true))
        } else {
            d.append(("mountable", false))
            d.append(("note", "not mountable: no runtime payload"))
        }
        plan.details = d
    }

    static func planInvite(_ m: JSONValue, _ plan: inout LegacyPlan) throws(EggError) {
        guard let rid = m["rappid"]?.stringValue, !rid.isEmpty else {
            throw EggError("legacy-invalid-manifest", "neighborhood invite has no rappid; refusing to join")
        }
        plan.details = [
            ("target_rappid", .string(rid)), ("display_name", m["display_name"] ?? .null),
            ("neighborhood_url", m["neighborhood_url"] ?? .null), ("neighborhood_json", m["neighborhood_json"] ?? .null),
            ("rappid_is_rapp1", .bool(Rappid(rid) != nil)),
        ]
        plan.refusal = EggError("legacy-unsigned-invite", "unsigned legacy invite to \(rid): cannot be accepted (RAPP/1 invites must be signed by the estate owner)")
    }

    // MARK: archive members

    static let junkSegments: Set<String> = ["__pycache__", ".pytest_cache", "venv", ".venv", "node_modules", ".git", ".mypy_cache"]
    static let junkNames: Set<String> = [".DS_Store", "Thumbs.db", "voice.zip", "server.pid", "server.log"]
    static let secretNames: Set<String> = [".copilot_token", ".copilot_session", ".copilot_pending", ".lineage_key", "id_rsa", "id_ed25519"]
    static let secretSuffixes = [".token", ".session", ".secret", ".key", ".pem", ".p12", ".pfx"]

    /// Why a path must never leave (or enter) a machine, if it must not.
    static func secretReason(_ path: String) -> String? {
        let segs = path.split(separator: "/").map(String.init)
        if segs.contains("private") { return "private/ tree" }
        if segs.contains(".ssh") || segs.contains(".gnupg") { return "key directory" }
        guard let last = segs.last else { return nil }
        if secretNames.contains(last) { return "credential file" }
        if secretSuffixes.contains(where: { last.lowercased().hasSuffix($0) }) { return "credential file (\(last))" }
        return nil
    }

    static func junkReason(_ path: String) -> String? {
        let segs = path.split(separator: "/").map(String.init)
        if let s = segs.dropLast().first(where: { junkSegments.contains($0) }) ?? (junkSegments.contains(segs.last ?? "") ? segs.last : nil) { return "cache/tooling (\(s))" }
        if let last = segs.last {
            if junkNames.contains(last) { return "junk (\(last))" }
            if last.hasSuffix(".pyc") || last.hasSuffix(".pyo") { return "compiled cache" }
        }
        return nil
    }

    static func planArchive(_ bytes: [UInt8], limits: EggLimits, _ plan: inout LegacyPlan) throws(EggError) {
        let entries = try LegacyZip.entries(bytes, limits: limits)
        var secrets: [String] = []
        var chosen: [LegacyZipEntry] = []
        for e in entries {
            switch e.kind {
            case .symlink: throw EggError("legacy-unsafe-entry", "\(e.name) is a symlink; only regular files are accepted")
            case .special: throw EggError("legacy-unsafe-entry", "\(e.name) is not a regular file")
            case .directory:
                let trimmed = e.name.hasSuffix("/") ? String(e.name.dropLast()) : e.name
                do { try EggPath.validate(trimmed) } catch { throw EggError("legacy-unsafe-path", "unsafe member name '\(e.name)': \(error.message)") }
                continue
            case .file: break
            }
            do { try EggPath.validate(e.name) } catch { throw EggError("legacy-unsafe-path", "unsafe member name '\(e.name)': \(error.message)") }
            if Bytes.same(e.name, "manifest.json") { plan.skipped.append((e.name, "legacy manifest (reported, not written)")); continue }
            if let r = secretReason(e.name) { secrets.append("\(e.name) [\(r)]"); continue }
            if let r = junkReason(e.name) { plan.skipped.append((e.name, r)); continue }
            chosen.append(e)
        }
        var files: [(path: String, data: [UInt8])] = []
        for e in chosen {
            let data = try LegacyZip.read(e, from: bytes)
            let last = e.name.split(separator: "/").last.map(String.init) ?? e.name
            if last == ".env" || last.hasPrefix(".env.") {
                let leaks = EnvScrubber.leaks(String(decoding: data, as: UTF8.self))
                if !leaks.isEmpty { secrets.append("\(e.name) [credential values for \(leaks.joined(separator: ", "))]") }
            }
            files.append((e.name, data))
        }
        if !secrets.isEmpty {
            throw EggError("legacy-secret-material", "egg carries secrets; quarantined, nothing written: \(secrets.joined(separator: "; "))")
        }
        // Same rules as RAPP/1 for the written set: no duplicates, no file/dir prefix clashes.
        let sorted = files.sorted { Bytes.less($0.path, $1.path) }
        do { try EggPath.validateSet(sorted.map(\.path)) } catch {
            throw EggError("legacy-unsafe-path", error.message)
        }
        plan.files = sorted
    }
}
