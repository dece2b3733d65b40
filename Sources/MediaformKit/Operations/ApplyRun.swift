import MediaformCore

/// The whole `apply` sequence as one library call:
/// lock → saved-plan staleness check → plan → safety rails (deletion budget, empty manifests) → approval →
/// resolve interrupted calls → re-plan → apply →
/// protection sync → tracking (with `wait`) → snapshot → unlock.
///
/// The command only parses options, builds the dependencies (workspace, connector, approval, stop flag, event
/// sink), calls `run()`, renders the outcome and maps it to an exit code. Everything here is testable in process.
public struct ApplyRun: Sendable {
    /// How to run.
    public struct Options: Sendable {
        /// Plan deletes for removed assets (also `prune: true` in the project file, or a saved plan made with it).
        public var prune: Bool
        /// Track the jobs until they end (or `waitTimeout` seconds pass).
        public var wait: Bool
        public var waitTimeout: Double
        /// Stop dispatching new calls after the first failed asset.
        public var failFast: Bool
        /// Calls in flight at once; nil takes the project's `limits.parallelism`.
        public var parallelism: Int?
        /// Seconds to wait for the state lock.
        public var lockTimeout: Double
        /// Seconds between polls while waiting.
        public var pollInterval: Double
        /// The deletion budget for this run; nil takes the project's `limits.maxDeletes`.
        public var maxDeletes: Int?
        /// Accept a plan that deletes media while the manifests hold no asset.
        public var allowEmpty: Bool
        /// The actions the plan may hold (`--allow`); nil allows all.
        public var allowedActions: Set<PlanAction>?
        /// `--target` and `--replace`. A saved plan brings its own scope; this one must then be empty.
        public var scope: PlanScope
        /// Read the library first (`--refresh`) and plan from it: drift, media deleted outside mediaform.
        public var refresh: Bool
        /// Check the sources of the uploads before anything is sent (`--check-sources`); nil does not.
        public var sourceChecking: SourceChecking?

        public init(
            prune: Bool = false, wait: Bool = false, waitTimeout: Double = 1800, failFast: Bool = false,
            parallelism: Int? = nil, lockTimeout: Double = 0, pollInterval: Double = 1, maxDeletes: Int? = nil,
            allowEmpty: Bool = false, allowedActions: Set<PlanAction>? = nil, scope: PlanScope = PlanScope(),
            refresh: Bool = false, sourceChecking: SourceChecking? = nil
        ) {
            self.prune = prune
            self.wait = wait
            self.waitTimeout = waitTimeout
            self.failFast = failFast
            self.parallelism = parallelism
            self.lockTimeout = lockTimeout
            self.pollInterval = pollInterval
            self.maxDeletes = maxDeletes
            self.allowEmpty = allowEmpty
            self.allowedActions = allowedActions
            self.scope = scope
            self.refresh = refresh
            self.sourceChecking = sourceChecking
        }
    }

    /// What happens along the way, for the command to show.
    public enum Event: Sendable {
        /// A note from the state layer (a lock taken over, a torn journal line).
        case warning(String)
        /// Reading the library (`--refresh`): `done` of `total` media read.
        case reading(done: Int, total: Int)
        /// The library was read: `read` media, and what was found changed outside mediaform.
        case observed(read: Int, findings: [DriftFinding])
        /// Checking sources (`--check-sources`): `done` of `total` requests made.
        case checkingSources(done: Int, total: Int)
        /// What the source checks found (warnings and errors), before anything is sent.
        case sourceFindings([Diagnostic])
        /// The plan that is about to be applied (before approval).
        case planned(Plan)
        /// Changes are about to be sent: `total` of them.
        case applying(total: Int)
        /// Every change was sent; the jobs are tracked now.
        case waiting
        /// Progress of the apply itself.
        case progress(ApplyEvent)
    }

    /// How a run ended.
    public enum Outcome: Sendable {
        /// Nothing to do: the plan had no changes, no call was left open, and there was nothing to wait for.
        case noChanges(Plan)
        /// The approval was refused: nothing was sent.
        case cancelled(Plan)
        /// Changes were applied (some may have failed: see the report).
        case applied(Applied)
    }

    /// What an applied run did.
    public struct Applied: Sendable {
        public var plan: Plan
        public var report: ApplyReport
        /// The state as written at the end.
        public var state: State
        public var statistics: ClientStatistics
    }

