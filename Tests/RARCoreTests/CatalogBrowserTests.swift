import Foundation
import Testing
@testable import RARCore

/// The built catalog driven by a real headless Chromium: from file:// (static mode) and from a
/// small local mock of the registry API (live mode). Skipped, with a message, when there is no
/// Chromium. RAR_CATALOG_SHOTS=DIR also saves screenshots there.
@Suite(.serialized) struct CatalogBrowserTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment["RAR_CHROMIUM"].map { [$0] } ?? []
        return (env + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let shots = ProcessInfo.processInfo.environment["RAR_CATALOG_SHOTS"]

    static func skip(_ what: String) -> Bool {
        guard chromium == nil else { return false }
        print("SKIP \(what): no Chromium (/usr/bin/chromium); set RAR_CHROMIUM to use another binary")
        return true
    }

    /// Run a command; kill it after `timeout` seconds. Returns (status, stdout).
    static func run(_ exe: String, _ args: [String], timeout: TimeInterval = 90) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "") }
        // SIGKILL: children inherit the test runner's blocked signals, so SIGTERM may never arrive.
        let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Run Chromium once with a fresh profile (removed afterwards).
    static func chrome(_ extra: [String], budget: Int) -> String {
        let profile = CatalogFixture.tempDir("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return run(chromium!, ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                               "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--virtual-time-budget=\(budget)"] + extra).1
    }

    /// The DOM after scripts ran (and after any navigation they made).
    static func dom(_ url: String, budget: Int = 3000, extra: [String] = []) -> String {
        chrome(extra + ["--dump-dom", url], budget: budget)
    }

    static func screenshot(_ url: String, _ name: String, size: String = "1280,900", budget: Int = 3000, extra: [String] = []) {
        guard let dir = shots else { return }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = chrome(extra + ["--window-size=\(size)", "--screenshot=\(dir)/catalog-\(name).png", url], budget: budget)
    }

    static func fileURL(_ path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    /// The `<ol id="results">` list's cards (their links).
    static func resultLinks(_ dom: String) -> [String] {
        guard let start = dom.range(of: "id=\"results\""), let end = dom[start.upperBound...].range(of: "</ol>") else { return [] }
        return CatalogFixture.links(String(dom[start.upperBound..<end.lowerBound]))
    }

    static func incantation(of name: String, in out: String) throws -> String {
        let registry = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: out + "/registry.json")))
        let entry = try #require(registry["agents"]?.arrayValue?.first { $0["name"]?.stringValue == name })
        return try Incantation.words(for: try #require(entry["_seed"].flatMap(BuildSupport.seedValue))).joined(separator: " ")
    }

    @Test func staticCatalogWorksFromFileURLs() throws {
        if Self.skip("catalog browser tests") { return }
        let out = try CatalogFixture.buildSample()
        defer { CatalogFixture.remove(out) }
        let index = Self.fileURL(out + "/index.html")

        // Without a query every agent is listed; typing filters, as do the selects.
        #expect(Self.resultLinks(Self.dom(index)).count == 4)
        let json = Self.dom(index + "?q=json")
        #expect(Self.resultLinks(json) == ["catalog/@rar-samples/json_lint.html"])
        #expect(json.contains("1 agent matches (of 4)"))
        #expect(Self.resultLinks(Self.dom(index + "?q=words%20text")) == ["catalog/@rar-samples/word_count.html"])
        #expect(Self.resultLinks(Self.dom(index + "?category=devtools")).count == 2)
        #expect(Self.resultLinks(Self.dom(index + "?tier=official")) == ["catalog/@acme/release_notes.html"])
        #expect(Self.dom(index + "?q=zzzznothing").contains("id=\"results-empty\" class=\"empty\">"))  // shown, not hidden

        // (Without JavaScript the page is the file as written: see CatalogTests. Chromium's
        // --dump-dom and --screenshot themselves need scripts.)

        // An agent page: the copy button appears once scripts run.
        let agent = Self.dom(Self.fileURL(out + "/catalog/@acme/release_notes.html"))
        #expect(agent.contains("<h1>Release Notes</h1>"))
        #expect(agent.contains("data-copy=\"install-command\">Copy</button>"))

        // An incantation in any case and with odd separators opens the agent page.
        let words = try Self.incantation(of: "@acme/release_notes", in: out)
        let sloppy = words.split(separator: " ").enumerated().map { $0.offset % 2 == 0 ? $0.element.lowercased() : String($0.element) }.joined(separator: "_")
        let resolved = Self.dom(Self.fileURL(out + "/catalog/resolve.html") + "?i=" + sloppy)
        #expect(resolved.contains("<title>Release Notes · RAR registry</title>"), "resolver did not open the agent page")

        // A misspelled incantation stays put and suggests the list words the Swift decoder suggests.
        var toks = words.split(separator: " ").map(String.init)
        let wrong = String(toks[2].dropLast()) + "x" + "q"
        toks[2] = wrong
        let bad = Self.dom(Self.fileURL(out + "/catalog/resolve.html") + "?i=" + toks.joined(separator: "-").lowercased())
        #expect(bad.contains("<title>Open by incantation · RAR registry</title>"))
        #expect(bad.contains("Did you mean"))
        for s in Incantation.suggestions(for: wrong) {
            #expect(bad.contains("aria-label=\"Use \(s.lowercased()) for word 3\">\(s.lowercased())</button>"), "JS lacks suggestion \(s)")
        }
        // Seven valid words that no agent here has.
        let unknown = Self.dom(Self.fileURL(out + "/catalog/resolve.html") + "?i=forge-forge-forge-forge-forge-forge-forge")
        #expect(unknown.contains("no agent in this registry has that incantation (seed 0)"))

        Self.screenshot(index, "index")
        Self.screenshot(index + "?q=release", "index-search")
        Self.screenshot(Self.fileURL(out + "/catalog/@acme/release_notes.html"), "agent", size: "1280,1600")
        Self.screenshot(Self.fileURL(out + "/catalog/resolve.html") + "?i=" + toks.joined(separator: "-").lowercased(), "resolver")
        Self.screenshot(index, "index-mobile", size: "390,1200")
    }

    static let mockServer = #"""
        import http.server, json, os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])  # the test runner's threads block signals
        root, portfile, logfile = sys.argv[1], sys.argv[2], sys.argv[3]
        ME = {"user": "alice", "scopes": ["read", "publish"], "namespaces": ["@acme"], "admin": False}
        AGENT = {"name": "@acme/release_notes", "deprecated": "Use @acme/changelog instead.", "owners": ["alice"],
                 "versions": [
                     {"version": "2.0.1", "yanked": False, "yank_reason": None, "published_at": "2026-01-02T03:04:05Z", "sha256": "ab" * 32, "installs": 3},
                     {"version": "2.0.0", "yanked": True, "yank_reason": "broken build", "published_at": "2025-12-01T00:00:00Z", "sha256": "cd" * 32, "installs": 9}]}

        class H(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=root, **k)
            def log_message(self, *a):
                pass
            def authed(self):
                return self.headers.get("Authorization") == "Bearer good-token"
            def reply(self, code, obj, ctype="application/json"):
                b = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)
            def problem(self, code, title, detail, diagnostics=None):
                p = {"type": "about:blank", "title": title, "status": code, "detail": detail}
                if diagnostics is not None:
                    p["diagnostics"] = diagnostics
                self.reply(code, p, "application/problem+json")
            def do_GET(self):
                if self.path == "/api/v1/whoami":
                    return self.reply(200, ME) if self.authed() else self.problem(401, "Unauthorized", "Missing or invalid token.")
                if self.path == "/api/v1/agents/@acme/release_notes":
                    return self.reply(200, AGENT)
                return super().do_GET()
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with open(logfile, "a") as f:
                    f.write(json.dumps({"path": self.path, "type": self.headers.get("Content-Type"),
                                        "auth": self.headers.get("Authorization"), "body": body.decode("utf-8", "replace")}) + "\n")
                if not self.authed():
                    return self.problem(401, "Unauthorized", "Missing or invalid token.")
                if self.path == "/api/v1/publish":
                    if b"BROKEN" in body:
                        return self.problem(422, "Invalid agent", "The agent failed validation.", [
                            {"rule": "V3", "severity": "error", "line": 5, "column": 16, "message": "Invalid version '1.0' <b>", "hint": "use MAJOR.MINOR.PATCH"}])
                    return self.reply(201, {"name": "@acme/uploaded", "version": "1.0.0", "sha256": "ef" * 32,
                                            "url": "/catalog/@acme/uploaded.html", "incantation": "forge anvil blade rune shard smelt temper", "seed": "42"})
                if self.path.startswith("/api/v1/agents/@acme/release_notes/"):
                    return self.reply(200, {"ok": True})
                return self.problem(404, "Not found", self.path)

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        with open(portfile + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(portfile + ".tmp", portfile)
        srv.serve_forever()
        """#

    /// Test-only pages served next to the live site: set the token, then drive a page in a frame.
    static let harness: [String: String] = [
        "__login.html": """
            <!doctype html><script>
            var p = new URLSearchParams(location.search);
            localStorage.setItem('rar_token', p.get('t'));
            location.replace(p.get('next'));
            </script>
            """,
        "__drive.html": """
            <!doctype html><div id="out"></div><script>
            var p = new URLSearchParams(location.search);
            localStorage.setItem('rar_token', 'good-token');
            var f = document.createElement('iframe');
            f.src = p.get('page');
            f.style.cssText = 'width:100%;height:820px;border:0';
            f.addEventListener('load', function () {
              var d = f.contentDocument, tries = 0;
              function ready() { return p.get('action') !== 'yank' || !d.getElementById('owner-tools').hidden; }
              function start() {
                if (!ready() && tries++ < 100) return setTimeout(start, 50);
                if (p.get('action') === 'publish') {
                  var dt = new DataTransfer();
                  dt.items.add(new File([p.get('body')], 'uploaded_agent.py', { type: 'text/x-python' }));
                  d.getElementById('publish-file').files = dt.files;
                  d.getElementById('publish-form').requestSubmit();
                } else {
                  d.getElementById('yank-version').value = '2.0.1';
                  d.getElementById('yank-reason').value = 'security fix';
                  d.getElementById('yank-form').requestSubmit();
                }
                var region = d.getElementById(p.get('action') === 'publish' ? 'publish-result' : 'owner-result');
                (function poll() {
                  if (region.querySelector('.success-title, .problem-box')) document.getElementById('out').innerHTML = region.innerHTML;
                  else setTimeout(poll, 50);
                })();
              }
              start();
            });
            document.body.appendChild(f);
            </script>
            """,
    ]

    @Test func liveModeTalksToTheRegistryAPI() throws {
        if Self.skip("live catalog browser test") { return }
        var options = CatalogOptions()
        options.live = true
        let out = try CatalogFixture.buildSample(catalog: options)
        defer { CatalogFixture.remove(out) }
        for (name, text) in Self.harness { try Data(text.utf8).write(to: URL(fileURLWithPath: out + "/" + name)) }
        let work = CatalogFixture.tempDir("mock")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let script = work + "/mock.py", portFile = work + "/port", log = work + "/requests.log"
        try Data(Self.mockServer.utf8).write(to: URL(fileURLWithPath: script))
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", script, out, portFile, log]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        do { try server.run() } catch { print("SKIP live catalog browser test: python3 unavailable"); return }
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var port = ""
        for _ in 0..<200 where port.isEmpty {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if port.isEmpty { usleep(50_000) }
        }
        try #require(!port.isEmpty, "mock server did not start")
        let base = "http://127.0.0.1:\(port)"

        // Signed in as an owner: name in the header, live versions and deprecation, owner tools shown.
        let agent = Self.dom("\(base)/__login.html?t=good-token&next=/catalog/@acme/release_notes.html", budget: 5000)
        #expect(agent.contains("<span id=\"signin-label\">alice</span>"))
        #expect(agent.contains("<span id=\"deprecation-message\">Use @acme/changelog instead.</span>"))
        #expect(agent.contains("<tr data-version=\"2.0.0\" class=\"is-yanked\">"))
        #expect(agent.contains("title=\"broken build\">yanked</span>"))
        #expect(agent.contains("<section class=\"panel owner-tools\" id=\"owner-tools\" aria-labelledby=\"owner-heading\">"), "owner tools hidden")

        // A bad token is dropped and the server's message is shown.
        let rejected = Self.dom("\(base)/__login.html?t=bad&next=/index.html", budget: 5000)
        #expect(rejected.contains("Missing or invalid token.</p>"))
        #expect(rejected.contains("<span id=\"signin-label\">Sign in</span>"))

        // Publish by upload: success, then a validation failure with its diagnostics.
        let good = Self.dom("\(base)/__drive.html?action=publish&page=/catalog/account.html&body=" + "__manifest__%20%3D%20%7B%7D", budget: 8000)
        #expect(good.contains("Published @acme/uploaded 1.0.0."))
        #expect(good.contains("href=\"/catalog/@acme/uploaded.html\""))
        let badUpload = Self.dom("\(base)/__drive.html?action=publish&page=/catalog/account.html&body=BROKEN", budget: 8000)
        #expect(badUpload.contains("Invalid agent (422)"))
        #expect(badUpload.contains("The agent failed validation."))
        #expect(badUpload.contains("<code>V3 error</code> line 5:16 Invalid version '1.0' &lt;b&gt; — <em>use MAJOR.MINOR.PATCH</em>"))

        // Yank from the owner tools.
        let yank = Self.dom("\(base)/__drive.html?action=yank&page=/catalog/@acme/release_notes.html", budget: 8000)
        #expect(yank.contains("Yanked 2.0.1."))

        let requests = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let posts = requests.split(separator: "\n").compactMap { try? JSONParser().parse(String($0)) }
        let publish = posts.first { $0["path"]?.stringValue == "/api/v1/publish" && $0["body"]?.stringValue == "__manifest__ = {}" }
        #expect(publish?["type"]?.stringValue == "text/x-python")
        #expect(publish?["auth"]?.stringValue == "Bearer good-token")
        let y = posts.first { $0["path"]?.stringValue == "/api/v1/agents/@acme/release_notes/versions/2.0.1/yank" }
        #expect(y?["body"]?.stringValue == "{\"reason\":\"security fix\"}")
        #expect(y?["type"]?.stringValue == "application/json")

        Self.screenshot("\(base)/__login.html?t=good-token&next=/catalog/@acme/release_notes.html", "live-agent", size: "1280,1700", budget: 5000)
        Self.screenshot("\(base)/__drive.html?action=publish&page=/catalog/account.html&body=BROKEN", "live-publish-error", size: "1280,900", budget: 8000)
    }
}
