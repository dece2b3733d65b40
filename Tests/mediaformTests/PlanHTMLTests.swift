import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

/// The HTML review page (`plan --html`, issue 20), loaded in a real browser (headless Chromium) to check what a
/// reviewer sees: counts, filters, search, escaping, markings, covers, and a 100,000-row plan.
@Suite(.serialized) struct PlanHTMLTests {
    static let browser = HeadlessBrowser.find()

    @Test func aBrowserIsAvailableUnderCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(Self.browser != nil, "CI must run the browser tests: Scripts/test installs chromium")
        }
    }

    /// Covers served on loopback: an SVG for `/ok.svg`, 404 for anything else (a broken cover).
    private func coverServer() throws -> LoopbackServer {
        try LoopbackServer { request in
            guard request.path == "/ok.svg" else { return .respond(status: 404, headers: [:], body: "no") }
            return .respond(
                status: 200, headers: ["Content-Type": "image/svg+xml"],
                body: "<svg xmlns='http://www.w3.org/2000/svg' width='160' height='90'>"
                    + "<rect width='160' height='90' fill='#4a90d9'/></svg>")
        }
    }

    /// A project whose plan (with --prune) holds every kind of change: creates in two files (one titled with a
    /// script tag), an update, a change made in the console (drift), a move, a delete.
    private func project(covers: String) throws -> URL {
        let a = """
            assets:
              - key: keep
                source: https://media.example.com/keep.mp4
                title: Kept as it is
              - key: retitle
                source: https://media.example.com/retitle.mp4
                title: The new title
                cover: \(covers)/ok.svg
              - key: console/edited
                source: https://media.example.com/edited.mp4
                title: Title from the manifest
              - key: new/name
                source: https://media.example.com/renamed.mp4
                title: Renamed
            """
        let b = """
            assets:
              - key: fresh/script
                source: https://media.example.com/fresh.mp4
                title: "<script>alert('x')</script> Launch"
                cover: \(covers)/missing.jpg
              - key: fresh/plain
                source: https://media.example.com/plain.mp4
                title: Plain new lesson
            """
        let dir = try Builders.writeProject(project: "version: 1\nregion: cn-shanghai\nendpoint: emulator\n", assets: a)
        try b.write(to: dir.appendingPathComponent("assets/b.yaml"), atomically: true, encoding: .utf8)
        // The state: what was applied before, under the old key and title, and a title edited in the console.
        var applied = ManifestParser.parseAssets(a, file: "a.yaml", defaults: nil).assets
        applied[1].title = "The old title"
        applied[3].key = "old/name"
        applied.append(Builders.asset("gone"))
        var state = Builders.state(applied)
        var edited = try #require(state.assets["console/edited"])
        edited.fields.title = "Edited in the console"
        edited.fingerprints.mutable = edited.fields.fingerprint
        edited.drift = [.title]
        state.assets["console/edited"] = edited
        try state.fileText.write(
            to: dir.appendingPathComponent("mediaform.state.json"), atomically: true, encoding: .utf8)
        return dir
    }

    private func rows(_ dom: String) -> [String] {
        dom.components(separatedBy: "<tr class=\"").dropFirst().compactMap { row in
            row.range(of: "data-key=\"").map { String(row[$0.upperBound...].prefix { $0 != "\"" }) }
        }
    }

    @Test func aReviewerSeesCountsFiltersSearchAndEscapedText() async throws {
        guard let browser = Self.browser else { return }
        let covers = try coverServer()
        defer { covers.stop() }
        let dir = try project(covers: covers.endpoint)
        let page = dir.appendingPathComponent("plan.html")
        // Run in the project directory, as CI does: the page names manifest files relative to it.
        let result = try await CommandRunner.run(["plan", ".", "--prune", "--html", "plan.html"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Plan: 2 to upload, 2 to update"), "\(result.stdout)")
        #expect(result.stderr.contains("Wrote the review page to plan.html"))

        let (dom, _) = try await browser.dumpDOM(page)
        #expect(dom.contains("Showing 1–6 of 6 changes (6 in the plan)"), "\(dom.prefix(3000))")
        #expect(
            rows(dom).sorted() == ["console/edited", "fresh/plain", "fresh/script", "gone", "new/name", "retitle"])
        // The counts, as bars.
        for (action, count) in [("create", 2), ("update", 2), ("move", 1), ("delete", 1)] {
            #expect(dom.contains("data-action=\"\(action)\"><span class=\"label\">\(action)</span>"))
            #expect(dom.contains("\(action) (\(count))"))
        }
        // Drift, moves and deletions cannot be missed.
        #expect(dom.contains("<tr class=\"update drift\" data-key=\"console/edited\">"))
        #expect(dom.contains("<span class=\"badge b-drift\">DRIFT</span>"))
        #expect(dom.contains("<span class=\"badge b-delete\">DELETE</span>"))
        #expect(dom.contains("old/name → new/name"))
        // The changed part of a field is marked.
        #expect(dom.contains("<mark>old</mark>") && dom.contains("<mark>new</mark>"))
        // A title with a script tag is text, never markup; the page runs only its own script.
        #expect(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt; Launch"))
        #expect(!dom.contains("<script>alert"))
        // Covers: the one that loads is an image, the broken one a placeholder.
        #expect(dom.contains("src=\"\(covers.endpoint)/ok.svg\""))
        #expect(!dom.contains("missing.jpg\""), "a broken cover is replaced by a placeholder")
        #expect(covers.requests.allSatisfy { $0.path == "/ok.svg" || $0.path == "/missing.jpg" })

        // A filter by action, one by file, a search.
        let deletes = try await browser.dumpDOM(URL(string: page.absoluteString + "#action=delete")!).dom
        #expect(rows(deletes) == ["gone"] && deletes.contains("Showing 1–1 of 1 changes"))
        #expect(dom.contains("<option value=\"assets/b.yaml\">assets/b.yaml</option>"), "\(dom.prefix(4000))")
        let inB = try await browser.dumpDOM(URL(string: page.absoluteString + "#file=assets/b.yaml")!).dom
        #expect(rows(inB).sorted() == ["fresh/plain", "fresh/script"])
        let found = try await browser.dumpDOM(URL(string: page.absoluteString + "#q=launch")!).dom
        #expect(rows(found) == ["fresh/script"])

        // The screenshot in the README is this page.
        let shot = dir.appendingPathComponent("plan.png")
        try await browser.screenshot(page, to: shot, height: 900)
        let png = try Data(contentsOf: shot)
        #expect(png.count > 10_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try png.write(to: Fixtures.packageRoot.appendingPathComponent("docs/plan-html.png"))
        }
    }

    @Test func aSavedPlanRendersTheSamePage() async throws {
        guard let browser = Self.browser else { return }
        let covers = try coverServer()
        defer { covers.stop() }
        let dir = try project(covers: covers.endpoint)
        let saved = dir.appendingPathComponent("plan.json"), page = dir.appendingPathComponent("shown.html")
        _ = try await CommandRunner.run(["plan", dir.path, "--prune", "--out", saved.path])
        let shown = try await CommandRunner.run(["show", saved.path, "--html", page.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        let dom = try await browser.dumpDOM(page).dom
        #expect(dom.contains("Showing 1–6 of 6 changes"))
        #expect(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt; Launch"))
    }

    @Test func aPlanOf100000AssetsLoadsInAFewSeconds() async throws {
        guard let browser = Self.browser else { return }
        let assets = (0..<100_000).map { Builders.asset(String(format: "library/%06d", $0)) }
        let plan = Planner.plan(
            project: Builders.project(), assets: assets, state: State(lineage: "", generator: "t"), prune: false)
        let page = try Fixtures.temporaryDirectory().appendingPathComponent("big.html")
        try PlanHTMLRenderer.html(plan, generator: "test").write(to: page, atomically: true, encoding: .utf8)
        let (dom, seconds) = try await browser.dumpDOM(page)
        #expect(dom.contains("Showing 1–200 of 100000 changes"))
        #expect(dom.contains("page 1 of 500"))
        #expect(rows(dom).count == PlanHTMLRenderer.pageSize)
        // From navigation to the first page on screen, as the page itself measures it (the browser's start and the
        // dump are not the reviewer's wait). Loose enough for a loaded CI runner, tight enough that a page which
        // put every row in the document would fail.
        let rendered = dom.range(of: "data-rendered-ms=\"").map {
            Int(dom[$0.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        let milliseconds = try #require(rendered)
        #expect(milliseconds < 8000, "the first page took \(milliseconds) ms")
        let hit = try await browser.dumpDOM(URL(string: page.absoluteString + "#q=library/099999")!).dom
        #expect(rows(hit) == ["library/099999"])
        print(
            "plan-html: 100,000 rows, \(try Data(contentsOf: page).count / 1_048_576) MiB: first page after "
                + "\(milliseconds) ms; browser start to exit \(seconds) s")
    }
}