    public let workspace: Workspace
    public let saved: (plan: SavedPlan, file: String)?
    public let options: Options
    public let connect: APIConnection.Connector
    public let approve: @Sendable (Plan) async throws -> Bool
    public let stop: StopFlag
    public let events: @Sendable (Event) -> Void

    /// - Parameters:
    ///   - workspace: the opened project (without errors) and its state backend.
    ///   - saved: a saved plan to apply instead of planning afresh; refused when stale. Needs the workspace opened
    ///     with `computeDigest`.
    ///   - connect: opens the API connection, once there is something to send.
    ///   - approve: asked when there are changes and no saved plan; `false` cancels with nothing sent.
    ///   - stop: set it (Ctrl-C) to stop dispatching new calls; calls in flight finish and are recorded.
    ///   - events: warnings, the plan, progress.
    public init(
        workspace: Workspace, saved: (plan: SavedPlan, file: String)? = nil, options: Options = Options(),
        connect: @escaping APIConnection.Connector, approve: @escaping @Sendable (Plan) async throws -> Bool,
        stop: StopFlag = StopFlag(), events: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.workspace = workspace
        self.saved = saved
        self.options = options
        self.connect = connect
        self.approve = approve
        self.stop = stop
        self.events = events
    }

    /// Runs the sequence under the state lock.
    /// - Throws: `StateError` (lock, journal, snapshot), `ApplyRunError.stalePlan`, `.planDiffers`,
    ///   `.invalidScope` (a `--target` that matches nothing, a `--replace` that cannot be made), `.refused` (the
    ///   deletion budget, the empty-manifest guard, `--allow`; before anything is sent), the connector's errors.
    ///   Per-asset API failures are not thrown: they are in the report.
    public func run() async throws -> Outcome {
        try await workspace.backend.withLock(operation: "apply", timeout: options.lockTimeout) { lock, loaded in
            try await run(lock: lock, loaded: loaded)
        }
    }

    private func run(lock: any StateLock, loaded: LoadedState) async throws -> Outcome {
        // With --refresh the connection opens first, to read the library; it is closed on every path that ends
        // before applying.
        var early: APIConnection?
        do {
            return try await run(lock: lock, loaded: loaded, early: &early)
        } catch {
            await early?.close()
            throw error
        }
    }

