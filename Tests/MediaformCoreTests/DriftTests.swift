import MediaformCore
import MediaformTestSupport
import Testing

/// The library as it is: what a read found (`State.observing`), and how plans treat it (issue 14).
@Suite struct DriftTests {
    private let project = Builders.project()

    /// A ready record of `asset` with a category and a cover, as mediaform applied it.
    private func applied(_ asset: Asset) -> State { Builders.state([asset]) }

    private func remote(_ asset: Asset, _ adjust: (inout RemoteMedia) -> Void = { _ in }) -> MediaObservation {
        var media = RemoteMedia(
            mediaId: "media-0", title: asset.title, description: asset.description, tags: asset.tags,
            category: asset.category, cover: asset.cover, status: .ready, statusText: "Normal")
        adjust(&media)
        return .present(media)
    }

    @Test func aLibraryInStepChangesNothing() {
        let asset = Builders.asset("a", tags: ["x", "y"], category: 7)
        var withCover = asset
        withCover.cover = "https://img.example.com/c.jpg"
        let state = applied(withCover)
        // Tags in another order and a freshly signed cover are the same values.
        let observed = remote(withCover) {
            $0.tags = ["y", "x"]
            $0 = RemoteMedia(
                mediaId: $0.mediaId, title: $0.title, tags: $0.tags, category: 7,
                cover: "https://img.example.com/c.jpg?Expires=9&Signature=S", status: .ready)
        }
        let (changed, findings) = state.observing(["a": observed], time: "t")
        #expect(changed.isEmpty && findings.isEmpty)
    }

    @Test func eachManagedFieldChangedOutsideIsRecordedAsDrift() throws {
        var asset = Builders.asset("a", tags: ["x"], category: 7)
        asset.description = "D"
        asset.cover = "https://img.example.com/c.jpg"
        let state = applied(asset)
        let observed = remote(asset) {
            $0.title = "T2"
            $0.description = ""
            $0.tags = ["x", "z"]
            $0.category = 8
            $0.cover = "https://img.example.com/other.jpg"
        }
        let (changed, findings) = state.observing(["a": observed], time: "later")
        let record = try #require(changed["a"])
        #expect(record.drift == [.title, .description, .tags, .category, .cover])
        #expect(
            record.fields
                == MutableFieldValues(
                    title: "T2", tags: ["x", "z"], category: 8, cover: "https://img.example.com/other.jpg"))
        #expect(record.fingerprints.mutable == record.fields.fingerprint)
        #expect(record.updatedAt == "later")
        guard case .changed(let fields) = findings.first?.kind else {
            Issue.record("no change found")
            return
        }
        #expect(fields.map(\.field) == ["title", "description", "tags", "category", "cover"])
        #expect(fields[1].before == .string("D") && fields[1].after == .null)
        #expect(findings.first?.description.hasPrefix("a: title \"Title of a\" → \"T2\"; description") == true)

