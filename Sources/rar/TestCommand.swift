import ArgumentParser
import Foundation
import RARCore

/// `rar test FILE`: the reference's contract tests; runs the agent in a sandbox.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the 10 contract tests (this command executes the agent, sandboxed).",
        discussion: """
        Tests 4–9 import and run the agent with python3 in a scratch directory, with memory, CPU,
        file-size and wall-clock limits and no network. Every other rar command reads agents statically.
        Exit status: 0 all tests pass, 1 a test failed, 2 usage or I/O error.
        """)

    @Argument(help: "Agent file(s).")
    var files: [String]

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Memory limit for the agent, in MB.")
    var memory = 1024

    @Option(help: "CPU-time limit for the agent, in seconds.")
    var cpu = 30

    @Option(help: "Wall-clock limit for the whole run, in seconds.")
    var timeout = 60

    @Option(help: "python3 to use (default: the first on PATH).")
    var python: String?

    func run() throws {
        var tester = ContractTester()
        tester.memoryMB = memory
        tester.cpuSeconds = cpu
        tester.timeoutSeconds = timeout
        tester.python = python
        var reports: [ContractTester.Report] = []
        for f in files {
            guard FileManager.default.fileExists(atPath: f) else {
                Terminal.error("\(f): no such file")
                throw ExitCode(2)
            }
            if !json { Terminal.note("running \(f) in a sandbox (this executes the agent's code)…") }
            do {
                reports.append(try tester.run(path: f))
            } catch {
                Terminal.error("\(f): \(error)")
                throw ExitCode(2)
            }
        }
        if json {
            print(JSONValue.array(reports.map(\.json)).serialized(.pretty))
        } else {
            let c = Terminal.colorEnabled
            for r in reports {
                print("\(r.file)  (isolation: \(r.isolation))")
                for (i, t) in r.results.enumerated() {
                    let mark = t.passed ? (c ? "\u{1B}[32mPASS\u{1B}[0m" : "PASS") : (c ? "\u{1B}[31mFAIL\u{1B}[0m" : "FAIL")
                    print(String(format: "  %2d ", i + 1) + mark + "  \(t.name): \(t.message)")
                }
                let n = r.results.filter(\.passed).count
                print("  \(n)/\(r.results.count) passed")
            }
        }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

/// `rar new @publisher/slug`: scaffold an agent that validates and tests clean.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a new agent file from RAR's template.")

    @Argument(help: "The agent's registry name, @publisher/slug.")
    var name: String

    @Option(name: .shortAndLong, help: "Directory to write into (default: current directory).")
    var output = "."

    @Option(help: "Display name.") var displayName: String?
    @Option(help: "One-sentence description.") var description: String?
    @Option(help: "Author.") var author: String?
    @Option(help: "Category.") var category = "general"
    @Option(help: "Comma-separated tags.") var tags: String?
    @Flag(help: "Overwrite an existing file.") var force = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var o = Scaffold.Options(name: name)
        o.displayName = displayName
        o.description = description
        o.author = author
        o.category = category
        o.tags = tags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        let text: String
        let slug: String
        do {
            text = try Scaffold.render(o)
            slug = try Scaffold.parseName(name).slug
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        let path = (output as NSString).appendingPathComponent(Scaffold.fileName(slug: slug))
        if FileManager.default.fileExists(atPath: path) && !force {
            Terminal.error("\(path) exists; use --force to overwrite")
            throw ExitCode(2)
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            Terminal.error("cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        if json {
            print(JSONValue.object([("path", .string(path)), ("name", .string(name))]).serialized(.pretty))
        } else {
            print("created \(path)")
            print("next: rar validate \(path) && rar test \(path)")
        }
    }
}
