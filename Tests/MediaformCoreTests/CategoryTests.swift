import Foundation
import MediaformTestSupport
import Testing

@testable import MediaformCore

/// Categories as code (issue 17): the `categories:` tree, paths on assets, and how plans manage the tree.
@Suite struct CategoryTests {
    private static let projectHead = "version: 1\nregion: cn-shanghai\n"

    private func project(_ categories: String) -> ManifestParser.ProjectFile {
        ManifestParser.parseProject(Self.projectHead + categories, file: "mediaform.yaml")
    }

    @Test func theTreeIsValidatedWithLocatedErrorsAndParentsImplied() throws {
        let ok = project("categories:\n  - Courses/Swift\n  - Courses/Go\n  - Podcasts\n")
        #expect(ok.diagnostics.isEmpty, "\(ok.diagnostics)")
        #expect(ok.project?.categories == ["Courses", "Courses/Go", "Courses/Swift", "Podcasts"])

        let long = String(repeating: "x", count: 65)
        let bad = project(
            "categories:\n  - Courses//Swift\n  - A/B/C/D\n  - \(long)\n  - \"Fun 🎉\"\n  - Podcasts\n  - Podcasts\n")
        let messages = bad.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("4: ") && $0.contains("empty name") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("5: ") && $0.contains("4 levels deep; IMS allows at most 3") })
        #expect(messages.contains { $0.hasPrefix("6: ") && $0.contains("65 bytes") })
        #expect(messages.contains { $0.hasPrefix("7: ") && $0.contains("emoji") })
        #expect(messages.contains { $0.hasPrefix("9: ") && $0.contains("listed twice") })
        #expect(bad.diagnostics.filter { $0.severity == .error }.count == 4)
    }

    @Test func anAssetNamesADeclaredPathOrAnIDAndAnUndeclaredPathIsLocatedWithAHint() {
        let categories = ["Courses", "Courses/Swift"]
        let yaml = """
            assets:
              - source: https://m.example.com/a.mp4
                title: A
                category: Courses/Swift
              - source: https://m.example.com/b.mp4
                title: B
                category: 1000
              - source: https://m.example.com/c.mp4
                title: C
                category: Courses/Swfit
            """
        let parsed = ManifestParser.parseAssets(yaml, file: "a.yaml", defaults: nil, categories: categories)
        #expect(parsed.assets.map(\.categoryPath) == ["Courses/Swift", nil, "Courses/Swfit"])
        #expect(parsed.assets.map(\.category) == [nil, 1000, nil])
        #expect(parsed.diagnostics.count == 1)
        let error = parsed.diagnostics.first
        #expect(error?.location?.line == 10 && error?.location?.column == 15)
        #expect(error?.message.contains("did you mean 'Courses/Swift'?") == true)

        // From defaults: the error points at the project file's line.
        let projectFile = project("categories: [Courses]\ndefaults:\n  category: Course\n")
        let fromDefaults = ManifestParser.parseAssets(
            "assets:\n  - source: https://m.example.com/a.mp4\n    title: A\n", file: "a.yaml",
            defaults: projectFile.defaults, categories: projectFile.project?.categories)
        #expect(fromDefaults.diagnostics.first?.location?.file == Project.fileName)
        #expect(fromDefaults.diagnostics.first?.location?.line == 5)
        // Without a tree at all, the message says where to declare it.
        let none = ManifestParser.parseAssets(yaml, file: "a.yaml", defaults: nil, categories: [])
        #expect(none.diagnostics.allSatisfy { $0.message.contains("has no 'categories:' list") })
    }

    private func planned(
        categories: [String], assets: [Asset], state: State, prune: Bool = false
    ) -> Plan {
        var project = Builders.project()
        project.categories = CategoryPath.closure(categories)
        return Planner.plan(project: project, assets: assets, state: state, prune: prune)
    }

    private func asset(_ key: String, _ path: String?) -> Asset {
        var a = Builders.asset(key)
        a.categoryPath = path
        return a
    }

    @Test func aNewTreeIsCreatedParentsFirstAndAssetsShowTheirPath() {
        let plan = planned(
            categories: ["Courses/Swift", "Podcasts"], assets: [asset("a", "Courses/Swift")],
            state: State(lineage: "", generator: "t"))
        #expect(plan.categories.map(\.path) == ["Courses", "Courses/Swift", "Podcasts"])
        #expect(plan.categories.allSatisfy { $0.action == .create && $0.operations == [.createCategory] })
        #expect(plan.changes[0].fields.first { $0.field == "category" }?.after == .string("Courses/Swift"))
        let text = PlanRenderer.text(plan, color: false)
        #expect(
            text.hasPrefix("+ create category Courses\n+ create category Courses/Swift\n+ create category Podcasts\n"))
        #expect(text.contains("Categories: 3 to create, 0 to rename, 0 to delete."))
        #expect(PlanRenderer.markdown(plan).contains("<code>Courses/Swift</code>"))
    }

    /// A state where the tree and asset `a` (in `Courses/Swift`, ID 11) were applied.
    private func appliedState(extra: [String: CategoryRecord] = [:]) -> State {
        var a = asset("a", "Courses/Swift")
        a.category = 11
        var state = Builders.state([a])
        state.categories = [
            "Courses": CategoryRecord(id: 10, name: "Courses"), "Courses/Swift": CategoryRecord(id: 11, name: "Swift"),
        ]
        state.categories.merge(extra) { _, new in new }
        return state
    }

    @Test func anAppliedTreeHasNothingToDoAndConsoleChangesAreSetBack() {
        let state = appliedState()
        let steady = planned(categories: ["Courses/Swift"], assets: [asset("a", "Courses/Swift")], state: state)
        #expect(!steady.hasChanges && steady.categories.allSatisfy { $0.action == .noOp })

        var drifted = state
        drifted.categories["Courses"] = CategoryRecord(id: 10, name: "Lessons", drift: true)
        drifted.categories["Courses/Swift"]?.missing = true
        let plan = planned(categories: ["Courses/Swift"], assets: [asset("a", "Courses/Swift")], state: drifted)
        #expect(plan.categories.map(\.action) == [.rename, .create])
        #expect(plan.categories.allSatisfy { $0.drift })
        #expect(plan.categories[0].reason.contains("renamed to 'Lessons' outside mediaform"))
        // The asset moves to the category created again: an update, shown by path.
        #expect(plan.changes[0].action == .update)
        let field = plan.changes[0].fields.first { $0.field == "category" }
        #expect(field?.before == .string("Courses/Swift (deleted outside mediaform)"))
        #expect(field?.after == .string("Courses/Swift"))
    }

    @Test func aRemovedCategoryIsKeptWhileInUseOrWithoutPruneAndDeletedDeepestFirstOtherwise() {
        let extra = ["Old": CategoryRecord(id: 20, name: "Old"), "Old/Inner": CategoryRecord(id: 21, name: "Inner")]
        let state = appliedState(extra: extra)
        let assets = [asset("a", "Courses/Swift")]
        let kept = planned(categories: ["Courses/Swift"], assets: assets, state: state)
        #expect(kept.categories.filter { $0.action == .orphan }.map(\.path) == ["Old", "Old/Inner"])
        #expect(!kept.hasChanges)

        let pruned = planned(categories: ["Courses/Swift"], assets: assets, state: state, prune: true)
        #expect(pruned.categories.filter { $0.action == .delete }.map(\.path) == ["Old", "Old/Inner"])
        #expect(pruned.deleteCount == 2)
        #expect(PlanGuard(maxDeletes: 1).refusals(of: pruned, manifestAssets: 1, stateAssets: 1).count == 1)

        // A record that stays (protected, so never deleted) in the inner category keeps it, and so its parent.
        var inUse = state
        inUse.assets["legacy"] =
            Builders.state([Builders.asset("legacy", category: 21, protect: true)]).assets["legacy"]
        let refused = planned(categories: ["Courses/Swift"], assets: assets, state: inUse, prune: true)
        let byPath = Dictionary(uniqueKeysWithValues: refused.categories.map { ($0.path, $0) })
        #expect(byPath["Old/Inner"]?.action == .orphan)
        #expect(byPath["Old/Inner"]?.reason.contains("still the category of 1 asset") == true)
        #expect(byPath["Old"]?.action == .orphan && byPath["Old"]?.reason.contains("'Old/Inner' below it") == true)
        // Unless that record is deleted by the same plan.
        inUse.assets["legacy"]?.protect = false
        let both = planned(categories: ["Courses/Swift"], assets: assets, state: inUse, prune: true)
        #expect(both.changes.first { $0.key == "legacy" }?.action == .delete)
        #expect(both.categories.filter { $0.action == .delete }.map(\.path) == ["Old", "Old/Inner"])
    }

    @Test func aCategoryTheAssetLeavesIsNoLongerInUse() {
        let state = appliedState(extra: ["Podcasts": CategoryRecord(id: 30, name: "Podcasts")])
        var moved = state
        var record = moved.assets["a"]!
        record.fields.category = 30
        let print = record.fields.fingerprint
        record.fingerprints.mutable = print
        moved.assets["a"] = record
        let plan = planned(
            categories: ["Courses/Swift"], assets: [asset("a", "Courses/Swift")], state: moved, prune: true)
        #expect(plan.categories.first { $0.path == "Podcasts" }?.action == .delete)
        #expect(plan.changes[0].fields.first { $0.field == "category" }?.before == .string("Podcasts"))
    }

    @Test func guardsCountCategoryChangesAsTheirAssetActions() throws {
        let plan = planned(categories: ["Courses"], assets: [], state: State(lineage: "", generator: "t"))
        let allowed = try PlanGuard.allowedActions(parsing: "update").get()
        let refusals = PlanGuard(allowedActions: allowed).refusals(of: plan, manifestAssets: 0, stateAssets: 0)
        #expect(refusals.first?.description.contains("create 'category Courses'") == true)
    }

    @Test func plansWithCategoriesRoundTripThroughJSONAndASavedPlanSeesADifference() throws {
        let plan = planned(
            categories: ["Courses/Swift"], assets: [asset("a", "Courses/Swift")],
            state: State(lineage: "", generator: "t"))
        let json = PlanRenderer.json(plan, generator: "t")
        let back = try PlanRenderer.plan(fromJSON: try JSONParser.parse(json.canonicalJSON), file: "p.json")
        #expect(back.categories == plan.categories)
        let saved = SavedPlan(plan: back, digest: "d", created: "c", generator: "t")
        #expect(saved.firstDifference(from: plan) == nil)
        var other = plan
        other.categories.removeLast()
        #expect(saved.firstDifference(from: other) != nil)
    }

    @Test func stateFilesAndJournalLinesKeepCategories() throws {
        let state = appliedState()
        let text = state.fileText
        let back = try State.decode(text, file: "s.json")
        #expect(back.categories == state.categories)
        #expect(!Builders.state([]).fileText.contains("categories"))

        let line = JournalRecord(
            sequence: 4, time: "t", entry: .category(path: "A/B", record: CategoryRecord(id: 5, name: "B", drift: true))
        )
        #expect(try JournalRecord.parse(Substring(line.line), file: "j", lineNumber: 1) == line)
        let removal = JournalRecord(sequence: 5, time: "t", entry: .category(path: "A/B", record: nil))
        #expect(try JournalRecord.parse(Substring(removal.line), file: "j", lineNumber: 2) == removal)
        var folded = State(lineage: "l", generator: "t")
        folded = folded.folding([line]).state
        #expect(folded.categories["A/B"]?.id == 5)
        #expect(folded.folding([removal]).state.categories.isEmpty)
    }

    @Test func aRecordedRenameMovesTheSubtreeAndKeepsIMSsNameUntilApply() throws {
        var state = appliedState()
        state.categories["Courses/Swift/Advanced"] = CategoryRecord(id: 12, name: "Advanced")
        let entries = try CategoryRename.entries(from: "Courses", to: "Lessons", in: state)
        var moved = state
        for entry in entries { moved.applyAssetChange(entry) }
        #expect(moved.categories.keys.sorted() == ["Lessons", "Lessons/Swift", "Lessons/Swift/Advanced"])
        #expect(moved.categories["Lessons"] == CategoryRecord(id: 10, name: "Courses"))
        #expect(throws: CategoryRename.Refusal.otherParent(from: "Courses/Swift", to: "Other/Swift")) {
            try CategoryRename.entries(from: "Courses/Swift", to: "Other/Swift", in: state)
        }
        #expect(throws: CategoryRename.Refusal.self) { try CategoryRename.entries(from: "Nope", to: "X", in: state) }
        var project = Builders.project()
        project.categories = ["Lessons", "Lessons/Swift", "Lessons/Swift/Advanced"]
        let plan = Planner.plan(project: project, assets: [], state: moved, prune: false)
        #expect(plan.categories.map(\.action) == [.rename, .noOp, .noOp])
        #expect(plan.categories[0].operations == [.renameCategory] && !plan.categories[0].drift)
    }

    @Test func readingTheTreeRecordsRenamesDeletionsAndAdoptsDeclaredPaths() {
        let state = appliedState()
        let tree = [
            RemoteCategory(id: 10, name: "Lessons"), RemoteCategory(id: 40, name: "Podcasts"),
            RemoteCategory(id: 41, name: "Podcasts"), RemoteCategory(id: 42, name: "Weekly", parentId: 40),
        ]
        let (observed, findings) = state.observingCategories(tree, declared: ["Podcasts", "Podcasts/Weekly", "Nope"])
        #expect(observed.categories["Courses"] == CategoryRecord(id: 10, name: "Lessons", drift: true))
        #expect(observed.categories["Courses/Swift"]?.missing == true)
        // Two categories named Podcasts: the oldest (lowest ID) is adopted.
        #expect(observed.categories["Podcasts"]?.id == 40 && observed.categories["Podcasts/Weekly"]?.id == 42)
        #expect(observed.categories["Nope"] == nil)
        #expect(findings.count == 4)
    }

    @Test func anUnresolvedPathHasItsOwnFingerprint() {
        let plain = Builders.asset("a")
        var path = plain
        path.categoryPath = "Courses"
        #expect(plain.fingerprints(appId: "x").mutable != path.fingerprints(appId: "x").mutable)
        #expect(path.mutableFields["category"] == .string("path:Courses"))
        var resolved = path
        resolved.category = 7
        var byId = plain
        byId.category = 7
        #expect(resolved.fingerprints(appId: "x") == byId.fingerprints(appId: "x"))
    }
}
