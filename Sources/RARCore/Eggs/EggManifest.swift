import Foundation

/// The six RAPP/1 rev-5 variants.
public enum EggVariant: String, CaseIterable, Sendable {
    case organism, rapplication, session, invite, neighborhood, estate
    /// session and invite are canonical JSON files; the rest are stored ZIPs.
    public var isJSON: Bool { self == .session || self == .invite }
}

/// One `contents` entry.
public struct EggContentEntry: Sendable, Equatable {
    public let path: String
    public let hash: String
}

/// A validated `rapp/1-egg` manifest (exactly seven members).
public struct EggManifest: Sendable {
    public static let schema = "rapp/1-egg"
    public let value: JSONValue
    public let variant: EggVariant
    public let rappid: String
    public let createdUTC: String
    public let contents: [EggContentEntry]
    public let payload: JSONValue
    public let sig: DetachedJWS?

    /// The manifest without `sig`: what the egg address and signatures cover.
    public var unsignedValue: JSONValue { value.removingMember("sig") }

    /// egg_hash = H("rapp/1:egg-manifest", manifest without sig).
    public func eggHash() throws(EggError) -> String { try EggHash.value(EggHash.manifestSpace, unsignedValue) }

    static let memberNames: Set<ByteKey> = Set(["schema", "variant", "rappid", "created_utc", "contents", "payload", "sig"].map(ByteKey.init))

    /// §3.7 step 3, in the reference core's order.
    static func validate(_ m: JSONValue, container: EggContainer) throws(EggError) -> EggManifest {
        guard m.keySet == memberNames else { throw EggError("invalid-manifest-shape", "manifest must contain exactly seven members") }
        guard m["schema"] == .string(schema) else { throw EggError("invalid-egg-schema", "schema must equal 'rapp/1-egg'") }
        guard let vs = m["variant"]?.stringValue, let variant = EggVariant(rawValue: vs) else {
            throw EggError("invalid-egg-variant", "variant is not one of the six variants")
        }
        let expected: EggContainer = variant.isJSON ? .json : .zip
        if container != expected {
            throw EggError("wrong-egg-container", "\(variant.rawValue) requires a \(expected == .json ? "JSON" : "ZIP") container")
        }
        guard let rappid = m["rappid"]?.stringValue, Rappid(rappid) != nil else {
            throw EggError("invalid-manifest-field", "rappid does not match the RAPP/1 ABNF")
        }
        guard let utc = m["created_utc"]?.stringValue, EggUTC.isValid(utc) else {
            throw EggError("invalid-manifest-field", "created_utc must be the fixed 24-byte calendar-valid form")
        }
        guard let list = m["contents"]?.arrayValue else { throw EggError("invalid-contents", "contents must be an array") }
        guard let payload = m["payload"], payload.objectValue != nil else { throw EggError("invalid-egg-payload", "payload must be an object") }
        let entryKeys: Set<ByteKey> = [ByteKey("path"), ByteKey("hash")]
        var contents: [EggContentEntry] = []
        for e in list {
            guard e.keySet == entryKeys else { throw EggError("invalid-content-entry", "each contents entry must contain exactly path and hash") }
            guard case .string(let p) = e["path"]! else { throw EggError("invalid-egg-path", "egg path must be a non-empty string") }
            try EggPath.validate(p)
            guard let h = e["hash"]?.stringValue, Bytes.isLowerHex64(h) else {
                throw EggError("invalid-content-hash", "contents hash must be 64 lowercase hex")
            }
            contents.append(EggContentEntry(path: p, hash: h))
        }
        let paths = contents.map(\.path)
        try EggPath.validateSet(paths)
        if variant.isJSON && !paths.isEmpty { throw EggError("json-variant-has-files", "JSON variant contents must be []") }
        var sig: DetachedJWS? = nil
        if let s = m["sig"], !s.isNull {
            sig = try DetachedJWS.parse(s)
        } else if variant == .invite {
            throw EggError("unsigned-invite", "invite sig is required")
        }
        try validateShape(variant, payload: payload, paths: paths)
        return EggManifest(value: m, variant: variant, rappid: rappid, createdUTC: utc, contents: contents, payload: payload, sig: sig)
    }

    static func validateShape(_ variant: EggVariant, payload: JSONValue, paths: [String]) throws(EggError) {
        let has = Set(paths.map(ByteKey.init))
        switch variant {
        case .organism:
            guard has.contains(ByteKey("rappid.json")), has.contains(ByteKey("soul.md")) else {
                throw EggError("inviable-organism", "organism must include rappid.json and soul.md")
            }
        case .rapplication:
            guard has.contains(ByteKey("rappid.json")), has.contains(ByteKey("agent.py")) else {
                throw EggError("inviable-rapplication", "rapplication must include rappid.json and root agent.py")
            }
            let roots = ["rappid.json", "agent.py", "ui.html"]
            if let bad = paths.first(where: { p in !roots.contains(where: { Bytes.same($0, p) }) && !p.utf8.starts(with: "state/".utf8) }) {
                throw EggError("inviable-rapplication", "rapplication contains a path outside its ratified layout: \(bad)")
            }
        case .session:
            guard payload.keySet == Set([ByteKey("runtime"), ByteKey("transcript")]) else {
                throw EggError("invalid-session-payload", "session payload must contain exactly runtime and transcript")
            }
            guard payload["runtime"]?.stringValue != nil, let t = payload["transcript"]?.arrayValue else {
                throw EggError("invalid-session-payload", "runtime/transcript have invalid types")
            }
            if t.contains(where: { $0.objectValue == nil }) {
                throw EggError("invalid-session-payload", "every transcript item must be an object")
            }
        case .invite:
            guard payload.keySet == Set(["target_rappid", "target_url", "target_kind"].map(ByteKey.init)) else {
                throw EggError("invalid-invite-payload", "invite payload must contain exactly its three pointer members")
            }
            guard let t = payload["target_rappid"]?.stringValue, Rappid(t) != nil else {
                throw EggError("invalid-invite-payload", "target_rappid is invalid")
            }
            let kind = payload["target_kind"]?.stringValue
            guard payload["target_url"]?.stringValue != nil, kind == "neighborhood" || kind == "estate" else {
                throw EggError("invalid-invite-payload", "target_url or target_kind is invalid")
            }
        case .neighborhood, .estate:
            let field = variant == .neighborhood ? "members" : "neighborhoods"
            guard payload.keySet == Set([ByteKey(field)]) else {
                throw EggError(variant == .neighborhood ? "invalid-neighborhood-payload" : "invalid-estate-payload",
                               "\(variant.rawValue) payload must contain exactly \(field)")
            }
            let ids = try rappidList(payload[field]!, field: field)
            let expected = ids.map(\.memberFileName).sorted(by: Bytes.less)
            guard expected.count == paths.count, zip(expected, paths).allSatisfy({ Bytes.same($0, $1) }) else {
                throw EggError(variant == .neighborhood ? "neighborhood-member-mismatch" : "estate-neighborhood-mismatch",
                               "contents do not exactly match payload.\(field)")
            }
        }
    }

