import Crypto
import Foundation

/// Unpadded base64url, with a strict (canonical) decoder.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let reverse: [Int8] = {
        var r = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { r[Int(c)] = Int8(i) }
        return r
    }()

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let b = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((b.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= b.count {
            let v = Int(b[i]) << 16 | Int(b[i + 1]) << 8 | Int(b[i + 2])
            out += [alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]]
            i += 3
        }
        let rest = b.count - i
        if rest == 1 {
            let v = Int(b[i]) << 16
            out += [alphabet[v >> 18], alphabet[(v >> 12) & 63]]
        } else if rest == 2 {
            let v = Int(b[i]) << 16 | Int(b[i + 1]) << 8
            out += [alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil unless `s` is exactly the canonical unpadded encoding of some bytes.
    public static func decodeCanonical(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        if u.count % 4 == 1 { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count * 3 / 4)
        var acc = 0, bits = 0
        for c in u {
            let v = reverse[Int(c)]
            if v < 0 { return nil }
            acc = (acc << 6) | Int(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> bits) & 0xFF))
            }
        }
        if bits > 0 && acc & ((1 << bits) - 1) != 0 { return nil }  // non-zero trailing bits
        return out
    }

    /// Standard base64 (with padding) decoding, for SPKI fields.
    public static func decodeStandard(_ s: String) -> [UInt8]? {
        guard let d = Data(base64Encoded: s) else { return nil }
        return [UInt8](d)
    }
}

/// A structurally valid detached, unencoded JWS (RFC 7515 appendix F + RFC 7797).
public struct DetachedJWS: Sendable {
    public let alg: String
    public let kid: String
    public let protectedSegment: String
    public let signature: [UInt8]

    /// Structural parse with the reference core's codes, in its order.
    public static func parse(_ v: JSONValue) throws(EggError) -> DetachedJWS {
        guard case .string(let s) = v else { throw EggError("invalid-jws", "JWS must be a string") }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[1].isEmpty else { throw EggError("invalid-jws", "JWS must use detached compact serialization") }
        func decode(_ seg: String, _ field: String) throws(EggError) -> [UInt8] {
            guard !seg.isEmpty, let b = Base64URL.decodeCanonical(seg) else {
                throw EggError("invalid-jws-base64url", "\(field) is not canonical unpadded base64url")
            }
            return b
        }
        let headerBytes = try decode(parts[0], "protected header")
        let signature = try decode(parts[2], "signature")
        let header: JSONValue
        do { header = try CanonicalJSON.strictParse(headerBytes) } catch {
            throw EggError("invalid-jws-header", "protected header is not strict I-JSON")
        }
        let expectedKeys: Set<ByteKey> = [ByteKey("alg"), ByteKey("b64"), ByteKey("crit"), ByteKey("kid")]
        guard header.keySet == expectedKeys else {
            throw EggError("invalid-jws-header", "protected header must contain exactly four members")
        }
        if (try? CanonicalJSON.canonicalBytes(header)) != headerBytes {
            throw EggError("noncanonical-jws-header", "protected header octets are not RFC 8785")
        }
        guard let alg = header["alg"]?.stringValue, alg == "EdDSA" || alg == "ES256" else {
            throw EggError("invalid-jws-alg", "alg must be EdDSA or ES256")
        }
        guard header["b64"] == .bool(false), header["crit"] == .array([.string("b64")]) else {
            throw EggError("invalid-jws-header", "b64 and crit do not select RFC 7797")
        }
        guard let kid = header["kid"]?.stringValue, Rappid(kid) != nil else {
            throw EggError("invalid-jws-kid", "kid must be a conformant rappid")
        }
        guard signature.count == 64 else { throw EggError("invalid-jws-signature", "\(alg) JWS signature must be 64 octets") }
        return DetachedJWS(alg: alg, kid: kid, protectedSegment: parts[0], signature: signature)
    }

