import Foundation

/// `rar test`: the reference's 10 contract tests. Tests 1–3 and 10 are static; 4–9 import and
/// run the agent with python3 in a sandbox. This is the only place RAR executes agent code.
///
/// Sandbox: a fresh scratch directory (the agent copy, a BasicAgent base, a network guard);
/// a minimal environment (no inherited secrets); rlimits on memory, CPU time, file size and open
/// files; a wall-clock timeout that kills the process group; and no network — a separate network
/// namespace (`unshare -rn`) where the kernel allows it, and a socket guard in every Python process.
public struct ContractTester: Sendable {
    public struct Result: Sendable {
        public var name: String
        public var passed: Bool
        public var message: String
    }

    public struct Report: Sendable {
        public var file: String
        public var results: [Result]
        public var isolation: String
        public var passed: Bool { results.allSatisfy(\.passed) }

        public var json: JSONValue {
            .object([
                ("file", .string(file)),
                ("passed", .bool(passed)),
                ("isolation", .string(isolation)),
                ("tests", .array(results.map { .object([("name", .string($0.name)), ("passed", .bool($0.passed)), ("message", .string($0.message))]) })),
            ])
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case noPython
        case io(String)
        public var description: String {
            switch self {
            case .noPython: return "python3 not found on PATH; `rar test` needs it to run the agent"
            case .io(let m): return m
            }
        }
    }

    public var python: String?
    public var memoryMB = 1024
    public var cpuSeconds = 30
    public var timeoutSeconds = 60
    public var standaloneTimeout = 15

    public init() {}

