import Foundation
import Logging
import RARCore
import ServiceLifecycle

/// Runs `rar test` on new versions in a separate process (itself sandboxed: no network, rlimits),
/// never on the request path, and attaches the JSON result to the version.
final class ContractWorker: Service, Sendable {
    let store: any RegistryStore
    let executable: String
    let scratch: String
    let logger: Logger
    private let (wakes, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    init(store: any RegistryStore, executable: String?, scratch: String, logger: Logger) {
        self.store = store
        self.executable = executable ?? ProcessInfo.processInfo.arguments[0]
        self.scratch = scratch
        self.logger = logger
    }

    func wake() { waker.yield() }

    func run() async throws {
        let ticker = Task { while !Task.isCancelled { try? await Task.sleep(for: .seconds(30)); waker.yield() } }
        defer { ticker.cancel() }
        waker.yield()
        await withGracefulShutdownHandler {
            for await _ in wakes {
                if Task.isShuttingDownGracefully { break }
                await drain()
            }
        } onGracefulShutdown: {
            self.waker.finish()
        }
    }

    func drain() async {
        while let batch = try? await store.untestedVersions(limit: 8), !batch.isEmpty {
            for (name, version) in batch {
                if Task.isShuttingDownGracefully { return }
                let result = await test(name: name, version: version)
                try? await store.setTestResult(name, version: version, result: result)
            }
        }
    }

    func test(name: String, version: String) async -> JSONValue {
        guard let src = try? await store.source(of: name, version: version), let (_, slug) = Names.split(name) else {
            return .object([("passed", false), ("error", "source unavailable")])
        }
        let dir = scratch + "/test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/" + Scaffold.fileName(slug: slug)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(src).write(to: URL(fileURLWithPath: file))
        } catch { return .object([("passed", false), ("error", .string("cannot stage the file: \(error)"))]) }
        let exe = executable
        // The tester runs for up to seconds: wait for it on a thread of its own, not the cooperative pool.
        let run: Result<(Data, Int32), Error> = await withCheckedContinuation { c in
            Thread.detachNewThread {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: exe)
                p.arguments = ["test", file, "--json"]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = FileHandle.nullDevice
                do { try p.run() } catch { return c.resume(returning: .failure(error)) }
                let data = out.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                c.resume(returning: .success((data, p.terminationStatus)))
            }
        }
        let data: Data, status: Int32
        switch run {
        case .success(let r): (data, status) = r
        case .failure(let error): return .object([("passed", false), ("error", .string("cannot start the tester: \(error)"))])
        }
        let at: JSONValue = .string(Clock.stamp(Date()))
        var parsed = try? JSONParser().parse(data)
        if case .array(let items)? = parsed { parsed = items.first }  // one file → one report
        guard let v = parsed, case .object(var pairs) = v else {
            return .object([("passed", false), ("error", "the tester printed no result"), ("at", at)])
        }
        pairs.append(("at", at))
        logger.info("contract test", metadata: ["agent": "\(name)@\(version)", "exit": "\(status)"])
        return .object(pairs)
    }
}
