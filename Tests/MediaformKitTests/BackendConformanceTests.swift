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
    }

    /// A backend holding no state yet; nil for postgres when no test database is configured (outside CI only:
    /// `postgresIsAvailableUnderCI` fails the run in CI).
    static func makeBackend(_ kind: Kind) throws -> (any StateBackend)? {
        switch kind {
        case .local:
            let dir = try Fixtures.temporaryDirectory()
            return LocalStateBackend(
                statePath: dir.appendingPathComponent("mediaform.state.json").path,
                workDirectory: dir.appendingPathComponent(".mediaform").path, clock: { Builders.time })
        case .postgres:
            guard TestDatabase.isAvailable else { return nil }
            return TestDatabase.backend()
        }
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

    @Test(arguments: Kind.allCases) func noStateReadsAsEmpty(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let loaded = try b.read()
        #expect(!loaded.exists)
        #expect(loaded.state.assets.isEmpty && loaded.state.lineage.isEmpty && loaded.state.serial == 0)
        #expect(loaded.unresolved.isEmpty)
    }

    @Test(arguments: Kind.allCases) func journalIsFoldedBeforeTheSnapshotAndSnapshotsCountSerials(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let records = Self.records(3)
        let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
        try lock.append([.intent(Intent(id: "i1", operation: "upload", keys: ["asset-0", "asset-1"]))])
        try lock.append([
            .put(key: "asset-0", record: records["asset-0"]!), .put(key: "asset-1", record: records["asset-1"]!),
            .done(intentId: "i1"),
        ])
        // A reader (a plan on another runner) sees the journal folded in before any snapshot exists.
        let midway = try b.read()
        #expect(midway.exists)
        #expect(midway.state.assets.count == 2 && midway.state.assets["asset-0"] == records["asset-0"])
        #expect(midway.unresolved.isEmpty)
        var state = loaded.state
        state.assets = records
        let written = try lock.writeSnapshot(state, unresolved: [])
        #expect(written.serial == 1 && !written.lineage.isEmpty)
        lock.release()

        let first = try b.read()
        #expect(first.state.serial == 1 && first.state.assets == records && first.state.lineage == written.lineage)
        // Second write: one changed, one removed; the lineage stays.
        let (lock2, loaded2) = try b.lock(operation: "test", timeout: 0)
        #expect(loaded2.state.assets == records)
        var next = loaded2.state
        next.assets["asset-1"]?.status = .failed
        next.assets["asset-1"]?.lastError = RecordedError(code: "Boom", message: "it \"broke\"\nbadly ✗")
        next.assets["asset-2"] = nil
        try lock2.writeSnapshot(next, unresolved: [])
        lock2.release()
        let second = try b.read()
        #expect(second.state.serial == 2 && second.state.lineage == first.state.lineage)
        #expect(second.state.assets == next.assets)
    }

    @Test(arguments: Kind.allCases) func openIntentsSurviveASnapshotUntilTheirDone(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let open = Intent(id: "open", operation: "upload", keys: ["x"])
        do {
            let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
            try lock.append([
                .intent(open), .intent(Intent(id: "closed", operation: "upload", keys: ["y"])),
                .done(intentId: "closed"),
            ])
            try lock.writeSnapshot(loaded.state, unresolved: [open])
            lock.release()
        }
        let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
        #expect(loaded.unresolved == [open])
        try lock.append([.done(intentId: "open")])
        lock.release()
        #expect(try b.read().unresolved.isEmpty)
        let (lock2, loaded2) = try b.lock(operation: "test", timeout: 0)
        #expect(loaded2.unresolved.isEmpty)
        // New records after a snapshot with open intents are numbered after them, so they are not skipped.
        let record = Self.records(1)["asset-0"]!
        try lock2.append([.put(key: "asset-0", record: record)])
        lock2.release()
        #expect(try b.read().state.assets["asset-0"] == record)
    }

    @Test(arguments: Kind.allCases) func aHeldLockIsAnErrorNamingTheHolderAfterTheTimeout(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let (held, _) = try b.lock(operation: "apply", timeout: 0)
        defer { held.release() }
        #expect(held.info.pid == getpid())
        do {
            _ = try b.lock(operation: "plan", timeout: 0.3)
            Issue.record("second lock succeeded")
        } catch {
            guard case .locked(let info, let waited) = error else { Issue.record("\(error)"); return }
            #expect(info?.id == held.info.id)
            #expect(info?.operation == "apply" && info?.pid == getpid() && info?.host == held.info.host)
            #expect(waited >= 0.3)
            #expect(error.description.contains("mediaform force-unlock \(held.info.id)"))
        }
    }

    @Test(arguments: Kind.allCases) func lockTimeoutWaitsForTheHolderToRelease(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let (held, _) = try b.lock(operation: "apply", timeout: 0)
        let box = UncheckedBox(held)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { box.value.release() }
        let start = Date()
        let (lock, _) = try b.lock(operation: "apply", timeout: 20)
        #expect(Date().timeIntervalSince(start) >= 0.4)
        #expect(lock.warnings.isEmpty)
        lock.release()
    }

    @Test(arguments: Kind.allCases) func ciRunIsRecordedWithTheHolder(_ kind: Kind) throws {
        #expect(
            CIRun.current([
                "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/media", "GITHUB_RUN_ID": "42",
            ])
                == "https://github.com/acme/media/actions/runs/42")
        #expect(
            CIRun.current(["CI_JOB_URL": "https://gitlab.example.com/acme/media/-/jobs/7"])
                == "https://gitlab.example.com/acme/media/-/jobs/7")
        #expect(CIRun.current([:]) == nil)
        guard let b = try Self.makeBackend(kind) else { return }
        let (held, _) = try b.lock(operation: "apply", timeout: 0)
        defer { held.release() }
        do {
            _ = try b.lock(operation: "plan", timeout: 0)
        } catch {
            guard case .locked(let info, _) = error else { Issue.record("\(error)"); return }
            #expect(info?.ciRun == held.info.ciRun)
        }
    }

    @Test(arguments: Kind.allCases) func forceUnlockChecksTheID(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        #expect(throws: StateError.self) { try b.forceUnlock(id: "nope") }
        let (held, _) = try b.lock(operation: "apply", timeout: 0)
        defer { held.release() }
        do {
            _ = try b.forceUnlock(id: "nope")
            Issue.record("force-unlock with a wrong ID succeeded")
        } catch {
            #expect(error == .lockMismatch(given: "nope", current: held.info))
        }
        switch kind {
        case .local:
            // The holder runs on this machine: breaking its lock is refused.
            #expect(throws: StateError.lockHeldByLiveProcess(held.info)) { try b.forceUnlock(id: held.info.id) }
        case .postgres:
            // The holder's session is ended; it cannot write any more, and the lock is free.
            #expect(try b.forceUnlock(id: held.info.id) == held.info)
            #expect(throws: StateError.self) {
                try held.append([.intent(Intent(id: "late", operation: "upload", keys: ["a"]))])
            }
            let (next, loaded) = try b.lock(operation: "apply", timeout: 0)
            #expect(loaded.unresolved.isEmpty)
            #expect(next.warnings.isEmpty)
            next.release()
        }
    }

    @Test(arguments: Kind.allCases) func aCopyKeepsLineageSerialAndOpenIntents(_ kind: Kind) throws {
        guard let source = try Self.makeBackend(kind) else { return }
        let open = Intent(id: "open", operation: "upload", keys: ["asset-1"])
        do {
            let (lock, loaded) = try source.lock(operation: "test", timeout: 0)
            var state = loaded.state
            state.assets = Self.records(25)
            let first = try lock.writeSnapshot(state, unresolved: [])
            try lock.writeSnapshot(first, unresolved: [])
            try lock.append([.intent(open), .remove(key: "asset-3")])
            lock.release()
        }
        let original = try source.read()
        #expect(original.state.serial == 2 && original.unresolved == [open])
        // Through every other backend and back.
        for other in Kind.allCases {
            guard let middle = try Self.makeBackend(other), let back = try Self.makeBackend(kind) else { continue }
            let there = try StateMigration.copy(from: source, to: middle, lockTimeout: 0)
            #expect(!there.alreadyCopied && there.assets == 24 && there.unresolved == 1 && there.serial == 2)
            let again = try StateMigration.copy(from: source, to: middle, lockTimeout: 0)
            #expect(again.alreadyCopied)
            _ = try StateMigration.copy(from: middle, to: back, lockTimeout: 0)
            let result = try back.read()
            #expect(StateMigration.same(result.state, original.state))
            #expect(result.state.assets == original.state.assets && result.unresolved == original.unresolved)
            // The copy goes on like the original: the next write is serial 3 of the same lineage.
            let (lock, loaded) = try back.lock(operation: "test", timeout: 0)
            #expect(loaded.unresolved == [open])
            try lock.append([.done(intentId: "open")])
            let written = try lock.writeSnapshot(loaded.state, unresolved: [])
            lock.release()
            #expect(written.serial == 3 && written.lineage == original.state.lineage)
        }
    }

    @Test(arguments: Kind.allCases) func migrationRefusesADestinationWithAnotherState(_ kind: Kind) throws {
        guard let source = try Self.makeBackend(kind), let destination = try Self.makeBackend(kind) else { return }
        for b in [source, destination] {
            let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
            var state = loaded.state
            state.assets = Self.records(2)
            try lock.writeSnapshot(state, unresolved: [])
            lock.release()
        }
        do {
            _ = try StateMigration.copy(from: source, to: destination, lockTimeout: 0)
            Issue.record("overwrote another state")
        } catch {
            #expect(error.description.contains("already holds a state"))
        }
        // And the source must exist.
        guard let empty = try Self.makeBackend(kind) else { return }
        #expect(throws: StateError.self) { try StateMigration.copy(from: empty, to: destination, lockTimeout: 0) }
    }

    @Test(arguments: Kind.allCases) func largeStatesRoundTripAndSmallChangesStaySmall(_ kind: Kind) throws {
        guard let b = try Self.makeBackend(kind) else { return }
        let records = Self.records(12_000)
        do {
            let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
            var state = loaded.state
            state.assets = records
            try lock.writeSnapshot(state, unresolved: [])
            lock.release()
        }
        let (lock, loaded) = try b.lock(operation: "test", timeout: 0)
        #expect(loaded.state.assets == records)
        var state = loaded.state
        state.assets["asset-7"]?.mediaId = "changed"
        state.assets["asset-8"] = nil
        try lock.writeSnapshot(state, unresolved: [])
        lock.release()
        let read = try b.read()
        #expect(read.state.assets.count == 11_999 && read.state.assets["asset-7"]?.mediaId == "changed")
        #expect(read.state.assets == state.assets)
    }
}

