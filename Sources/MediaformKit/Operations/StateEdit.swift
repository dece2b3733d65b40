import MediaformCore

/// Edits of the state that call no API (`state rm`, `state mv`), under the lock, journaled, then snapshotted.
public enum StateEdit {
    /// Why an edit was refused; nothing was written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Keys that have no record.
        case notInState([String], suggestion: String? = nil)
        /// The key a record would move to already has one.
        case alreadyInState(String)
        /// A call of an interrupted apply that covers the key is unresolved: moving it now would lose the job.
        case unresolved(key: String)

        public var description: String {
            switch self {
            case .notInState(let keys, let suggestion):
                "not in the state: \(keys.map { "'\($0)'" }.joined(separator: ", "))"
                    + (suggestion.map { " (did you mean '\($0)'?)" } ?? "") + "; nothing was changed"
            case .alreadyInState(let key):
                "'\(key)' is already in the state; nothing was changed. Forget it first with "
                    + "'mediaform state rm \(key)' if its record should go"
            case .unresolved(let key):
                "a call of an interrupted apply that covers '\(key)' is unresolved; run apply (or plan and apply) "
                    + "first so that it is looked up; nothing was changed"
            }
        }
    }

    /// Moves the record of `from` to `to` (a rename that `plan` did not find on its own, or found ambiguous),
    /// keeping job ID, media ID and history; nothing is sent to IMS.
    /// - Returns: the state as written.
    public static func move(
        from: String, to: String, in backend: any StateBackend, lockTimeout: Double,
        warnings: @Sendable ([String]) -> Void = { _ in }
    ) async throws -> State {
        try await backend.withLock(operation: "state mv", timeout: lockTimeout) { lock, loaded in
            warnings(lock.warnings + loaded.warnings)
            guard loaded.state.assets[from] != nil else {
                throw Failure.notInState(
                    [from], suggestion: Spelling.suggestion(for: from, among: Array(loaded.state.assets.keys)))
            }
            guard loaded.state.assets[to] == nil else { throw Failure.alreadyInState(to) }
            if loaded.unresolved.contains(where: { $0.keys.contains(from) }) { throw Failure.unresolved(key: from) }
            return try await lock.commit([.move(from: from, to: to)], onto: loaded)
        }
    }

    /// Records that category `from` of the project file is now `to` (`state mv-category`), with the categories
    /// below it; apply then renames it in IMS. Refused (`CategoryRename.Refusal`) when `from` is not recorded, `to`
    /// is, or their parents differ; and while an interrupted category create is unresolved.
    public static func moveCategory(
        from: String, to: String, in backend: any StateBackend, lockTimeout: Double,
        warnings: @Sendable ([String]) -> Void = { _ in }
    ) async throws -> State {
        try await backend.withLock(operation: "state mv-category", timeout: lockTimeout) { lock, loaded in
            warnings(lock.warnings + loaded.warnings)
            let entries = try CategoryRename.entries(from: from, to: to, in: loaded.state)
            if loaded.unresolved.contains(where: { $0.operation == .createCategory }) {
                throw Failure.unresolved(key: "category \(from)")
            }
            return try await lock.commit(entries, onto: loaded)
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
            return try await lock.commit(keys.map { .remove(key: $0) }, onto: loaded)
        }
    }
}