        // A plain plan now sets every field back, each marked as drift.
        let plan = Planner.plan(project: project, assets: [asset], state: stateWith(changed), prune: false)
        let update = try #require(plan.changes.first)
        #expect(update.action == .update && update.drift && update.operations == [.update])
        #expect(update.reason.contains("title, description, tags, category, cover changed outside mediaform"))
        #expect(update.fields.first?.before == .string("T2") && update.fields.first?.after == .string("Title of a"))
    }

    @Test func aCategoryOrCoverMediaformNeverSetIsRecordedButNotDrift() throws {
        let asset = Builders.asset("a")
        let state = applied(asset)
        let observed = remote(asset) {
            $0.cover = "https://snapshots.example.com/auto.jpg?auth_key=K"
            $0.category = 3
        }
        let (changed, findings) = state.observing(["a": observed], time: "t")
        let record = try #require(changed["a"])
        #expect(record.drift.isEmpty && findings.isEmpty)
        #expect(record.fields.cover == "https://snapshots.example.com/auto.jpg" && record.fields.category == 3)
        // The manifests do not set them: they belong to the library, and no change is planned.
        let plan = Planner.plan(project: project, assets: [asset], state: stateWith(changed), prune: false)
        #expect(plan.changes.map(\.action) == [.noOp])
    }

    @Test func aCategoryTheAnswerDoesNotCarryIsNotCompared() {
        let asset = Builders.asset("a", category: 7)
        let (changed, findings) = applied(asset).observing(["a": remote(asset) { $0.category = nil }], time: "t")
        #expect(changed.isEmpty && findings.isEmpty)
    }

    @Test func aDeletedMediaIsUploadedAgainUnlessProtected() throws {
        let asset = Builders.asset("a")
        let (changed, findings) = applied(asset).observing(["a": .gone], time: "t")
        #expect(changed["a"]?.status == .missing && findings.map(\.kind) == [.deleted])
        let state = stateWith(changed)
        let plan = Planner.plan(project: project, assets: [asset], state: state, prune: true)
        let create = try #require(plan.changes.first)
        #expect(create.action == .create && create.drift && create.operations == [.upload])
        #expect(create.reason == "deleted outside mediaform; uploaded again")
        #expect(plan.deleteCount == 0)

        var guarded = asset
        guarded.protect = true
        let kept = Planner.plan(project: project, assets: [guarded], state: state, prune: true)
        #expect(kept.changes.map(\.action) == [.missing] && !kept.hasChanges)
        #expect(kept.summaryLine == "No changes. 1 deleted outside mediaform and protected (not uploaded again).")

        // Gone from the manifests too: forgotten under prune without a call, orphaned otherwise.
        let pruned = Planner.plan(project: project, assets: [], state: state, prune: true)
        #expect(pruned.changes.first?.action == .delete && pruned.changes.first?.operations == [])
        #expect(pruned.deleteCount == 0)
        #expect(Planner.plan(project: project, assets: [], state: state, prune: false).changes.first?.action == .orphan)
        // And found again later: ready.
        let back = state.observing(["a": remote(asset)], time: "t")
        #expect(back.changed["a"]?.status == .ready && back.findings.map(\.kind) == [.reappeared])
    }

    @Test func aFailedMediaIsRetried() throws {
        let asset = Builders.asset("a")
        let observed = remote(asset) {
            $0.status = .failed
            $0.statusText = "PrepareFail"
        }
        let (changed, findings) = applied(asset).observing(["a": observed], time: "t")
        #expect(changed["a"]?.status == .failed && findings.map(\.kind) == [.failed(status: "PrepareFail")])
        let plan = Planner.plan(project: project, assets: [asset], state: stateWith(changed), prune: false)
        #expect(plan.changes.first?.action == .retry)
        #expect(plan.changes.first?.reason.contains("PrepareFail") == true)
    }

    @Test func ignoredFieldsBelongToTheConsole() throws {
        var asset = Builders.asset("a", tags: ["x"])
        asset.ignoreChanges = [.title, .tags]
        let state = applied(asset)
        let observed = remote(asset) {
            $0.title = "Console title"
            $0.tags = ["c"]
            $0.description = "Console description"
        }
        let (changed, _) = state.observing(["a": observed], time: "t")
        // Only the description, which the manifest owns, is set back; the update carries the console's title and
        // tags, as recorded.
        let plan = Planner.plan(project: project, assets: [asset], state: stateWith(changed), prune: false)
        let update = try #require(plan.changes.first)
        #expect(update.action == .update && update.fields.map(\.field) == ["description"])
        #expect(update.asset?.title == "Console title" && update.asset?.tags == ["c"])
        // A change in the manifests to an ignored field is not a change either.
        var retitled = asset
        retitled.title = "New in the manifest"
        #expect(
            Planner.plan(project: project, assets: [retitled], state: state, prune: false).changes.map(\.action) == [
                .noOp
            ])
    }

    @Test func ignoreChangesIsParsedLocatedAndTheAssetsListWins() throws {
        let defaults = ManifestParser.parseProject(
            "version: 1\nregion: cn-shanghai\ndefaults:\n  ignoreChanges: [title]\n", file: "mediaform.yaml"
        ).defaults
        let parsed = ManifestParser.parseAssets(
            """
            assets:
              - source: https://m.example.com/a.mp4
                title: A
              - source: https://m.example.com/b.mp4
                title: B
                ignoreChanges: [tags, cover]
              - source: https://m.example.com/c.mp4
                title: C
                ignoreChanges: []
              - source: https://m.example.com/d.mp4
                title: D
                ignoreChanges: [title, tittle]
            """, file: "a.yaml", defaults: defaults)
        #expect(parsed.assets.map(\.ignoreChanges) == [[.title], [.tags, .cover], [], [.title]])
        #expect(
            parsed.diagnostics.map(\.description) == [
                "a.yaml:12:28: error: 'tittle' in 'ignoreChanges' is not a field mediaform updates (title, description, tags, category, cover); did you mean 'title'?"
            ])
    }

    private func stateWith(_ changed: [String: AssetRecord]) -> State {
        var state = Builders.state([])
        for (key, record) in changed { state.assets[key] = record }
        return state
    }
}
