import Foundation
import MediaformCore
import MediaformEmulator
import MediaformTestSupport
import Testing

@testable import MediaformKit

/// The manifest cache (issue 18): apply records the files that plan to no change; a plan skips them while their
/// bytes, the project file and their records are as recorded; and the plan is the same as without the cache.
@Suite struct ManifestCacheTests {
    /// A project of three files of `count` assets each (keys a-0…, b-0…, c-0…), applied against an emulator.
    /// - Parameter state: a `state:` section for the project file (the local state file without one), and the
    ///   environment its backend needs.
    private func appliedProject(
        count: Int = 4, state: (section: String, environment: [String: String])? = nil
    ) async throws -> (URL, EmulatorServer) {
        let server = try await emulator()
        let dir = try Builders.writeProject(assets: Self.file("a", count: count))
        for name in ["b", "c"] {
            try Self.file(name, count: count).write(
                to: dir.appendingPathComponent("assets/\(name).yaml"), atomically: true, encoding: .utf8)
        }
        if let state {
            let file = dir.appendingPathComponent("mediaform.yaml")
            try (try String(contentsOf: file, encoding: .utf8) + state.section).write(
                to: file, atomically: true, encoding: .utf8)
        }
        let workspace = await Workspace.open(
            directory: dir.path, environment: state?.environment ?? ProcessInfo.processInfo.environment)
        #expect(!workspace.project.hasErrors, "\(workspace.project.diagnostics)")
        _ = try applied(try await apply(workspace, server, wait: true))
        return (dir, server)
    }

    /// Runs apply of `workspace` against `server`, approved.
    private func apply(_ workspace: Workspace, _ server: EmulatorServer, wait: Bool = false) async throws
        -> ApplyRun.Outcome
    {
        let client = client(server)
        return try await ApplyRun(
            workspace: workspace, saved: nil, options: ApplyRun.Options(wait: wait),
            connect: { _ in APIConnection(client: client) }, approve: { _ in true }, stop: StopFlag(),
            events: { _ in }
        ).run()
    }

    static func file(_ name: String, count: Int, title: String = "Title") -> String {
        var text = "assets:\n"
        for i in 0..<count {
            text += "  - key: \(name)-\(i)\n    source: https://media.example.com/\(name)-\(i).mp4\n"
            text += "    title: \(title) \(i)\n"
        }
        return text
    }