    static func findPython() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Whether unprivileged network namespaces work here.
    static let canUnshare: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["-rn", "true"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    public func run(path: String) throws -> Report {
        guard let py = python ?? ContractTester.findPython() else { throw Failure.noPython }
        let file = try AgentFile(path: path)
        var results = staticTests(file)

        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("rar-test-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        do {
            for dir in ["agents", "openrappter/agents"] {
                try fm.createDirectory(at: scratch.appendingPathComponent(dir), withIntermediateDirectories: true)
            }
            for base in ["basic_agent.py", "agents/basic_agent.py", "openrappter/agents/basic_agent.py"] {
                try SandboxFiles.basicAgent.write(to: scratch.appendingPathComponent(base), atomically: true, encoding: .utf8)
            }
            for pkg in ["agents/__init__.py", "openrappter/__init__.py", "openrappter/agents/__init__.py"] {
                try "".write(to: scratch.appendingPathComponent(pkg), atomically: true, encoding: .utf8)
            }
            try SandboxFiles.sitecustomize.write(to: scratch.appendingPathComponent("sitecustomize.py"), atomically: true, encoding: .utf8)
            try SandboxFiles.harness.write(to: scratch.appendingPathComponent("_rar_harness.py"), atomically: true, encoding: .utf8)
            let agentCopy = scratch.appendingPathComponent("agents").appendingPathComponent((path as NSString).lastPathComponent)
            try Data(file.bytes).write(to: agentCopy)

            let out = scratch.appendingPathComponent("_results.json")
            let args = [py, "-s", scratch.appendingPathComponent("_rar_harness.py").path, agentCopy.path, out.path,
                        String(memoryMB), String(cpuSeconds), String(standaloneTimeout)]
            let isolation = ContractTester.canUnshare ? "network namespace + socket guard" : "socket guard only (no network namespace available)"
            // The harness makes itself a process-group leader, so a timeout kills its children too.
            let inner = ContractTester.canUnshare ? ["/usr/bin/unshare", "-rn"] + args : args
            let exe = inner[0]
            let argv = Array(inner.dropFirst())
            let proc = Process()
            proc.executableURL = URL(fileURLWithPath: exe)
            proc.arguments = argv
            proc.currentDirectoryURL = scratch.appendingPathComponent("agents")
            proc.environment = [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch.path, "LANG": "C.UTF-8",
                "PYTHONPATH": scratch.path, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
                "NO_PROXY": "*", "TMPDIR": scratch.path,
            ]
            proc.standardOutput = FileHandle.nullDevice
            proc.standardError = FileHandle.nullDevice
            proc.standardInput = FileHandle.nullDevice
            try proc.run()
            let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
            var timedOut = false
            while proc.isRunning {
                if Date() > deadline {
                    timedOut = true
                    kill(-proc.processIdentifier, SIGKILL)
                    proc.terminate()
                    kill(proc.processIdentifier, SIGKILL)
                    break
                }
                usleep(20_000)
            }
            proc.waitUntilExit()
            var dynamic: [Result] = []
            if let data = try? Data(contentsOf: out), case .array(let rows)? = try? JSONParser().parse(data) {
                dynamic = rows.map { Result(name: $0["name"]?.stringValue ?? "?", passed: $0["passed"]?.boolValue ?? false, message: $0["message"]?.stringValue ?? "") }
            }
            let names = ["has_basic_agent", "instantiation", "runtime_name_is_tool_safe", "perform_returns_str", "standalone_execution", "has_docstring"]
            for n in names where !dynamic.contains(where: { $0.name == n }) {
                if n == "has_docstring" {
                    let doc = file.rawDocstring
                    let ok = doc.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
                    dynamic.append(Result(name: n, passed: ok, message: ok ? "Module docstring present (parsed via AST)" : "Module docstring missing"))
                } else {
                    let status = proc.terminationStatus
                    let why = timedOut ? "the sandbox was stopped after \(timeoutSeconds) seconds (wall-clock limit)"
                        : proc.terminationReason == .uncaughtSignal && status == SIGXCPU ? "the agent hit the CPU limit (\(cpuSeconds) s)"
                        : proc.terminationReason == .uncaughtSignal && status == SIGKILL ? "the agent was killed (CPU limit \(cpuSeconds) s or memory limit \(memoryMB) MB)"
                        : proc.terminationReason == .uncaughtSignal ? "the agent was killed by signal \(status)"
                        : "the sandbox ended early (exit \(status))"
                    dynamic.append(Result(name: n, passed: false, message: "Not run: \(why)"))
                }
            }
            results.insert(contentsOf: dynamic, at: 3)
            results.append(secretTest(file))
            return Report(file: path, results: results, isolation: isolation)
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure.io("cannot prepare the sandbox: \(error.localizedDescription)")
        }
    }

    /// Tests 1–3 (manifest presence, fields, name format), statically.
    func staticTests(_ file: AgentFile) -> [Result] {
        var out: [Result] = []
        let m = file.manifest
        if let v = m.value {
            out.append(Result(name: "has_manifest", passed: true, message: "__manifest__ dict found"))
            let missing = Rules.requiredFields.filter { v.get($0) == nil }
            out.append(Result(name: "manifest_fields", passed: missing.isEmpty,
                              message: missing.isEmpty ? "All required fields present" : "Missing fields: \(missing.joined(separator: ", "))"))
            let name = v.get("name")?.string ?? ""
            let ok = name.hasPrefix("@") && name.contains("/")
            out.append(Result(name: "name_format", passed: ok,
                              message: ok ? "Name '\(name)' is valid @publisher/slug format" : "Name '\(name)' must be @publisher/slug format"))
        } else {
            let msg = file.parseError.map { "Error reading manifest: \($0.message)" } ?? "No __manifest__ dict in file"
            out.append(Result(name: "has_manifest", passed: false, message: msg))
            out.append(Result(name: "manifest_fields", passed: false, message: "Missing fields: \(Rules.requiredFields.joined(separator: ", "))"))
            out.append(Result(name: "name_format", passed: false, message: "Name '' must be @publisher/slug format"))
        }
        return out
    }

    func secretTest(_ file: AgentFile) -> Result {
        let hits = file.source.map { ReferenceChecks.secretSubstringHits($0.scalars) }
            ?? ReferenceChecks.secretSubstringHits(String(decoding: file.bytes, as: UTF8.self))
        if hits.isEmpty { return Result(name: "no_hardcoded_secrets", passed: true, message: "No hardcoded secret patterns detected") }
        return Result(name: "no_hardcoded_secrets", passed: false,
                      message: "Suspicious patterns found: [\(hits.map { PyFormat.reprString(PyStr.codePoints($0)) }.joined(separator: ", "))]")
    }
}
