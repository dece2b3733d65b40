import Foundation
import MediaformCore

/// Projects, assets and states built in code for tests.
public enum Builders {
    public static let time = "2026-01-01T00:00:00Z"

    public static func project(prune: Bool = false) -> Project {
        Project(region: "cn-shanghai", endpoint: .emulator, prune: prune)
    }

    public static func asset(
        _ key: String, source: String? = nil, title: String? = nil, tags: [String] = [], category: Int64? = nil,
        workflow: String? = nil, protect: Bool = false
    ) -> Asset {
        Asset(
            key: key, source: source ?? "https://media.example.com/\(key).mp4", title: title ?? "Title of \(key)",
            tags: tags, category: category, workflow: workflow, protect: protect)
    }

    /// A state holding `assets` as uploaded, with `status`.
    public static func state(_ assets: [Asset], status: AssetStatus = .ready, appId: String = Project.defaultAppId)
        -> State
    {
        var state = State(lineage: "11111111-2222-3333-4444-555555555555", serial: 3, generator: "test")
        for (i, asset) in assets.enumerated() {
            state.assets[asset.key] = AssetRecord(
                asset: asset, appId: appId, status: status, jobId: "job-\(i)",
                mediaId: status == .failed ? nil : "media-\(i)",
                time: time)
        }
        return state
    }

    /// Writes a project directory: `mediaform.yaml` and `assets/a.yaml`; returns its URL.
    public static func writeProject(project: String = "version: 1\nregion: cn-shanghai\n", assets: String) throws -> URL
    {
        let dir = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try project.write(to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        try assets.write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        return dir
    }
}
