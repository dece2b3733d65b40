import Foundation
import MediaformCore
import MediaformEmulator
import MediaformTestSupport
import Synchronization
import Testing

@testable import MediaformKit

/// An emulator on a free loopback port with jobs that end after 0.2 s, `adjust`ed (faults), started.
func emulator(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> EmulatorServer {
    var configuration = EmulatorConfiguration(processDelay: 0.2)
    adjust(&configuration)
    let server = try EmulatorServer(configuration: configuration)
    try await server.start()
    return server
}

/// A client of `server` with the emulator's key pair, paced far above what the tests send.
func client(_ server: EmulatorServer, retry: RetryPolicy = RetryPolicy(baseDelay: 0.01)) -> IMSClient {
    IMSClient(
        configuration: ClientConfiguration(endpoint: server.endpoint, readTimeout: 10, retry: retry),
        credentials: StaticCredentials(
            AccessKey(
                id: EmulatorConfiguration.defaultAccessKeyId, secret: EmulatorConfiguration.defaultAccessKeySecret)),
        requestsPerSecond: 1000)
}

/// The run's result when it applied changes; records an issue (and throws) otherwise.
func applied(_ outcome: ApplyRun.Outcome, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    -> ApplyRun.Applied
{
    guard case .applied(let applied) = outcome else {
        Issue.record("expected changes to be applied, got \(outcome)", sourceLocation: sourceLocation)
        throw CancellationError()
    }
    return applied
}

/// The apply sequence in process: `ApplyRun` against an emulator over loopback HTTP, with a local state.
@Suite struct ApplyRunTests {
    /// A project of `count` assets in a temporary directory, opened.
    private func workspace(_ count: Int, title: String = "Title") async throws -> Workspace {
        var assets = "assets:\n"
        for i in 0..<count {
            assets +=
                "  - key: clip-\(i)\n    source: https://media.example.com/clip-\(i).mp4\n    title: \(title) \(i)\n"
        }
        let dir = try Builders.writeProject(assets: assets)
        let workspace = await Workspace.open(directory: dir.path, computeDigest: true)
        #expect(!workspace.project.hasErrors, "\(workspace.project.diagnostics)")
        return workspace
    }

    private func run(
        _ workspace: Workspace, _ server: EmulatorServer, options: ApplyRun.Options = ApplyRun.Options(),
        retry: RetryPolicy = RetryPolicy(baseDelay: 0.01), saved: (plan: SavedPlan, file: String)? = nil,
        stop: StopFlag = StopFlag(), events: @escaping @Sendable (ApplyRun.Event) -> Void = { _ in }
    ) async throws -> ApplyRun.Outcome {
        let client = client(server, retry: retry)
        return try await ApplyRun(
            workspace: workspace, saved: saved, options: options, connect: { _ in APIConnection(client: client) },
            approve: { _ in true }, stop: stop, events: events
        ).run()
    }

    private func jobCount(_ server: EmulatorServer) async -> Int {
        Int(await server.service.introspection()["jobCount"]?.intValue ?? -1)
    }

    @Test func appliesEverythingOnceThenHasNothingToDo() async throws {
        let server = try await emulator()
        let workspace = try await workspace(45)
        let first = try applied(try await run(workspace, server, options: ApplyRun.Options(wait: true)))
        #expect(first.report.submitted == 45 && first.report.failures.isEmpty)
        #expect(first.state.serial == 1 && first.state.assets.count == 45)
        #expect(first.state.assets.values.allSatisfy { $0.status == AssetStatus.ready })
        #expect(await jobCount(server) == 45)
        guard case .noChanges(let plan) = try await run(workspace, server) else {
            Issue.record("a second apply found changes")
            return
        }
        #expect(plan.summaryLine == "No changes.")
        await server.stop()
    }

    @Test func openIntentsOfACrashedRunAreAdoptedNotUploadedAgain() async throws {
        let server = try await emulator()
        let workspace = try await workspace(3)
        // A run that crashed after its upload call and before journaling the jobs: the intent is open, the jobs
        // exist and carry its marker.
        let intent = Intent(id: "mf-crashed0000000", operation: .upload, keys: workspace.project.assets.map(\.key))
        try await workspace.backend.withLock(operation: "test", timeout: 0) { lock, _ in
            try await lock.append([.intent(intent)])
        }
        let batch = try #require(UploadBatching.batches(workspace.project.assets, appId: Project.defaultAppId).first)
        _ = try await client(server).uploadMediaByURL(UploadBatching.request(for: batch, marker: intent.id))
        #expect(await jobCount(server) == 3)
        #expect(try await workspace.backend.read().unresolved == [intent])

        let result = try applied(try await run(workspace, server))
        #expect(result.report.adopted == 3 && result.report.submitted == 0)
        #expect(await jobCount(server) == 3)
        #expect(result.state.assets.count == 3 && result.state.assets.values.allSatisfy { $0.jobId != nil })
        #expect(try await workspace.backend.read().unresolved.isEmpty)
        await server.stop()
    }

    @Test func ambiguousFailuresAreLookedUpAndAdopted() async throws {
        // Every upload is committed and its answer dropped: the client cannot know, so apply must look.
        let server = try await emulator { $0.dropRate = 1 }
        let workspace = try await workspace(25)
        let result = try applied(try await run(workspace, server))
        #expect(result.report.submitted == 25, "\(result.report.failures)")
        #expect(result.report.failures.isEmpty)
        #expect(await jobCount(server) == 25)
        #expect(await server.service.introspection()["duplicates"]?.objectValue?.isEmpty == true)
        #expect(result.state.assets.count == 25)
        await server.stop()
    }

    @Test func theStopFlagHoldsBackWhatWasNotDispatchedAndTheNextRunFinishes() async throws {
        let server = try await emulator()
        let workspace = try await workspace(60)
        let stop = StopFlag()
        // Parallelism 1: one batch of 20 in flight; the stop request arrives with its first submission.
        let result = try applied(
            try await run(
                workspace, server, options: ApplyRun.Options(parallelism: 1), stop: stop,
                events: { event in
                    if case .progress(.submitted) = event { stop.set() }
                }))
        #expect(result.report.interrupted)
        #expect(result.report.submitted == 20)
        #expect(result.state.assets.count == 20)
        let rest = try applied(try await run(workspace, server))
        #expect(rest.report.submitted == 40 && !rest.report.interrupted)
        #expect(await jobCount(server) == 60)
        #expect(await server.service.introspection()["duplicates"]?.objectValue?.isEmpty == true)
        await server.stop()
    }

    @Test func failFastStopsAfterTheFirstFailedBatch() async throws {
        // Every call is answered 503 before anything happens; one attempt only.
        let server = try await emulator { $0.errorRate = 1 }
        let workspace = try await workspace(45)
        let result = try applied(
            try await run(
                workspace, server, options: ApplyRun.Options(failFast: true, parallelism: 1),
                retry: RetryPolicy(maxAttempts: 1)))
        #expect(result.report.failures.count == 20)
        #expect(result.report.submitted == 0)
        #expect(
            result.state.assets.count == 20 && result.state.assets.values.allSatisfy { $0.status == AssetStatus.failed }
        )
        #expect(await jobCount(server) == 0)
        await server.stop()
    }

    @Test func aStaleSavedPlanIsRefusedAndNothingIsSent() async throws {
        let server = try await emulator()
        let workspace = try await workspace(2)
        let loaded = try await workspace.backend.read()
        let plan = Planner.plan(
            project: workspace.project.project, assets: workspace.project.assets, state: loaded.state, prune: false)
        let saved = SavedPlan(plan: plan, digest: workspace.project.digest, created: Builders.time, generator: "test")
        // Someone else applies first: the state moves on, and the saved plan belongs to the past.
        _ = try applied(try await run(workspace, server))
        #expect(await jobCount(server) == 2)
        await #expect(throws: ApplyRunError.self) {
            _ = try await run(workspace, server, saved: (saved, "change.plan"))
        }
        #expect(await jobCount(server) == 2)
        await server.stop()
    }

    @Test func refusedApprovalSendsNothing() async throws {
        let server = try await emulator()
        let workspace = try await workspace(2)
        let client = client(server)
        let outcome = try await ApplyRun(
            workspace: workspace, connect: { _ in APIConnection(client: client) }, approve: { _ in false }
        ).run()
        guard case .cancelled = outcome else {
            Issue.record("expected a cancelled run, got \(outcome)")
            return
        }
        #expect(await jobCount(server) == 0)
        #expect(try await workspace.backend.read().exists == false)
        await server.stop()
    }
}