    private func run(lock: any StateLock, loaded original: LoadedState, early: inout APIConnection?) async throws
        -> Outcome
    {
        var loaded = original
        for warning in lock.warnings + loaded.warnings { events(.warning(warning)) }
        if let saved,
            let reason = saved.plan.staleness(
                lineage: loaded.state.lineage, serial: loaded.state.serial, digest: workspace.project.digest)
        {
            throw ApplyRunError.stalePlan(file: saved.file, reason: reason)
        }
        if let saved, let problem = saved.plan.versionProblem(current: MediaformKit.generator) {
            throw ApplyRunError.planDiffers(file: saved.file, reason: problem)
        }
        let project = workspace.project.project
        let pruning = options.prune || project.prune || (saved?.plan.plan.prune ?? false)
        if saved != nil && options.scope != PlanScope() {
            throw ApplyRunError.invalidScope([
                "--target and --replace cannot be given with a saved plan: it is applied with the scope it was made with"
            ])
        }
        let scope = saved?.plan.plan.scope ?? options.scope
        // The library as it is, for a plan made with --refresh (saved or not). The records read are journaled
        // once the applier exists, so an apply records what it planned from.
        var observed: [String: AssetRecord] = [:]
        var observedCategories: [JournalEntry] = []
        if options.refresh || (saved?.plan.plan.refreshed ?? false) {
            let connection = try await connect(project)
            early = connection
            let reader = LibraryReader(
                client: connection.client, parallelism: options.parallelism ?? project.limits.parallelism,
                progress: { [events] in events(.reading(done: $0, total: $1)) })
            let refreshed = try await reader.refreshed(loaded.state, declared: project.categories)
            events(.observed(read: refreshed.read, findings: refreshed.findings))
            for finding in refreshed.categoryFindings { events(.progress(.note(finding.description))) }
            loaded.state = refreshed.state
            observed = refreshed.changed
            observedCategories = refreshed.categoryEntries
        }
        let problems = scope.problems(assets: workspace.project.assets, state: loaded.state)
        guard problems.isEmpty else { throw ApplyRunError.invalidScope(problems) }
        var plan = Planner.plan(
            project: project, assets: workspace.project.assets, state: loaded.state, prune: pruning, scope: scope)
        plan.refreshed = options.refresh || (saved?.plan.plan.refreshed ?? false)
        // Applied as reviewed, or refused: the plan made now must be the saved one, change for change.
        if let saved, let difference = saved.plan.firstDifference(from: plan) {
            throw ApplyRunError.planDiffers(file: saved.file, reason: difference)
        }
        let inProgress = plan.counts[.inProgress, default: 0]
        if !plan.hasChanges && loaded.unresolved.isEmpty && !(options.wait && inProgress > 0) {
            await early?.close()
            early = nil
            // A state applied by an earlier version, or changed by another command, gets its cache now; one whose
            // rows changed since its cache was stamped gets the stamp again.
            if workspace.backend.keepsManifestCache && observed.isEmpty && observedCategories.isEmpty,
                let cache = workspace.project.manifestCache(of: loaded.state, plan: plan),
                cache != loaded.state.manifestCache
                    || (workspace.backend.vouchesForManifestCache && !loaded.manifestCacheHolds)
            {
                var state = loaded.state
                state.manifestCache = cache
                try await lock.writeSnapshot(state, unresolved: [])
            }
            return .noChanges(plan)
        }
        events(.planned(plan))
        let rails = PlanGuard(
            project: project, maxDeletes: options.maxDeletes, allowEmpty: options.allowEmpty,
            allowedActions: options.allowedActions)
        let refusals = rails.refusals(
            of: plan, manifestAssets: workspace.project.assets.count, stateAssets: loaded.state.assets.count)
        guard refusals.isEmpty else { throw ApplyRunError.refused(refusals) }
        if let checking = options.sourceChecking {
            let uploads = SourceChecking.uploads(of: plan)
            if !uploads.isEmpty {
                let findings = await checking.check(uploads) { [events] in
                    events(.checkingSources(done: $0, total: $1))
                }
                events(.sourceFindings(findings))
                let errors = findings.filter { $0.severity == .error }.count
                guard errors == 0 else { throw ApplyRunError.sourcesRejected(errors) }
            }
        }
        if saved == nil && plan.hasChanges, !(try await approve(plan)) {
            await early?.close()
            early = nil
            return .cancelled(plan)
        }

        let connection: APIConnection
        if let early {
            connection = early
        } else {
            connection = try await connect(project)
        }
        early = nil  // Closed by the applier from here on.
        let applier = Applier(
            client: connection.client, lock: lock, loaded: loaded, project: project,
            options: ApplyOptions(
                failFast: options.failFast, pollInterval: options.pollInterval,
                parallelism: options.parallelism ?? project.limits.parallelism),
            stop: stop, emit: { [events] in events(.progress($0)) })
        // A move that carries field changes is two steps: the move and the update.
        let steps = plan.changes.reduce(0) { n, change in
            n + (change.action == .move && change.operations.contains(.update) ? 2 : change.action.isChange ? 1 : 0)
        }
        events(.applying(total: steps))
        let (report, written) = try await applier.finishing(closing: connection) { () async throws -> ApplyReport in
            try await applier.recordObserved(observed, categories: observedCategories)
            let assetsByKey = Dictionary(
                workspace.project.assets.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            try await applier.resolveInterrupted(assets: assetsByKey)
            if !loaded.unresolved.isEmpty {
                // Adopted jobs changed the state: plan again from it.
                plan = Planner.plan(
                    project: project, assets: workspace.project.assets, state: applier.state, prune: pruning,
                    scope: scope)
            }
            var report = try await applier.apply(plan)
            try await applier.syncProtection(assets: workspace.project.assets)
            if options.wait && !stop.isSet {
                events(.waiting)
                try await applier.track(timeout: options.waitTimeout)
                report = applier.currentReport
                report.interrupted = stop.isSet
            }
            if workspace.backend.keepsManifestCache { applier.keep(workspace.project.manifestCache(of: applier.state)) }
            return report
        }
        return .applied(Applied(plan: plan, report: report, state: written, statistics: connection.client.statistics))
    }
}