    /// Check a detached JWS over any JSON document (its `sig` member ignored) against a keyring:
    /// how clients verify a registry's signed registry.json offline.
    public static func verify(_ jws: String, document: JSONValue, keyring: EggKeyring) -> Bool {
        guard let sig = try? parse(.string(jws)), let key = keyring.keys[sig.kid], key.alg == sig.alg,
              let input = try? signingInput(protectedSegment: sig.protectedSegment, manifestWithoutSig: document.removingMember("sig")) else { return false }
        return key.verify(signature: sig.signature, input: input)
    }

    /// BASE64URL(header) || "." || canonical manifest without `sig`.
    public static func signingInput(protectedSegment: String, manifestWithoutSig: JSONValue) throws(EggError) -> [UInt8] {
        Array(protectedSegment.utf8) + [0x2E] + (try CanonicalJSON.canonicalBytes(manifestWithoutSig))
    }
}

/// A public key the verifier trusts for one kid.
public struct EggPublicKey: Sendable {
    public let kid: String
    public let alg: String
    public let spkiDER: [UInt8]

    static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Parses the SPKI; the kid's tail must be Hb("rapp/1:rappid", SPKI DER).
    public init(kid: String, spkiDER: [UInt8]) throws(EggError) {
        guard let r = Rappid(kid) else { throw EggError("invalid-keyring", "kid is not a RAPP/1 rappid: \(kid)") }
        if spkiDER.count == 44 && spkiDER.starts(with: EggPublicKey.ed25519Prefix) {
            alg = "EdDSA"
        } else if let k = try? P256.Signing.PublicKey(derRepresentation: spkiDER), Array(k.derRepresentation) == spkiDER {
            alg = "ES256"
        } else {
            throw EggError("invalid-keyring", "unsupported or non-canonical SPKI for \(kid)")
        }
        guard EggHash.bytes(EggHash.rappidSpace, spkiDER) == r.tail else {
            throw EggError("invalid-keyring", "kid tail is not Hb(rapp/1:rappid, SPKI) for \(kid)")
        }
        self.kid = kid
        self.spkiDER = spkiDER
    }

    func verify(signature: [UInt8], input: [UInt8]) -> Bool {
        switch alg {
        case "EdDSA":
            guard let k = try? Curve25519.Signing.PublicKey(rawRepresentation: spkiDER.suffix(32)) else { return false }
            return k.isValidSignature(signature, for: input)
        case "ES256":
            guard let k = try? P256.Signing.PublicKey(derRepresentation: spkiDER),
                let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return k.isValidSignature(sig, for: input)
        default: return false
        }
    }
}

/// Trusted keys by kid. File form: `{"schema":"rar-egg-keyring/1","keys":[{"kid":…,"spki_der_b64":…}]}`.
public struct EggKeyring: Sendable {
    public private(set) var keys: [String: EggPublicKey] = [:]
    public init() {}

    public mutating func add(_ k: EggPublicKey) { keys[k.kid] = k }

    public static func parse(_ bytes: [UInt8]) throws(EggError) -> EggKeyring {
        let v: JSONValue
        do { v = try JSONParser(rejectDuplicateKeys: true).parse(bytes: bytes) } catch {
            throw EggError("invalid-keyring", "keyring is not valid JSON")
        }
        guard let list = v["keys"]?.arrayValue else { throw EggError("invalid-keyring", "keyring needs a \"keys\" array") }
        var ring = EggKeyring()
        for entry in list {
            guard let kid = entry["kid"]?.stringValue, let b64 = entry["spki_der_b64"]?.stringValue,
                let der = Base64URL.decodeStandard(b64)
            else { throw EggError("invalid-keyring", "each key needs kid and spki_der_b64") }
            ring.add(try EggPublicKey(kid: kid, spkiDER: der))
        }
        return ring
    }

    public static func load(path: String) throws(EggError) -> EggKeyring {
        try parse(try EggFiles.read(path, limit: 16 << 20))
    }

    public func serialized() -> String {
        let entries: [JSONValue] = keys.keys.sorted().map { kid in
            let k = keys[kid]!
            return .object([("kid", .string(kid)), ("alg", .string(k.alg)), ("spki_der_b64", .string(Data(k.spkiDER).base64EncodedString()))])
        }
        return JSONValue.object([("schema", "rar-egg-keyring/1"), ("keys", .array(entries))]).serialized(.pretty) + "\n"
    }
}

