import MediaformCore
import MediaformTestSupport
import Testing

/// Renamed keys are moves: found when exactly one removed record and one new asset share the upload fingerprint,
/// never guessed otherwise.
@Suite struct PlannerMoveTests {
    private let project = Builders.project()

    /// `asset` under another key (same source and upload inputs).
    private func renamed(_ asset: Asset, to key: String, title: String? = nil) -> Asset {
        var copy = asset
        copy.key = key
        if let title { copy.title = title }
        return copy
    }

    @Test func aRenamedKeyIsAMoveWithNoAPIOperation() throws {
        let old = Builders.asset("clips/intro")
        let state = Builders.state([old, Builders.asset("clips/other")])
        let plan = Planner.plan(
            project: project, assets: [renamed(old, to: "clips/welcome"), Builders.asset("clips/other")],
            state: state, prune: true)
        #expect(plan.changes.map(\.key) == ["clips/other", "clips/welcome"])
        let move = try #require(plan.changes.first { $0.key == "clips/welcome" })
        #expect(move.action == .move)
        #expect(move.from == "clips/intro")
        #expect(move.operations.isEmpty)
        #expect(move.fields.isEmpty)
        #expect(move.record?.mediaId == state.assets["clips/intro"]?.mediaId)
        #expect(plan.deleteCount == 0)
        #expect(plan.hasChanges)
        #expect(plan.summaryLine == "Plan: 0 to upload, 0 to update, 0 to replace, 0 to delete, 1 to move.")
    }

    @Test func fieldChangesThatComeWithARenameAreAnUpdateOfTheMovedAsset() throws {
        let old = Builders.asset("a", tags: ["x"])
        let state = Builders.state([old])
        var new = renamed(old, to: "b", title: "New title")
        new.tags = ["x", "y"]
        let plan = Planner.plan(project: project, assets: [new], state: state, prune: false)
        let move = try #require(plan.changes.first)
        #expect(plan.changes.count == 1)
        #expect(move.action == .move && move.from == "a" && move.key == "b")
        #expect(move.operations == [.update])
        #expect(move.fields.map(\.field) == ["title", "tags"])
        #expect(move.reason.contains("title, tags changed"))
        #expect(plan.summaryLine == "Plan: 0 to upload, 1 to update, 0 to replace, 0 to delete, 1 to move.")
    }

    @Test func aMoveWithoutMediaYetSendsNoUpdate() throws {
        let old = Builders.asset("a")
        var state = Builders.state([old], status: .submitted)
        state.assets["a"]?.mediaId = nil
        let plan = Planner.plan(
            project: project, assets: [renamed(old, to: "b", title: "T")], state: state, prune: false)
        let move = try #require(plan.changes.first)
        #expect(move.action == .move && move.operations.isEmpty)
        #expect(move.reason.contains("sent once the media exists") && move.reason.contains("upload submitted"))
    }

    @Test func anotherUploadInputIsNotARename() {
        let old = Builders.asset("a")
        var new = renamed(old, to: "b")
        new.workflow = "wf-1"
        let plan = Planner.plan(project: project, assets: [new], state: Builders.state([old]), prune: true)
        #expect(plan.changes.map(\.action) == [.delete, .create])
    }

    @Test func aFailedRecordIsNotARenamesSource() {
        let old = Builders.asset("a")
        let plan = Planner.plan(
            project: project, assets: [renamed(old, to: "b")], state: Builders.state([old], status: .failed),
            prune: false)
        #expect(plan.changes.map(\.action) == [.orphan, .create])
    }

