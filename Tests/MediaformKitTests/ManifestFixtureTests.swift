import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// Every invalid fixture yields exactly the diagnostics in its `expected.txt`; valid fixtures and examples none.
@Suite struct ManifestFixtureTests {
    static let invalidFixtures = Fixtures.directories(in: "invalid")

    /// Diagnostics rendered as `validate` prints them, with the fixture's directory prefix removed.
    static func render(_ loaded: LoadedProject) -> String {
        let prefix = loaded.directory + "/"
        return loaded.diagnostics.map { $0.description.replacingOccurrences(of: prefix, with: "") }
            .joined(separator: "\n") + "\n"
    }

    @Test func thereAreEnoughInvalidFixtures() {
        #expect(Self.invalidFixtures.count >= 40)
    }

    @Test(arguments: invalidFixtures)
    func invalidFixtureReportsItsProblem(_ name: String) {
        let directory = Fixtures.path("invalid/\(name)")
        let loaded = ProjectLoader.load(directory: directory)
        #expect(loaded.hasErrors, "\(name) should have at least one error")
        for d in loaded.diagnostics where d.severity == .error {
            #expect(d.location != nil || name == "project-empty", "\(name): unlocated diagnostic \(d)")
        }
        let mismatch = Snapshot.mismatch(Self.render(loaded), golden: directory + "/expected.txt")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test(arguments: ["course-library", "quickstart"])
    func examplesAreValid(_ name: String) {
        let loaded = ProjectLoader.load(directory: Fixtures.examples.appendingPathComponent(name).path)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        #expect(!loaded.assets.isEmpty)
    }

    @Test func yamlFeaturesFixtureLoadsAsWritten() throws {
        let loaded = ProjectLoader.load(directory: Fixtures.path("valid/yaml-features"))
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let byKey = Dictionary(uniqueKeysWithValues: loaded.assets.map { ($0.key, $0) })
        #expect(byKey["traps/no"]?.title == "no")
        #expect(byKey["traps/no"]?.tags == ["library", "on", "off", "yes"])
        #expect(byKey["traps/version"]?.title == "1.10")
        #expect(byKey["traps/version"]?.description == "2024-01-01")
        #expect(byKey["merge/explicit-wins"]?.category == 2002)
        #expect(byKey["merge/explicit-wins"]?.tags == ["library", "shared"])
        #expect(byKey["flow/style"]?.title == "Flow: style")
        #expect(byKey["block/description"]?.description == "Line one.\nLine two, with \"quotes\" and 'apostrophes'.\n")
        #expect(
            byKey["block/description"]?.metadata?["nested"]
                == .object(["list": .array([.int(1), .double(2.5), .bool(true), .null, .string("text")])]))
        #expect(byKey["media.example.com/no-key/episode.m4a"]?.title == "Key derived from the source")
        #expect(byKey["traps/no"]?.extend == ["team": .string("media")])
    }

    @Test func byteOrderMarkAndCRLFProjectIsValid() {
        let loaded = ProjectLoader.load(directory: Fixtures.path("valid/bom-crlf"))
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        #expect(loaded.project.region == "cn-shenzhen")
        #expect(loaded.assets.map(\.title) == ["Windows line ends"])
    }

    @Test func globThatMatchesNothingIsAWarning() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try "version: 1\nregion: cn-shanghai\nmanifests: [\"assets/*.yaml\", \"media/*.yaml\"]\n"
            .write(to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        try "assets: []\n".write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let loaded = ProjectLoader.load(directory: dir.path)
        #expect(!loaded.hasErrors)
        #expect(loaded.diagnostics.map(\.message) == ["manifest glob 'media/*.yaml' matches no file"])
        #expect(loaded.diagnostics.first?.location?.line == 3)
    }

    @Test func missingDirectoryAndProjectFileAreClearErrors() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(
            ProjectLoader.load(directory: dir.path).diagnostics.first?.message.contains("no mediaform.yaml") == true)
        #expect(
            ProjectLoader.load(directory: dir.path + "/nope").diagnostics.first?.message.contains("no such directory")
                == true)
    }

    @Test func digestChangesWithAnyInput() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try "version: 1\nregion: cn-shanghai\n".write(
            to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        let asset = "assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n"
        try asset.write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let first = ProjectLoader.load(directory: dir.path, computeDigest: true).digest
        #expect(ProjectLoader.load(directory: dir.path, computeDigest: true).digest == first)
        try asset.replacingOccurrences(of: "title: A", with: "title: B")
            .write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let second = ProjectLoader.load(directory: dir.path, computeDigest: true).digest
        #expect(second != first)
        try "assets: []\n".write(to: dir.appendingPathComponent("assets/b.yaml"), atomically: true, encoding: .utf8)
        #expect(ProjectLoader.load(directory: dir.path, computeDigest: true).digest != second)
    }
}
