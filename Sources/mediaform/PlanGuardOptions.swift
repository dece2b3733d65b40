import ArgumentParser
import MediaformCore

/// `--max-deletes`, `--allow-empty` and `--allow`, on `plan` and `apply`: the safety rails checked before anything
/// is sent.
struct PlanGuardOptions: ParsableArguments {
    @Option(
        help: """
            Refuse a plan that deletes more media than this (removed assets under prune, and the old media of \
            replaced ones). Default: limits.maxDeletes, or 25.
            """)
    var maxDeletes: Int?

    @Flag(help: "Accept a plan that deletes media although the manifests hold no asset at all.")
    var allowEmpty = false

    @Option(
        help: ArgumentHelp(
            """
            Refuse a plan holding any action not in this comma-separated list (create, update, replace, retry, \
            move, delete), naming the offending assets; a move with field changes needs update too. Lets CI \
            upload and update while deletes and replacements wait for a person.
            """, valueName: "actions"))
    var allow: String?

    func validate() throws {
        if let maxDeletes, maxDeletes < 0 { throw ValidationError("--max-deletes must be 0 or more") }
        _ = try allowedActions()
    }

    /// `--allow` parsed; nil when not given.
    func allowedActions() throws -> Set<PlanAction>? {
        guard let allow else { return nil }
        switch PlanGuard.allowedActions(parsing: allow) {
        case .success(let actions): return actions
        case .failure(let error): throw ValidationError(error.description)
        }
    }

    /// The rails of one run of `project`.
    func guardFor(_ project: Project) throws -> PlanGuard {
        PlanGuard(
            project: project, maxDeletes: maxDeletes, allowEmpty: allowEmpty, allowedActions: try allowedActions())
    }
}

/// `--target` and `--replace`, on `plan` and `apply`: what one run plans.
struct PlanScopeOptions: ParsableArguments {
    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            """
            Plan only the assets whose key matches (an asset key, or a glob of keys: * and ? within a \
            /-separated segment, ** across). Repeatable. The plan says that it is partial; a pattern that \
            matches nothing is an error.
            """, valueName: "pattern"))
    var targets: [String] = []

    @Option(
        name: .customLong("replace"),
        help: ArgumentHelp(
            """
            Upload this asset again although nothing changed (a corrupt transcode, a fixed source file at the \
            same URL). Repeatable. The old media is deleted only with --prune.
            """, valueName: "key"))
    var replacing: [String] = []

    var scope: PlanScope { PlanScope(targets: targets, replacing: replacing) }
}