/// The safety rails inside the apply sequence: refused after planning, before any call.
@Suite struct ApplyRunRailTests {
    @Test func overTheBudgetNothingIsSentAndTheFlagAllowsIt() async throws {
        let server = try await emulator()
        let client = client(server)
        func run(_ directory: URL, _ options: ApplyRun.Options) async throws -> ApplyRun.Outcome {
            let workspace = await Workspace.open(directory: directory.path)
            return try await ApplyRun(
                workspace: workspace, options: options, connect: { _ in APIConnection(client: client) },
                approve: { _ in true }
            ).run()
        }
        var assets = "assets:\n"
        for i in 0..<30 {
            assets += "  - key: clip-\(i)\n    source: https://media.example.com/clip-\(i).mp4\n    title: T\n"
        }
        let dir = try Builders.writeProject(project: "version: 1\nregion: cn-shanghai\nprune: true\n", assets: assets)
        _ = try await run(dir, ApplyRun.Options())
        let serial = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state.serial
        // 28 of 30 removed: over the default budget of 25.
        try
            "assets:\n  - key: clip-0\n    source: https://media.example.com/clip-0.mp4\n    title: T\n  - key: clip-1\n    source: https://media.example.com/clip-1.mp4\n    title: T\n"
            .write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        await #expect(throws: ApplyRunError.refused([.overBudget(deletes: 28, budget: 25)])) {
            _ = try await run(dir, ApplyRun.Options())
        }
        let untouched = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state
        #expect(untouched.serial == serial && untouched.assets.count == 30)
        // The budget for this run allows it.
        guard case .applied(let applied) = try await run(dir, ApplyRun.Options(maxDeletes: 28)) else {
            Issue.record("the raised budget did not apply")
            return
        }
        #expect(applied.report.deleted == 28 && applied.state.assets.count == 2)
        // An empty manifest set under prune would delete the rest: refused unless allowed.
        try "assets: []\n".write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        await #expect(throws: ApplyRunError.refused([.emptyManifests(stateAssets: 2, deletes: 2)])) {
            _ = try await run(dir, ApplyRun.Options())
        }
        guard case .applied(let emptied) = try await run(dir, ApplyRun.Options(allowEmpty: true)) else {
            Issue.record("--allow-empty did not apply")
            return
        }
        #expect(emptied.state.assets.isEmpty)
        await server.stop()
    }
}

