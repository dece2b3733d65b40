import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

@testable import MediaformKit

/// The backend contract, run against every backend: the local file and PostgreSQL (the throw-away cluster of
/// `Scripts/test`). Whatever stores the state, apply relies on exactly these behaviours.
@Suite struct BackendConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case local, postgres
        var testDescription: String { rawValue }

        /// The backends this run can test: PostgreSQL only with a test database (always in CI, where
        /// `postgresIsAvailableUnderCI` fails the run otherwise). A missing case shows in the test count; no
        /// test passes by returning early.
        static var testable: [Kind] { TestDatabase.isAvailable ? allCases : [.local] }
    }

    /// A backend holding no state yet.
    static func makeBackend(_ kind: Kind) throws -> any StateBackend {
        switch kind {
        case .local:
            let dir = try Fixtures.temporaryDirectory()
            return LocalStateBackend(
                statePath: dir.appendingPathComponent("mediaform.state.json").path,
                workDirectory: dir.appendingPathComponent(".mediaform").path, clock: { Builders.time })
        case .postgres:
            return TestDatabase.backend()
        }
    }

    /// Locks `backend`, changes its state with `change`, writes the snapshot and releases the lock.
    @discardableResult
    static func commit(_ backend: any StateBackend, _ change: (inout State) -> Void) async throws -> State {
        let (lock, loaded) = try await backend.lock(operation: "test", timeout: 0)
        var state = loaded.state
        change(&state)
        let written = try await lock.writeSnapshot(state, unresolved: [])
        await lock.release()
        return written
    }

    static func records(_ count: Int, prefix: String = "asset") -> [String: AssetRecord] {
        let state = Builders.state((0..<count).map { Builders.asset("\(prefix)-\($0)") })
        return state.assets
    }

    @Test func postgresIsAvailableUnderCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(
                TestDatabase.isAvailable,
                "CI must run the PostgreSQL cases: Scripts/test starts a cluster and sets MEDIAFORM_TEST_PG_URL")
        }
    }

    @Test(arguments: Kind.testable) func noStateReadsAsEmpty(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let loaded = try await b.read()
        #expect(!loaded.exists)
        #expect(loaded.state.assets.isEmpty && loaded.state.lineage.isEmpty && loaded.state.serial == 0)
        #expect(loaded.unresolved.isEmpty)
    }

    @Test(arguments: Kind.testable) func journalIsFoldedBeforeTheSnapshotAndSnapshotsCountSerials(_ kind: Kind)
        async throws
    {
        let b = try Self.makeBackend(kind)
        let records = Self.records(3)
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        try await lock.append([.intent(Intent(id: "i1", operation: .upload, keys: ["asset-0", "asset-1"]))])
        try await lock.append([
            .put(key: "asset-0", record: records["asset-0"]!), .put(key: "asset-1", record: records["asset-1"]!),
            .done(intentId: "i1"),
        ])
        // A reader (a plan on another runner) sees the journal folded in before any snapshot exists.
        let midway = try await b.read()
        #expect(midway.exists)
        #expect(midway.state.assets.count == 2 && midway.state.assets["asset-0"] == records["asset-0"])
        #expect(midway.unresolved.isEmpty)
        var state = loaded.state
        state.assets = records
        let written = try await lock.writeSnapshot(state, unresolved: [])
        #expect(written.serial == 1 && !written.lineage.isEmpty)
        await lock.release()

        let first = try await b.read()
        #expect(first.state.serial == 1 && first.state.assets == records && first.state.lineage == written.lineage)
        // Second write: one changed, one removed; the lineage stays.
        let (lock2, loaded2) = try await b.lock(operation: "test", timeout: 0)
        #expect(loaded2.state.assets == records)
        var next = loaded2.state
        next.assets["asset-1"]?.status = .failed
        next.assets["asset-1"]?.lastError = RecordedError(code: "Boom", message: "it \"broke\"\nbadly ✗")
        next.assets["asset-2"] = nil
        try await lock2.writeSnapshot(next, unresolved: [])
        await lock2.release()
        let second = try await b.read()
        #expect(second.state.serial == 2 && second.state.lineage == first.state.lineage)
        #expect(second.state.assets == next.assets)
    }

    @Test(arguments: Kind.testable) func aMoveIsJournaledAsOneRecordAndSnapshotted(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let records = Self.records(2)
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        var state = loaded.state
        state.assets = records
        _ = try await lock.writeSnapshot(state, unresolved: [])
        // A run that moved a record and then died before its snapshot: the journal alone carries the move.
        try await lock.append([.move(from: "asset-0", to: "renamed")])
        let midway = try await b.read()
        #expect(midway.state.assets.keys.sorted() == ["asset-1", "renamed"])
        #expect(midway.state.assets["renamed"] == records["asset-0"])
        await lock.release()

        // state mv: refused onto an existing key or from a missing one, else moved and snapshotted.
        await #expect(throws: StateEdit.Failure.alreadyInState("asset-1")) {
            _ = try await StateEdit.move(from: "renamed", to: "asset-1", in: b, lockTimeout: 0)
        }
        await #expect(throws: StateEdit.Failure.self) {
            _ = try await StateEdit.move(from: "asset-0", to: "x", in: b, lockTimeout: 0)
        }
        let written = try await StateEdit.move(from: "asset-1", to: "other", in: b, lockTimeout: 0)
        #expect(written.assets.keys.sorted() == ["other", "renamed"])
        let reread = try await b.read()
        #expect(reread.state.assets == written.assets && reread.state.serial == written.serial)
        #expect(reread.state.assets["other"]?.mediaId == records["asset-1"]?.mediaId)
    }

    @Test(arguments: Kind.testable) func categoriesAreJournaledSnapshottedAndRenamedOnRecord(_ kind: Kind)
        async throws
    {
        let b = try Self.makeBackend(kind)
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        try await lock.append([
            .category(path: "Courses", record: CategoryRecord(id: 10, name: "Courses")),
            .category(path: "Courses/Go", record: CategoryRecord(id: 11, name: "Go")),
            .category(path: "Gone", record: CategoryRecord(id: 12, name: "Gone")),
            .category(path: "Gone", record: nil),
        ])
        await lock.release()
        // Folded from the journal, then from the snapshot.
        #expect(try await b.read().state.categories.keys.sorted() == ["Courses", "Courses/Go"])
        let written = try await StateEdit.moveCategory(from: "Courses/Go", to: "Courses/Golang", in: b, lockTimeout: 0)
        #expect(written.categories["Courses/Golang"] == CategoryRecord(id: 11, name: "Go"))
        let reread = try await b.read()
        #expect(reread.state.categories == written.categories && reread.state.serial == written.serial)
        _ = loaded
    }

    @Test(arguments: Kind.testable) func theManifestCacheIsSnapshottedAndOfferedBeforeTheRecords(_ kind: Kind)
        async throws
    {
        let b = try Self.makeBackend(kind)
        #expect(b.keepsManifestCache)
        #expect(await b.peekManifestCache() == nil)
        let written = try await Self.commit(b) { state in
            state.assets = Self.records(3)
            let keys = state.assets.keys.sorted()
            state.manifestCache = ManifestCache(
                project: "p", categories: ManifestCache.categoriesDigest([:]),
                files: [
                    "assets/a.yaml": ManifestCache.Entry(
                        digest: "d", keys: keys, records: ManifestCache.recordsDigest(keys, in: state) ?? "")
                ])
        }
        #expect(try await b.read().state.manifestCache == written.manifestCache)
        #expect(await b.peekManifestCache() == written.manifestCache)
        // Dropped when a later write has none.
        try await Self.commit(b) { $0.manifestCache = nil }
        #expect(try await b.read().state.manifestCache == nil)
        #expect(await b.peekManifestCache() == nil)
    }

    @Test(arguments: Kind.testable) func openIntentsSurviveASnapshotUntilTheirDone(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let open = Intent(id: "open", operation: .upload, keys: ["x"])
        do {
            let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
            try await lock.append([
                .intent(open), .intent(Intent(id: "closed", operation: .upload, keys: ["y"])),
                .done(intentId: "closed"),
            ])
            try await lock.writeSnapshot(loaded.state, unresolved: [open])
            await lock.release()
        }
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        #expect(loaded.unresolved == [open])
        try await lock.append([.done(intentId: "open")])
        await lock.release()
        #expect(try await b.read().unresolved.isEmpty)
        let (lock2, loaded2) = try await b.lock(operation: "test", timeout: 0)
        #expect(loaded2.unresolved.isEmpty)
        // New records after a snapshot with open intents are numbered after them, so they are not skipped.
        let record = Self.records(1)["asset-0"]!
        try await lock2.append([.put(key: "asset-0", record: record)])
        await lock2.release()
        #expect(try await b.read().state.assets["asset-0"] == record)
    }

    @Test(arguments: Kind.testable) func aHeldLockIsAnErrorNamingTheHolderAfterTheTimeout(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let (held, _) = try await b.lock(operation: "apply", timeout: 0)
        #expect(held.info.pid == getpid())
        do {
            _ = try await b.lock(operation: "plan", timeout: 0.3)
            Issue.record("second lock succeeded")
        } catch {
            guard case .locked(let info, let waited) = error else { Issue.record("\(error)"); return }
            #expect(info?.id == held.info.id)
            #expect(info?.operation == "apply" && info?.pid == getpid() && info?.host == held.info.host)
            #expect(waited >= 0.3)
            #expect(error.description.contains("mediaform force-unlock \(held.info.id)"))
        }
        await held.release()
    }

    @Test(arguments: Kind.testable) func lockTimeoutWaitsForTheHolderToRelease(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let (held, _) = try await b.lock(operation: "apply", timeout: 0)
        Task {
            try await Task.sleep(for: .milliseconds(500))
            await held.release()
        }
        let start = Date()
        let (lock, _) = try await b.lock(operation: "apply", timeout: 20)
        #expect(Date().timeIntervalSince(start) >= 0.4)
        #expect(lock.warnings.isEmpty)
        await lock.release()
    }

    @Test(arguments: Kind.testable) func ciRunIsRecordedWithTheHolder(_ kind: Kind) async throws {
        #expect(
            CIRun.current([
                "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/media", "GITHUB_RUN_ID": "42",
            ])
                == "https://github.com/acme/media/actions/runs/42")
        #expect(
            CIRun.current(["CI_JOB_URL": "https://gitlab.example.com/acme/media/-/jobs/7"])
                == "https://gitlab.example.com/acme/media/-/jobs/7")
        #expect(CIRun.current([:]) == nil)
        let b = try Self.makeBackend(kind)
        let (held, _) = try await b.lock(operation: "apply", timeout: 0)
        do {
            _ = try await b.lock(operation: "plan", timeout: 0)
        } catch {
            guard case .locked(let info, _) = error else { Issue.record("\(error)"); return }
            #expect(info?.ciRun == held.info.ciRun)
        }
        await held.release()
    }

    @Test(arguments: Kind.testable) func forceUnlockChecksTheID(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        await #expect(throws: StateError.self) { try await b.forceUnlock(id: "nope") }
        let (held, _) = try await b.lock(operation: "apply", timeout: 0)
        do {
            _ = try await b.forceUnlock(id: "nope")
            Issue.record("force-unlock with a wrong ID succeeded")
        } catch {
            #expect(error == .lockMismatch(given: "nope", current: held.info))
        }
        switch kind {
        case .local:
            // The holder runs on this machine: breaking its lock is refused.
            await #expect(throws: StateError.lockHeldByLiveProcess(held.info)) {
                try await b.forceUnlock(id: held.info.id)
            }
        case .postgres:
            // The holder's session is ended; it cannot write any more, and the lock is free.
            #expect(try await b.forceUnlock(id: held.info.id) == held.info)
            await #expect(throws: StateError.self) {
                try await held.append([.intent(Intent(id: "late", operation: .upload, keys: ["a"]))])
            }
            let (next, loaded) = try await b.lock(operation: "apply", timeout: 0)
            #expect(loaded.unresolved.isEmpty)
            #expect(next.warnings.isEmpty)
            await next.release()
        }
        await held.release()
    }

    @Test(arguments: Kind.testable) func aCopyKeepsLineageSerialAndOpenIntents(_ kind: Kind) async throws {
        let source = try Self.makeBackend(kind)
        let open = Intent(id: "open", operation: .upload, keys: ["asset-1"])
        do {
            let (lock, loaded) = try await source.lock(operation: "test", timeout: 0)
            var state = loaded.state
            state.assets = Self.records(25)
            let first = try await lock.writeSnapshot(state, unresolved: [])
            try await lock.writeSnapshot(first, unresolved: [])
            try await lock.append([.intent(open), .remove(key: "asset-3")])
            await lock.release()
        }
        let original = try await source.read()
        #expect(original.state.serial == 2 && original.unresolved == [open])
        // Through every other backend and back.
        for other in Kind.testable {
            let middle = try Self.makeBackend(other)
            let back = try Self.makeBackend(kind)
            let there = try await StateMigration.copy(from: source, to: middle, lockTimeout: 0)
            #expect(!there.alreadyCopied && there.assets == 24 && there.unresolved == 1 && there.serial == 2)
            let again = try await StateMigration.copy(from: source, to: middle, lockTimeout: 0)
            #expect(again.alreadyCopied)
            _ = try await StateMigration.copy(from: middle, to: back, lockTimeout: 0)
            let result = try await back.read()
            #expect(StateMigration.same(result.state, original.state))
            #expect(result.state.assets == original.state.assets && result.unresolved == original.unresolved)
            // The copy goes on like the original: the next write is serial 3 of the same lineage.
            let (lock, loaded) = try await back.lock(operation: "test", timeout: 0)
            #expect(loaded.unresolved == [open])
            try await lock.append([.done(intentId: "open")])
            let written = try await lock.writeSnapshot(loaded.state, unresolved: [])
            await lock.release()
            #expect(written.serial == 3 && written.lineage == original.state.lineage)
        }
    }

    @Test(arguments: Kind.testable) func migrationRefusesADestinationWithAnotherState(_ kind: Kind) async throws {
        let source = try Self.makeBackend(kind)
        let destination = try Self.makeBackend(kind)
        for b in [source, destination] {
            let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
            var state = loaded.state
            state.assets = Self.records(2)
            try await lock.writeSnapshot(state, unresolved: [])
            await lock.release()
        }
        do {
            _ = try await StateMigration.copy(from: source, to: destination, lockTimeout: 0)
            Issue.record("overwrote another state")
        } catch {
            #expect("\(error)".contains("already holds a state"))
        }
        // And the source must exist.
        let empty = try Self.makeBackend(kind)
        await #expect(throws: StateError.self) {
            try await StateMigration.copy(from: empty, to: destination, lockTimeout: 0)
        }
    }

    @Test(arguments: Kind.testable) func largeStatesRoundTripAndSmallChangesStaySmall(_ kind: Kind) async throws {
        let b = try Self.makeBackend(kind)
        let records = Self.records(12_000)
        try await Self.commit(b) { $0.assets = records }
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        #expect(loaded.state.assets == records)
        var state = loaded.state
        state.assets["asset-7"]?.mediaId = "changed"
        state.assets["asset-8"] = nil
        try await lock.writeSnapshot(state, unresolved: [])
        await lock.release()
        let read = try await b.read()
        #expect(read.state.assets.count == 11_999 && read.state.assets["asset-7"]?.mediaId == "changed")
        #expect(read.state.assets == state.assets)
    }
}

