import MediaformCore
import MediaformTestSupport
import Testing

/// A lost state rebuilt from the library (`StateRebuild`), and the library imported as manifests (`LibraryImport`).
@Suite struct LibraryAdoptionTests {
    private let project = Builders.project()

    private func media(
        _ id: String, url: String?, title: String = "T", created: String? = nil, marked: Bool = false,
        tags: [String] = [], category: Int64? = nil
    ) -> RemoteMedia {
        RemoteMedia(
            mediaId: id, title: title, tags: tags, category: category, status: .ready, statusText: "Normal",
            inputURL: url, createTime: created, mediaType: "video", marked: marked)
    }

    @Test func aRebuildMatchesSourcesAndNeverMergesDuplicates() throws {
        let assets = [
            Builders.asset("a", source: "https://media.example.com/a.mp4?Expires=1&Signature=S", title: "A"),
            Builders.asset("b", source: "https://media.example.com/b%20c.mp4", title: "B"),
            Builders.asset("c", title: "C"), Builders.asset("d", title: "D"),
        ]
        let library = [
            // a: signed differently, host in capitals.
            media("m-a", url: "https://MEDIA.example.com/a.mp4?Expires=2&Signature=Z", title: "A"),
            // b: percent-decoded in the answer.
            media("m-b", url: "https://media.example.com/b c.mp4", title: "Console B"),
            // c: three uploads; the marked one wins over the newer unmarked one.
            media("m-c1", url: "https://media.example.com/c.mp4", created: "2026-01-01T00:00:00Z"),
            media("m-c2", url: "https://media.example.com/c.mp4", created: "2026-03-01T00:00:00Z"),
            media("m-c3", url: "https://media.example.com/c.mp4", created: "2026-02-01T00:00:00Z", marked: true),
            media("m-x", url: "https://elsewhere.example.com/x.mp4"),
            media("m-none", url: nil),
        ]
        let rebuild = StateRebuild.propose(assets: assets, library: library, appId: Project.defaultAppId, time: "t")
        #expect(rebuild.matches.map(\.key) == ["a", "b", "c"])
        #expect(rebuild.matches.map(\.chosen.mediaId) == ["m-a", "m-b", "m-c3"])
        #expect(rebuild.matches[2].others.map(\.mediaId) == ["m-c2", "m-c1"])
        #expect(rebuild.unmatchedKeys == ["d"])
        #expect(rebuild.unmatchedMedia == 2)
        #expect(rebuild.report.contains("  also from this source, left alone: m-c2 (created 2026-03-01T00:00:00Z)"))

        // Planned from the rebuilt state: nothing uploaded twice, the console's title set back, d uploaded.
        var state = Builders.state([])
        state.assets = rebuild.records
        let plan = Planner.plan(project: project, assets: assets, state: state, prune: false)
        #expect(plan.changes.map(\.action) == [.noOp, .update, .update, .create])
        #expect(plan.changes[1].fields.first?.before == .string("Console B"))
        // Without marker or dates, the media ID decides, so the choice is the same every time.
        let tie = StateRebuild.propose(
            assets: [assets[3]],
            library: [
                media("m-2", url: "https://media.example.com/d.mp4"),
                media("m-1", url: "https://media.example.com/d.mp4"),
            ],
            appId: Project.defaultAppId, time: "t")
        #expect(tie.matches.first?.chosen.mediaId == "m-1")
    }

