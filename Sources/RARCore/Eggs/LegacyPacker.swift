import Foundation

/// `--legacy` packing: `brainstem-egg/2.2-organism`, `2.2-rapplication` and `2.3-session`, for old
/// hatchers. The ZIPs are stored and deterministic (valid for any ZIP reader); manifest.json goes last.
enum LegacyPacker {
    static func pack(kind: EggPackKind, source: String?, options o: EggPackOptions) throws(EggError) -> EggPackResult {
        let utc = o.createdUTC ?? EggUTC.now()
        guard EggUTC.isValid(utc) else { throw EggError("usage-invalid-utc", "--created-utc must look like 2026-07-16T22:41:23.842Z") }
        let exportedAt = String(utc.prefix(19)) + "Z"
        guard let source else { throw EggError("usage-missing-source", "\(kind.rawValue) needs a source") }
        switch kind {
        case .organism, .rapplication:
            let c = try EggPacker.collect(source, limits: o.limits)
            let idFile = c.files.first { Bytes.same($0.path, "rappid.json") }.flatMap { LegacyImporter.lenientJSON($0.data) }
            let rappid = o.rappid ?? idFile?["rappid"]?.stringValue
            func count(_ prefix: String) -> Int { c.files.filter { $0.path.hasPrefix(prefix) }.count }
            func has(_ p: String) -> Int { c.files.contains { Bytes.same($0.path, p) } ? 1 : 0 }
            var m: [(String, JSONValue)]
            if kind == .organism {
                guard has("soul.md") + has("rappid.json") > 0 else {
                    throw EggError("inviable-organism", "a legacy organism needs soul.md or rappid.json")
                }
                m = [
                    ("schema", "brainstem-egg/2.2-organism"), ("type", "organism"), ("exported_at", .string(exportedAt)),
                    ("kernel_version", .string(o.kernelVersion)), ("host", "rar"), ("rappid", rappid.map(JSONValue.string) ?? .null),
                    ("parent_rappid", idFile?["parent_rappid"] ?? .null), ("parent_repo", idFile?["parent_repo"] ?? .null),
                    ("incarnations_at_egg", idFile?["incarnations"] ?? .null),
                    ("counts", .object([("agents", .int(count("agents/"))), ("organs", .int(count("organs/"))), ("senses", .int(count("senses/"))),
                                        ("services", .int(count("services/"))), ("data", .int(count("data/"))), ("soul", .int(has("soul.md"))),
                                        ("env", .int(has(".env"))), ("rappid", .int(has("rappid.json")))])),
                    ("implements", .array([])),
                ]
            } else {
                let agents = c.files.filter { $0.path.hasPrefix("agents/") && $0.path.hasSuffix("_agent.py") && $0.path.split(separator: "/").count == 2 }
                guard agents.count == 1 else {
                    throw EggError("inviable-rapplication", "a legacy rapplication needs exactly one agents/*_agent.py (found \(agents.count))")
                }
                let agentFile = String(agents[0].path.dropFirst("agents/".count))
                let rappId = String(agentFile.dropLast("_agent.py".count))
                guard LegacyImporter.isSafeName(rappId, allowDots: false) else { throw EggError("inviable-rapplication", "agent file name gives an unsafe rapp_id") }
                let organ = c.files.first { $0.path.hasPrefix("organs/") && $0.path.hasSuffix(".py") && $0.path.split(separator: "/").count == 2 }
                m = [
                    ("schema", "brainstem-egg/2.2-rapplication"), ("type", "rapplication"), ("exported_at", .string(exportedAt)),
                    ("rappid", rappid.map(JSONValue.string) ?? .null), ("rapp_id", .string(rappId)), ("name", .string(rappId)),
                    ("version", "0.0.0"), ("publisher", "@anon"), ("host", "rar"), ("agent_filename", .string(agentFile)),
                    ("organ_filename", organ.map { .string(String($0.path.dropFirst("organs/".count))) } ?? .null),
                    ("has_skin", .bool(count("rapp_ui/") > 0)),
                    ("counts", .object([("agent", 1), ("organ", .int(count("organs/"))), ("ui", .int(count("rapp_ui/"))),
                                        ("data", .int(count("data/"))), ("soul", .int(has("soul.md")))])),
                ]
            }
            let manifest = Array((JSONValue.object(m).serialized(.pretty) + "\n").utf8)
            let sorted = c.files.sorted { Bytes.less($0.path, $1.path) }
            let bytes = try LegacyZip.encode(sorted.map { (name: $0.path, data: $0.data) } + [(name: "manifest.json", data: manifest)])
            return EggPackResult(bytes: bytes, schema: m[0].1.stringValue!, kind: kind.rawValue, rappid: rappid ?? "", createdUTC: utc,
                                 eggHash: nil, files: sorted.map { ($0.path, $0.data.count) }, leftOut: c.leftOut, scrubbed: c.scrubbed)
        case .session:
            let p = try EggPacker.parsePayload(try EggFiles.read(source, limit: 64 << 20))
            let html: String
            if let s = p["runtime"]?.stringValue { html = s } else if let s = p["runtime"]?["payload"]?.stringValue { html = s } else {
                throw EggError("invalid-session-payload", "session runtime must be an HTML string (or an object with payload)")
            }
            let m: [(String, JSONValue)] = [
                ("schema", "brainstem-egg/2.3-session"), ("type", "session"), ("rappid", o.rappid.map(JSONValue.string) ?? p["rappid"] ?? .null),
                ("name", p["name"] ?? "session"), ("title", p["title"] ?? "session"), ("description", p["description"] ?? ""),
                ("parent_rappid", .null), ("branch_at_event", .null), ("participants", p["participants"] ?? .array([])),
                ("runtime", .object([("type", "html"), ("sha256", .string(EggHash.sha256(Array(html.utf8)))), ("payload", .string(html))])),
                ("transcript", p["transcript"] ?? .array([])), ("exported_at", .string(exportedAt)), ("minted_at", .string(exportedAt)),
                ("minted_by", .null), ("implements", .array([])),
            ]
            let bytes = Array((JSONValue.object(m).serialized(.pretty) + "\n").utf8)
            return EggPackResult(bytes: bytes, schema: "brainstem-egg/2.3-session", kind: "session", rappid: o.rappid ?? "", createdUTC: utc,
                                 eggHash: nil, files: [], leftOut: [], scrubbed: [])
        default:
            throw EggError("usage-legacy-kind", "--legacy writes organism, rapplication or session only (\(kind.rawValue) never shipped in legacy form)")
        }
    }
}