    /// The plan of `dir` with the cache and without it, rendered as text and JSON, and the files skipped.
    private func plans(
        _ dir: URL, prune: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> (
        cached: String, full: String, skipped: [String], cachedDiagnostics: [Diagnostic], diagnostics: [Diagnostic]
    ) {
        func render(skip: Bool) async throws -> (String, [String], [Diagnostic]) {
            let (workspace, read) = await Workspace.openReadingState(
                directory: dir.path, skipUnchanged: skip, environment: environment)
            let state = try #require(try read?.get()).state
            let loaded = workspace.project
            let plan = Planner.plan(
                project: loaded.project, assets: loaded.assets, unchanged: loaded.unchangedKeys, state: state,
                prune: prune)
            let text =
                PlanRenderer.text(plan, color: false) + PlanRenderer.json(plan, generator: "test").prettyJSON
                + "\(loaded.assetCount) assets"
            return (text, loaded.files.filter(\.skipped).map(\.path), loaded.diagnostics)
        }
        let (cached, skipped, cachedDiagnostics) = try await render(skip: true)
        let (full, _, diagnostics) = try await render(skip: false)
        return (cached, full, skipped, cachedDiagnostics, diagnostics)
    }

    /// The project's local backend, as `Workspace` makes it.
    static func backend(_ dir: URL) -> LocalStateBackend {
        LocalStateBackend(
            statePath: dir.appendingPathComponent("mediaform.state.json").path,
            workDirectory: dir.appendingPathComponent(".mediaform").path)
    }

    private func state(_ dir: URL) async throws -> State {
        try await Self.backend(dir).read().state
    }

    @Test func applyRecordsEveryFileAndPlanSkipsThemAll() async throws {
        let (dir, _) = try await appliedProject()
        let cache = try #require(try await state(dir).manifestCache)
        #expect(cache.files.keys.sorted() == ["assets/a.yaml", "assets/b.yaml", "assets/c.yaml"])
        #expect(cache.files["assets/b.yaml"]?.keys == ["b-0", "b-1", "b-2", "b-3"])
        // Written before the records, where a plan finds it without reading them.
        let text = try String(contentsOf: dir.appendingPathComponent("mediaform.state.json"), encoding: .utf8)
        let cacheAt = try #require(text.range(of: "\"manifestCache\"")),
            assetsAt = try #require(text.range(of: "\"assets\""))
        #expect(cacheAt.lowerBound < assetsAt.lowerBound)
        #expect(State.peekManifestCache(Data(text.utf8)) == cache)

        let result = try await plans(dir)
        #expect(result.skipped.count == 3)
        #expect(result.cached == result.full)
        #expect(result.full.contains("No changes"))
    }

    /// With the state in PostgreSQL, a plan trusts the cache's record digests while the rows are those the cache
    /// was stamped with (schema version 5), and checks them again once any row changed. The trust rests on the
    /// tables' triggers: a row edited while they are disabled (as only the tables' owner can) goes unseen by a
    /// plan that uses the cache, which is why the stamp is checked and the triggers are mediaform's own.
    @Test(.enabled(if: TestDatabase.isAvailable)) func inPostgresTheRowsStampVouchesForTheRecords() async throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let name = TestDatabase.uniqueName()
        let environment = ProcessInfo.processInfo.environment.merging(TestDatabase.environment) { $1 }
        let (dir, server) = try await appliedProject(
            state: ("state:\n  backend: postgres\n  name: \(name)\n  schema: \(schema)\n", environment))
        let stateSettings = Project.StateSettings(backend: .postgres, name: name, schema: String(schema))
        let settings = try PostgresStateSettings.resolve(stateSettings, environment: environment)
        let backend = PostgresStateBackend(settings: stateSettings, environment: environment)
        #expect(try await backend.read().manifestCacheHolds)
        var result = try await plans(dir, environment: environment)
        #expect(result.skipped.count == 3)
        #expect(result.cached == result.full && result.full.contains("No changes"))

        let session = try await PostgresSession.connect(settings)
        let retitle = { (key: String, title: String) async throws in
            _ = try await session.query(
                "UPDATE \(schema).assets SET record = jsonb_set(record::jsonb, '{fields,title}', to_jsonb($2::text))::text WHERE state_name = $1 AND key = $3",
                .init(name, title, key), doing: "test")
        }
        try await retitle("b-1", "Edited in SQL")
        #expect(try await backend.read().manifestCacheHolds == false)
        result = try await plans(dir, environment: environment)
        #expect(result.skipped.isEmpty, "a stale entry: the load is done again in full")
        #expect(result.cached == result.full && result.full.contains("~ update b-1"))

        // What the trust rests on: with the triggers disabled, an edit leaves the stamp as it was.
        try await retitle("b-1", "Title 1")
        #expect(try await backend.read().manifestCacheHolds == false)
        // An apply with nothing to do stamps the cache again.
        let outcome = try await apply(await Workspace.open(directory: dir.path, environment: environment), server)
        guard case .noChanges = outcome else {
            Issue.record("expected no changes, got \(outcome)")
            return
        }
        #expect(try await backend.read().manifestCacheHolds)
        try await session.query("ALTER TABLE \(schema).assets DISABLE TRIGGER USER", doing: "test")
        try await retitle("c-2", "Edited unseen")
        try await session.query("ALTER TABLE \(schema).assets ENABLE TRIGGER USER", doing: "test")
        result = try await plans(dir, environment: environment)
        #expect(result.skipped.count == 3)
        #expect(result.cached.contains("No changes") && result.full.contains("~ update c-2"))
        await session.close()
    }

    @Test func aChangedFileIsParsedAndTheOthersSkipped() async throws {
        let (dir, _) = try await appliedProject()
        try Self.file("b", count: 5, title: "Renamed").write(
            to: dir.appendingPathComponent("assets/b.yaml"), atomically: true, encoding: .utf8)
        let result = try await plans(dir)
        #expect(result.skipped == ["assets/a.yaml", "assets/c.yaml"])
        #expect(result.cached == result.full)
        #expect(result.full.contains("+ create b-4") && result.full.contains("~ update b-0"))
        #expect(result.full.contains("13 assets"))
    }

