import Foundation
import MediaformCore
import MediaformKit

/// Writes a state in which every asset of the project is already uploaded and ready, so that `plan` has nothing to
/// do: the "no change" benchmark. Usage: `mediaform-bench make-state DIR`.
enum MakeState {
    static func run(directory: String) {
        let loaded = ProjectLoader.load(directory: directory)
        var state = State(lineage: UUID().uuidString.lowercased(), serial: 1, generator: "mediaform-bench")
        // As a real apply records them: job and media IDs of 32 random-looking hex digits (they do not compress),
        // submitted at 400 a second, ready about a minute and a half later.
        func stamp(_ second: Int) -> String {
            String(
                format: "2026-01-%02dT%02d:%02d:%02dZ", 1 + second / 86_400, second / 3600 % 24, second / 60 % 60,
                second % 60)
        }
        for (i, asset) in loaded.assets.enumerated() {
            state.assets[asset.key] = AssetRecord(
                asset: asset, appId: loaded.project.appId, status: .ready,
                jobId: String(Digest.sha256Hex("job \(i)").prefix(32)),
                mediaId: String(Digest.sha256Hex("media \(i)").prefix(32)), time: stamp(i / 400 + 95),
                createdAt: stamp(i / 400))
        }
        // As apply records it: the files that plan to no change.
        state.manifestCache = loaded.manifestCache(of: state)
        let path = ProjectLoader.join(directory, loaded.project.state.path)
        // As the local backend writes it (gzip-compressed when the name ends in .gz).
        let bytes = LocalStateBackend(settings: loaded.project.state, directory: directory).encoded(state)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        print("wrote \(state.assets.count) ready records to \(path)")
    }
}
