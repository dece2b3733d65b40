import MediaformCore

/// `state rebuild`: lists the library and proposes a state matching it to the manifests (`StateRebuild`); with
/// `write`, records it under the lock, journaled, then snapshotted. Nothing is sent to IMS but reads.
public struct StateRebuildRun: Sendable {
    /// Why a rebuild was not written; nothing was.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The state holds records and `force` was not given.
        case stateNotEmpty(records: Int)

        public var description: String {
            switch self {
            case .stateNotEmpty(let records):
                "the state already holds \(records) record(s); a rebuild is for a lost state. Pass --force to record "
                    + "the matched media over the records of the same keys (the others are kept); nothing was written"
            }
        }
    }

    public let workspace: Workspace
    public let lockTimeout: Double
    public let parallelism: Int?
    public let connect: APIConnection.Connector
    public let events: @Sendable (ApplyRun.Event) -> Void
    public let now: @Sendable () -> String

    public init(
        workspace: Workspace, lockTimeout: Double = 0, parallelism: Int? = nil,
        connect: @escaping APIConnection.Connector, events: @escaping @Sendable (ApplyRun.Event) -> Void = { _ in },
        now: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.workspace = workspace
        self.lockTimeout = lockTimeout
        self.parallelism = parallelism
        self.connect = connect
        self.events = events
        self.now = now
    }

    /// The proposal, without writing anything.
    public func propose() async throws -> StateRebuild {
        let project = workspace.project.project
        let library = try await LibraryReader.listLibrary(
            project: project, connect: connect, parallelism: parallelism, events: events)
        return StateRebuild.propose(
            assets: workspace.project.assets, library: library, appId: project.appId, time: now())
    }

    /// The declared categories IMS has at the same path, as journal entries for `state` (none when the project
    /// declares no category); each is announced as a note.
    func adoptedCategories(_ state: State) async throws -> [JournalEntry] {
        let project = workspace.project.project
        guard !project.categories.isEmpty else { return [] }
        let tree = try await connect(project).closing { try await $0.categoryTree() }
        let (observed, findings) = state.observingCategories(tree, declared: project.categories)
        for finding in findings { events(.progress(.note(finding.description))) }
        return observed.categoryEntries(since: state)
    }

    /// Proposes and writes: refused when the state holds records, unless `force`. Declared categories found in
    /// IMS are recorded too, so that the next plan adopts rather than creates them.
    /// - Returns: the proposal and the state as written.
    public func write(force: Bool) async throws -> (StateRebuild, State) {
        try await workspace.backend.withLock(operation: "state rebuild", timeout: lockTimeout) { lock, loaded in
            for warning in lock.warnings + loaded.warnings { events(.warning(warning)) }
            if !loaded.state.assets.isEmpty && !force {
                throw Failure.stateNotEmpty(records: loaded.state.assets.count)
            }
            let proposal = try await propose()
            let categories = try await adoptedCategories(loaded.state)
            let sorted = proposal.records.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return (
                proposal,
                try await lock.commit(categories + sorted.map { .put(key: $0.key, record: $0.value) }, onto: loaded)
            )
        }
    }
}
