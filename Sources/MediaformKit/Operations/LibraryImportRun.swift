import Foundation
import MediaformCore

/// `import --all --out FILE`: writes a manifest file for every media of the library not yet managed
/// (`LibraryImport`) and records them in the state as imported, under the lock. Nothing is sent to IMS but reads.
///
/// The file is written first, then the state; if the state cannot be written the file is removed again, so that a
/// plan never sees assets whose media it does not know (it would upload them a second time).
public struct LibraryImportRun: Sendable {
    /// Why nothing was imported; nothing was written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The output file exists.
        case outputExists(String)
        /// The output file is not matched by the project's `manifests` globs: plan would not read it.
        case outsideManifests(file: String, globs: [String])

        public var description: String {
            switch self {
            case .outputExists(let file):
                "\(file) exists; name a new file (nothing is overwritten)"
            case .outsideManifests(let file, let globs):
                "\(file) is not matched by 'manifests' (\(globs.joined(separator: ", "))) in mediaform.yaml: plan "
                    + "would not read it, and the media would be uploaded again; write it where the globs look"
            }
        }
    }

    public let workspace: Workspace
    public let lockTimeout: Double
    public let parallelism: Int?
    public let connect: APIConnection.Connector
    public let events: @Sendable (ApplyRun.Event) -> Void
    public let now: @Sendable () -> String

    public init(
        workspace: Workspace, lockTimeout: Double = 0, parallelism: Int? = nil,
        connect: @escaping APIConnection.Connector, events: @escaping @Sendable (ApplyRun.Event) -> Void = { _ in },
        now: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.workspace = workspace
        self.lockTimeout = lockTimeout
        self.parallelism = parallelism
        self.connect = connect
        self.events = events
        self.now = now
    }

    /// Imports into `out` (a path as the user gave it).
    /// - Returns: what was imported, and the state as written (nil when nothing was imported: no file either).
    public func run(out: String, filter: LibraryImport.Filter) async throws -> (LibraryImport, State?) {
        let project = workspace.project.project
        let relative = Self.relativePath(of: out, in: workspace.project.directory)
        guard let relative, project.manifests.map(Glob.init).contains(where: { $0.matches(relative) }) else {
            throw Failure.outsideManifests(file: out, globs: project.manifests)
        }
        guard !FileManager.default.fileExists(atPath: out) else { throw Failure.outputExists(out) }
        return try await workspace.backend.withLock(operation: "import", timeout: lockTimeout) { lock, loaded in
            for warning in lock.warnings + loaded.warnings { events(.warning(warning)) }
            let library = try await LibraryReader.listLibrary(
                project: project, connect: connect, parallelism: parallelism, events: events)
            let time = now()
            let made = LibraryImport.make(
                library: library, state: loaded.state, assets: workspace.project.assets, filter: filter,
                defaults: workspace.project.defaults, file: out, categories: project.categories)
            guard !made.imported.isEmpty else { return (made, nil) }
            // A manifest to commit: readable by all, as files made by an editor are.
            try await Blocking.run { () throws(StateError) in
                let parent = (out as NSString).deletingLastPathComponent
                if !parent.isEmpty { try FileIO.makeDirectory(parent) }
                try FileIO.writeAtomically(out, Array(made.text.utf8), mode: 0o644)
            }
            do {
                let entries = made.imported.map { item in
                    JournalEntry.put(
                        key: item.asset.key,
                        record: AssetRecord(adopting: item.asset, remote: item.media, appId: project.appId, time: time))
                }
                return (made, try await lock.commit(entries, onto: loaded))
            } catch {
                try? FileManager.default.removeItem(atPath: out)
                throw error
            }
        }
    }

    /// `path` relative to `directory` (both as given, resolved against the working directory), or nil when it is
    /// not inside it.
    static func relativePath(of path: String, in directory: String) -> String? {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        var base = URL(fileURLWithPath: directory).standardizedFileURL.path
        if !base.hasSuffix("/") { base += "/" }
        guard file.hasPrefix(base) else { return nil }
        return String(file.dropFirst(base.count))
    }
}
