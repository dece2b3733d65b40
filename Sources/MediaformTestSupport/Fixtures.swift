import Foundation

/// Paths of the repository's test fixtures and examples, found from this file's location.
public enum Fixtures {
    /// The package root.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let root = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// `examples/`.
    public static let examples = packageRoot.appendingPathComponent("examples")

    /// A path under `Tests/Fixtures`.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The immediate subdirectories of a fixture folder, sorted by name.
    public static func directories(in relative: String) -> [String] {
        let base = root.appendingPathComponent(relative).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: base + "/" + name, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    /// Copies a project's inputs (`mediaform.yaml` and `assets/`) but not its state or `.mediaform/`, which a
    /// quickstart run in the working tree may have left.
    public static func copyProject(_ source: URL, to target: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        try fm.copyItem(
            at: source.appendingPathComponent("mediaform.yaml"), to: target.appendingPathComponent("mediaform.yaml"))
        try fm.copyItem(at: source.appendingPathComponent("assets"), to: target.appendingPathComponent("assets"))
    }

    /// A fresh temporary directory, removed by the caller (or left for the OS).
    public static func temporaryDirectory(_ label: String = "mediaform") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
