import MediaformCore

/// `refresh`: one pass of job tracking over every in-progress asset, under the state lock.
public struct RefreshRun: Sendable {
    /// How a refresh ended.
    public enum Outcome: Sendable {
        /// No asset was in progress: nothing was asked.
        case nothingRunning
        /// `polled` jobs were asked about; `stillRunning` of them have not ended.
        case refreshed(polled: Int, stillRunning: Int, report: ApplyReport, state: State)
    }

    public let workspace: Workspace
    public let lockTimeout: Double
    public let connect: APIConnection.Connector
    public let events: @Sendable (ApplyRun.Event) -> Void

    public init(
        workspace: Workspace, lockTimeout: Double = 0, connect: @escaping APIConnection.Connector,
        events: @escaping @Sendable (ApplyRun.Event) -> Void = { _ in }
    ) {
        self.workspace = workspace
        self.lockTimeout = lockTimeout
        self.connect = connect
        self.events = events
    }

    public func run() async throws -> Outcome {
        try await workspace.backend.withLock(operation: "refresh", timeout: lockTimeout) { lock, loaded in
            for warning in lock.warnings + loaded.warnings { events(.warning(warning)) }
            let running = loaded.state.assets.values.filter(\.status.isRunning).count
            guard running > 0 else { return .nothingRunning }
            let project = workspace.project.project
            let connection = try await connect(project)
            let applier = Applier(
                client: connection.client, lock: lock, loaded: loaded, project: project,
                emit: { [events] in events(.progress($0)) })
            let (left, written) = try await applier.finishing(closing: connection) {
                try await applier.track(timeout: 0, rounds: 1)
            }
            return .refreshed(polled: running, stillRunning: left, report: applier.currentReport, state: written)
        }
    }
}
