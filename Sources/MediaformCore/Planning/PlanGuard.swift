import Foundation

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
    /// The actions a plan may hold (`--allow`); nil allows every action.
    public var allowedActions: Set<PlanAction>?

    public init(
        maxDeletes: Int = Project.Limits.defaultMaxDeletes, allowEmpty: Bool = false,
        allowedActions: Set<PlanAction>? = nil
    ) {
        self.maxDeletes = maxDeletes
        self.allowEmpty = allowEmpty
        self.allowedActions = allowedActions
    }

    /// The rails of one run of `project`: a budget given for the run wins over `limits.maxDeletes`.
    public init(project: Project, maxDeletes: Int?, allowEmpty: Bool, allowedActions: Set<PlanAction>? = nil) {
        self.init(
            maxDeletes: maxDeletes ?? project.limits.maxDeletes, allowEmpty: allowEmpty, allowedActions: allowedActions)
    }

    /// The actions `--allow` accepts: those that change something.
    public static let allowableActions: [PlanAction] = PlanAction.allCases.filter(\.isChange)

    /// Parses `--allow`'s comma-separated list (`create,update`), or says what is wrong with it.
    public static func allowedActions(parsing list: String) -> Result<Set<PlanAction>, AllowListError> {
        var actions = Set<PlanAction>()
        for name in list.split(separator: ",", omittingEmptySubsequences: false) {
            let word = name.trimmingCharacters(in: .whitespaces)
            guard let action = PlanAction(rawValue: word), allowableActions.contains(action) else {
                return .failure(AllowListError(word: word))
            }
            actions.insert(action)
        }
        return .success(actions)
    }

    /// A word in `--allow` that is not an action that changes something.
    public struct AllowListError: Error, Sendable, Equatable, CustomStringConvertible {
        public var word: String

        public var description: String {
            let names = PlanGuard.allowableActions.map(\.rawValue).joined(separator: ", ")
            let near = Spelling.suggestion(for: word, among: PlanGuard.allowableActions.map(\.rawValue))
            return "--allow: '\(word)' is not an action; use a comma-separated list of \(names)"
                + (near.map { " (did you mean '\($0)'?)" } ?? "")
        }
    }

    /// Why a plan is refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// More media deletions than the budget allows.
        case overBudget(deletes: Int, budget: Int)
        /// The manifests hold no asset while the state holds some, and the plan deletes media.
        case emptyManifests(stateAssets: Int, deletes: Int)
        /// Changes whose action `--allow` does not list: `(key, action)` in plan order.
        case notAllowed([(key: String, action: PlanAction)], allowed: Set<PlanAction>)

        public static func == (a: Refusal, b: Refusal) -> Bool {
            switch (a, b) {
            case (.overBudget(let d1, let b1), .overBudget(let d2, let b2)): d1 == d2 && b1 == b2
            case (.emptyManifests(let s1, let d1), .emptyManifests(let s2, let d2)): s1 == s2 && d1 == d2
            case (.notAllowed(let c1, let a1), .notAllowed(let c2, let a2)):
                a1 == a2 && c1.map(\.key) == c2.map(\.key) && c1.map(\.action) == c2.map(\.action)
            default: false
            }
        }

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
            case .notAllowed(let changes, let allowed):
                Self.notAllowedText(changes, allowed: allowed)
            }
        }

        /// "the plan holds actions that --allow (create, update) does not list: delete 'a', replace 'b'; …"
        private static func notAllowedText(_ changes: [(key: String, action: PlanAction)], allowed: Set<PlanAction>)
            -> String
        {
            let list = PlanAction.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ",")
            let shown = 20
            var items = changes.prefix(shown).map { "\($0.action.rawValue) '\($0.key)'" }
            if changes.count > shown { items.append("and \(changes.count - shown) more") }
            let needed = PlanAction.allCases.filter { a in changes.contains { $0.action == a } }.map(\.rawValue)
            return "the plan holds \(changes.count) change\(changes.count == 1 ? "" : "s") that --allow \(list) "
                + "does not permit: \(items.joined(separator: ", ")); nothing was sent. Apply them with a person's "
                + "review, or add \(needed.joined(separator: ",")) to --allow"
        }
    }

    /// The refusals of `plan`, empty when it may go ahead.
    /// - Parameters:
    ///   - manifestAssets: how many assets the manifests declare.
    ///   - stateAssets: how many records the state holds.
    public func refusals(of plan: Plan, manifestAssets: Int, stateAssets: Int) -> [Refusal] {
        var refusals: [Refusal] = []
        if let allowed = allowedActions {
            // A move that carries field changes is also an update: both must be allowed.
            let offending = plan.changes.compactMap { change -> (key: String, action: PlanAction)? in
                guard change.action.isChange else { return nil }
                if !allowed.contains(change.action) { return (change.key, change.action) }
                if change.action == .move, change.operations.contains(.update), !allowed.contains(.update) {
                    return (change.key, .update)
                }
                return nil
            }
            let categories = plan.categories.compactMap { change -> (key: String, action: PlanAction)? in
                guard change.action.isChange, !allowed.contains(change.action.allowedAs) else { return nil }
                return ("category \(change.path)", change.action.allowedAs)
            }
            if !offending.isEmpty || !categories.isEmpty {
                refusals.append(.notAllowed(categories + offending, allowed: allowed))
            }
        }
        let deletes = plan.deleteCount
        guard deletes > 0 else { return refusals }
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

    /// Media and categories this plan deletes: removed assets under prune, the old media of replaced ones, and
    /// categories gone from the project file. Records forgotten without a remote delete are not counted.
    public var deleteCount: Int {
        count(sending: .delete)
            + categories.filter { $0.operations.contains(.deleteCategory) }.count
    }
}
