import Crypto
import Foundation

/// Everything the build needs from one file, computed once (and cached by content hash).
public struct FileFacts: Sendable {
    public var path: String
    /// sha256-lf-v1 of the file.
    public var sha256: String
    /// sha256 of the bytes as they are (what a raw copy holds).
    public var rawSHA256: String
    /// The file's size, times and inode when it was read (nil: not read from disk).
    var stamp: FileStamp?
    public var lfSize: Int
    public var lines: Int
    public var diagnostics: [Diagnostic]
    /// The manifest dict as JSON (nil when missing or not a dict).
    public var manifest: JSONValue?
    public var capabilities: [String]
    public var card: JSONValue?
    public var swarm: JSONValue?
    public var source: JSONValue?
    /// The module docstring as safe HTML for the catalog (nil: no docstring). Rendered here so
    /// the build cache keeps it.
    public var docstringHTML: String?

    public var name: String? { manifest?["name"]?.stringValue }

    /// Parse and validate. `bytes` are the raw file bytes.
    static func analyze(path: String, bytes: [UInt8], sha256: String, rawSHA256: String, lfSize: Int, validator: Validator, docstrings: Bool) -> FileFacts {
        let file = AgentFile(path: path, bytes: bytes, sizeLimit: validator.sizeLimit)
        let report = validator.validate(file, displayPath: path)
        func dictJSON(_ r: DunderResult?) -> JSONValue? {
            guard let v = r?.value, case .dict = v else { return nil }
            return BuildSupport.pythonJSON(v)
        }
        return FileFacts(path: path, sha256: sha256, rawSHA256: rawSHA256, lfSize: lfSize, lines: BuildSupport.pythonLineCount(bytes),
                         diagnostics: report.diagnostics, manifest: dictJSON(file.manifest), capabilities: report.capabilities,
                         card: dictJSON(file.dunder("__card__")), swarm: dictJSON(file.dunder("__swarm__")),
                         source: dictJSON(file.dunder("__source__")), docstringHTML: docstrings ? file.docstring.map(DocstringHTML.render) : nil)
    }

    // MARK: cache form

    var cacheJSON: JSONValue {
        .object([
            ("sha256", .string(sha256)), ("raw_sha256", .string(rawSHA256)), ("lf_size", .int(lfSize)), ("lines", .int(lines)),
            ("diagnostics", .array(diagnostics.map { d in
                .array([.string(d.rule), .string(d.severity.rawValue), .int(d.line), .int(d.column), .string(d.message), d.hint.map { .string($0) } ?? .null])
            })),
            ("manifest", manifest ?? .null), ("capabilities", .array(capabilities.map { .string($0) })),
            ("card", card ?? .null), ("swarm", swarm ?? .null), ("source", source ?? .null),
            ("docstring_html", docstringHTML.map { .string($0) } ?? .null),
            ("stamp", stamp.map { .array($0.fields.map { .int($0) }) } ?? .null),
        ])
    }

    init(path: String, sha256: String, rawSHA256: String, lfSize: Int, lines: Int, diagnostics: [Diagnostic], manifest: JSONValue?,
         capabilities: [String], card: JSONValue?, swarm: JSONValue?, source: JSONValue?, docstringHTML: String?) {
        self.path = path; self.sha256 = sha256; self.rawSHA256 = rawSHA256; self.lfSize = lfSize; self.lines = lines
        self.diagnostics = diagnostics; self.manifest = manifest; self.capabilities = capabilities
        self.card = card; self.swarm = swarm; self.source = source; self.docstringHTML = docstringHTML
    }

    init?(cache v: JSONValue, path: String) {
        guard let sha = v["sha256"]?.stringValue, let raw = v["raw_sha256"]?.stringValue, let size = v["lf_size"]?.intValue, let lines = v["lines"]?.intValue,
              let diags = v["diagnostics"]?.arrayValue, let caps = v["capabilities"]?.arrayValue else { return nil }
        var ds: [Diagnostic] = []
        for d in diags {
            guard let a = d.arrayValue, a.count == 6, let rule = a[0].stringValue, let sev = a[1].stringValue.flatMap(Diagnostic.Severity.init(rawValue:)),
                  let line = a[2].intValue, let col = a[3].intValue, let msg = a[4].stringValue else { return nil }
            ds.append(Diagnostic(rule: rule, severity: sev, file: path, line: line, column: col, message: msg, hint: a[5].stringValue))
        }
        func opt(_ k: String) -> JSONValue? { if let x = v[k], !x.isNull { return x }; return nil }
        self.init(path: path, sha256: sha, rawSHA256: raw, lfSize: size, lines: lines, diagnostics: ds, manifest: opt("manifest"),
                  capabilities: caps.compactMap(\.stringValue), card: opt("card"), swarm: opt("swarm"), source: opt("source"),
                  docstringHTML: v["docstring_html"]?.stringValue)
        stamp = v["stamp"]?.arrayValue.flatMap { FileStamp(fields: $0.compactMap(\.intValue)) }
    }
}

/// What `stat` says of a file: size, modification and change times (ns) and inode. Equal stamps
/// mean the file was not touched (as git's index assumes).
struct FileStamp: Sendable, Equatable {
    var fields: [Int]

    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }

    init(_ st: stat) {
        fields = [Int(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec, Int(st.st_ino)]
    }

    init?(fields: [Int]) {
        guard fields.count == 6 else { return nil }
        self.fields = fields
    }

    var modified: Int { max(fields[1], fields[3]) }
}

/// The content-hash cache: path + sha256 of the bytes → facts. Invalidated by tool version and
/// options. Files whose stamp matches the one recorded are taken without reading them.
public struct BuildCache: Sendable {
    public static let fileName = ".rar-cache.json"
    static let schema = "rar-build-cache/3"
    var entries: [String: FileFacts] = [:]
    var key: String

    init(key: String) { self.key = key }

    static func load(from dir: String, key: String) -> BuildCache {
        var c = BuildCache(key: key)
        guard let data = FastFile.read(dir + "/" + fileName),
              let v = try? JSONParser().parse(bytes: data), v["schema"]?.stringValue == schema, v["key"]?.stringValue == key,
              let files = v["files"]?.objectValue else { return c }
        for (p, f) in files { if let facts = FileFacts(cache: f, path: p) { c.entries[p] = facts } }
        return c
    }

    func lookup(_ path: String, rawSHA256: String) -> FileFacts? {
        guard let f = entries[path], f.rawSHA256 == rawSHA256 else { return nil }
        return f
    }

    func lookup(_ path: String, stamp: FileStamp) -> FileFacts? {
        guard let f = entries[path], f.stamp == stamp else { return nil }
        return f
    }

    /// A digest of what `serialize` writes: facts follow from the bytes and the key, so paths,
    /// byte hashes and stamps stand for them.
    static func fingerprint(_ facts: [FileFacts], key: String) -> String {
        var h = SHA256()
        h.update(data: Array((schema + "\u{0}" + key + "\u{0}").utf8))
        for f in facts {
            var line = f.path + "\u{0}" + f.rawSHA256 + "\u{0}"
            if let s = f.stamp { line += s.fields.map(String.init).joined(separator: ",") }
            line += "\u{0}"
            h.update(data: Array(line.utf8))
        }
        return BuildSupport.hex(h.finalize())
    }

    static func serialize(_ facts: [FileFacts], key: String) -> [UInt8] {
        JSONValue.object([
            ("schema", .string(schema)), ("key", .string(key)),
            ("files", .object(facts.map { ($0.path, $0.cacheJSON) })),
        ]).serializedBytes(.compact)
    }
}