    @Test func twoRemovedRecordsWithTheSameFingerprintAreAmbiguous() throws {
        // Two records for one source: possible after an orphaned key's source came back under another key.
        let first = Builders.asset("old-1", source: "https://media.example.com/same.mp4")
        var second = first
        second.key = "old-2"
        var state = Builders.state([first])
        state.assets["old-2"] = AssetRecord(
            asset: second, appId: Project.defaultAppId, status: .ready, mediaId: "media-9", time: Builders.time)
        let plan = Planner.plan(project: project, assets: [renamed(first, to: "new")], state: state, prune: false)
        #expect(plan.changes.map(\.action) == [.create, .orphan, .orphan])
        let create = try #require(plan.changes.first { $0.key == "new" })
        #expect(create.reason.contains("ambiguous") && create.reason.contains("'old-1', 'old-2'"))
        #expect(create.reason.contains("mediaform state mv OLD NEW"))
        for key in ["old-1", "old-2"] {
            #expect(plan.changes.first { $0.key == key }?.reason.contains("ambiguous") == true)
        }
        // The text plan shows the create's reason, since it is not the usual one.
        #expect(PlanRenderer.text(plan, color: false).contains("+ create new  (not in the state; the same source"))
    }

    @Test func twoNewAssetsWithTheSameFingerprintAreAmbiguous() {
        // Validation refuses duplicate sources; the planner must not guess even without it.
        let old = Builders.asset("old")
        let plan = Planner.plan(
            project: project, assets: [renamed(old, to: "new-1"), renamed(old, to: "new-2")],
            state: Builders.state([old]), prune: true)
        #expect(plan.changes.map(\.action) == [.create, .create, .delete])
        #expect(plan.changes.allSatisfy { $0.reason.contains("ambiguous") })
    }

    @Test func independentRenamesAreAllFound() {
        let olds = (0..<5).map { Builders.asset("old-\($0)") }
        let news = olds.enumerated().map { renamed($1, to: "new-\($0)") }
        let plan = Planner.plan(project: project, assets: news, state: Builders.state(olds), prune: true)
        #expect(plan.changes.map(\.action) == Array(repeating: .move, count: 5))
        #expect(plan.changes.map { $0.from ?? "" } == olds.map(\.key))
    }

    @Test func aMoveSurvivesTheJSONPlanAndIsComparedBySavedPlans() throws {
        let old = Builders.asset("a")
        let plan = Planner.plan(
            project: project, assets: [renamed(old, to: "b", title: "T")], state: Builders.state([old]), prune: false)
        let json = PlanRenderer.json(plan, generator: "test")
        let change = try #require(json["changes"]?.arrayValue?.first)
        #expect(change["action"] == .string("move"))
        #expect(change["from"] == .string("a"))
        #expect(change["key"] == .string("b"))
        #expect(change["actions"] == .array([.string("update")]))
        let back = try PlanRenderer.plan(fromJSON: try JSONParser.parse(json.prettyJSON), file: "p.json")
        #expect(back.changes.first?.from == "a")
        let saved = SavedPlan(plan: back, digest: "d", created: "t", generator: "test")
        #expect(saved.firstDifference(from: plan) == nil)
        var edited = plan
        edited.changes[0].from = "z"
        #expect(saved.firstDifference(from: edited)?.contains("a move from 'a'") == true)
    }

    @Test func aMoveWithoutFromIsRejectedWhenReadBack() throws {
        let text = """
            {"format_version": "1.0", "prune": false, "state": {"lineage": "", "serial": 0},
             "changes": [{"key": "b", "action": "move", "actions": [], "reason": "r", "fields": []}]}
            """
        #expect(throws: StateFormatError.self) {
            try PlanRenderer.plan(fromJSON: try JSONParser.parse(text), file: "p.json")
        }
    }

    @Test func theJournalMovesARecordAsOneEntryAndFoldingTwiceIsHarmless() throws {
        let state = Builders.state([Builders.asset("a")])
        let record = JournalRecord(sequence: 1, time: Builders.time, entry: .move(from: "a", to: "b"))
        let parsed = try JournalRecord.parse(Substring(record.line), file: "j", lineNumber: 1)
        #expect(parsed == record)
        let (folded, _) = state.folding([parsed])
        #expect(folded.assets.keys.sorted() == ["b"])
        #expect(folded.assets["b"] == state.assets["a"])
        // The same record again (a crash between the snapshot and the journal trim) changes nothing.
        var again = folded
        again.journalSequence = 0
        #expect(again.folding([parsed]).state.assets == folded.assets)
    }
}
