import Foundation

/// A compiler-style finding: where, which rule, what, and how to fix it.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, note
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    }

    /// Stable rule id, e.g. `V1` (see `Rules`).
    public var rule: String
    public var severity: Severity
    public var file: String
    /// 1-based line and column (column counts code points); 0 when the file as a whole is meant.
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String?

    public init(rule: String, severity: Severity, file: String, line: Int = 0, column: Int = 0, message: String, hint: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    /// `file:line:col` (or just `file`).
    public var location: String {
        line > 0 ? "\(file):\(line):\(max(column, 1))" : file
    }

    public var json: JSONValue {
        var o: [(String, JSONValue)] = [
            ("rule", .string(rule)),
            ("name", .string(Rules.name(rule))),
            ("severity", .string(severity.rawValue)),
            ("file", .string(file)),
            ("line", .int(line)),
            ("column", .int(column)),
            ("message", .string(message)),
        ]
        o.append(("hint", hint.map { .string($0) } ?? .null))
        return .object(o)
    }
}

/// Renders diagnostics like swiftc/rustc: header, the source line, a caret, the hint.
public enum DiagnosticRenderer {
    public static func render(_ d: Diagnostic, source: SourceText?, color: Bool) -> String {
        let (red, yellow, cyan, bold, reset) = color
            ? ("\u{1B}[31m", "\u{1B}[33m", "\u{1B}[36m", "\u{1B}[1m", "\u{1B}[0m")
            : ("", "", "", "", "")
        let sev = d.severity == .error ? red + "error" : d.severity == .warning ? yellow + "warning" : cyan + "note"
        var out = "\(bold)\(d.location): \(sev)[\(d.rule)]\(reset)\(bold): \(d.message)\(reset)\n"
        if let source, d.line > 0, d.line <= source.lineCount {
            let text = source.lineText(d.line)
            let gutter = String(d.line)
            let pad = String(repeating: " ", count: gutter.count)
            out += "\(cyan)\(pad) |\(reset)\n"
            out += "\(cyan)\(gutter) |\(reset) \(text.replacingOccurrences(of: "\t", with: " "))\n"
            let caretCol = max(0, min(d.column - 1, text.unicodeScalars.count))
            out += "\(cyan)\(pad) |\(reset) \(String(repeating: " ", count: caretCol))\(red)^\(reset)\n"
        }
        if let hint = d.hint {
            out += "  \(cyan)= help:\(reset) \(hint)\n"
        }
        return out
    }

    /// SARIF 2.1.0 for CI annotations.
    public static func sarif(_ diags: [Diagnostic]) -> JSONValue {
        let ruleIds = Array(Set(diags.map(\.rule))).sorted()
        let rules: [JSONValue] = ruleIds.map { id in
            .object([("id", .string(id)), ("name", .string(Rules.name(id))),
                     ("shortDescription", .object([("text", .string(Rules.summary(id)))]))])
        }
        let results: [JSONValue] = diags.map { d in
            var region: [(String, JSONValue)] = []
            if d.line > 0 { region = [("startLine", .int(d.line)), ("startColumn", .int(max(d.column, 1)))] }
            var loc: [(String, JSONValue)] = [("artifactLocation", .object([("uri", .string(d.file))]))]
            if !region.isEmpty { loc.append(("region", .object(region))) }
            let text = d.hint.map { d.message + " (help: \($0))" } ?? d.message
            return .object([
                ("ruleId", .string(d.rule)),
                ("level", .string(d.severity == .error ? "error" : d.severity == .warning ? "warning" : "note")),
                ("message", .object([("text", .string(text))])),
                ("locations", .array([.object([("physicalLocation", .object(loc))])])),
            ])
        }
        return .object([
            ("$schema", "https://json.schemastore.org/sarif-2.1.0.json"),
            ("version", "2.1.0"),
            ("runs", .array([.object([
                ("tool", .object([("driver", .object([
                    ("name", "rar"), ("version", .string(RARVersion.current)), ("rules", .array(rules)),
                ]))])),
                ("results", .array(results)),
            ])])),
        ])
    }
}
