import MediaformCore

/// A lock whose two snapshot writes (`writeSnapshot`, `writeCopy`) are one primitive: replace the stored snapshot
/// and trim the journal. Both backends' locks conform; the rules of a new snapshot live here once.
protocol SnapshotReplacing: StateLock {
    /// Written into every new snapshot (`mediaform 0.1.0`).
    var generator: String { get }
    /// Stores `state` exactly as given and trims the journal to `unresolved`; returns the state as stored.
    func replaceSnapshot(with state: State, unresolved: [Intent]) async throws(StateError) -> State
}

extension SnapshotReplacing {
    @discardableResult
    func writeSnapshot(_ state: State, unresolved: [Intent]) async throws(StateError) -> State {
        try await replaceSnapshot(
            with: state.nextSnapshot(generator: generator, newLineage: StateLineage.make()), unresolved: unresolved)
    }

    func writeCopy(_ state: State, unresolved: [Intent]) async throws(StateError) {
        _ = try await replaceSnapshot(with: state, unresolved: unresolved)
    }
}
