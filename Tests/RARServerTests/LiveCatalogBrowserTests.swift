import Foundation
import RARCore
@testable import RARServer
import Testing

/// The live catalog of `rar serve` in real headless Chromium: search, open an agent, resolve an
/// incantation, and publish a file through the page (signed in with a token).
@Suite("server: live catalog in Chromium")
struct LiveCatalogBrowserTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment["RAR_CHROMIUM"].map { [$0] } ?? []
        return (env + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]).first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The DOM once scripts ran (and after any navigation they made).
    static func dom(_ url: String, budget: Int = 6000) throws -> String {
        let profile = NSTemporaryDirectory() + "rar-chrome-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        p.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
                       "--user-data-dir=\(profile)", "--virtual-time-budget=\(budget)", "--dump-dom", url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A same-origin test page (served as a catalog asset through `--site`): stores the token,
    /// opens a page in a frame, uploads a file through its publish form, copies the result out.
    static let drive = """
        <!doctype html><div id="out"></div><script>
        var p = new URLSearchParams(location.search);
        localStorage.setItem('rar_token', p.get('t'));
        var f = document.createElement('iframe');
        f.src = p.get('page');
        f.style.cssText = 'width:100%;height:820px;border:0';
        f.addEventListener('load', function () {
          var d = f.contentDocument;
          var dt = new DataTransfer();
          dt.items.add(new File([p.get('body')], 'uploaded_agent.py', { type: 'text/x-python' }));
          d.getElementById('publish-file').files = dt.files;
          d.getElementById('publish-form').requestSubmit();
          var region = d.getElementById('publish-result');
          (function poll() {
            if (region.querySelector('.success-title, .problem-box')) document.getElementById('out').innerHTML = region.innerHTML;
            else setTimeout(poll, 50);
          })();
        });
        document.body.appendChild(f);
        </script>
        """

    @Test func searchOpenResolveAndPublishThroughThePage() async throws {
        guard Self.chromium != nil else {
            print("SKIP live catalog browser test: no Chromium (/usr/bin/chromium); set RAR_CHROMIUM to use another binary")
            return
        }
        let site = NSTemporaryDirectory() + "rar-site-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: site) }
        try FileManager.default.createDirectory(atPath: site + "/assets", withIntermediateDirectories: true)
        try Data(Self.drive.utf8).write(to: URL(fileURLWithPath: site + "/assets/drive.html"))
        let s = try await TestServer.start { $0.siteDir = site }
        defer { Task { await s.stop() } }

        // Search from the live index.
        let found = try Self.dom(s.base + "/index.html?q=json")
        #expect(found.contains("1 agent matches (of 4)"), "live search did not filter")
        #expect(found.contains("json_lint.html"))

        // Open an agent page.
        let agent = try Self.dom(s.base + "/catalog/@acme/release_notes.html")
        #expect(agent.contains("<h1>Release Notes</h1>"))

        // Resolve an incantation: the resolver opens the agent's page.
        let reg = try await s.get("/registry.json")
        let entry = try #require(reg.json["agents"]?.arrayValue?.first { $0["name"]?.stringValue == "@rar-samples/word_count" })
        let words = try Incantation.words(for: try #require(CardLookup.seedValue(entry["_seed"]))).joined(separator: "-").lowercased()
        let resolved = try Self.dom(s.base + "/catalog/resolve.html?i=" + words)
        #expect(resolved.contains("<title>Word Count · RAR registry</title>"), "the resolver did not open the agent page")

        // Publish a file through the account page's upload form, signed in with a token.
        let file = String(decoding: try TestServer.agent("@acme/uploaded", description: "Uploaded through the page."), as: UTF8.self)
        let body = file.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let out = try Self.dom(s.base + "/catalog/assets/drive.html?t=\(TestServer.adminToken)&page=/catalog/account.html&body=\(body)", budget: 10000)
        #expect(out.contains("@acme/uploaded"), "publish through the page failed: \(out.suffix(600))")
        let api = try await s.get("/api/v1/agents/@acme/uploaded")
        #expect(api.status == 200 && api.json["latest"]?.stringValue == "1.0.0")
        // The uploaded agent now has its own live page.
        #expect(try Self.dom(s.base + "/catalog/@acme/uploaded.html").contains("Uploaded through the page."))
    }
}
