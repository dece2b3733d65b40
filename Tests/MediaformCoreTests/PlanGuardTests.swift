import MediaformCore
import MediaformTestSupport
import Testing

/// The deletion budget and the empty-manifest guard, on plans made by the planner.
@Suite struct PlanGuardTests {
    /// A state of `count` applied assets, and the plan of `kept` of them under prune (`replaced` of those with a
    /// new source).
    private func plan(state count: Int, keep kept: Int, replace replaced: Int = 0) -> (Plan, State) {
        let assets = (0..<count).map { Builders.asset("clip-\($0)") }
        let state = Builders.state(assets)
        var manifests = Array(assets.prefix(kept))
        for i in 0..<replaced { manifests[i].source = "https://media.example.com/new-\(i).mp4" }
        return (Planner.plan(project: Builders.project(), assets: manifests, state: state, prune: true), state)
    }

    @Test func theBudgetCountsRemovalsAndTheOldMediaOfReplacements() {
        let (plan, state) = plan(state: 30, keep: 10, replace: 6)
        #expect(plan.deleteCount == 26)
        let refusals = PlanGuard().refusals(of: plan, manifestAssets: 10, stateAssets: state.assets.count)
        #expect(refusals == [.overBudget(deletes: 26, budget: 25)])
        let message = refusals.first?.description ?? ""
        #expect(message.contains("26") && message.contains("25") && message.contains("--max-deletes 26"))
        #expect(PlanGuard(maxDeletes: 26).refusals(of: plan, manifestAssets: 10, stateAssets: 30).isEmpty)
    }

    @Test func aPlanWithinTheBudgetOrWithoutDeletesPasses() {
        let (plan, _) = plan(state: 30, keep: 5)
        #expect(plan.deleteCount == 25)
        #expect(PlanGuard().refusals(of: plan, manifestAssets: 5, stateAssets: 30).isEmpty)
        #expect(PlanGuard(maxDeletes: 0).refusals(of: plan, manifestAssets: 5, stateAssets: 30).count == 1)
        let unpruned = Planner.plan(
            project: Builders.project(), assets: [], state: Builders.state([Builders.asset("a")]), prune: false)
        #expect(unpruned.deleteCount == 0)
        #expect(PlanGuard(maxDeletes: 0).refusals(of: unpruned, manifestAssets: 0, stateAssets: 1).isEmpty)
    }

    @Test func emptyManifestsThatWouldDeleteTheLibraryAreRefusedUnlessAllowed() {
        let (plan, _) = plan(state: 3, keep: 0)
        #expect(plan.deleteCount == 3)
        let refusals = PlanGuard().refusals(of: plan, manifestAssets: 0, stateAssets: 3)
        #expect(refusals == [.emptyManifests(stateAssets: 3, deletes: 3)])
        #expect(refusals.first?.description.contains("--allow-empty") == true)
        #expect(PlanGuard(allowEmpty: true).refusals(of: plan, manifestAssets: 0, stateAssets: 3).isEmpty)
        // Both rails at once: each says what it needs.
        let (big, _) = self.plan(state: 40, keep: 0)
        #expect(
            PlanGuard().refusals(of: big, manifestAssets: 0, stateAssets: 40) == [
                .emptyManifests(stateAssets: 40, deletes: 40), .overBudget(deletes: 40, budget: 25),
            ])
    }

    @Test func recordsWithoutMediaAreForgottenNotCounted() {
        let state = Builders.state([Builders.asset("a"), Builders.asset("b")], status: .failed)
        let plan = Planner.plan(project: Builders.project(), assets: [], state: state, prune: true)
        #expect(plan.counts[.delete] == 2)
        #expect(plan.deleteCount == 0)
        #expect(PlanGuard(maxDeletes: 0).refusals(of: plan, manifestAssets: 0, stateAssets: 2).isEmpty)
    }
}