/// A saved plan is applied as reviewed, or refused (issue 15, part 6).
@Suite struct SavedPlanFidelityTests {
    private func project() throws -> URL {
        try Builders.writeProject(
            assets: "assets:\n  - key: a\n    source: https://media.example.com/a.mp4\n    title: A\n"
                + "  - key: b\n    source: https://media.example.com/b.mp4\n    title: B\n")
    }

    private func saved(_ dir: URL) async throws -> (SavedPlan, Workspace) {
        let workspace = await Workspace.open(directory: dir.path, computeDigest: true)
        let loaded = try await workspace.backend.read()
        let plan = Planner.plan(
            project: workspace.project.project, assets: workspace.project.assets, state: loaded.state, prune: false)
        let saved = SavedPlan(
            plan: plan, digest: workspace.project.digest, created: Builders.time, generator: MediaformKit.generator)
        // Through the file format, as `apply FILE` reads it.
        let reread = try #require(try SavedPlan.decode(try JSONParser.parse(saved.fileText), file: "p.json"))
        return (reread, workspace)
    }

    private func apply(_ workspace: Workspace, _ saved: SavedPlan, _ server: EmulatorServer) async throws
        -> ApplyRun.Outcome
    {
        let client = client(server)
        return try await ApplyRun(
            workspace: workspace, saved: (saved, "p.json"), connect: { _ in APIConnection(client: client) },
            approve: { _ in
                Issue.record("a saved plan asked for approval"); return false
            }
        ).run()
    }

