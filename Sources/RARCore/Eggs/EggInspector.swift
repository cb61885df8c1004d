import Foundation

public struct EggMemberInfo: Sendable {
    public let path: String
    public let size: Int
    /// Hb("rapp/1:egg", bytes) for RAPP/1 eggs; plain SHA-256 for legacy ones.
    public let hash: String
}

/// Everything `inspect` knows about an egg. Never produced by writing anything.
public struct EggReport: Sendable {
    public var generation = "unknown"  // rapp/1 | legacy | compact | unknown
    public var kind: String?
    public var structurallyValid = false
    public var accepted = false
    public var errorCode: String?
    public var errorMessage: String?
    public var variants: [String] = []
    public var rappid: String?
    public var createdUTC: String?
    public var eggHash: String?
    public var signatureKids: [String] = []
    public var signatureStatus = "unsigned"
    public var signatureDetails: [String] = []
    /// VERIFIED (every signature checked), UNVERIFIED (nothing authenticates it), INVALID.
    public var trustStatus = "UNVERIFIED"
    public var sha256 = ""
    public var byteCount = 0
    public var members: [EggMemberInfo] = []
    public var checks: [EggCheck] = []
    /// The strict RAPP/1 core's verdict on the same bytes (present for every file input).
    public var strictValid: Bool?
    public var strictCode: String?
    public var strictMessage: String?
    public var details: [(String, JSONValue)] = []
    public var skipped: [(path: String, reason: String)] = []
    public var children: [EggReport] = []
    public var warnings: [String] = []

    mutating func fail(_ e: EggError) {
        accepted = false
        errorCode = e.code
        errorMessage = e.message
    }

    public var error: EggError? { errorCode.map { EggError($0, errorMessage ?? "") } }

    public func json() -> JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        var pairs: [(String, JSONValue)] = [
            ("generation", .string(generation)), ("kind", s(kind)),
            ("structurally_valid", .bool(structurallyValid)), ("accepted", .bool(accepted)),
            ("error_code", s(errorCode)), ("error", s(errorMessage)),
            ("rappid", s(rappid)), ("created_utc", s(createdUTC)), ("egg_hash", s(eggHash)),
            ("variants", .array(variants.map(JSONValue.string))),
            ("signature_kids", .array(signatureKids.map(JSONValue.string))),
            ("signature_status", .string(signatureStatus)), ("trust_status", .string(trustStatus)),
            ("sha256", .string(sha256)), ("bytes", .int(byteCount)),
            ("members", .array(members.map { .object([("path", .string($0.path)), ("size", .int($0.size)), ("hash", .string($0.hash))]) })),
        ]
        if !signatureDetails.isEmpty { pairs.append(("signature_details", .array(signatureDetails.map(JSONValue.string)))) }
        if !details.isEmpty { pairs.append(("details", .object(details))) }
        if !skipped.isEmpty {
            pairs.append(("skipped", .array(skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })))
        }
        if !children.isEmpty { pairs.append(("children", .array(children.map { $0.json() }))) }
        if !warnings.isEmpty { pairs.append(("warnings", .array(warnings.map(JSONValue.string)))) }
        if let strictValid {
            pairs.append(("rapp1_strict", .object([("structurally_valid", .bool(strictValid)), ("error_code", s(strictCode)), ("error", s(strictMessage))])))
        }
        pairs.append(("checks", .array(checks.map { .object([("step", .string($0.step)), ("status", .string($0.status)), ("detail", .string($0.detail))]) })))
        return .object(pairs)
    }
}

/// The result of recognising and checking an egg: the report plus what a hatch would write.
public struct EggAnalysis: Sendable {
    public var report: EggReport
    public var strict: StrictEgg?
    public var legacyPlan: LegacyPlan?
}

/// Recognition and dispatch (eggs.md §8): strict RAPP/1 first, a separate legacy importer,
/// refusal for everything else. Pure: never touches the file system.
public enum EggInspector {
    public static func inspect(_ bytes: [UInt8], keyring: EggKeyring? = nil, limits: EggLimits = .default) -> EggReport {
        analyze(bytes, keyring: keyring, limits: limits).report
    }

    public static func analyze(_ bytes: [UInt8], keyring: EggKeyring? = nil, limits: EggLimits = .default) -> EggAnalysis {
        var r = EggReport()
        r.sha256 = EggHash.sha256(bytes)
        r.byteCount = bytes.count
        if bytes.count > limits.maxEggBytes {
            r.fail(EggError("egg-too-large", "egg is \(bytes.count) bytes, over the limit of \(limits.maxEggBytes)"))
            return EggAnalysis(report: r)
        }
        let strict = RAPP1.inspect(bytes)
        switch strict {
        case .success(let egg):
            r.strictValid = true
            return EggAnalysis(report: rapp1Report(egg, base: r, keyring: keyring, limits: limits), strict: egg)
        case .failure(let f):
            r.strictValid = false
            r.strictCode = f.error.code
            r.strictMessage = f.error.message
            r.checks = f.checks
        }
        switch LegacyImporter.recognize(bytes, limits: limits) {
        case .rapp1:
            // Once rapp/1-egg is seen there is no legacy fallback: the strict verdict stands.
            r.generation = "rapp/1"
            r.fail(EggError(r.strictCode!, r.strictMessage!))
            return EggAnalysis(report: r)
        case .unrecognized:
            r.generation = "unknown"
            r.fail(EggError(r.strictCode!, r.strictMessage!))
            return EggAnalysis(report: r)
        case .unknownLegacy(let schema, let type):
            r.generation = "legacy"
            r.kind = schema
            r.fail(LegacyImporter.unknownKind(schema, type))
            return EggAnalysis(report: r)
        case .legacy(let schema, let manifest, let container):
            r.generation = "legacy"
            r.kind = schema
            r.rappid = manifest["rappid"]?.stringValue
            r.checks = []
            do {
                let plan = try LegacyImporter.plan(bytes, schema: schema, manifest: manifest, container: container, limits: limits)
                r.kind = plan.kind
                r.structurallyValid = true
                r.members = plan.files.map { EggMemberInfo(path: $0.path, size: $0.data.count, hash: EggHash.sha256($0.data)) }
                r.skipped = plan.skipped
                r.details = plan.details
                r.checks.append(EggCheck(step: "legacy", status: "PASS", detail: "recognised \(schema); every member checked"))
                if let refusal = plan.refusal {
                    r.fail(refusal)
                } else {
                    r.accepted = true
                    r.warnings.append("legacy egg: no signature or content addresses; integrity is only the ZIP CRC")
                    if let p = unsafePlanPath(plan.files.map(\.path)) { r.fail(p) }
                }
                return EggAnalysis(report: r, legacyPlan: plan)
            } catch {
                r.checks.append(EggCheck(step: "legacy", status: "FAIL", detail: error.message))
                r.fail(error)
                return EggAnalysis(report: r)
            }
        }
    }

