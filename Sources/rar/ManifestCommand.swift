import ArgumentParser
import Foundation
import RARCore

/// `rar manifest FILE...`: read `__manifest__` exactly as Python's literal_eval would.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Print the __manifest__ of agent files, read statically (no code runs).")

    @Argument(help: "Agent files (*.py, *.py.card, *.py.stub).")
    var files: [String]

    @Flag(help: "One JSON object per file per line.")
    var json = false

    @Option(help: "Largest file accepted, in bytes.")
    var maxBytes = SourceText.defaultSizeLimit

    func run() throws {
        var failed = false
        for path in files {
            let file: AgentFile
            do {
                file = try AgentFile(path: path, sizeLimit: maxBytes)
            } catch {
                Terminal.error("\(path): cannot read: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            let m = file.manifest
            if m.value == nil { failed = true }
            if json {
                print(file.manifestRecord().serialized(.python))
                continue
            }
            if let v = m.value {
                if files.count > 1 { print("# \(path)") }
                print(v.json.serialized(.pretty))
            } else {
                let loc = m.errorLine.map { ":\($0):\((m.errorCol ?? 0) + 1)" } ?? ""
                Terminal.error("\(path)\(loc): \(m.errorCode ?? "error"): \(m.error ?? "")")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