    @Test func anEditedPlanOrAnotherVersionsPlanIsRefusedAndTheReviewedOneApplies() async throws {
        let server = try await emulator()
        let (saved, workspace) = try await saved(try project())

        // A title changed in the file after review.
        var edited = saved
        edited.plan.changes = edited.plan.changes.map { change in
            var change = change
            if change.key == "b" {
                change.fields = change.fields.map { f in
                    f.field == "title" ? FieldChange(field: "title", before: f.before, after: .string("Edited")) : f
                }
            }
            return change
        }
        await #expect(
            throws: ApplyRunError.planDiffers(
                file: "p.json", reason: "'b': field 'title' differs between the saved plan and the plan made now")
        ) {
            _ = try await apply(workspace, edited, server)
        }
        // An asset dropped from the file.
        var dropped = saved
        dropped.plan.changes.removeAll { $0.key == "a" }
        await #expect(throws: ApplyRunError.self) { _ = try await apply(workspace, dropped, server) }
        // Another version's plan.
        var foreign = saved
        foreign.generator = "mediaform 0.0.9"
        do {
            _ = try await apply(workspace, foreign, server)
            Issue.record("another version's plan was applied")
        } catch {
            #expect("\(error)".contains("saved by mediaform 0.0.9, and this is \(MediaformKit.generator)"))
        }
        #expect(await server.service.introspection()["jobCount"]?.intValue == 0)

        // The plan as reviewed applies.
        guard case .applied(let applied) = try await apply(workspace, saved, server) else {
            Issue.record("the reviewed plan did not apply")
            return
        }
        #expect(applied.report.submitted == 2)
        await server.stop()
    }
}

/// Counts the API connections a run opened.
private final class Connections: Sendable {
    let count = Mutex(0)
}

/// Moves, `--allow` and `--target`/`--replace` inside the apply sequence (issue 15, parts 1, 3 and 4).
@Suite struct ApplyRunScopeTests {
    /// `count` assets `clip-N`, under `prefix` keys, with `title`.
    private func manifest(_ count: Int, prefix: String = "clip", title: String = "T") -> String {
        var text = "assets:\n"
        for i in 0..<count {
            text +=
                "  - key: \(prefix)-\(i)\n    source: https://media.example.com/clip-\(i).mp4\n    title: \(title) \(i)\n"
        }
        return text
    }

    private func write(_ text: String, _ dir: URL) throws {
        try text.write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
    }

    /// Runs apply on `dir`; `connected` counts the connections opened (none when refused before sending).
    private func run(
        _ dir: URL, _ server: EmulatorServer, _ options: ApplyRun.Options = ApplyRun.Options(),
        connected: Connections = Connections()
    ) async throws -> ApplyRun.Outcome {
        let client = client(server)
        let workspace = await Workspace.open(directory: dir.path)
        return try await ApplyRun(
            workspace: workspace, options: options,
            connect: { _ in
                connected.count.withLock { $0 += 1 }
                return APIConnection(client: client)
            },
            approve: { _ in true }
        ).run()
    }

    @Test func aRenameMovesTheRecordKeepsTheMediaAndSendsTheFieldChange() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(assets: manifest(3))
        _ = try await run(dir, server, ApplyRun.Options(wait: true))
        let before = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state
        let old = try #require(before.assets["clip-1"])

