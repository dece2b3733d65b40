import MediaformCore
import MediaformTestSupport
import Testing

/// `--target` (partial plans), `--replace` (forced uploads) and `--allow` (actions a run may hold).
@Suite struct PlanScopeTests {
    private let project = Builders.project()

    /// A library of applied courses and podcasts, with one title changed in each group, one new asset, one removed.
    private func library() -> (assets: [Asset], state: State) {
        let applied = [
            Builders.asset("courses/swift/01"), Builders.asset("courses/swift/02"), Builders.asset("courses/go/01"),
            Builders.asset("podcasts/ep-1"), Builders.asset("podcasts/ep-2"),
        ]
        var assets = applied.filter { $0.key != "podcasts/ep-2" }
        assets[0].title = "Changed"
        assets[2].title = "Changed too"
        assets.append(Builders.asset("courses/swift/03"))
        return (assets, Builders.state(applied))
    }

    @Test func targetsAreKeysOrGlobsAndThePlanSaysItIsPartial() {
        let (assets, state) = library()
        let scope = PlanScope(targets: ["courses/swift/*"])
        #expect(scope.problems(assets: assets, state: state).isEmpty)
        let plan = Planner.plan(project: project, assets: assets, state: state, prune: true, scope: scope)
        #expect(plan.changes.map(\.key) == ["courses/swift/01", "courses/swift/02", "courses/swift/03"])
        #expect(plan.excluded == 3)
        #expect(plan.summaryLine.hasSuffix("Partial plan (--target courses/swift/*): 3 other assets left out."))
        #expect(PlanRenderer.json(plan, generator: "t")["partial"] == .bool(true))

        let deep = Planner.plan(
            project: project, assets: assets, state: state, prune: true,
            scope: PlanScope(targets: ["courses/**", "podcasts/ep-2"]))
        #expect(
            deep.changes.map(\.key) == [
                "courses/go/01", "courses/swift/01", "courses/swift/02", "courses/swift/03", "podcasts/ep-2",
            ])
        #expect(deep.counts[.delete] == 1)
        let whole = Planner.plan(project: project, assets: assets, state: state, prune: true)
        #expect(whole.changes.count == 6 && whole.excluded == 0 && !whole.summaryLine.contains("Partial"))
    }

    @Test func aTargetThatMatchesNothingIsAProblemWithASuggestion() {
        let (assets, state) = library()
        let problems = PlanScope(targets: ["courses/swift/0l", "videos/*"]).problems(assets: assets, state: state)
        #expect(problems.count == 2)
        #expect(problems[0].contains("did you mean 'courses/swift/01'?"))
        #expect(problems[1].contains("'videos/*' matches no asset"))
        // A key only in the state (removed from the manifests) can be targeted.
        #expect(PlanScope(targets: ["podcasts/ep-2"]).problems(assets: assets, state: state).isEmpty)
    }

    @Test func targetingEitherKeyOfARenameFindsTheMove() throws {
        let old = Builders.asset("a/old")
        var new = old
        new.key = "b/new"
        for target in ["a/*", "b/new"] {
            let plan = Planner.plan(
                project: project, assets: [new, Builders.asset("c")],
                state: Builders.state([old, Builders.asset("c")]),
                prune: false, scope: PlanScope(targets: [target]))
            #expect(plan.changes.map(\.action) == [.move], "target \(target)")
        }
    }

    @Test func replaceForcesANewUploadAndDeletesTheOldMediaOnlyUnderPrune() throws {
        let (assets, state) = library()
        let scope = PlanScope(replacing: ["courses/swift/02"])
        #expect(scope.problems(assets: assets, state: state).isEmpty)
        let kept = Planner.plan(project: project, assets: assets, state: state, prune: false, scope: scope)
        let change = try #require(kept.changes.first { $0.key == "courses/swift/02" })
        #expect(change.action == .replace && change.operations == [.upload])
        #expect(change.reason.contains("--replace") && change.reason.contains("old media is kept"))
        let pruned = Planner.plan(project: project, assets: assets, state: state, prune: true, scope: scope)
        #expect(pruned.changes.first { $0.key == "courses/swift/02" }?.operations == [.upload, .delete])
        #expect(pruned.deleteCount == 2)
        // A field change rides along with the replacement.
        let withTitle = Planner.plan(
            project: project, assets: assets, state: state, prune: false,
            scope: PlanScope(replacing: ["courses/swift/01"]))
        #expect(withTitle.changes.first { $0.key == "courses/swift/01" }?.fields.map(\.field) == ["title"])
        // A replaced key is in scope even outside the targets.
        let targeted = Planner.plan(
            project: project, assets: assets, state: state, prune: false,
            scope: PlanScope(targets: ["podcasts/*"], replacing: ["courses/swift/02"]))
        #expect(targeted.changes.map(\.key) == ["courses/swift/02", "podcasts/ep-1", "podcasts/ep-2"])
    }

    @Test func replaceNeedsAManifestAssetAndNoUploadInProgress() {
        let (assets, state) = library()
        var running = state
        running.assets["courses/swift/02"]?.status = .processing
        let problems = PlanScope(replacing: ["courses/swift/2", "podcasts/ep-2", "courses/swift/02"]).problems(
            assets: assets, state: running)
        #expect(problems.count == 3)
        #expect(problems[0].contains("did you mean 'courses/swift/02'?"))
        #expect(problems[1].contains("'podcasts/ep-2': no asset with this key in the manifests"))
        #expect(problems[2].contains("processing (job job-1)") && problems[2].contains("mediaform refresh"))
        // A new asset is uploaded anyway; a failed one is retried: neither is a problem.
        var failed = state
        failed.assets["courses/swift/02"]?.status = .failed
        #expect(
            PlanScope(replacing: ["courses/swift/03", "courses/swift/02"]).problems(assets: assets, state: failed)
                .isEmpty)
        let plan = Planner.plan(
            project: project, assets: assets, state: failed, prune: false,
            scope: PlanScope(replacing: ["courses/swift/02"]))
        #expect(plan.changes.first { $0.key == "courses/swift/02" }?.action == .retry)
    }

    @Test func theScopeSurvivesTheJSONPlan() throws {
        let (assets, state) = library()
        let scope = PlanScope(targets: ["courses/**"], replacing: ["podcasts/ep-1"])
        let plan = Planner.plan(project: project, assets: assets, state: state, prune: false, scope: scope)
        let back = try PlanRenderer.plan(
            fromJSON: try JSONParser.parse(PlanRenderer.json(plan, generator: "t").prettyJSON), file: "p.json")
        #expect(back.scope == scope)
        #expect(back.excluded == plan.excluded)
        // A plan written before scopes existed reads as a whole plan.
        let old = #"{"format_version": "1.0", "prune": false, "state": {"lineage": "", "serial": 0}, "changes": []}"#
        #expect(try PlanRenderer.plan(fromJSON: try JSONParser.parse(old), file: "p.json").scope == PlanScope())
    }

    @Test func allowRefusesEveryChangeWhoseActionIsNotListed() throws {
        let (assets, state) = library()
        let plan = Planner.plan(project: project, assets: assets, state: state, prune: true)
        let allowed = try PlanGuard.allowedActions(parsing: "create, update").get()
        #expect(allowed == [.create, .update])
        let refusals = PlanGuard(allowedActions: allowed).refusals(of: plan, manifestAssets: 5, stateAssets: 5)
        #expect(refusals.count == 1)
        let text = refusals.first?.description ?? ""
        #expect(text.contains("1 change that --allow create,update does not permit: delete 'podcasts/ep-2'"))
        #expect(text.contains("add delete to --allow"))
        #expect(
            PlanGuard(allowedActions: [.create, .update, .delete]).refusals(
                of: plan, manifestAssets: 5, stateAssets: 5
            ).isEmpty)
        // No-ops, orphans and jobs in progress are never refused.
        let quiet = Planner.plan(project: project, assets: [], state: state, prune: false)
        #expect(PlanGuard(allowedActions: []).refusals(of: quiet, manifestAssets: 0, stateAssets: 5).isEmpty)
    }

    @Test func aMoveWithFieldChangesNeedsUpdateAllowedToo() throws {
        let old = Builders.asset("a")
        var new = old
        new.key = "b"
        new.title = "T"
        let plan = Planner.plan(project: project, assets: [new], state: Builders.state([old]), prune: false)
        let refusals = PlanGuard(allowedActions: [.move]).refusals(of: plan, manifestAssets: 1, stateAssets: 1)
        #expect(refusals.first?.description.contains("update 'b'") == true)
        #expect(
            PlanGuard(allowedActions: [.move, .update]).refusals(of: plan, manifestAssets: 1, stateAssets: 1)
                .isEmpty)
    }

    @Test func allowListsAreParsedStrictly() {
        for bad in ["create,", "delet", "no-op", "orphan", ""] {
            guard case .failure(let error) = PlanGuard.allowedActions(parsing: bad) else {
                Issue.record("'\(bad)' was accepted")
                continue
            }
            #expect(error.description.contains("create, update, replace, retry, move, delete"))
        }
        guard case .failure(let error) = PlanGuard.allowedActions(parsing: "create,delet") else { return }
        #expect(error.description.contains("did you mean 'delete'?"))
    }
}
