import Foundation
@testable import RARCore
import Testing

/// The reference SDK (`rapp_sdk.py`, from kody-w/RAR) against our `rar build` output served on
/// loopback: search, info, card resolve, install and hatching a compact egg. Runs when
/// RAR_REFERENCE_SDK points at a local copy of rapp_sdk.py; the copy is patched in a temp
/// directory only (its download bases point at the loopback server) and never committed.
@Suite("interop: reference SDK against rar build output")
struct ReferenceSDKInteropTests {
    static func run(_ args: [String], cwd: String, timeout: TimeInterval = 120) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env["GITHUB_TOKEN"] = nil; env["GH_TOKEN"] = nil
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func referenceSDKReadsOurOutput() throws {
        guard let sdk = ProcessInfo.processInfo.environment["RAR_REFERENCE_SDK"], FileManager.default.fileExists(atPath: sdk) else {
            print("SKIP reference SDK interop: set RAR_REFERENCE_SDK to a local copy of rapp_sdk.py (kody-w/RAR)")
            return
        }
        let tmp = NSTemporaryDirectory() + "rar-sdk-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let out = tmp + "/site", work = tmp + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let build = try RegistryBuilder.build(BuildOptions(root: TestPaths.root.appendingPathComponent("registry").path))
        try StaticAPI.write(build, root: TestPaths.root.appendingPathComponent("registry").path, out: out)

        // Serve the output on a free loopback port.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
            import http.server, socketserver, sys, functools, signal
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            h.log_message = lambda *a: None
            s = socketserver.TCPServer(("127.0.0.1", 0), h)
            open(sys.argv[2], "w").write(str(s.server_address[1]))
            s.serve_forever()
            """, out, tmp + "/port"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var port = ""
        for _ in 0..<200 where port.isEmpty {
            port = (try? String(contentsOfFile: tmp + "/port", encoding: .utf8)) ?? ""
            if port.isEmpty { usleep(50_000) }
        }
        try #require(!port.isEmpty)
        let base = "http://127.0.0.1:\(port)"

        // The SDK beside a copy of our registry.json, its download bases pointed at the server.
        var text = try String(contentsOfFile: sdk, encoding: .utf8)
        for constant in ["RAW_BASE", "RELEASE_BASE", "API_BASE"] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                line.hasPrefix("\(constant) = ") ? "\(constant) = \"\(base)\(constant == "RELEASE_BASE" ? "/releases" : "")\"" : String(line)
            }
            text = lines.joined(separator: "\n")
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: work + "/rapp_sdk.py"))
        try FileManager.default.copyItem(atPath: out + "/registry.json", toPath: work + "/registry.json")

        let (s1, search) = try Self.run(["python3", "rapp_sdk.py", "search", "word", "--json"], cwd: work)
        #expect(s1 == 0 && search.contains("@rar-samples/word_count"), "\(search)")
        let (s2, info) = try Self.run(["python3", "rapp_sdk.py", "info", "@acme/release_notes", "--json"], cwd: work)
        #expect(s2 == 0 && info.contains("release_notes"), "\(info)")
        let (s3, card) = try Self.run(["python3", "rapp_sdk.py", "card", "resolve", "@acme/release_notes", "--json"], cwd: work)
        #expect(s3 == 0 && card.contains("@acme/release_notes"), "\(card)")

        // Install: the SDK falls back from the (absent) release asset to RAW_BASE/_file.
        let (s4, inst) = try Self.run(["python3", "rapp_sdk.py", "install", "@rar-samples/word_count", "--output-dir", work + "/agents", "--json"], cwd: work)
        #expect(s4 == 0, "\(inst)")
        let entry = try #require(build.agents.first { $0["name"]?.stringValue == "@rar-samples/word_count" })
        let installed = work + "/agents/" + (entry["_install_filename"]?.stringValue ?? "")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: installed))
        #expect(BuildSupport.lfHash([UInt8](bytes)).hex == entry["_sha256"]?.stringValue)

        // A compact egg forged by `rar` hatches with the reference SDK.
        let seeds = ["@rar-samples/word_count", "@acme/release_notes"].compactMap { n in
            build.agents.first { $0["name"]?.stringValue == n }.flatMap { CardLookup.seedValue($0["_seed"]) }
        }
        let compact = try CompactSeeds.encodeCompact(seeds: seeds)
        let (s5, hatch) = try Self.run(["python3", "rapp_sdk.py", "egg", "hatch", compact, "--output-dir", work + "/hatched"], cwd: work)
        #expect(s5 == 0, "\(hatch)")
        let hatched = (try? FileManager.default.contentsOfDirectory(atPath: work + "/hatched")) ?? []
        #expect(hatched.count == 2, "\(hatch)")
    }
}