        // clip-1 renamed to lesson-1 with a new title; the others renamed without changes.
        try write(manifest(3, prefix: "lesson", title: "T").replacingOccurrences(of: "T 1", with: "Retitled"), dir)
        guard case .applied(let applied) = try await run(dir, server) else {
            Issue.record("the rename was not applied")
            return
        }
        #expect(applied.plan.changes.map { $0.action } == [PlanAction.move, .move, .move])
        #expect(applied.report.moved == 3 && applied.report.updated == 1 && applied.report.submitted == 0)
        #expect(applied.state.assets.keys.sorted() == ["lesson-0", "lesson-1", "lesson-2"])
        let moved = try #require(applied.state.assets["lesson-1"])
        #expect(moved.mediaId == old.mediaId && moved.jobId == old.jobId && moved.createdAt == old.createdAt)
        #expect(moved.fields.title == "Retitled")
        #expect(await jobCount(server) == 3)
        let remote = try await client(server).getMediaInfo(mediaId: try #require(old.mediaId))
        #expect(remote?.title == "Retitled")
        // The journal replays to the same state, and the next plan has nothing to do.
        let reread = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state
        #expect(reread.assets == applied.state.assets)
        guard case .noChanges = try await run(dir, server) else {
            Issue.record("a second apply after the move found changes")
            return
        }
        await server.stop()
    }

    @Test func allowRefusesBeforeAnyCallAndNamesTheAssets() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nprune: true\n", assets: manifest(3))
        _ = try await run(dir, server)
        let serial = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state.serial
        // clip-2 removed (a delete under prune), a new asset added.
        try write(
            manifest(2) + "  - key: extra\n    source: https://media.example.com/extra.mp4\n    title: E\n", dir)
        let connected = Connections()
        do {
            _ = try await run(dir, server, ApplyRun.Options(allowedActions: [.create, .update]), connected: connected)
            Issue.record("a delete passed --allow create,update")
        } catch let error as ApplyRunError {
            guard case .refused(let refusals) = error, case .notAllowed(let changes, _)? = refusals.first else {
                Issue.record("unexpected refusal \(error)")
                return
            }
            #expect(changes.map(\.key) == ["clip-2"] && changes.map(\.action) == [.delete])
        }
        #expect(connected.count.withLock { $0 } == 0)
        #expect(try await LocalStateBackend(settings: .init(), directory: dir.path).read().state.serial == serial)
        #expect(await jobCount(server) == 3)
        // Allowed, it applies.
        guard
            case .applied(let applied) = try await run(
                dir, server, ApplyRun.Options(allowedActions: [.create, .delete]))
        else {
            Issue.record("the allowed plan did not apply")
            return
        }
        #expect(applied.report.submitted == 1 && applied.report.deleted == 1)
        await server.stop()
    }

    @Test func targetsApplyOnlyTheirAssetsAndReplaceUploadsAgain() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(assets: manifest(4))
        guard
            case .applied(let partial) = try await run(
                dir, server, ApplyRun.Options(scope: PlanScope(targets: ["clip-1", "clip-3"])))
        else {
            Issue.record("the targeted plan did not apply")
            return
        }
        #expect(partial.report.submitted == 2)
        #expect(partial.state.assets.keys.sorted() == ["clip-1", "clip-3"])
        #expect(partial.plan.excluded == 2)
        await #expect(
            throws: ApplyRunError.invalidScope(["--target 'videos/*' matches no asset in the manifests or the state"])
        ) {
            _ = try await run(dir, server, ApplyRun.Options(scope: PlanScope(targets: ["videos/*"])))
        }
        _ = try await run(dir, server, ApplyRun.Options(wait: true))
        #expect(await jobCount(server) == 4)

        // --replace with prune: a new upload, and the old media deleted.
        let old = try #require(
            try await LocalStateBackend(settings: .init(), directory: dir.path).read().state.assets["clip-0"]?.mediaId)
        guard
            case .applied(let replaced) = try await run(
                dir, server, ApplyRun.Options(prune: true, scope: PlanScope(replacing: ["clip-0"])))
        else {
            Issue.record("the replacement did not apply")
            return
        }
        #expect(replaced.report.submitted == 1)
        #expect(replaced.state.assets["clip-0"]?.mediaId != old)
        #expect(await jobCount(server) == 5)
        #expect(try await client(server).getMediaInfo(mediaId: old) == nil)
        await server.stop()
    }

    private func jobCount(_ server: EmulatorServer) async -> Int {
        Int(await server.service.introspection()["jobCount"]?.intValue ?? -1)
    }
}

