import MediaformCore

/// Why an apply, refresh or import stopped before changing anything.
public enum ApplyRunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file given to `apply` is JSON, but not a plan saved by `plan --out`.
    case notASavedPlan(String)
    /// The saved plan no longer matches the state or the manifests.
    case stalePlan(file: String, reason: String)
    /// The saved plan does not say what applying it now would do (an edited file, or another mediaform version).
    case planDiffers(file: String, reason: String)
    /// The plan breaks a safety rail (the deletion budget, the empty-manifest guard, `--allow`); nothing was sent.
    case refused([PlanGuard.Refusal])
    /// `--target` or `--replace` cannot be planned (`PlanScope.problems`); nothing was sent.
    case invalidScope([String])
    /// `--check-sources` found this many errors (reported as `sourceFindings` events); nothing was sent.
    case sourcesRejected(Int)

    public var description: String {
        switch self {
        case .notASavedPlan(let file):
            "\(file) is not a plan saved by 'mediaform plan --out'"
        case .stalePlan(let file, let reason):
            "the saved plan \(file) is stale: \(reason)"
        case .planDiffers(let file, let reason):
            "the saved plan \(file) is not what would be applied: \(reason); nothing was sent. Run plan again and "
                + "review the new plan"
        case .refused(let refusals):
            refusals.map(\.description).joined(separator: "\nerror: ")
        case .invalidScope(let problems):
            problems.joined(separator: "\nerror: ")
        case .sourcesRejected(let errors):
            "\(errors) source problem(s) found; nothing was sent"
        }
    }
}