/// PostgreSQL-only behaviour: schema versions, the fence on concurrent writers, secrets in errors.
@Suite(.enabled(if: TestDatabase.isAvailable)) struct PostgresBackendTests {
    func settings(schema: String = Project.StateSettings.defaultSchema) async throws -> PostgresStateSettings {
        try PostgresStateSettings.resolve(
            Project.StateSettings(backend: .postgres, name: TestDatabase.uniqueName(), schema: schema),
            environment: TestDatabase.environment)
    }

    @Test func concurrentFirstRunsCreateTheSchemaOnce() async throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let failures = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let backend = PostgresStateBackend(
                        settings: Project.StateSettings(
                            backend: .postgres, name: TestDatabase.uniqueName(), schema: String(schema)),
                        environment: TestDatabase.environment)
                    do {
                        let (held, _) = try await backend.lock(operation: "test", timeout: 5)
                        await held.release()
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
        }
        #expect(failures.isEmpty, "\(failures)")
        let session = try await PostgresSession.connect(try await settings(schema: String(schema)))
        #expect(try await PostgresSchema.installedVersion(session) == PostgresSchema.latest)
        await session.close()
    }

    @Test func aNewerSchemaIsRefusedNotTouched() async throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let settings = try await settings(schema: String(schema))
        let backend = PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: settings.name, schema: settings.schema),
            environment: TestDatabase.environment)
        let (held, _) = try await backend.lock(operation: "test", timeout: 0)
        await held.release()
        let session = try await PostgresSession.connect(settings)
        try await session.query(
            "INSERT INTO \(schema).schema_migrations (version, generator) VALUES (99, 'future')", doing: "test")
        await session.close()
        for attempt in [
            { _ = try await backend.read() }, { _ = try await backend.lock(operation: "test", timeout: 0) },
        ]
            as [() async throws -> Void]
        {
            do {
                try await attempt()
                Issue.record("a newer schema was used")
            } catch {
                #expect("\(error)".contains("version 99, newer than this mediaform understands"))
            }
        }
    }

    /// Rows are decoded in batches while they arrive: every record of a state larger than several batches is
    /// read, and a row that is not a record is a located error naming its key, whatever batch it is in.
    @Test func rowsDecodedInBatchesAreAllReadAndABadRowIsLocated() async throws {
        let name = TestDatabase.uniqueName()
        let backend = TestDatabase.backend(name: name)
        let records = BackendConformanceTests.records(3 * PostgresStateBackend.RowDecoder.batchSize + 100)
        try await BackendConformanceTests.commit(backend) { $0.assets = records }
        #expect(try await backend.read().state.assets == records)
        let settings = try PostgresStateSettings.resolve(
            Project.StateSettings(backend: .postgres, name: name), environment: TestDatabase.environment)
        let session = try await PostgresSession.connect(settings)
        try await session.query(
            "UPDATE \(settings.schema).assets SET record = '{\"source\": 7' WHERE state_name = '\(name)' AND key = 'asset-20000'",
            doing: "test")
        await session.close()
        do {
            _ = try await backend.read()
            Issue.record("a bad row was read")
        } catch {
            #expect("\(error)".contains("asset-20000"), "\(error)")
        }
    }

    /// How many asset rows of state `name` have `text` in their record.
    static func rows(of name: String, containing text: String, session: PostgresSession) async throws -> Int64 {
        let rows = try await session.query(
            "SELECT count(*) FROM \(session.settings.schema).assets WHERE state_name = $1 AND strpos(record, $2) > 0",
            .init(name, text), doing: "test")
        return rows.first.flatMap { Array($0).first?.int } ?? -1
    }

    /// Rows a format 1 mediaform wrote read as before, and the next snapshot rewrites them all in format 2, in the
    /// transaction that sets the header's `format_version`.
    @Test func formatOneRowsReadAndTheNextSnapshotConvertsThemAll() async throws {
        let name = TestDatabase.uniqueName()
        let backend = TestDatabase.backend(name: name)
        let records = BackendConformanceTests.records(300)
        try await BackendConformanceTests.commit(backend) { $0.assets = records }
        let settings = try backend.resolved()
        let t = "\(settings.schema)"
        let session = try await PostgresSession.connect(settings)
        // As format 1 wrote them: every fingerprint and upload input written out (`AssetRecord.json`).
        try await session.query(
            "UPDATE \(t).states SET format_version = 1 WHERE name = $1", .init(name), doing: "test")
        for (key, record) in records {
            try await session.query(
                "UPDATE \(t).assets SET record = $3 WHERE state_name = $1 AND key = $2",
                .init(name, key, record.json.canonicalJSON), doing: "test")
        }
        func rows(containing text: String) async throws -> Int64 {
            try await Self.rows(of: name, containing: text, session: session)
        }
        #expect(try await rows(containing: "\"fingerprints\"") == 300)
        #expect(try await backend.read().state.assets == records)

        let (lock, loaded) = try await backend.lock(operation: "test", timeout: 0)
        try await lock.writeSnapshot(loaded.state, unresolved: [])
        await lock.release()
        #expect(try await rows(containing: "\"fingerprints\"") == 0)
        // Every record has the project's app: written once, in the header's `upload_defaults`.
        #expect(try await rows(containing: "\"uploadInputs\"") == 0)
        let header = try await session.query(
            "SELECT format_version FROM \(t).states WHERE name = $1", .init(name), doing: "test")
        #expect(header.first.flatMap { Array($0).first?.int } == Int64(State.formatVersion))
        await session.close()
        #expect(try await backend.read().state.assets == records)
    }

    /// Rows leave out the upload inputs most records share (`upload_defaults` in the header, schema version 4):
    /// rows written before it (each with all of its inputs, no defaults) read as before and are all rewritten by
    /// the next snapshot; later snapshots write only the rows that changed, until most rows are written anyway,
    /// when the defaults are chosen again.
    @Test func rowsLeaveOutTheUploadInputsMostRecordsShare() async throws {
        let name = TestDatabase.uniqueName()
        let backend = TestDatabase.backend(name: name)
        var records = BackendConformanceTests.records(300)
        // A fifth with a workflow of their own, one with no inputs recorded at all (an early mediaform's record).
        for (i, asset) in (0..<60).map({ Builders.asset("odd-\($0)", workflow: "wf-\($0 % 3)") }).enumerated() {
            records[asset.key] = AssetRecord(
                asset: asset, appId: "app-other", status: .ready, jobId: "j\(i)", mediaId: "m\(i)", time: Builders.time)
        }
        records["asset-0"]?.uploadInputs = nil
        try await BackendConformanceTests.commit(backend) { $0.assets = records }
        let settings = try backend.resolved()
        let t = "\(settings.schema)"
        let session = try await PostgresSession.connect(settings)
        func rows(containing text: String) async throws -> Int64 {
            try await Self.rows(of: name, containing: text, session: session)
        }
        func defaults() async throws -> String? {
            let rows = try await session.query(
                "SELECT upload_defaults FROM \(t).states WHERE name = $1", .init(name), doing: "test")
            return rows.first.flatMap { Array($0).first?.text }
        }
        #expect(try await defaults() == #"{"appId":"\#(Project.defaultAppId)"}"#)
        #expect(try await rows(containing: "\"appId\"") == 60)
        #expect(try await rows(containing: "\"workflow\"") == 60)
        #expect(try await rows(containing: #""uploadInputs":null"#) == 1)
        #expect(try await backend.read().state.assets == records)

        // As schema version 3 wrote them: no defaults, every row with all of its inputs.
        try await session.query(
            "UPDATE \(t).states SET upload_defaults = NULL WHERE name = $1", .init(name), doing: "test")
        for (key, record) in records {
            try await session.query(
                "UPDATE \(t).assets SET record = $3 WHERE state_name = $1 AND key = $2",
                .init(name, key, record.storedJSON(uploadDefaults: nil).canonicalJSON), doing: "test")
        }
        #expect(try await rows(containing: "\"appId\"") == 359)
        #expect(try await backend.read().state.assets == records)
        // One record changes; every row is rewritten against the defaults, in the same transaction.
        try await BackendConformanceTests.commit(backend) { $0.assets["asset-1"]?.mediaId = "changed" }
        records["asset-1"]?.mediaId = "changed"
        #expect(try await defaults() == #"{"appId":"\#(Project.defaultAppId)"}"#)
        #expect(try await rows(containing: "\"appId\"") == 60)
        #expect(try await backend.read().state.assets == records)

        // A snapshot that changes a few records writes their rows only: a row edited by hand (the same record,
        // spelled with a space more) stays as it is.
        try await session.query(
            "UPDATE \(t).assets SET record = replace(record, '{\"createdAt\"', '{ \"createdAt\"') WHERE state_name = $1 AND key = 'asset-9'",
            .init(name), doing: "test")
        try await BackendConformanceTests.commit(backend) { $0.assets["asset-2"]?.mediaId = "changed" }
        records["asset-2"]?.mediaId = "changed"
        #expect(try await rows(containing: "{ \"createdAt\"") == 1)
        #expect(try await backend.read().state.assets == records)

        // Most records move to another app: the defaults follow them, and every row is written against them.
        try await BackendConformanceTests.commit(backend) { state in
            for key in state.assets.keys where key.hasPrefix("asset-") && key != "asset-0" {
                state.assets[key]?.uploadInputs = ["appId": .string("app-new")]
            }
        }
        #expect(try await defaults() == #"{"appId":"app-new"}"#)
        #expect(try await rows(containing: "\"appId\"") == 60)
        #expect(try await rows(containing: "{ \"createdAt\"") == 0)
        let moved = try await backend.read().state.assets
        #expect(moved["asset-5"]?.uploadInputs == ["appId": .string("app-new")])
        #expect(moved["odd-5"] == records["odd-5"] && moved["asset-0"]?.uploadInputs == nil)

        // Unlike the manifest cache, defaults that cannot be read are an error: the rows cannot be read without them.
        try await session.query(
            "UPDATE \(t).states SET upload_defaults = '[1]' WHERE name = $1", .init(name), doing: "test")
        await session.close()
        do {
            _ = try await backend.read()
            Issue.record("rows were read without their defaults")
        } catch {
            #expect("\(error)".contains("states.upload_defaults"), "\(error)")
        }
    }

    /// A state whose records the manifest cache of `keys` (one file) was made from.
    static func cached(_ state: inout State) {
        let keys = state.assets.keys.sorted()
        state.manifestCache = ManifestCache(
            project: "project", categories: ManifestCache.categoriesDigest(state.categories),
            files: [
                "assets/a.yaml": .init(
                    digest: "file", keys: keys, records: ManifestCache.recordsDigest(keys, in: state) ?? "")
            ])
    }

    /// A snapshot stamps the manifest cache it writes with the rows (schema version 5), when the cache holds for
    /// the records written; any later write of a row, by anyone, or of the upload defaults, and any journal record,
    /// make a read say the cache no longer holds, so that a plan checks the records' digests again.
    @Test func theManifestCacheIsStampedWithTheRowsAndAnyLaterChangeUnstampsIt() async throws {
        let name = TestDatabase.uniqueName()
        let backend = TestDatabase.backend(name: name)
        let holds = { () async throws -> Bool in try await backend.read().manifestCacheHolds }
        try await BackendConformanceTests.commit(backend) { $0.assets = BackendConformanceTests.records(40) }
        #expect(try await holds() == false, "no cache, nothing to vouch for")
        try await BackendConformanceTests.commit(backend) { Self.cached(&$0) }
        #expect(try await holds())

        let settings = try backend.resolved()
        let session = try await PostgresSession.connect(settings)
        let sql = { (text: String) async throws in
            _ = try await session.query(text, .init(name), doing: "test")
        }
        // A row written again as it was still counts: the triggers do not compare.
        try await sql("UPDATE \(settings.schema).assets SET record = record WHERE state_name = $1 AND key = 'asset-3'")
        #expect(try await holds() == false)
        // A snapshot of the same records stamps the same cache again.
        try await BackendConformanceTests.commit(backend) { _ in }
        #expect(try await holds())
        // A record edited by hand: the cache no longer holds for it, so the next snapshot leaves it unstamped.
        try await sql(
            "UPDATE \(settings.schema).assets SET record = jsonb_set(record::jsonb, '{fields,title}', '\"Edited\"')::text WHERE state_name = $1 AND key = 'asset-5'"
        )
        #expect(try await backend.read().state.assets["asset-5"]?.fields.title == "Edited")
        try await BackendConformanceTests.commit(backend) { _ in }
        #expect(try await holds() == false)
        try await BackendConformanceTests.commit(backend) { Self.cached(&$0) }
        #expect(try await holds())
        // A row deleted, and the upload defaults the rows are read against.
        try await sql("DELETE FROM \(settings.schema).assets WHERE state_name = $1 AND key = 'asset-7'")
        #expect(try await holds() == false)
        try await BackendConformanceTests.commit(backend) { Self.cached(&$0) }
        #expect(try await holds())
        try await sql("UPDATE \(settings.schema).states SET upload_defaults = '{}' WHERE name = $1")
        #expect(try await holds() == false)
        try await BackendConformanceTests.commit(backend) { Self.cached(&$0) }
        #expect(try await holds())
        await session.close()

        // A journal record (an apply under way, or interrupted) changes the records after the rows.
        let (lock, loaded) = try await backend.lock(operation: "test", timeout: 0)
        var record = try #require(loaded.state.assets["asset-1"])
        record.fields.title = "Journaled"
        try await lock.append([.put(key: "asset-1", record: record)])
        #expect(try await holds() == false)
        _ = try await lock.writeSnapshot(
            {
                var s = loaded.state; s.assets["asset-1"] = record; Self.cached(&s); return s
            }(), unresolved: [])
        await lock.release()
        #expect(try await holds())
        // Another state's rows are not this one's.
        try await BackendConformanceTests.commit(TestDatabase.backend()) {
            $0.assets = BackendConformanceTests.records(3)
        }
        #expect(try await holds())
    }

    @Test func aWriteAfterSomeoneElseChangedTheStateIsRefused() async throws {
        let backend = TestDatabase.backend()
        let (lock, loaded) = try await backend.lock(operation: "test", timeout: 0)
        try await lock.writeSnapshot(loaded.state, unresolved: [])
        let settings = try backend.resolved()
        let session = try await PostgresSession.connect(settings)
        try await session.query(
            "UPDATE mediaform.states SET serial = 41 WHERE name = $1", .init(settings.name), doing: "test")
        await session.close()
        do {
            try await lock.writeSnapshot(loaded.state, unresolved: [])
            Issue.record("wrote over a changed state")
        } catch {
            #expect("\(error)".contains("was changed by someone else"))
        }
        await lock.release()
    }

    @Test func errorsNameTheServerButNeverThePassword() async throws {
        let url = try #require(TestDatabase.url)
        guard case .success(var parsed) = PostgresURL.parse(url) else { Issue.record("bad test URL"); return }
        let password = try #require(parsed.password)
        parsed.password = "wrong-\(password)"
        let wrong = url.replacingOccurrences(of: ":\(password)@", with: ":wrong-\(password)@")
        let backend = PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: "x"),
            environment: [PostgresStateSettings.urlVariable: wrong])
        do {
            _ = try await backend.read()
            Issue.record("a wrong password connected")
        } catch {
            #expect(!error.description.contains(password))
            #expect(error.description.contains("password authentication failed"))
            #expect(error.description.contains("mediaform:***@127.0.0.1"))
        }
        #expect(!backend.name.contains(password))
        // A closed port: a network error, still redacted.
        let closed = PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: "x"),
            environment: [
                PostgresStateSettings.urlVariable: "postgres://u:\(password)@127.0.0.1:1/db?connect_timeout=2"
            ])
        do {
            _ = try await closed.read()
            Issue.record("connected to port 1")
        } catch {
            #expect(!error.description.contains(password))
            #expect(error.description.contains("cannot connect to postgres://u:***@127.0.0.1:1/db"))
        }
    }
}
