import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

@testable import MediaformKit

/// A state path ending in `.gz` is written gzip-compressed; either form is read by its content; changing the name
/// converts the state on the next write instead of starting from an empty one.
@Suite struct CompressedStateTests {
    private func backend(_ dir: URL, _ name: String) -> LocalStateBackend {
        LocalStateBackend(
            statePath: dir.appendingPathComponent(name).path,
            workDirectory: dir.appendingPathComponent(".mediaform").path, clock: { "2026-01-01T00:00:00Z" })
    }

    /// Writes `assets` records through `backend`'s lock (journal, then snapshot); returns the state written.
    @discardableResult
    private func write(_ backend: LocalStateBackend, _ assets: [Asset], cache: Bool = false) async throws -> State {
        try await backend.withLock(operation: "test", timeout: 0) { lock, loaded in
            let records = Builders.state(assets).assets
            let entries = records.sorted { $0.key < $1.key }.map { JournalEntry.put(key: $0.key, record: $0.value) }
            try await lock.append(entries)
            var state = loaded.state
            for entry in entries { state.applyAssetChange(entry) }
            if cache {
                state.manifestCache = ManifestCache(
                    project: "p", categories: ManifestCache.categoriesDigest([:]),
                    files: [
                        "assets/a.yaml": ManifestCache.Entry(
                            digest: "d", keys: ["a0"], records: ManifestCache.recordsDigest(["a0"], in: state) ?? "")
                    ])
            }
            return try await lock.writeSnapshot(state, unresolved: [])
        }
    }

    private func assets(_ n: Int, prefix: String = "a") -> [Asset] {
        (0..<n).map { Builders.asset("\(prefix)\($0)", tags: ["tag\($0 % 5)", "course"], category: 1000) }
    }

    @Test func aGzNameWritesGzipAndReadsItBack() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let b = backend(dir, "mediaform.state.json.gz")
        let written = try await write(b, assets(200), cache: true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: b.statePath))
        #expect(bytes.prefix(2) == Data([0x1F, 0x8B]))
        let text = try Gzip.decompress(bytes, path: b.statePath)
        #expect(String(decoding: text, as: UTF8.self) == written.fileText)
        #expect(written.fileText.contains("\n    \"a0\": {\"createdAt\":"))
        #expect(bytes.count * 4 < text.count, "\(bytes.count) compressed, \(text.count) plain")
        #expect(try await b.read().state == written)
        #expect(await b.peekManifestCache() == written.manifestCache)
        // The journal and lock keep the plain name: one journal for both forms.
        #expect(b.journalPath.hasSuffix("/mediaform.state.json.journal"))
    }

    @Test func renamingTheStateConvertsItOnTheNextWriteBothWays() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let plain = backend(dir, "mediaform.state.json")
        let first = try await write(plain, assets(3))
        // state.path changed to the .gz name: the plain file is read, with a warning, and converted on write.
        let gz = backend(dir, "mediaform.state.json.gz")
        let read = try await gz.read()
        #expect(read.state == first)
        #expect(read.warnings.contains { $0.contains("next write converts it") }, "\(read.warnings)")
        let second = try await write(gz, assets(2, prefix: "b"))
        #expect(second.serial == first.serial + 1 && second.assets.count == 5)
        #expect(!FileManager.default.fileExists(atPath: plain.statePath))
        #expect(try Data(contentsOf: URL(fileURLWithPath: gz.statePath)).prefix(2) == Data([0x1F, 0x8B]))
        // The backup is the previous version, whatever its form.
        let backup = try Data(contentsOf: URL(fileURLWithPath: gz.backupPath))
        #expect(try State.decode(backup, file: "backup") == first)
        // And back to plain JSON.
        let third = try await write(plain, [])
        #expect(third.assets.count == 5)
        #expect(!FileManager.default.fileExists(atPath: gz.statePath))
        #expect(try String(contentsOfFile: plain.statePath, encoding: .utf8).hasPrefix("{\n  \"version\": 2,"))
    }

    @Test func bothFormsPresentTakeTheNewerOfOneHistoryOrStop() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let plain = backend(dir, "mediaform.state.json"), gz = backend(dir, "mediaform.state.json.gz")
        try await write(plain, assets(1))
        let plainBytes = try Data(contentsOf: URL(fileURLWithPath: plain.statePath))
        let newer = try await write(gz, assets(1, prefix: "b"))
        // A conversion interrupted before the old form was removed: the newer one of the same lineage wins.
        try plainBytes.write(to: URL(fileURLWithPath: plain.statePath))
        #expect(try await gz.read().state == newer)
        await #expect(throws: StateError.twoStates(path: plain.statePath, other: gz.statePath)) {
            _ = try await plain.read()
        }
        // Two unrelated states: never guessed.
        let other = try Fixtures.temporaryDirectory()
        try await write(backend(other, "mediaform.state.json"), assets(1, prefix: "z"))
        try FileManager.default.copyItem(
            at: other.appendingPathComponent("mediaform.state.json"), to: dir.appendingPathComponent("x.json"))
        try FileManager.default.removeItem(atPath: plain.statePath)
        try FileManager.default.moveItem(atPath: dir.appendingPathComponent("x.json").path, toPath: plain.statePath)
        await #expect(throws: StateError.twoStates(path: gz.statePath, other: plain.statePath)) {
            _ = try await gz.read()
        }
    }

    @Test func aTruncatedGzipStateIsACorruptStateNeverAnEmptyOne() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let gz = backend(dir, "mediaform.state.json.gz")
        try await write(gz, assets(50))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz.statePath))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: gz.statePath))
        await #expect {
            _ = try await gz.read()
        } throws: { error in
            guard case .corrupt(let e) = error as? StateError else { return false }
            return e.message.contains("ends early")
        }
    }
}