/// PostgreSQL-only behaviour: schema versions, the fence on concurrent writers, secrets in errors.
@Suite(.enabled(if: TestDatabase.isAvailable)) struct PostgresBackendTests {
    func settings(schema: String = Project.StateSettings.defaultSchema) throws -> PostgresStateSettings {
        try PostgresStateSettings.resolve(
            Project.StateSettings(backend: .postgres, name: TestDatabase.uniqueName(), schema: schema),
            environment: TestDatabase.environment)
    }

    @Test func concurrentFirstRunsCreateTheSchemaOnce() throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let failures = UncheckedBox<[String]>([])
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let backend = PostgresStateBackend(
                settings: Project.StateSettings(
                    backend: .postgres, name: TestDatabase.uniqueName(), schema: String(schema)),
                environment: TestDatabase.environment)
            do {
                let (held, _) = try backend.lock(operation: "test", timeout: 5)
                held.release()
            } catch {
                lock.lock()
                failures.value.append("\(error)")
                lock.unlock()
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value)")
        let session = try PostgresSession.connect(try settings(schema: String(schema)))
        defer { session.close() }
        #expect(try PostgresSchema.installedVersion(session) == PostgresSchema.latest)
    }

    @Test func aNewerSchemaIsRefusedNotTouched() throws {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let settings = try settings(schema: String(schema))
        let backend = PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: settings.name, schema: settings.schema),
            environment: TestDatabase.environment)
        let (held, _) = try backend.lock(operation: "test", timeout: 0)
        held.release()
        let session = try PostgresSession.connect(settings)
        defer { session.close() }
        try session.query(
            "INSERT INTO \(schema).schema_migrations (version, generator) VALUES (99, 'future')", doing: "test")
        for attempt in [{ _ = try backend.read() }, { _ = try backend.lock(operation: "test", timeout: 0) }]
            as [() throws -> Void]
        {
            do {
                try attempt()
                Issue.record("a newer schema was used")
            } catch {
                #expect("\(error)".contains("version 99, newer than this mediaform understands"))
            }
        }
    }

    @Test func aWriteAfterSomeoneElseChangedTheStateIsRefused() throws {
        let backend = TestDatabase.backend()
        let (lock, loaded) = try backend.lock(operation: "test", timeout: 0)
        defer { lock.release() }
        try lock.writeSnapshot(loaded.state, unresolved: [])
        let settings = try backend.resolved()
        let session = try PostgresSession.connect(settings)
        defer { session.close() }
        try session.query(
            "UPDATE mediaform.states SET serial = 41 WHERE name = $1", .init(settings.name), doing: "test")
        do {
            try lock.writeSnapshot(loaded.state, unresolved: [])
            Issue.record("wrote over a changed state")
        } catch {
            #expect(error.description.contains("was changed by someone else"))
        }
    }

    @Test func errorsNameTheServerButNeverThePassword() throws {
        let url = try #require(TestDatabase.url)
        guard case .success(var parsed) = PostgresURL.parse(url) else { Issue.record("bad test URL"); return }
        let password = try #require(parsed.password)
        parsed.password = "wrong-\(password)"
        let wrong = url.replacingOccurrences(of: ":\(password)@", with: ":wrong-\(password)@")
        let backend = PostgresStateBackend(
            settings: Project.StateSettings(backend: .postgres, name: "x"),
            environment: [PostgresStateSettings.urlVariable: wrong])
        do {
            _ = try backend.read()
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
            _ = try closed.read()
            Issue.record("connected to port 1")
        } catch {
            #expect(!error.description.contains(password))
            #expect(error.description.contains("cannot connect to postgres://u:***@127.0.0.1:1/db"))
        }
    }
}

/// Hands a non-Sendable value to another thread in a test that orders the accesses itself.
final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