/// Reading the library (issue 14): `LibraryReader`, `apply --refresh` and `refresh`, against the emulator acting
/// as the IMS console, on both backends.
@Suite struct LibraryRefreshTests {
    private func manifest(_ count: Int) -> String {
        var text = "assets:\n"
        for i in 0..<count {
            text += "  - key: clip-\(i)\n    source: https://media.example.com/clip-\(i).mp4\n    title: T \(i)\n"
        }
        return text
    }

    private func applyAll(_ workspace: Workspace, _ server: EmulatorServer) async throws -> State {
        let client = client(server)
        guard
            case .applied(let applied) = try await ApplyRun(
                workspace: workspace, options: ApplyRun.Options(wait: true),
                connect: { _ in APIConnection(client: client) }, approve: { _ in true }
            ).run()
        else { throw CancellationError() }
        return applied.state
    }

    @Test func throttledReadsAreRetriedAndEveryChangeIsFound() async throws {
        let data = try Fixtures.temporaryDirectory().path
        let server = try await emulator { $0.dataDirectory = data }
        let workspace = await Workspace.open(directory: try Builders.writeProject(assets: manifest(45)).path)
        let state = try await applyAll(workspace, server)
        let console = client(server)
        for i in [3, 17, 44] {
            try await console.updateMediaInfo(
                mediaId: try #require(state.assets["clip-\(i)"]?.mediaId), title: "Console \(i)", description: nil,
                tags: [], cateId: nil, coverURL: nil)
        }
        await server.stop()

        // The same library, now throttling above 2 requests a second: of the 3 calls sent at once, one at least is
        // throttled and must be retried.
        let throttling = try await emulator {
            $0.dataDirectory = data
            $0.rateLimit = 2
        }
        let reading = client(
            throttling, retry: RetryPolicy(maxAttempts: 12, baseDelay: 0.05, throttledBaseDelay: 0.1, maxDelay: 0.5))
        let seen = Mutex<[Int]>([])
        let reader = LibraryReader(
            client: reading, parallelism: 4, progress: { done, _ in seen.withLock { $0.append(done) } })
        let refreshed = try await reader.refreshed(state)
        #expect(refreshed.read == 45)
        #expect(refreshed.findings.map(\.key) == ["clip-17", "clip-3", "clip-44"])
        #expect(seen.withLock { $0.max() } == 45)
        #expect(reading.statistics.throttled > 0)
        await throttling.stop()
    }