    @Test func anImportWritesAValidManifestThatPlansNoChange() throws {
        let defaults = ManifestParser.parseProject(
            "version: 1\nregion: cn-shanghai\ndefaults:\n  tags: [house]\n  description: Default text\n",
            file: "mediaform.yaml"
        ).defaults
        let managed = Builders.asset("managed", source: "https://media.example.com/managed.mp4")
        let state = Builders.state([managed])
        let library = [
            media("media-0", url: "https://media.example.com/managed.mp4"),  // in the state already
            media("m-1", url: "https://cdn.example.com/videos/intro.mp4?auth_key=K", title: "Intro", tags: ["house"]),
            media("m-2", url: "https://cdn.example.com/videos/intro.mp4", title: "Intro again"),
            media("m-3", url: "https://cdn.example.com/x.mp4", title: "Tea 🍵 time", tags: ["ok", "a,b"], category: 5),
            media("m-4", url: nil),
            media("m-5", url: "https://cdn.example.com/audio.mp3", title: "Audio"),
        ]
        var filter = LibraryImport.Filter()
        filter.mediaTypes = ["VIDEO"]
        let made = LibraryImport.make(
            library: library.map {
                var m = $0; if $0.mediaId == "m-5" { m.mediaType = "audio" }; return m
            },
            state: state, assets: [managed], filter: filter, defaults: defaults, file: "assets/imported.yaml")
        #expect(made.imported.map(\.asset.key) == ["videos/intro.mp4", "videos/intro.mp4-2", "x.mp4"])
        #expect(made.skipped.map(\.mediaId) == ["m-4", "media-0"])
        #expect(!made.text.contains("auth_key") && made.text.contains("    title: \"Tea time\"\n"))
        #expect(made.text.contains("# IMS value of 'title' is not accepted in manifests: 'title' contains the emoji"))

        // The file validates as plan reads it (defaults applied) ...
        let parsed = ManifestParser.parseAssets(made.text, file: "assets/imported.yaml", defaults: defaults)
        #expect(parsed.diagnostics.filter { $0.severity == .error }.isEmpty, "\(parsed.diagnostics)")
        let tea = try #require(parsed.assets.first { $0.key == "x.mp4" })
        #expect(tea.title == "Tea time" && tea.ignoreChanges.contains(.title) && tea.ignoreChanges.contains(.tags))
        // ... the default description and tag would change the media: left to the library.
        let intro = try #require(parsed.assets.first { $0.key == "videos/intro.mp4" })
        #expect(intro.ignoreChanges.contains(.description) && intro.ignoreChanges.contains(.tags))

        // Recorded as imported, the next plan has nothing to do.
        var imported = state
        for (asset, remote) in made.imported {
            imported.assets[asset.key] = AssetRecord(
                adopting: asset, remote: remote, appId: Project.defaultAppId, time: "t")
        }
        let plan = Planner.plan(project: project, assets: [managed] + parsed.assets, state: imported, prune: true)
        #expect(!plan.hasChanges, "\(PlanRenderer.text(plan, color: false))")
    }

    @Test func aMediaInADeclaredCategoryIsWrittenWithItsPath() throws {
        var state = Builders.state([])
        state.categories = [
            "Courses": CategoryRecord(id: 7, name: "Courses"), "Old": CategoryRecord(id: 8, name: "Old"),
        ]
        let library = [
            media("m-1", url: "https://cdn.example.com/a.mp4", category: 7),
            media("m-2", url: "https://cdn.example.com/b.mp4", category: 8),  // recorded, but no longer declared
            media("m-3", url: "https://cdn.example.com/c.mp4", category: 9),
        ]
        let made = LibraryImport.make(
            library: library, state: state, assets: [], filter: LibraryImport.Filter(), defaults: nil,
            file: "assets/imported.yaml", categories: ["Courses"])
        #expect(made.text.contains("    category: \"Courses\"\n"))
        #expect(made.text.contains("    category: 8\n") && made.text.contains("    category: 9\n"))
        #expect(made.imported.map(\.asset.category) == [7, 8, 9])
        // It validates against the project's tree, and once recorded the next plan has nothing to do.
        let parsed = ManifestParser.parseAssets(
            made.text, file: "assets/imported.yaml", defaults: nil, categories: ["Courses"])
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        var imported = state
        for (asset, remote) in made.imported {
            imported.assets[asset.key] = AssetRecord(
                adopting: asset, remote: remote, appId: Project.defaultAppId, time: "t")
        }
        var project = self.project
        project.categories = ["Courses"]
        let plan = Planner.plan(project: project, assets: parsed.assets, state: imported, prune: false)
        #expect(!plan.changes.contains { $0.action.isChange }, "\(PlanRenderer.text(plan, color: false))")
    }

    @Test func nothingToImportWritesAnEmptyList() {
        let made = LibraryImport.make(
            library: [], state: Builders.state([]), assets: [], filter: LibraryImport.Filter(), defaults: nil,
            file: "a.yaml")
        #expect(made.imported.isEmpty)
        #expect(ManifestParser.parseAssets(made.text, file: "a.yaml", defaults: nil).diagnostics.isEmpty)
    }
}
