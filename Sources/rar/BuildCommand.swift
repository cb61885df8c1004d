import ArgumentParser
import Foundation
import RARCore

/// `rar build [ROOT] --out DIR`: registry.json + static JSON API from a registry checkout.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build registry.json, the static JSON API and the HTML catalog from agents/ and swarms/.",
        discussion: "Exit status: 0 ok, 1 rejected files (without --keep-going), 2 usage or I/O error.")

    @Argument(help: "The registry checkout (holds agents/).")
    var root: String = "."

    @Option(help: "Output directory: updated in place when an earlier build wrote it, else written fresh and swapped in whole.")
    var out: String

    @Flag(help: "Publish the valid agents even when some files are rejected; list the rejected ones in registry.json.")
    var keepGoing = false

    @Flag(help: "Pin generated_at (SOURCE_DATE_EPOCH, or the epoch) so identical input gives identical bytes.")
    var reproducible = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    @Option(help: "Base URL the output is served from (default: relative URLs).")
    var baseURL: String = ""

    @Flag(help: "Every validator error rejects a file (default: the reference's rules).")
    var strict = false

    @Flag(help: "Ignore the content-hash cache and write a fresh tree (default: reuse what an earlier build left in --out).")
    var noCache = false

    @Flag(help: "Skip card SVGs.")
    var noCards = false

    @Flag(help: "Skip the HTML catalog (index.html and catalog/).")
    var noCatalog = false

    @Option(help: ArgumentHelp("Use DIR/templates/*.mustache and DIR/assets/* instead of the built-in catalog files (file by file).", valueName: "DIR"))
    var site: String?

    @Option(help: "Title of the HTML catalog.")
    var title: String = "RAR registry"

    func run() throws {
        let start = Date()
        BuildTrace.start()
        // The process ends after this build: its structures are left for the OS to reclaim.
        ExitReclaim.enabled = true
        if let site, !noCatalog {
            // Fail before the build on a missing directory or a template that does not parse.
            var check = CatalogOptions()
            check.siteDir = site
            do { _ = try Catalog.assets(options: check) } catch {
                Terminal.error("--site: \(error)")
                throw ExitCode(2)
            }
        }
        if !noCatalog { Catalog.preload(siteDir: site) }
        var opt = BuildOptions(root: root)
        opt.keepGoing = keepGoing
        opt.strict = strict
        opt.useCache = !noCache
        opt.renderDocstrings = !noCatalog
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), isDir.boolValue { opt.previousOutput = out }
        if let e = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let secs = Int(e) {
            opt.generatedAt = Date(timeIntervalSince1970: TimeInterval(secs))
        } else if reproducible {
            opt.generatedAt = Date(timeIntervalSince1970: 0)
        }
        let tty = isatty(2) != 0
        opt.progress = { done, total in
            guard total >= 2000 else { return }
            FileHandle.standardError.write(Data("\(tty ? "\r" : "")scanned \(done)/\(total) files\(tty && done < total ? "" : "\n")".utf8))
        }
        var api = StaticAPI.Options()
        api.incremental = !noCache
        api.baseURL = baseURL
        api.cardSVGs = !noCards
        if noCatalog {
            api.catalog = nil
        } else {
            var catalog = CatalogOptions()
            catalog.siteDir = site
            catalog.title = title
            api.catalog = catalog
        }
        // A tree the last build left with a patch index, where only a few agents changed, is patched.
        if opt.previousOutput != nil, let p = PatchBuild.run(opt, api: api, out: out) {
            report(ok: true, agents: p.agents, swarms: p.swarms, rejected: [], skipped: p.skipped, duplicates: [], scanned: p.filesScanned,
                   parsed: p.filesParsed, stats: StaticAPI.Stats(files: p.filesOut, written: p.filesWritten), start: start)
            return
        }
        let build: RegistryBuild
        do { build = try RegistryBuilder.build(opt) } catch {
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        let failed = build.failed(keepGoing: keepGoing)
        var stats: StaticAPI.Stats?
        for r in build.rejected {
            let source = AgentFile.sourceForDisplay(path: root + "/" + r.path)
            for d in r.diagnostics { FileHandle.standardError.write(Data(DiagnosticRenderer.render(d, source: source, color: Terminal.colorEnabled).utf8)) }
        }
        if !failed {
            do { stats = try StaticAPI.write(build, root: root, out: out, options: api) } catch {
                Terminal.error("\(error)")
                throw ExitCode(2)
            }
        }
        report(ok: !failed, agents: build.agents.count, swarms: build.registry["swarms"]?.arrayValue?.count ?? 0, rejected: build.rejected,
               skipped: build.skipped, duplicates: build.registry["duplicates"]?.arrayValue ?? [], scanned: build.filesScanned,
               parsed: build.filesParsed, stats: stats, start: start)
        ExitReclaim.hold(build)
        if failed { throw ExitCode(1) }
    }

    func report(ok: Bool, agents: Int, swarms: Int, rejected: [Rejection], skipped: [(path: String, reason: String)], duplicates: [JSONValue],
                scanned: Int, parsed: Int, stats: StaticAPI.Stats?, start: Date) {
        let secs = Date().timeIntervalSince(start)
        if json {
            let summary: JSONValue = .object([
                ("ok", .bool(ok)), ("out", .string(out)), ("written", .bool(ok)),
                ("agents", .int(agents)), ("swarms", .int(swarms)),
                ("rejected", .array(rejected.map(\.json))),
                ("skipped", .array(skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
                ("duplicates", .array(duplicates)),
                ("files_scanned", .int(scanned)), ("files_parsed", .int(parsed)),
                ("files_out", stats.map { .int($0.files) } ?? .null), ("files_written", stats.map { .int($0.written) } ?? .null),
                ("seconds", .double((secs * 1000).rounded() / 1000)),
            ])
            print(summary.serialized(.pretty))
        } else {
            let verdict = !ok ? "not written"
                : stats.map { $0.written < $0.files ? "\($0.written) files written to \(out), \($0.files - $0.written) unchanged" : "\($0.files) files written to \(out)" } ?? "written to \(out)"
            print("\(agents) agents, \(rejected.count) rejected, \(skipped.count) skipped; \(parsed)/\(scanned) files parsed; \(String(format: "%.2f", secs)) s; \(verdict)")
            if !duplicates.isEmpty { print("\(duplicates.count) duplicate display names (see registry duplicates)") }
        }
    }
}
