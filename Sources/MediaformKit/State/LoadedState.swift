import MediaformCore

/// The state as read by a backend: the snapshot with the journal folded in.
public struct LoadedState: Sendable {
    public var state: State
    /// Calls that were started and never resolved (an interrupted apply); apply resolves them before anything else.
    public var unresolved: [Intent]
    /// Things the user should know (a torn journal line, a lock left by a dead process).
    public var warnings: [String]
    /// False when no state exists yet.
    public var exists: Bool

    public init(state: State, unresolved: [Intent] = [], warnings: [String] = [], exists: Bool) {
        self.state = state
        self.unresolved = unresolved
        self.warnings = warnings
        self.exists = exists
    }
}
