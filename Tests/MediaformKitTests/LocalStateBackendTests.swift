import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// What only the local file has (backups, file modes, torn lines, corrupt files); the behaviour every backend shares
/// is in `BackendConformanceTests`.
@Suite struct LocalStateBackendTests {
    private func backend(_ dir: URL) -> LocalStateBackend {
        LocalStateBackend(
            statePath: dir.appendingPathComponent("mediaform.state.json").path,
            workDirectory: dir.appendingPathComponent(".mediaform").path, clock: { "2026-01-01T00:00:00Z" })
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func journalThenSnapshotRoundTripsWithBackupAndPrivateModes() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir)
        let record = try #require(Builders.state([Builders.asset("a")]).assets["a"])
        do {
            let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
            try await lock.append([
                .intent(Intent(id: "i1", operation: .upload, keys: ["a"])), .put(key: "a", record: record),
                .done(intentId: "i1"),
            ])
            // Before the snapshot, a reader sees the journal folded in.
            let midway = try await b.read()
            #expect(midway.state.assets["a"] == record)
            #expect(midway.unresolved.isEmpty)
            var state = loaded.state
            state.assets["a"] = record
            let written = try await lock.writeSnapshot(state, unresolved: [])
            #expect(written.serial == 1)
            #expect(!written.lineage.isEmpty)
            await lock.release()
        }
        let first = try await b.read()
        #expect(first.state.serial == 1 && first.state.assets["a"] == record)
        #expect(try String(contentsOfFile: b.journalPath, encoding: .utf8).isEmpty)
        // A second write keeps the first as the backup.
        let (lock, loaded) = try await b.lock(operation: "test", timeout: 0)
        var state = loaded.state
        state.assets["a"] = nil
        try await lock.writeSnapshot(state, unresolved: [])
        await lock.release()
        let backup = try State.decode(try Data(contentsOf: URL(fileURLWithPath: b.backupPath)), file: b.backupPath)
        #expect(backup.serial == 1 && backup.assets["a"] == record)
        #expect(try await b.read().state.serial == 2)
        #expect(try await b.read().state.lineage == first.state.lineage)
        for path in [b.statePath, b.backupPath, b.journalPath, b.lockPath] {
            #expect(try mode(path) == 0o600, "\(path)")
        }
    }

    @Test func tornJournalLineIsReportedAndCutOnTheNextWrite() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir)
        let (lock, _) = try await b.lock(operation: "test", timeout: 0)
        try await lock.append([.intent(Intent(id: "i", operation: .upload, keys: ["a"]))])
        await lock.release()
        let handle = try #require(FileHandle(forWritingAtPath: b.journalPath))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":2,\"ty".utf8))
        try handle.close()
        let loaded = try await b.read()
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("incomplete last record") == true)
        #expect(loaded.unresolved.map(\.id) == ["i"])
        let (lock2, _) = try await b.lock(operation: "test", timeout: 0)
        try await lock2.append([.done(intentId: "i")])
        await lock2.release()
        let after = try await b.read()
        #expect(after.warnings.isEmpty && after.unresolved.isEmpty)
    }

    @Test func corruptStateIsAnErrorAndIsNotTouched() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir)
        try "{\"version\": 1, \"lineage\": \"x\", \"serial\": 1, \"assets\": {".write(
            toFile: b.statePath, atomically: true, encoding: .utf8)
        await #expect(throws: StateError.self) { try await b.read() }
        await #expect(throws: StateError.self) { try await b.lock(operation: "test", timeout: 0) }
        #expect(try String(contentsOfFile: b.statePath, encoding: .utf8).hasSuffix("{"))
    }

    @Test func missingStateWithABackupIsRefused() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir)
        try Builders.state([]).fileText.write(toFile: b.backupPath, atomically: true, encoding: .utf8)
        do {
            _ = try await b.read()
            Issue.record("read succeeded")
        } catch {
            #expect(error == .missingWithBackup(path: b.statePath, backup: b.backupPath))
        }
    }

    /// A large state is mapped and its pages dropped as the decoder passes them: the records and a damaged
    /// record's location come out as from a file read whole.
    @Test func aLargeStateReadFromTheMappedFileIsTheSameAndErrorsAreStillLocated() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir)
        var state = Builders.state(
            (0..<20_000).map { Builders.asset(String(format: "clip/%05d", $0), tags: ["a", "b"], category: 7) })
        state.lineage = "l"
        state.serial = 3
        let text = state.fileText
        #expect(text.utf8.count > 4 << 20, "large enough for pages to be dropped in both halves")
        try text.write(toFile: b.statePath, atomically: true, encoding: .utf8)
        #expect(try await b.read().state == state)

        let late = "\"clip/19990\": {"
        let at = try #require(text.range(of: late))
        try text.replacingCharacters(in: at, with: late + "\"status\": 7, ").write(
            toFile: b.statePath, atomically: true, encoding: .utf8)
        let line = text[..<at.lowerBound].filter { $0 == "\n" }.count + 1
        await #expect {
            _ = try await b.read()
        } throws: { error in
            guard case .corrupt(let e) = error as? StateError else { return false }
            return e.position.hasPrefix("\(line):") && e.file == b.statePath
        }
    }
}
