import Foundation

/// A `rapp/1-egg` that passed every structural check of eggs.md §3.7 (steps 1–5).
public struct StrictEgg: Sendable {
    public let bytes: [UInt8]
    public let manifest: EggManifest
    /// Archive members in order (manifest.json first); empty for JSON variants.
    public let members: [EggZipMember]
    public let children: [StrictEgg]
    public let eggHash: String
    /// Recursive variant list, e.g. estate, neighborhood, organism, organism.
    public let variants: [String]
    /// kids of every signature, this egg's first, then nested ones.
    public let signatureKids: [String]

    public var isZip: Bool { !manifest.variant.isJSON }

    public func data(of m: EggZipMember) -> ArraySlice<UInt8> { bytes[m.range] }

    /// File members (manifest.json excluded).
    public var fileMembers: ArraySlice<EggZipMember> { members.dropFirst() }
}

/// The strict RAPP/1 consumer pipeline.
public enum RAPP1 {
    public static let maxNesting = 3

    public struct Failure: Error, Sendable {
        public let error: EggError
        public let checks: [EggCheck]
    }

    public static func inspect(_ bytes: [UInt8]) -> Result<StrictEgg, Failure> { inspect(bytes, verifyContent: true) }

    /// `verifyContent: false` skips the CRC and file-hash passes (for the packer's self-check only).
    static func inspect(_ bytes: [UInt8], verifyContent: Bool) -> Result<StrictEgg, Failure> {
        var checks: [EggCheck] = []
        do {
            let egg = try inspect(bytes, nesting: 0, checks: &checks, verifyContent: verifyContent)
            return .success(egg)
        } catch {
            checks.append(EggCheck(step: "egg", status: "FAIL", detail: error.message))
            return .failure(Failure(error: error, checks: checks))
        }
    }

    static func inspect(_ bytes: [UInt8], nesting: Int, checks: inout [EggCheck], verifyContent: Bool = true) throws(EggError) -> StrictEgg {
        if nesting > maxNesting { throw EggError("egg-nesting-exceeded", "egg nesting exceeds estate depth") }
        let container: EggContainer
        var members: [EggZipMember] = []
        let manifestBytes: [UInt8]
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            container = .zip
            members = try StrictZip.decode(bytes, verifyCRC: verifyContent)
            guard let first = members.first, Bytes.same(first.name, "manifest.json") else {
                throw EggError("manifest-not-first", "manifest.json must be the first ZIP entry")
            }
            manifestBytes = Array(bytes[first.range])
        } else {
            container = .json
            manifestBytes = bytes
        }
        let parsed = try CanonicalJSON.strictParse(manifestBytes)
        guard parsed.objectValue != nil else { throw EggError("invalid-manifest-shape", "manifest root must be an object") }
        if try CanonicalJSON.canonicalBytes(parsed) != manifestBytes {
            throw EggError("noncanonical-manifest", "manifest octets must be canonical JSON")
        }
        let manifest = try EggManifest.validate(parsed, container: container)
        checks.append(EggCheck(step: "manifest", status: "PASS", detail: "manifest shape and form pass"))

        if container == .zip {
            let names = members.map(\.name)
            let expected = ["manifest.json"] + manifest.contents.map(\.path)
            guard names.count == expected.count, zip(names, expected).allSatisfy({ Bytes.same($0, $1) }) else {
                throw EggError("archive-member-mismatch", "archive order/set must equal manifest then contents order")
            }
            for (entry, m) in zip(manifest.contents, members.dropFirst())
            where verifyContent && EggHash.bytes(EggHash.fileSpace, bytes[m.range]) != entry.hash {
                throw EggError("content-hash-mismatch", "hash mismatch for \(m.name)")
            }
            checks.append(EggCheck(step: "integrity", status: "PASS", detail: "archive metadata, order, set, and file hashes pass"))
        } else {
            checks.append(EggCheck(step: "integrity", status: "PASS", detail: "canonical JSON egg passes"))
        }

        var children: [StrictEgg] = []
        var nestedVariants: [String] = []
        var nestedKids: [String] = []
        if manifest.variant == .neighborhood || manifest.variant == .estate {
            let field = manifest.variant == .neighborhood ? "members" : "neighborhoods"
            let expectedVariant: EggVariant = manifest.variant == .neighborhood ? .organism : .neighborhood
            var byName: [ByteKey: String] = [:]
            for r in try EggManifest.rappidList(manifest.payload[field]!, field: field) { byName[ByteKey(r.memberFileName)] = r.description }
            for m in members.dropFirst() {
                var childChecks: [EggCheck] = []
                let child: StrictEgg
                do { child = try inspect(Array(bytes[m.range]), nesting: nesting + 1, checks: &childChecks) } catch {
                    throw EggError("invalid-sub-egg", "\(m.name): \(error.message)")
                }
                guard child.manifest.variant == expectedVariant, let want = byName[ByteKey(m.name)], Bytes.same(child.manifest.rappid, want) else {
                    throw EggError("sub-egg-mismatch", "\(m.name) variant/rappid does not match its parent")
                }
                children.append(child)
                nestedVariants += child.variants
                nestedKids += child.signatureKids
            }
        }
        checks.append(EggCheck(step: "viability", status: "PASS", detail: "variant and recursive viability checks pass"))
        let hash = try manifest.eggHash()
        return StrictEgg(bytes: bytes, manifest: manifest, members: members, children: children, eggHash: hash,
                         variants: [manifest.variant.rawValue] + nestedVariants,
                         signatureKids: (manifest.sig.map { [$0.kid] } ?? []) + nestedKids)
    }

    /// Outcome of checking every signature in the egg tree against a keyring.
    public enum SignatureStatus: String, Sendable {
        case unsigned, verified, unverified, invalid
    }

    public struct SignatureReport: Sendable {
        public var status: SignatureStatus
        public var details: [String]
    }

    public static func verifySignatures(_ egg: StrictEgg, keyring: EggKeyring?) -> SignatureReport {
        var verified = 0, missing = 0, failed = 0
        var details: [String] = []
        func walk(_ e: StrictEgg, _ label: String) {
            if let sig = e.manifest.sig {
                if let key = keyring?.keys[sig.kid] {
                    let ok = (try? DetachedJWS.signingInput(protectedSegment: sig.protectedSegment, manifestWithoutSig: e.manifest.unsignedValue))
                        .map { sig.alg == key.alg && key.verify(signature: sig.signature, input: $0) } ?? false
                    if ok { verified += 1; details.append("\(label): verified (\(sig.kid))") } else {
                        failed += 1
                        details.append("\(label): signature does not verify for \(sig.kid)")
                    }
                } else {
                    missing += 1
                    details.append("\(label): no trusted key for \(sig.kid)")
                }
            }
            for (c, m) in zip(e.children, e.fileMembers) { walk(c, label + "/" + m.name) }
        }
        walk(egg, "egg")
        let status: SignatureStatus = failed > 0 ? .invalid : missing > 0 ? .unverified : verified > 0 ? .verified : .unsigned
        return SignatureReport(status: status, details: details)
    }
}

public struct EggCheck: Sendable, Equatable {
    public let step: String
    public let status: String
    public let detail: String
}
