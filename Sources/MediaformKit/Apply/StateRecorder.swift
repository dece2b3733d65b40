import MediaformCore
import Synchronization

/// Keeps the state in step with the journal: every change is appended (and synced) before it counts.
///
/// Records are taken one at a time, in arrival order, across the awaited append (a `SerialGate`): the state then
/// takes the changes in exactly the journal's order, even when two tasks record changes of one key.
final class StateRecorder: Sendable {
    private let lock: any StateLock
    private let current: Mutex<(state: State, unresolved: [Intent])>
    private let gate = SerialGate()

    init(lock: any StateLock, state: State, unresolved: [Intent]) {
        self.lock = lock
        self.current = Mutex((state, unresolved))
    }

    /// The state with every record so far applied.
    var state: State { current.withLock { $0.state } }

    /// The intents not yet resolved.
    var unresolved: [Intent] { current.withLock { $0.unresolved } }

    /// Appends `entries` to the journal, then applies them to the state.
    func record(_ entries: [JournalEntry]) async throws(StateError) {
        guard !entries.isEmpty else { return }
        try await gate.run { () async throws(StateError) in
            try await lock.append(entries)
            current.withLock { Self.apply(entries, to: &$0) }
        }
    }

    private static func apply(_ entries: [JournalEntry], to current: inout (state: State, unresolved: [Intent])) {
        for entry in entries {
            switch entry {
            case .put, .remove, .move, .category: current.state.applyAssetChange(entry)
            case .intent(let intent): current.unresolved.append(intent)
            case .done(let id): current.unresolved.removeAll { $0.id == id }
            }
        }
    }

    /// Sets the manifest cache the next snapshot carries: derived from the records, so not journaled (after a
    /// crash the next apply records it again).
    func keep(_ cache: ManifestCache?) {
        current.withLock { $0.state.manifestCache = cache }
    }

    /// Writes the state as the next snapshot, once every record in progress has been applied.
    func snapshot() async throws(StateError) -> State {
        try await gate.run { () async throws(StateError) in
            let (state, unresolved) = current.withLock { ($0.state, $0.unresolved) }
            return try await lock.writeSnapshot(state, unresolved: unresolved)
        }
    }
}
