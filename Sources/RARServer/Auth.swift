import Foundation
import HTTPTypes
import Hummingbird
import RARCore

/// The caller behind a valid token.
public struct Principal: Sendable {
    public var user: UserRecord
    public var token: TokenRecord
    public var teams: [String]

    public func has(_ scope: Scope) -> Bool {
        token.scopes.contains(.admin) && user.isAdmin || token.scopes.contains(scope)
    }
    public var isAdmin: Bool { user.isAdmin && token.scopes.contains(.admin) }

    public func owns(_ ns: NamespaceRecord) -> Bool {
        if isAdmin { return true }
        switch ns.owner {
        case .user(let u): return u == user.name
        case .team(let t): return teams.contains(t)
        }
    }
}

/// API tokens: 160 random bits, shown once, stored as SHA-256 (the token has full entropy,
/// so a fast hash is enough and lookups stay O(1)).
public enum Tokens {
    public static let prefix = "rar_"

    static func random(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func base32(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var acc = 0, bits = 0
        for b in bytes {
            acc = (acc << 8) | Int(b); bits += 8
            while bits >= 5 { out.append(alphabet[(acc >> (bits - 5)) & 31]); bits -= 5 }
        }
        if bits > 0 { out.append(alphabet[(acc << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A new secret token and its public id.
    public static func mint() -> (secret: String, id: String) {
        (prefix + base32(random(20)), "tok_" + base32(random(8)))
    }

    public static func hash(_ secret: String) -> String { BuildSupport.sha256Hex(secret) }

    /// Looks plausible before any database work (length and alphabet).
    public static func wellFormed(_ s: String) -> Bool {
        s.hasPrefix(prefix) && s.utf8.count <= 128 && s.utf8.dropFirst(prefix.utf8.count).allSatisfy { alphabet.contains($0) }
    }
}

/// Resolves `Authorization: Bearer …` to a principal.
struct Authenticator: Sendable {
    let store: any RegistryStore

    func principal(_ request: Request) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem(.unauthorized, "use 'Authorization: Bearer <token>'")
        }
        let secret = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard Tokens.wellFormed(secret), let (tok, user) = try await store.token(hash: Tokens.hash(secret), now: Clock.stamp(Date())) else {
            var p = Problem(.unauthorized, "the token is unknown, expired or revoked")
            p.headers[.wwwAuthenticate] = "Bearer realm=\"rar\""
            throw p
        }
        return Principal(user: user, token: tok, teams: try await store.teams(ofUser: user.id))
    }

    /// The principal, which must hold `scope`.
    func require(_ request: Request, _ scope: Scope) async throws -> Principal {
        guard let p = try await principal(request) else {
            var e = Problem(.unauthorized, "this action needs a token with the '\(scope.rawValue)' scope (rar login)")
            e.headers[.wwwAuthenticate] = "Bearer realm=\"rar\""
            throw e
        }
        if scope == .admin ? !p.isAdmin : !p.has(scope) {
            throw Problem(.forbidden, "the token lacks the '\(scope.rawValue)' scope")
        }
        return p
    }
}
