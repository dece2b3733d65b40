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
    /// The backend knows that the records are those the state's manifest cache was made from, so that its record
    /// digests need not be computed again (PostgreSQL: no asset row changed since the cache was written, which
    /// its triggers count). False when it cannot tell (a state file can be edited by hand without a trace).
    public var manifestCacheHolds = false

    public init(state: State, unresolved: [Intent] = [], warnings: [String] = [], exists: Bool) {
        self.state = state
        self.unresolved = unresolved
        self.warnings = warnings
        self.exists = exists
    }
}
