import MediaformCore

/// `refresh`, under the state lock: reads every managed media from the library (`LibraryReader`) and records what
/// it holds, then makes one pass of job tracking over every in-progress asset. Nothing is changed in IMS
/// (Terraform's refresh-only). A read that fails leaves the state untouched.
public struct RefreshRun: Sendable {
    /// How a refresh ended.
    public enum Outcome: Sendable {
        /// No media to read and no job in progress: nothing was asked.
        case nothingToRefresh
        /// `read` media were read and `polled` jobs asked about (`stillRunning` of them have not ended);
        /// `findings` is what the library had changed outside mediaform, now recorded.
        case refreshed(
            read: Int, findings: [DriftFinding], polled: Int, stillRunning: Int, report: ApplyReport, state: State)
    }

    public let workspace: Workspace
    public let lockTimeout: Double
    /// Read the media infos too (the default); false tracks the jobs only.
    public let readLibrary: Bool
    public let parallelism: Int?
    public let connect: APIConnection.Connector
    public let events: @Sendable (ApplyRun.Event) -> Void

    public init(
        workspace: Workspace, lockTimeout: Double = 0, readLibrary: Bool = true, parallelism: Int? = nil,
        connect: @escaping APIConnection.Connector, events: @escaping @Sendable (ApplyRun.Event) -> Void = { _ in }
    ) {
        self.workspace = workspace
        self.lockTimeout = lockTimeout
        self.readLibrary = readLibrary
        self.parallelism = parallelism
        self.connect = connect
        self.events = events
    }

    /// - Throws: `LibraryReadError` (the state untouched), `StateError`, the connector's errors.
    public func run() async throws -> Outcome {
        try await workspace.backend.withLock(operation: "refresh", timeout: lockTimeout) { lock, loaded in
            for warning in lock.warnings + loaded.warnings { events(.warning(warning)) }
            let running = loaded.state.assets.values.filter(\.status.isRunning).count
            let readable = readLibrary ? LibraryReader.readable(loaded.state).count : 0
            let categories =
                readLibrary && !(loaded.state.categories.isEmpty && workspace.project.project.categories.isEmpty)
            guard running > 0 || readable > 0 || categories else { return .nothingToRefresh }
            let project = workspace.project.project
            let connection = try await connect(project)
            var refreshed = LibraryReader.Refreshed(state: loaded.state)
            if readable > 0 || categories {
                let reader = LibraryReader(
                    client: connection.client, parallelism: parallelism ?? project.limits.parallelism,
                    progress: { [events] in events(.reading(done: $0, total: $1)) })
                do {
                    refreshed = try await reader.refreshed(loaded.state, declared: project.categories)
                } catch {
                    await connection.close()
                    throw error
                }
                events(.observed(read: refreshed.read, findings: refreshed.findings))
                for finding in refreshed.categoryFindings { events(.progress(.note(finding.description))) }
            }
            let applier = Applier(
                client: connection.client, lock: lock, loaded: loaded, project: project,
                emit: { [events] in events(.progress($0)) })
            let (left, written) = try await applier.finishing(closing: connection) {
                try await applier.recordObserved(refreshed.changed, categories: refreshed.categoryEntries)
                return running > 0 ? try await applier.track(timeout: 0, rounds: 1) : 0
            }
            return .refreshed(
                read: refreshed.read, findings: refreshed.findings, polled: running, stillRunning: left,
                report: applier.currentReport, state: written)
        }
    }
}
