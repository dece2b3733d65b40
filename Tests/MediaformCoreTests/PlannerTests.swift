import MediaformCore
import MediaformTestSupport
import Testing

@Suite struct PlannerTests {
    let project = Builders.project()

    private func plan(_ assets: [Asset], _ state: State, prune: Bool = false) -> Plan {
        Planner.plan(project: project, assets: assets, state: state, prune: prune)
    }

    private func only(_ plan: Plan, _ key: String) throws -> PlannedChange {
        try #require(plan.changes.first { $0.key == key })
    }

    @Test func newAssetIsACreateWithItsFields() throws {
        let a = Builders.asset("a", tags: ["x"], category: 7)
        let change = try only(plan([a], State(lineage: "", generator: "")), "a")
        #expect(change.action == .create)
        #expect(change.operations == [.upload])
        #expect(change.fields.map(\.field) == ["source", "title", "tags", "category"])
        #expect(change.fields.allSatisfy { $0.before == .null })
    }

    @Test func unchangedAssetIsANoOp() throws {
        let a = Builders.asset("a")
        let p = plan([a], Builders.state([a]))
        #expect(try only(p, "a").action == .noOp)
        #expect(!p.hasChanges)
        #expect(p.summaryLine == "No changes.")
    }

    /// Keys a manifest cache vouched for (`unchanged`) count as planned: a record that is neither parsed nor
    /// vouched for left the manifests, and a key given twice is one key (whatever mix of parsed and vouched).
    @Test func keysTheCacheVouchedForArePlannedAndTheOthersLeft() throws {
        let assets = (0..<40).map { Builders.asset("k\($0)") }
        let state = Builders.state(assets)
        let parsed = Array(assets[0..<5])
        let vouched = assets[5..<39].map(\.key)
        let p = Planner.plan(project: project, assets: parsed, unchanged: vouched, state: state, prune: false)
        #expect(p.changes.count == 40)
        #expect(p.changes.filter { $0.action == .noOp }.count == 39)
        #expect(try only(p, "k39").action == .orphan)
        #expect(p.changes.map(\.key) == p.changes.map(\.key).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        // Every record planned: nothing left, even with keys repeated (counted once, not twice).
        let all = Planner.plan(
            project: project, assets: parsed, unchanged: vouched + ["k39", "k39", "k1"], state: state, prune: false)
        #expect(!all.changes.contains { $0.action == .orphan })
        // A repeated key must not make up for a record that left: k38 is not planned, k37 is given twice.
        let repeated = Planner.plan(
            project: project, assets: parsed, unchanged: assets[5..<38].map(\.key) + ["k37", "k39"], state: state,
            prune: false)
        #expect(repeated.changes.filter { $0.action == .orphan }.map(\.key) == ["k38"])
    }

    @Test func titleChangeIsAnUpdateWithOldAndNew() throws {
        let old = Builders.asset("a", title: "Old")
        var new = old
        new.title = "New"
        let change = try only(plan([new], Builders.state([old])), "a")
        #expect(change.action == .update)
        #expect(change.reason == "title changed")
        #expect(change.fields == [FieldChange(field: "title", before: .string("Old"), after: .string("New"))])
        #expect(change.operations == [.update])
    }

    @Test func reorderedTagsAreNotAChange() throws {
        let old = Builders.asset("a", tags: ["x", "y"])
        var new = old
        new.tags = ["y", "x"]
        #expect(try only(plan([new], Builders.state([old])), "a").action == .noOp)
    }

    @Test func sourceChangeIsAReplaceThatKeepsTheOldMediaUnlessPruning() throws {
        let old = Builders.asset("a")
        var new = old
        new.source = "https://media.example.com/other.mp4"
        let keep = try only(plan([new], Builders.state([old])), "a")
        #expect(keep.action == .replace)
        #expect(keep.operations == [.upload])
        #expect(
            keep.fields.first == FieldChange(field: "source", before: .string(old.source), after: .string(new.source)))
        #expect(keep.reason.contains("kept"))
        let pruned = try only(plan([new], Builders.state([old]), prune: true), "a")
        #expect(pruned.operations == [.upload, .delete])
    }

    @Test func workflowChangeIsAReplaceNamingTheInput() throws {
        let old = Builders.asset("a", workflow: "w1")
        let new = Builders.asset("a", workflow: "w2")
        let change = try only(plan([new], Builders.state([old])), "a")
        #expect(change.action == .replace)
        #expect(change.fields == [FieldChange(field: "workflow", before: .string("w1"), after: .string("w2"))])
        #expect(change.reason.hasPrefix("workflow changed"))
    }

    @Test func failedUploadIsARetry() throws {
        let a = Builders.asset("a")
        var state = Builders.state([a], status: .failed)
        state.assets["a"]?.lastError = RecordedError(code: "URLInvalidError", message: "download failed")
        let change = try only(plan([a], state), "a")
        #expect(change.action == .retry)
        #expect(change.reason == "last upload failed: URLInvalidError: download failed")
        #expect(
            plan([a], state).summaryLine
                == "Plan: 1 to upload, 0 to update, 0 to replace, 0 to delete. 1 of the uploads is a retry.")
    }

    @Test func submittedUploadIsInProgress() throws {
        let a = Builders.asset("a")
        let change = try only(plan([a], Builders.state([a], status: .processing)), "a")
        #expect(change.action == .inProgress)
        #expect(change.reason == "upload processing (job job-0)")
    }

    @Test func removedAssetIsAnOrphanWithoutPruneAndADeleteWithIt() throws {
        let a = Builders.asset("a")
        let state = Builders.state([a])
        let orphan = try only(plan([], state), "a")
        #expect(orphan.action == .orphan)
        #expect(orphan.operations.isEmpty)
        let delete = try only(plan([], state, prune: true), "a")
        #expect(delete.action == .delete)
        #expect(delete.operations == [.delete])
        #expect(
            plan([], state, prune: true).summaryLine == "Plan: 0 to upload, 0 to update, 0 to replace, 1 to delete.")
    }

    @Test func protectedAssetIsNeverDeleted() throws {
        let a = Builders.asset("a", protect: true)
        let change = try only(plan([], Builders.state([a]), prune: true), "a")
        #expect(change.action == .orphan)
        #expect(change.reason.contains("protected"))
    }

    @Test func removedFailedUploadIsOnlyForgotten() throws {
        let a = Builders.asset("a")
        let change = try only(plan([], Builders.state([a], status: .failed), prune: true), "a")
        #expect(change.action == .delete)
        #expect(change.operations.isEmpty)
    }

    @Test func orderIsByKeyBytesWhateverTheInputOrder() {
        let assets = ["b", "a/2", "a/10", "Z", "é"].map { Builders.asset($0) }
        let keys = plan(assets, Builders.state([Builders.asset("c")])).changes.map(\.key)
        #expect(keys == ["Z", "a/10", "a/2", "b", "c", "é"])
        #expect(
            plan(assets.reversed(), Builders.state([Builders.asset("c")]))
                == plan(assets, Builders.state([Builders.asset("c")])))
    }

    @Test func summaryCountsOrphansAndJobsInProgress() {
        let a = Builders.asset("a"), b = Builders.asset("b"), c = Builders.asset("c")
        var state = Builders.state([a, b])
        state.assets["b"]?.status = .submitted
        let p = plan([b, c], state)
        #expect(
            p.summaryLine
                == "Plan: 1 to upload, 0 to update, 0 to replace, 0 to delete. 1 orphaned (kept; not in the manifests); 1 in progress."
        )
    }
}
