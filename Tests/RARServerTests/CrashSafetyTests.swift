#if canImport(Glibc)
import Foundation
import GRDB
import Glibc
import RARCore
import RARServer
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// SIGKILL `rar serve` in the middle of a burst of concurrent publishes, restart it on the same
/// database, and check that every acknowledged publish survived byte for byte and that nothing
/// half-written is visible (versions without sources, registry or audit out of step).
@Suite("server: crash safety")
struct CrashSafetyTests {
    struct Ack: Sendable { var name: String; var version: String; var raw: String; var bytes: Data }

    actor Acks {
        var list: [Ack] = []
        func add(_ a: Ack) { list.append(a) }
        var count: Int { list.count }
    }

    static func call(_ base: String, _ method: String, _ path: String, body: Data? = nil) async -> (status: Int, body: Data)? {
        var req = URLRequest(url: URL(string: base + path)!)
        req.httpMethod = method
        req.httpBody = body
        req.timeoutInterval = 20
        req.setValue("Bearer \(TestServer.adminToken)", forHTTPHeaderField: "Authorization")
        guard let (data, resp) = try? await URLSession.shared.data(for: req), let h = resp as? HTTPURLResponse else { return nil }
        return (h.statusCode, data)
    }

    static func json(_ d: Data) -> JSONValue { (try? JSONParser().parse(d)) ?? .null }

    @Test func sigkillMidBurstLosesNothingAcknowledged() async throws {
        guard CLIEndToEndTests.rar != nil else {
            print("SKIPPED crash safety: no rar binary beside the tests (run `swift build --build-tests` first)")
            return
        }
        let root = NSTemporaryDirectory() + "rar-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data(#"{"rate_limits": {"publish": 0, "read": 0, "admin": 0}}"#.utf8).write(to: URL(fileURLWithPath: root + "/rar-server.json"))

        let first = try await onThread { Result { try ServeProcess.start(root: root) } }.get()
        let acks = Acks()
        let clients = 8, perClient = 60, killAfter = 150
        // Each client publishes new agents and new versions of its own agents until the server dies.
        await withTaskGroup(of: Void.self) { group in
            for k in 0..<clients {
                group.addTask {
                    for i in 0..<perClient {
                        let name = "@crash/w\(k)_\(i % 4)", version = "1.\(i / 4).0"
                        guard let file = try? TestServer.agent(name, version: version, description: "Crash test agent \(k) \(i).") else { return }
                        guard let r = await Self.call(first.url, "POST", "/api/v1/publish", body: file) else { return }
                        guard r.status == 201 else { Issue.record("publish \(name)@\(version): \(r.status) \(String(decoding: r.body, as: UTF8.self))"); return }
                        await acks.add(Ack(name: name, version: version, raw: Self.json(r.body)["raw_sha256"]?.stringValue ?? "", bytes: file))
                    }
                }
            }
            group.addTask {
                let deadline = Date().addingTimeInterval(20)
                while await acks.count < killAfter && Date() < deadline { try? await Task.sleep(for: .milliseconds(5)) }
                await onThread { first.kill(SIGKILL) }
            }
        }
        let acked = await acks.list
        #expect(acked.count >= 10, "only \(acked.count) publishes were acknowledged before the kill")
        #expect(acked.count < clients * perClient, "the burst finished before the kill")

        let second = try await onThread { Result { try ServeProcess.start(root: root) } }.get()
        defer { second.stop() }
        let base = second.url

        // Every acknowledged publish is there, byte for byte.
        for a in acked {
            let (ns, slug) = Names.split(a.name)!
            let r = await Self.call(base, "GET", "/api/v1/agents/\(ns)/\(slug)/versions/\(a.version)/source")
            #expect(r?.status == 200, "\(a.name)@\(a.version) is missing after the restart")
            #expect(r.map { BuildSupport.sha256Hex([UInt8]($0.body)) } == a.raw && r?.body == a.bytes, "\(a.name)@\(a.version) differs")
        }

        // The audit log has a publish event for exactly the versions stored.
        var audited = Set<String>()
        var after = 0
        while true {
            let page = Self.json(await Self.call(base, "GET", "/api/v1/audit?after=\(after)&limit=1000")?.body ?? Data())
            let events = page["events"]?.arrayValue ?? []
            if events.isEmpty { break }
            for e in events where e["action"]?.stringValue == "version.publish" { audited.insert(e["target"]?.stringValue ?? "") }
            after = page["next"]?.intValue ?? Int.max
        }
        for a in acked { #expect(audited.contains("\(a.name)@\(a.version)"), "no audit event for \(a.name)@\(a.version)") }

        // Every agent the API lists has versions whose sources are all there; the registry agrees.
        let registry = Self.json(await Self.call(base, "GET", "/registry.json")?.body ?? Data())
        var entries: [String: JSONValue] = [:]
        for e in registry["agents"]?.arrayValue ?? [] { if let n = e["name"]?.stringValue { entries[n] = e } }
        var stored = Set<String>()
        for k in 0..<clients {
            for j in 0..<4 {
                let name = "@crash/w\(k)_\(j)"
                let (ns, slug) = Names.split(name)!
                guard let r = await Self.call(base, "GET", "/api/v1/agents/\(ns)/\(slug)") else { Issue.record("no answer for \(name)"); continue }
                if r.status == 404 { #expect(entries[name] == nil); continue }
                #expect(r.status == 200)
                let info = Self.json(r.body)
                let versions = info["versions"]?.arrayValue ?? []
                #expect(!versions.isEmpty, "\(name) exists without versions")
                for v in versions {
                    let ver = v["version"]?.stringValue ?? ""
                    stored.insert("\(name)@\(ver)")
                    let src = await Self.call(base, "GET", "/api/v1/agents/\(ns)/\(slug)/versions/\(ver)/source")
                    #expect(src?.status == 200 && src.map { BuildSupport.sha256Hex([UInt8]($0.body)) } == v["raw_sha256"]?.stringValue,
                            "\(name)@\(ver) is listed but its source is missing or wrong")
                }
                #expect(entries[name]?["version"] == info["latest"], "registry.json and the API disagree on \(name)")
                #expect(entries[name]?["_sha256"] == versions.first?["sha256"])
                #expect(await Self.call(base, "GET", "/catalog/\(ns)/\(slug).html")?.status == 200, "no catalog page for \(name)")
            }
        }
        #expect(stored == audited)
        print("crash safety: \(acked.count) publishes acknowledged before SIGKILL, \(stored.count) versions stored after the restart")
        let search = Self.json(await Self.call(base, "GET", "/api/v1/search?publisher=@crash&per_page=100")?.body ?? Data())
        #expect(search["total"]?.intValue == entries.keys.filter { $0.hasPrefix("@crash/") }.count)

        await onThread { second.stop() }
        let check = try await DatabaseQueue(path: root + "/.rar/rar.sqlite").read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(check == "ok")
    }
}
#endif