    @Test func applyRefreshSetsTheLibraryBackAndRecordsWhatItRead() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(assets: manifest(3))
        let workspace = await Workspace.open(directory: dir.path)
        let state = try await applyAll(workspace, server)
        let console = client(server)
        try await console.updateMediaInfo(
            mediaId: try #require(state.assets["clip-0"]?.mediaId), title: "Console", description: "added",
            tags: ["c"], cateId: nil, coverURL: nil)
        _ = try await console.deleteMediaInfos(mediaIds: [try #require(state.assets["clip-1"]?.mediaId)])

        let client = client(server)
        let observed = Mutex<[DriftFinding]>([])
        guard
            case .applied(let applied) = try await ApplyRun(
                workspace: workspace, options: ApplyRun.Options(wait: true, refresh: true),
                connect: { _ in APIConnection(client: client) }, approve: { _ in true },
                events: { event in
                    if case .observed(_, let findings) = event { observed.withLock { $0 = findings } }
                }
            ).run()
        else {
            Issue.record("the refreshed plan did not apply")
            return
        }
        #expect(observed.withLock { $0.map(\.key) } == ["clip-0", "clip-1"])
        #expect(applied.plan.changes.filter(\.drift).map(\.action) == [.update, .create])
        #expect(applied.report.updated == 1 && applied.report.submitted == 1)
        let remote = try await console.getMediaInfo(mediaId: try #require(state.assets["clip-0"]?.mediaId))
        #expect(remote?.title == "T 0" && remote?.description == nil && remote?.tags == [])
        #expect(applied.state.assets["clip-0"]?.drift == [])
        #expect(applied.state.assets["clip-1"]?.mediaId != state.assets["clip-1"]?.mediaId)
        // In step again.
        guard
            case .noChanges = try await ApplyRun(
                workspace: workspace, options: ApplyRun.Options(refresh: true),
                connect: { _ in APIConnection(client: client) }, approve: { _ in true }
            ).run()
        else {
            Issue.record("a second refreshed apply found changes")
            return
        }
        await server.stop()
    }

    @Test(arguments: BackendConformanceTests.Kind.testable)
    func refreshRecordsDriftUnderTheLockOnEitherBackend(_ kind: BackendConformanceTests.Kind) async throws {
        let server = try await emulator()
        let section = kind == .postgres ? TestDatabase.stateSection(name: TestDatabase.uniqueName("refresh")) : ""
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\n" + section, assets: manifest(2))
        let workspace = await Workspace.open(directory: dir.path, environment: TestDatabase.environment)
        let state = try await applyAll(workspace, server)
        let console = client(server)
        try await console.updateMediaInfo(
            mediaId: try #require(state.assets["clip-1"]?.mediaId), title: "Console", description: nil, tags: [],
            cateId: nil, coverURL: nil)
        let client = client(server)
        guard
            case .refreshed(let read, let findings, _, _, _, let written) = try await RefreshRun(
                workspace: workspace, connect: { _ in APIConnection(client: client) }
            ).run()
        else {
            Issue.record("nothing was refreshed")
            return
        }
        #expect(read == 2 && findings.map(\.key) == ["clip-1"])
        let reread = try await workspace.backend.read().state
        #expect(reread.serial == written.serial && reread.assets["clip-1"]?.drift == [.title])
        #expect(reread.assets["clip-1"]?.fields.title == "Console")
        let plan = Planner.plan(
            project: workspace.project.project, assets: workspace.project.assets, state: reread, prune: false)
        #expect(plan.changes.map(\.action) == [.noOp, .update] && plan.changes[1].drift)
        await server.stop()
    }
}

/// `oss://` sources registered in place (issue 16, part 2): exactly once when every answer is lost.
@Suite struct RegistrationTests {
    @Test func lostAnswersAreSentAgainWithTheSameTokenAndRegisterOnce() async throws {
        let data = try Fixtures.temporaryDirectory().path
        let dropping = try await emulator {
            $0.dataDirectory = data
            $0.dropRate = 1
        }
        let dir = try Builders.writeProject(
            assets: "assets:\n  - key: a\n    source: oss://team-bucket/a.mp4\n    title: A\n"
                + "  - key: b\n    source: oss://team-bucket/b.mp4\n    title: B\n")
        let workspace = await Workspace.open(directory: dir.path)
        func apply(_ server: EmulatorServer) async throws -> ApplyRun.Outcome {
            let client = client(server, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01))
            return try await ApplyRun(
                workspace: workspace, connect: { _ in APIConnection(client: client) }, approve: { _ in true }
            ).run()
        }
        // Every answer dropped: the client retries with the same token, then gives up; the intents stay open.
        guard case .applied(let first) = try await apply(dropping) else {
            Issue.record("nothing was applied")
            return
        }
        #expect(first.report.failures.map(\.code) == ["Unresolved", "Unresolved"])
        #expect(try await LocalStateBackend(settings: .init(), directory: dir.path).read().unresolved.count == 2)
        await dropping.stop()

        // The next run sends each open registration again, with its token: the media registered then is answered.
        let answering = try await emulator { $0.dataDirectory = data }
        guard case .applied(let second) = try await apply(answering) else {
            Issue.record("the open registrations were not resolved")
            return
        }
        #expect(second.report.adopted == 2 && second.report.failures.isEmpty)
        let jobs = await answering.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 2)
        #expect(second.state.assets.values.allSatisfy { $0.status == .ready && $0.mediaId != nil })
        guard case .noChanges = try await apply(answering) else {
            Issue.record("a third run found changes")
            return
        }
        await answering.stop()
    }
}