/// An Ed25519 signing key with its kid. File form (keep private, mode 0600):
/// `{"schema":"rar-egg-key/1","alg":"EdDSA","kid":…,"seed_b64url":…,"spki_der_b64":…}`.
public struct EggSigningKey: Sendable {
    public let kid: String
    let seed: [UInt8]

    public init(seed: [UInt8], owner: String, slug: String) throws(EggError) {
        guard seed.count == 32 else { throw EggError("invalid-key", "Ed25519 seed must be 32 bytes") }
        guard Rappid.isLabel(owner, max: 39), Rappid.isLabel(slug, max: 100) else {
            throw EggError("usage-invalid-label", "owner/slug must be lowercase alphanumerics with single hyphens")
        }
        self.seed = seed
        let spki = EggSigningKey.spki(seed: seed)
        kid = Rappid.mintKeyed(owner: owner, slug: slug, spkiDER: spki)!.description
    }

    init(seed: [UInt8], kid: String) { self.seed = seed; self.kid = kid }

    public static func generate(owner: String, slug: String) throws(EggError) -> EggSigningKey {
        let k = Curve25519.Signing.PrivateKey()
        return try EggSigningKey(seed: Array(k.rawRepresentation), owner: owner, slug: slug)
    }

    static func spki(seed: [UInt8]) -> [UInt8] {
        let k = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        return EggPublicKey.ed25519Prefix + Array(k.publicKey.rawRepresentation)
    }

    public var spkiDER: [UInt8] { EggSigningKey.spki(seed: seed) }
    public var publicKey: EggPublicKey { try! EggPublicKey(kid: kid, spkiDER: spkiDER) }

    /// Detached JWS over the manifest (its `sig` member is ignored).
    public func sign(manifest: JSONValue) throws(EggError) -> String {
        let header = JSONValue.object([("alg", "EdDSA"), ("b64", false), ("crit", ["b64"]), ("kid", .string(kid))])
        let seg = Base64URL.encode(try CanonicalJSON.canonicalBytes(header))
        let input = try DetachedJWS.signingInput(protectedSegment: seg, manifestWithoutSig: manifest.removingMember("sig"))
        let k = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        guard let sig = try? k.signature(for: input) else { throw EggError("io-sign-failed", "signing failed") }
        return seg + ".." + Base64URL.encode(sig)
    }

    public func serialized() -> String {
        JSONValue.object([
            ("schema", "rar-egg-key/1"), ("alg", "EdDSA"), ("kid", .string(kid)),
            ("seed_b64url", .string(Base64URL.encode(seed))),
            ("spki_der_b64", .string(Data(spkiDER).base64EncodedString())),
        ]).serialized(.pretty) + "\n"
    }

    public static func parse(_ bytes: [UInt8]) throws(EggError) -> EggSigningKey {
        guard let v = try? JSONParser(rejectDuplicateKeys: true).parse(bytes: bytes),
            v["schema"]?.stringValue == "rar-egg-key/1", v["alg"]?.stringValue == "EdDSA",
            let kid = v["kid"]?.stringValue, let r = Rappid(kid),
            let s = v["seed_b64url"]?.stringValue, let seed = Base64URL.decodeCanonical(s), seed.count == 32
        else { throw EggError("invalid-key", "not a rar-egg-key/1 Ed25519 key file") }
        let key = EggSigningKey(seed: seed, kid: kid)
        guard EggHash.bytes(EggHash.rappidSpace, key.spkiDER) == r.tail else {
            throw EggError("invalid-key", "key file kid does not match its public key")
        }
        return key
    }

    public static func load(path: String) throws(EggError) -> EggSigningKey {
        try parse(try EggFiles.read(path, limit: 1 << 20))
    }
}

extension JSONValue {
    /// The object without one member (byte-exact key match).
    func removingMember(_ key: String) -> JSONValue {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { !Bytes.same($0.0, key) })
    }

    func settingMember(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { Bytes.same($0.0, key) }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }
}