    static func rappidList(_ v: JSONValue, field: String) throws(EggError) -> [Rappid] {
        guard let list = v.arrayValue else { throw EggError("invalid-egg-payload", "\(field) must be an array") }
        var ids: [Rappid] = []
        for item in list {
            guard let s = item.stringValue, let r = Rappid(s) else { throw EggError("invalid-egg-payload", "\(field) contains an invalid rappid") }
            ids.append(r)
        }
        if Set(ids.map { ByteKey($0.description) }).count != ids.count {
            throw EggError("duplicate-member", "\(field) contains a duplicate rappid")
        }
        if Set(ids.map { ByteKey($0.owner + "/" + $0.slug) }).count != ids.count {
            throw EggError("sub-egg-name-collision", "\(field) contains identities with colliding owner/slug names")
        }
        return ids
    }
}

enum EggContainer { case json, zip }

/// The §3.3 path grammar, plus the stricter extraction-time checks.
public enum EggPath {
    /// Structural rule for `contents` paths and archive names.
    public static func validate(_ p: String) throws(EggError) {
        if p.isEmpty { throw EggError("invalid-egg-path", "egg path must be a non-empty string") }
        if !CanonicalJSON.isNFC(p) { throw EggError("invalid-egg-path", "egg path must be Unicode NFC") }
        let u = Array(p.utf8)
        if u.first == 0x2F || u.contains(0x5C) || u.contains(0) {
            throw EggError("invalid-egg-path", "egg path must be relative POSIX without leading slash/backslash/NUL")
        }
        for seg in u.split(separator: 0x2F, omittingEmptySubsequences: false)
        where seg.isEmpty || seg.elementsEqual([0x2E]) || seg.elementsEqual([0x2E, 0x2E]) {
            throw EggError("invalid-egg-path", "egg path contains an empty, dot, or dot-dot segment")
        }
    }

    /// Set rules: no duplicates, no ancestor conflicts, nothing at or under manifest.json, sorted by bytes.
    public static func validateSet(_ paths: [String]) throws(EggError) {
        let set = Set(paths.map(ByteKey.init))
        if set.count != paths.count { throw EggError("duplicate-content-path", "manifest contains duplicate paths") }
        for p in paths {
            if Bytes.same(p, "manifest.json") || p.utf8.starts(with: "manifest.json/".utf8) {
                throw EggError("path-prefix-conflict", "contents cannot replace manifest.json or descend from it")
            }
            let segs = p.split(separator: "/", omittingEmptySubsequences: false)
            if segs.count > 1 {
                for n in 1..<segs.count {
                    let ancestor = segs[0..<n].joined(separator: "/")
                    if set.contains(ByteKey(ancestor)) {
                        throw EggError("path-prefix-conflict", "file path '\(ancestor)' is an ancestor of '\(p)'")
                    }
                }
            }
        }
        for k in paths.indices.dropFirst() where !Bytes.less(paths[k - 1], paths[k]) {
            throw EggError("unsorted-contents", "contents must be sorted by UTF-8 path bytes")
        }
    }

    static let reservedWindows: Set<String> = {
        var s: Set<String> = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
        for i in 1...9 { s.insert("COM\(i)"); s.insert("LPT\(i)") }
        return s
    }()

    /// Names that cannot be written safely on every platform (the later-revision rule, applied
    /// everywhere by RAR's hatcher): drive/colon, trailing dot or space, C0 controls, device names.
    public static func windowsProblem(_ p: String) -> String? {
        for seg in p.split(separator: "/", omittingEmptySubsequences: false) {
            let s = String(seg)
            if s.contains(":") { return "contains ':'" }
            if s.hasSuffix(".") || s.hasSuffix(" ") { return "segment ends with '.' or space" }
            if s.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "contains a control character" }
            if s.unicodeScalars.contains(where: { "<>\"|?*".unicodeScalars.contains($0) }) { return "contains a character Windows forbids" }
            let stem = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? s
            if reservedWindows.contains(stem.trimmingCharacters(in: .whitespaces).uppercased()) { return "reserved device name '\(s)'" }
        }
        return nil
    }

    /// Case-folded, NFC-folded key: two paths with the same key collide on some file systems.
    static func foldKey(_ p: String) -> String {
        p.precomposedStringWithCanonicalMapping.lowercased()
    }
}