    @Test func aFileThatLeftIsNotSkippedAndItsRecordsAreOrphans() async throws {
        let (dir, _) = try await appliedProject()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("assets/c.yaml"))
        let result = try await plans(dir, prune: true)
        #expect(result.skipped == ["assets/a.yaml", "assets/b.yaml"])
        #expect(result.cached == result.full)
        #expect(result.full.contains("- delete c-0"))
    }

    @Test func aRecordChangedOutsideTheFileIsNeverSkipped() async throws {
        let (dir, _) = try await appliedProject()
        // As a refresh would record a title changed in the console.
        let backend = Self.backend(dir)
        try await backend.withLock(operation: "test", timeout: 5) { lock, loaded in
            var record = try #require(loaded.state.assets["a-2"])
            record.fields.title = "Changed in the console"
            record.fingerprints.mutable = record.fields.fingerprint
            record.drift = [.title]
            record.updatedAt = "2026-02-01T00:00:00Z"
            _ = try await lock.commit([.put(key: "a-2", record: record)], onto: loaded)
        }
        let result = try await plans(dir)
        #expect(result.skipped.isEmpty, "a load with a stale entry is done again in full")
        #expect(result.cached == result.full)
        #expect(result.full.contains("~ update a-2"))
    }

    @Test func aNewFileRepeatingAKeyOrASourceOfASkippedOneGetsTheSameErrors() async throws {
        let (dir, _) = try await appliedProject()
        try """
        assets:
          - key: b-1
            source: https://media.example.com/new.mp4
            title: Same key
          - key: d-0
            source: https://MEDIA.example.com/c-3.mp4
            title: Same source
        """.write(to: dir.appendingPathComponent("assets/d.yaml"), atomically: true, encoding: .utf8)
        let result = try await plans(dir)
        #expect(result.skipped.isEmpty)
        #expect(result.cachedDiagnostics == result.diagnostics)
        #expect(result.diagnostics.filter { $0.severity == .error }.count == 2, "\(result.diagnostics)")
    }

    @Test func aChangedProjectFileOrCategoryRecordSkipsNothing() async throws {
        let (dir, _) = try await appliedProject()
        let projectFile = dir.appendingPathComponent("mediaform.yaml")
        try "version: 1\nregion: cn-shanghai\ndefaults:\n  tags: [added]\n".write(
            to: projectFile, atomically: true, encoding: .utf8)
        var result = try await plans(dir)
        #expect(result.skipped.isEmpty)
        #expect(result.cached == result.full && result.full.contains("~ update a-0"))

        try "version: 1\nregion: cn-shanghai\n".write(to: projectFile, atomically: true, encoding: .utf8)
        let backend = Self.backend(dir)
        try await backend.withLock(operation: "test", timeout: 5) { lock, loaded in
            _ = try await lock.commit(
                [.category(path: "Courses", record: CategoryRecord(id: 77, name: "Courses"))], onto: loaded)
        }
        result = try await plans(dir)
        #expect(result.skipped.isEmpty)
        #expect(result.cached == result.full)
    }

    @Test func anApplyWithNothingToDoRecordsAMissingCache() async throws {
        let (dir, server) = try await appliedProject()
        let backend = Self.backend(dir)
        // As left by an earlier mediaform: no cache.
        try await backend.withLock(operation: "test", timeout: 5) { lock, loaded in
            var state = loaded.state
            state.manifestCache = nil
            try await lock.writeSnapshot(state, unresolved: [])
        }
        #expect(try await state(dir).manifestCache == nil)
        let workspace = await Workspace.open(directory: dir.path)
        let outcome = try await apply(workspace, server)
        guard case .noChanges = outcome else {
            Issue.record("expected no changes, got \(outcome)")
            return
        }
        let recorded = try await state(dir)
        #expect(recorded.manifestCache?.files.count == 3)
        // Recorded once: a second apply with nothing to do writes nothing.
        _ = try await apply(workspace, server)
        #expect(try await state(dir).serial == recorded.serial)
    }

    @Test func aFileWithWarningsOrIgnoredChangesIsNotCached() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(
            assets: Self.file("a", count: 2)
                + "  - key: a-9\n    source: https://media.example.com/a-9.mp4\n    title: T\n"
                + "    ignoreChanges: [title]\n")
        try Self.file("b", count: 2).write(
            to: dir.appendingPathComponent("assets/b.yaml"), atomically: true, encoding: .utf8)
        _ = try applied(try await apply(await Workspace.open(directory: dir.path), server, wait: true))
        #expect(try await state(dir).manifestCache?.files.keys.sorted() == ["assets/b.yaml"])
        let result = try await plans(dir)
        #expect(result.skipped == ["assets/b.yaml"])
        #expect(result.cached == result.full)
    }
}
