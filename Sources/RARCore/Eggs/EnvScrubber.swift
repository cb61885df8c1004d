import Foundation

/// Blanks credentials in `.env` text: secret-looking keys (also after `export`), passwords
/// inside URLs, and values that look like well-known token formats. Keys are kept.
public enum EnvScrubber {
    static let secretSegments: Set<String> = [
        "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "PASS", "PASSPHRASE",
        "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CRED", "CREDS", "PAT", "AUTH", "PRIVATE", "COOKIE",
        "SESSION", "SIGNATURE", "CERT", "DSN", "BEARER", "JWT",
    ]
    static let tokenPrefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "xoxb-", "xoxp-", "xoxa-", "AKIA", "ASIA", "AIza", "glpat-", "hf_", "npm_", "pypi-"]

    /// True for keys whose value should never leave the machine.
    public static func isSecretKey(_ key: String) -> Bool {
        let k = key.uppercased()
        if k.split(separator: "_").contains(where: { secretSegments.contains(String($0)) }) { return true }
        return ["TOKEN", "SECRET", "PASSWORD", "APIKEY", "API_KEY", "PRIVATEKEY"].contains { k.hasSuffix($0) }
    }

    struct Line {
        var prefix: Substring  // indentation + optional "export "
        var key: Substring
        var sep: Substring  // "=" with surrounding spaces
        var value: Substring
    }

    static func parse(_ line: Substring) -> Line? {
        var rest = line
        let indent = rest.prefix(while: { $0 == " " || $0 == "\t" })
        rest = rest.dropFirst(indent.count)
        if rest.first == "#" { return nil }
        var prefixEnd = rest.startIndex
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            let afterWord = rest.dropFirst(6)
            let spaces = afterWord.prefix(while: { $0 == " " || $0 == "\t" })
            prefixEnd = afterWord.index(afterWord.startIndex, offsetBy: spaces.count)
            rest = rest[prefixEnd...]
        }
        let key = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" })
        guard !key.isEmpty else { return nil }
        let afterKey = rest[key.endIndex...]
        let pre = afterKey.prefix(while: { $0 == " " || $0 == "\t" })
        let eqPart = afterKey[pre.endIndex...]
        guard eqPart.first == "=" || eqPart.first == ":" else { return nil }
        let post = eqPart.dropFirst().prefix(while: { $0 == " " || $0 == "\t" })
        return Line(prefix: line[line.startIndex..<key.startIndex], key: key,
                    sep: line[pre.startIndex..<post.endIndex], value: line[post.endIndex...])
    }

    static func unquote(_ v: Substring) -> (String, String) {
        var s = String(v)
        if let hash = s.range(of: " #"), !(s.hasPrefix("\"") || s.hasPrefix("'")) { s = String(s[..<hash.lowerBound]) }
        s = s.trimmingCharacters(in: .whitespaces)
        for q in ["\"", "'"] where s.count >= 2 && s.hasPrefix(q) && s.hasSuffix(q) { return (String(s.dropFirst().dropLast()), q) }
        return (s, "")
    }

    /// `scheme://user:password@host` → `scheme://user@host`; nil when there is no password.
    static func stripURLPassword(_ v: String) -> String? {
        guard let scheme = v.range(of: "://") else { return nil }
        let afterScheme = v[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":"), userinfo.index(after: colon) < userinfo.endIndex else { return nil }
        return String(v[..<colon]) + String(v[at...])
    }

    static func looksLikeToken(_ v: String) -> Bool {
        tokenPrefixes.contains { v.hasPrefix($0) && v.count >= $0.count + 8 } || v.hasPrefix("-----BEGIN")
    }

    /// Keys whose values would leak (used by the legacy importer to quarantine eggs).
    public static func leaks(_ text: String) -> [String] { scrub(text).notes.map(\.key) }

    /// The scrubbed text and one note per value removed.
    public static func scrub(_ text: String) -> (text: String, notes: [(key: String, note: String)]) {
        var out: [String] = []
        var notes: [(String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let cr = line.hasSuffix("\r")
            let body = cr ? line.dropLast() : line
            guard let l = parse(body) else { out.append(String(line)); continue }
            let (value, quote) = unquote(l.value)
            let key = String(l.key)
            var newValue: String? = nil
            if value.isEmpty {
                newValue = nil
            } else if isSecretKey(key) {
                newValue = ""
                notes.append((key, "value blanked"))
            } else if let stripped = stripURLPassword(value) {
                newValue = stripped
                notes.append((key, "password removed from URL"))
            } else if looksLikeToken(value) {
                newValue = ""
                notes.append((key, "token-shaped value blanked"))
            }
            if let nv = newValue {
                out.append(String(l.prefix) + key + String(l.sep) + (nv.isEmpty ? "" : quote + nv + quote) + (cr ? "\r" : ""))
            } else {
                out.append(String(line))
            }
        }
        return (out.joined(separator: "\n"), notes)
    }
}
