import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

@Suite struct PlanRendererTests {
    /// A plan with every action, a signed source and awkward characters.
    static func mixedPlan() -> Plan {
        let keep = Builders.asset("keep")
        let retitled = Builders.asset("retitle", title: "Old title")
        let moved = Builders.asset("move")
        let failed = Builders.asset("failed")
        let running = Builders.asset("running")
        let gone = Builders.asset("gone"), guarded = Builders.asset("guarded", protect: true)
        let renamedFrom = Builders.asset("old/name")
        var state = Builders.state([keep, retitled, moved, failed, running, gone, guarded, renamedFrom])
        state.assets["failed"]?.status = .failed
        state.assets["failed"]?.lastError = RecordedError(code: "URLInvalidError", message: "download failed")
        state.assets["running"]?.status = .processing
        var newTitle = retitled
        newTitle.title = "New | <title> `x`"
        newTitle.tags = ["a"]
        var newSource = moved
        newSource.source =
            "https://bucket.oss-cn-shanghai.aliyuncs.com/move.mp4?Expires=1&OSSAccessKeyId=AKID&Signature=SECRETSIG"
        let created = Asset(
            key: "new/lesson", source: "https://cdn.example.com/new.mp4?auth_key=TOKENVALUE", title: "季度回顾 \"Q1\"",
            description: "Two\nlines", tags: ["x", "y"], category: 1001, workflow: "wf", metadata: ["k": .int(1)])
        // Edited in the console, as a refresh recorded it.
        let edited = Builders.asset("console/edited")
        var editedRecord =
            Builders.state([edited]).assets["console/edited"]
            ?? AssetRecord(
                asset: edited, appId: Project.defaultAppId, status: .ready, time: Builders.time)
        editedRecord.fields.title = "Edited in the console"
        editedRecord.fingerprints.mutable = editedRecord.fields.fingerprint
        editedRecord.drift = [.title]
        state.assets["console/edited"] = editedRecord
        var renamed = renamedFrom
        renamed.key = "new/name"
        renamed.title = "Renamed too"
        // The category tree: one renamed in the console, one to create, one removed from the project file.
        var project = Builders.project()
        project.categories = ["Courses", "Courses/Swift"]
        state.categories = [
            "Courses": CategoryRecord(id: 1001, name: "Lessons", drift: true),
            "Old": CategoryRecord(id: 30, name: "Old"),
        ]
        return Planner.plan(
            project: project,
            assets: [keep, newTitle, newSource, failed, running, created, renamed, edited],
            state: state, prune: true)
    }

    private func golden(_ text: String, _ name: String) {
        let mismatch = Snapshot.mismatch(text, golden: Fixtures.path("golden/\(name)"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func textGolden() { golden(PlanRenderer.text(Self.mixedPlan(), color: false), "plan.txt") }

    @Test func jsonGolden() {
        golden(PlanRenderer.json(Self.mixedPlan(), generator: "mediaform test").prettyJSON, "plan.json")
    }

    @Test func markdownGolden() { golden(PlanRenderer.markdown(Self.mixedPlan()), "plan.md") }

    @Test func noSecretInAnyFormat() {
        let plan = Self.mixedPlan()
        for text in [
            PlanRenderer.text(plan, color: true), PlanRenderer.json(plan, generator: "g").prettyJSON,
            PlanRenderer.markdown(plan),
        ] {
            for secret in ["SECRETSIG", "AKID", "TOKENVALUE", "Expires="] {
                #expect(!text.contains(secret), "\(secret) leaked")
            }
        }
    }

    @Test func jsonReadsBackToTheSamePlanForShow() throws {
        let plan = Self.mixedPlan()
        let back = try PlanRenderer.plan(fromJSON: PlanRenderer.json(plan, generator: "g"), file: "p.json")
        #expect(PlanRenderer.text(back, color: false) == PlanRenderer.text(plan, color: false))
    }

    @Test func markdownStaysUnderBudgetWithManyAssets() {
        let assets = (0..<5000).map { Builders.asset("lessons/\($0)", title: String(repeating: "t", count: 100)) }
        let plan = Planner.plan(
            project: Builders.project(), assets: assets, state: State(lineage: "", generator: ""), prune: false)
        let md = PlanRenderer.markdown(plan)
        #expect(md.count < PlanRenderer.markdownBudget)
        #expect(md.contains("more assets; see the JSON plan"))
        #expect(md.hasPrefix("### mediaform plan\n\n**Plan: 5000 to upload"))
    }

    @Test func colourOnlyWhenAsked() {
        #expect(!PlanRenderer.text(Self.mixedPlan(), color: false).contains("\u{1B}["))
        #expect(PlanRenderer.text(Self.mixedPlan(), color: true).contains("\u{1B}[32m"))
    }
}

@Suite struct SavedPlanTests {
    @Test func roundTripsAndDetectsStaleness() throws {
        let plan = PlanRendererTests.mixedPlan()
        let saved = SavedPlan(plan: plan, digest: "d1", created: "2026-01-01T00:00:00Z", generator: "g")
        let back = try #require(try SavedPlan.decode(try JSONParser.parse(saved.fileText), file: "p"))
        #expect(back.digest == "d1")
        #expect(back.plan.lineage == plan.lineage && back.plan.serial == plan.serial)
        #expect(back.staleness(lineage: plan.lineage, serial: plan.serial, digest: "d1") == nil)
        #expect(
            back.staleness(lineage: plan.lineage, serial: plan.serial + 1, digest: "d1")?.contains(
                "serial 3 then, 4 now") == true)
        #expect(back.staleness(lineage: "other", serial: plan.serial, digest: "d1")?.contains("another state") == true)
        #expect(
            back.staleness(lineage: plan.lineage, serial: plan.serial, digest: "d2")?.contains("manifest changed")
                == true)
    }

    @Test func aStateFileIsNotASavedPlan() throws {
        let state = Builders.state([Builders.asset("a")])
        #expect(try SavedPlan.decode(try JSONParser.parse(state.fileText), file: "s") == nil)
    }
}
