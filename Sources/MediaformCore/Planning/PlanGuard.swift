/// Safety rails checked when planning, before anything is sent: the deletion budget, and the guard against a plan
/// that deletes everything because the manifests were not found (a wrong directory or glob).
///
/// rclone (`--max-delete`), rsync (`--max-delete`) and Argo CD (`allowEmpty`) have one of each; `plan` and `apply`
/// both check, so a pull request's plan fails the same way its merge would.
public struct PlanGuard: Sendable, Equatable {
    /// Media deletions a plan may hold (`limits.maxDeletes`, or `--max-deletes` for one run).
    public var maxDeletes: Int
    /// Accept a plan that deletes media while the manifests hold no asset at all (`--allow-empty`).
    public var allowEmpty: Bool

    public init(maxDeletes: Int = Project.Limits.defaultMaxDeletes, allowEmpty: Bool = false) {
        self.maxDeletes = maxDeletes
        self.allowEmpty = allowEmpty
    }

    /// The rails of one run of `project`: a budget given for the run wins over `limits.maxDeletes`.
    public init(project: Project, maxDeletes: Int?, allowEmpty: Bool) {
        self.init(maxDeletes: maxDeletes ?? project.limits.maxDeletes, allowEmpty: allowEmpty)
    }

    /// Why a plan is refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// More media deletions than the budget allows.
        case overBudget(deletes: Int, budget: Int)
        /// The manifests hold no asset while the state holds some, and the plan deletes media.
        case emptyManifests(stateAssets: Int, deletes: Int)

        public var description: String {
            switch self {
            case .overBudget(let deletes, let budget):
                "the plan deletes \(deletes) media, more than the deletion budget of \(budget) (limits.maxDeletes); "
                    + "nothing was sent. Check the deletions above; to allow them for this run, pass "
                    + "--max-deletes \(deletes)"
            case .emptyManifests(let stateAssets, let deletes):
                "the manifests hold no asset while the state holds \(stateAssets): this plan would delete \(deletes) "
                    + "media, the whole library (a wrong directory or 'manifests' glob?); nothing was sent. If that "
                    + "is really meant, pass --allow-empty"
            }
        }
    }

    /// The refusals of `plan`, empty when it may go ahead.
    /// - Parameters:
    ///   - manifestAssets: how many assets the manifests declare.
    ///   - stateAssets: how many records the state holds.
    public func refusals(of plan: Plan, manifestAssets: Int, stateAssets: Int) -> [Refusal] {
        let deletes = plan.deleteCount
        guard deletes > 0 else { return [] }
        var refusals: [Refusal] = []
        if manifestAssets == 0 && stateAssets > 0 && !allowEmpty {
            refusals.append(.emptyManifests(stateAssets: stateAssets, deletes: deletes))
        }
        if deletes > maxDeletes {
            refusals.append(.overBudget(deletes: deletes, budget: maxDeletes))
        }
        return refusals
    }
}

extension Plan {
    /// Media this plan deletes: removed assets under prune, and the old media of replaced ones. Records forgotten
    /// without media are not counted (nothing is deleted remotely).
    public var deleteCount: Int { changes.filter { $0.operations.contains(.delete) }.count }
}
