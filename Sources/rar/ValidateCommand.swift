import ArgumentParser
import Foundation
import RARCore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, sarif
}

/// `rar validate FILE|DIR...`: static checks with compiler-style diagnostics.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check agent files statically (no code runs).",
        discussion: "Exit status: 0 all valid, 1 some file invalid, 2 usage or I/O error.")

    @Argument(help: "Agent files or directories (searched for *.py, *.py.card, *.py.stub).")
    var paths: [String]

    @Flag(help: "Shorthand for --format json.")
    var json = false

    @Option(help: "Output format: human, json or sarif.")
    var format: OutputFormat = .human

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "Print only errors, not warnings or notes.")
    var quiet = false

    @Option(help: "Largest file accepted, in bytes.")
    var maxBytes = SourceText.defaultSizeLimit

    func run() throws {
        let files: [String]
        do {
            files = try AgentTree.collect(paths)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        if files.isEmpty {
            Terminal.error("no agent files found under \(paths.joined(separator: ", "))")
            throw ExitCode(2)
        }
        let validator = Validator(sizeLimit: maxBytes, strict: strict)
        let reports = ParallelMap.mapParsing(files) { validator.validate(path: $0) }
        let fmt = json ? .json : format
        switch fmt {
        case .json:
            let summary = JSONValue.object([
                ("files", .int(reports.count)),
                ("valid", .int(reports.filter(\.isValid).count)),
                ("invalid", .int(reports.filter { !$0.isValid }.count)),
                ("errors", .int(reports.map(\.errorCount).reduce(0, +))),
                ("warnings", .int(reports.map(\.warningCount).reduce(0, +))),
            ])
            print(JSONValue.object([("summary", summary), ("results", .array(reports.map(\.json)))]).serialized(.pretty))
        case .sarif:
            print(DiagnosticRenderer.sarif(reports.flatMap(\.diagnostics)).serialized(.pretty))
        case .human:
            var out = ""
            for r in reports {
                let source = r.diagnostics.contains(where: { $0.line > 0 }) ? AgentFile.sourceForDisplay(path: r.file) : nil
                for d in r.diagnostics where !quiet || d.severity == .error {
                    out += DiagnosticRenderer.render(d, source: source, color: Terminal.colorEnabled)
                }
                if reports.count == 1 || !r.isValid {
                    let mark = r.isValid ? "ok" : "invalid"
                    let who = r.manifest?.get("name")?.string.map { " \($0)" } ?? ""
                    let ver = r.manifest?.get("version")?.string.map { "@\($0)" } ?? ""
                    out += "\(r.file):\(who)\(ver) \(mark) (\(r.errorCount) error\(r.errorCount == 1 ? "" : "s"), \(r.warningCount) warning\(r.warningCount == 1 ? "" : "s"))\n"
                }
            }
            if reports.count > 1 {
                let bad = reports.filter { !$0.isValid }.count
                out += "\(reports.count) files checked: \(reports.count - bad) valid, \(bad) invalid, "
                    + "\(reports.map(\.errorCount).reduce(0, +)) errors, \(reports.map(\.warningCount).reduce(0, +)) warnings\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
        if reports.contains(where: { !$0.isValid }) { throw ExitCode(1) }
    }
}
