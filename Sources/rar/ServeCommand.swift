import ArgumentParser
import Foundation
import Logging
import RARCore
import RARServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the agent marketplace: publish, search, install, cards and incantations, a live catalog.",
        discussion: """
        With no options it serves the embedded default: a SQLite database under ROOT/.rar/, seeded from \
        ROOT/agents/ on first start. With --db postgres://… any number of servers share one PostgreSQL \
        database (migrated on start). The first start prints a one-time admin token (RAR_ADMIN_TOKEN sets it \
        instead). Settings come from flags, then RAR_* environment variables, then --config FILE (or \
        ROOT/rar-server.json). SIGINT/SIGTERM shut down gracefully.
        """
    )

    @Option(help: "Registry root (seed agents in ROOT/agents/).") var root: String?
    @Option(help: "Database: a SQLite path or sqlite:PATH (default ROOT/.rar/rar.sqlite), or postgres://USER:PASSWORD@HOST:PORT/DB for several servers sharing one database.") var db: String?
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port (0 picks a free one).") var port: Int?
    @Option(help: "JSON config file.") var config: String?
    @Option(help: "Public base URL for links (default: from the request's Host).") var publicURL: String?
    @Option(help: "Catalog templates/assets overriding the built-in ones (DIR/templates, DIR/assets).") var site: String?
    @Flag(help: "Do not import ROOT/agents/ into an empty database.") var noSeed = false
    @Flag(help: "Run `rar test` on each new version in a sandboxed worker process.") var contractTests = false
    @Flag(help: "Print the startup report as JSON.") var json = false

    func run() async throws {
        var cfg = ServerConfig()
        do {
            let rootGuess = root ?? cfg.root
            if let c = config { try cfg.apply(file: c) } else if FileManager.default.fileExists(atPath: rootGuess + "/rar-server.json") {
                try cfg.apply(file: rootGuess + "/rar-server.json")
            }
            try cfg.apply(environment: ProcessInfo.processInfo.environment)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        if let root { cfg.root = root }
        if let db { cfg.database = db }
        if let host { cfg.host = host }
        if let port { cfg.port = port }
        if let publicURL { cfg.publicURL = publicURL }
        if noSeed { cfg.seed = false }
        if let site { cfg.siteDir = site }
        if contractTests { cfg.contractTests = true }
        guard (0...65535).contains(cfg.port) else { throw ValidationError("--port must be 0–65535") }

        let level = Logger.Level(rawValue: cfg.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "rar.serve")
        let store: any RegistryStore
        let report: BootstrapReport
        let key: EggSigningKey
        do {
            store = try await RARServerApp.openStore(cfg)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        do {
            (report, key) = try await RARServerApp.bootstrap(cfg, store: store, logger: logger)
        } catch {
            await store.close()
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        let jsonOut = json
        let cfgFinal = cfg
        let app = RARServerApp.makeApplication(config: cfg, store: store, signingKey: key, logger: logger) { port in
            func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
            let cfg = cfgFinal
            let url = "http://\(cfg.host == "0.0.0.0" ? "127.0.0.1" : cfg.host):\(port)"
            if jsonOut {
                let v = JSONValue.object([("url", .string(url)), ("port", .int(port)), ("database", .string(cfg.isPostgres ? "postgres" : cfg.sqlitePath)),
                                          ("admin_token", report.adminToken.map { .string($0) } ?? .null), ("seeded", .int(report.seeded))])
                say(v.serialized(.compact))
            } else {
                say("RAR marketplace: \(url)/  (catalog)  \(url)/api/v1  (API)")
                say("database: \(cfg.isPostgres ? "PostgreSQL " + ((try? PostgresURL(cfg.database ?? ""))?.redacted ?? "") : cfg.sqlitePath)")
                if report.seeded > 0 { say("seeded \(report.seeded) agents from \(cfg.root)/agents/") }
                for p in report.seedProblems { say("not seeded: \(p)") }
                if let t = report.adminToken {
                    say("")
                    say("admin token (shown once; keep it safe): \(t)")
                    say("  log in from another terminal:  rar login --registry \(url) --token \(t)")
                    say("")
                }
            }
        }
        defer { RARServerApp.flushLogs() }
        do { try await app.runService() } catch {
            await store.close()
            Terminal.error("server stopped: \(error)")
            throw ExitCode(1)
        }
        await store.close()
    }
}