    /// Extraction-time path rules every hatch applies (Windows-unsafe names, case/normalisation twins).
    static func unsafePlanPath(_ paths: [String]) -> EggError? {
        var seen: [String: String] = [:]
        for p in paths {
            if let why = EggPath.windowsProblem(p) {
                return EggError("unsafe-extraction-path", "egg path cannot be written safely on every platform: '\(p)' (\(why))")
            }
            // Every ancestor too: 'A/x' and 'a/y' clash on case-insensitive file systems.
            let segs = p.split(separator: "/").map(String.init)
            for n in 1...segs.count {
                let prefix = segs[0..<n].joined(separator: "/")
                let key = EggPath.foldKey(prefix)
                if let other = seen[key], !Bytes.same(other, prefix) {
                    return EggError("unsafe-extraction-path", "'\(prefix)' and '\(other)' differ only by case or normalisation")
                }
                seen[key] = prefix
            }
        }
        return nil
    }

    static func rapp1Report(_ egg: StrictEgg, base: EggReport, keyring: EggKeyring?, limits: EggLimits) -> EggReport {
        var r = base
        r.generation = "rapp/1"
        r.kind = egg.manifest.variant.rawValue
        r.structurallyValid = true
        r.rappid = egg.manifest.rappid
        r.createdUTC = egg.manifest.createdUTC
        r.eggHash = egg.eggHash
        r.variants = egg.variants
        r.signatureKids = egg.signatureKids
        r.members = zip(egg.manifest.contents, egg.fileMembers).map { EggMemberInfo(path: $0.path, size: $1.range.count, hash: $0.hash) }
        r.checks = [
            EggCheck(step: "manifest", status: "PASS", detail: "manifest shape and form pass"),
            EggCheck(step: "integrity", status: "PASS", detail: egg.isZip ? "archive metadata, order, set, and file hashes pass" : "canonical JSON egg passes"),
            EggCheck(step: "viability", status: "PASS", detail: "variant and recursive viability checks pass"),
        ]
        r.children = zip(egg.children, egg.fileMembers).map { child, m in
            var c = rapp1Report(child, base: EggReport(), keyring: keyring, limits: limits)
            c.sha256 = EggHash.sha256(egg.bytes[m.range])
            c.byteCount = m.range.count
            c.kind = child.manifest.variant.rawValue
            c.details.insert(("member", .string(m.name)), at: 0)
            return c
        }
        let payload = egg.manifest.payload
        switch egg.manifest.variant {
        case .session:
            r.details = [("runtime", payload["runtime"] ?? .null), ("transcript_turns", .int(payload["transcript"]?.arrayValue?.count ?? 0))]
        case .invite:
            r.details = [("target_rappid", payload["target_rappid"] ?? .null), ("target_url", payload["target_url"] ?? .null),
                         ("target_kind", payload["target_kind"] ?? .null)]
        default: break
        }
        let sigs = RAPP1.verifySignatures(egg, keyring: keyring)
        r.signatureStatus = sigs.status.rawValue
        r.signatureDetails = sigs.details
        switch sigs.status {
        case .verified:
            r.trustStatus = "VERIFIED"
            r.checks.append(EggCheck(step: "trust", status: "PASS", detail: "every signature verifies against the keyring"))
            r.accepted = true
        case .unsigned:
            r.trustStatus = "UNVERIFIED"
            r.checks.append(EggCheck(step: "trust", status: "UNVERIFIED", detail: "unsigned: content addresses prove integrity, not authorship"))
            r.accepted = true
        case .unverified:
            r.trustStatus = "UNVERIFIED"
            r.checks.append(EggCheck(step: "trust", status: "UNVERIFIED", detail: "signed, but no trusted key for every signer (pass --keyring)"))
            r.fail(EggError("signed-egg-unverified", "signed egg cannot be verified: \(sigs.details.joined(separator: "; "))"))
        case .invalid:
            r.trustStatus = "INVALID"
            r.checks.append(EggCheck(step: "trust", status: "FAIL", detail: sigs.details.joined(separator: "; ")))
            r.fail(EggError("signature-verification-failed", sigs.details.joined(separator: "; ")))
        }
        if r.accepted, egg.isZip {
            if let e = unsafePlanPath(egg.members.map(\.name)) {
                r.fail(e)
            } else if egg.members.count > limits.maxEntries || egg.fileMembers.contains(where: { $0.range.count > limits.maxEntryBytes }) {
                r.fail(EggError("egg-limit-exceeded", "egg exceeds the entry count or entry size limits"))
            }
        }
        return r
    }
}
