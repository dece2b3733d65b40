import MediaformCore

/// Edits of the state that call no API (`state rm`), under the lock, journaled, then snapshotted.
public enum StateEdit {
    /// Why an edit was refused; nothing was written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Keys that have no record.
        case notInState([String])

        public var description: String {
            switch self {
            case .notInState(let keys):
                "not in the state: \(keys.map { "'\($0)'" }.joined(separator: ", ")); nothing was changed"
            }
        }
    }

    /// Forgets `keys` (the media stay in IMS). All or nothing: refused when any key has no record.
    /// - Parameter warnings: notes from taking the lock and reading the state.
    /// - Returns: the state as written.
    public static func forget(
        _ keys: [String], in backend: any StateBackend, lockTimeout: Double,
        warnings: @Sendable ([String]) -> Void = { _ in }
    ) async throws -> State {
        try await backend.withLock(operation: "state rm", timeout: lockTimeout) { lock, loaded in
            warnings(lock.warnings + loaded.warnings)
            let missing = keys.filter { loaded.state.assets[$0] == nil }
            guard missing.isEmpty else { throw Failure.notInState(missing) }
            try await lock.append(keys.map { .remove(key: $0) })
            var state = loaded.state
            for key in keys { state.assets[key] = nil }
            return try await lock.writeSnapshot(state, unresolved: loaded.unresolved)
        }
    }
}
