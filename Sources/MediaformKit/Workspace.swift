import Foundation
import MediaformCore

/// A project directory opened for a command: the loaded project and its state backend.
public struct Workspace: Sendable {
    public var project: LoadedProject
    public var backend: any StateBackend

    public init(project: LoadedProject, backend: any StateBackend) {
        self.project = project
        self.backend = backend
    }

    /// Loads the project in `directory` (every diagnostic is in `project.diagnostics`) and picks its backend.
    /// The files are read and parsed on the blocking pool.
    /// - Parameter cache: skip the files it says plan to no change (`ProjectLoader.load`); the caller confirms them.
    public static func open(
        directory: String, computeDigest: Bool = false, cache: ManifestCache? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> Workspace {
        let loaded = await Blocking.run {
            ProjectLoader.load(directory: directory, computeDigest: computeDigest, cache: cache)
        }
        return Workspace(
            project: loaded,
            backend: makeBackend(state: loaded.project.state, directory: directory, environment: environment))
    }

    /// Loads the project and reads its state at the same time (two cores): the state is read while the manifests
    /// are parsed. The state result is nil when the project file itself is unusable.
    /// - Parameter skipUnchanged: leave unparsed the manifest files the state's manifest cache says plan to no
    ///   change (issue 18), confirmed against the state once it is read; the project is then loaded in full when
    ///   any doubt remains (`ProjectLoader.complete`). Only for a whole plan: `project.assets` then lacks the
    ///   skipped files' assets (their keys are `project.unchangedKeys`).
    public static func openReadingState(
        directory: String, computeDigest: Bool = false, skipUnchanged: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> (Workspace, Result<LoadedState, StateError>?) {
        let (early, _) = backend(directory: directory, environment: environment)
        async let state: Result<LoadedState, StateError>? = {
            guard let early else { return nil }
            do throws(StateError) {
                return .success(try await early.read())
            } catch {
                return .failure(error)
            }
        }()
        let cache = skipUnchanged ? await early?.peekManifestCache() : nil
        var workspace = await open(
            directory: directory, computeDigest: computeDigest, cache: cache, environment: environment)
        let read = await state
        if let cache = workspace.project.cache {
            let loaded = workspace.project
            let known = try? read?.get()
            // Vouched for the cache the state holds now, which is the one the files were skipped with only when no
            // apply wrote another in between (the cache was read apart from the state).
            let vouched = known.map { $0.manifestCacheHolds && $0.state.manifestCache == cache } ?? false
            workspace.project = await Blocking.run {
                ProjectLoader.complete(
                    loaded, state: known?.state, recordsVouched: vouched, computeDigest: computeDigest)
            }
        }
        return (workspace, read)
    }

    /// The backend of a project without loading its manifests (for state commands): only the project file is read.
    public static func backend(
        directory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (backend: (any StateBackend)?, diagnostics: [Diagnostic]) {
        let path = ProjectLoader.join(directory, Project.fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            return (
                nil,
                [.error("no \(Project.fileName) in '\(directory)'; pass the project directory with --project", at: nil)]
            )
        }
        let parsed = ManifestParser.parseProject(data, file: path)
        guard let project = parsed.project, !parsed.diagnostics.hasErrors else { return (nil, parsed.diagnostics) }
        return (makeBackend(state: project.state, directory: directory, environment: environment), parsed.diagnostics)
    }

    /// The backend the project file names. A `postgres` backend connects only when used, so that commands that do
    /// not touch the state (validate) work without the database's URL.
    public static func makeBackend(
        state: Project.StateSettings, directory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> any StateBackend {
        switch state.backend {
        case .local:
            LocalStateBackend(settings: state, directory: directory)
        case .postgres:
            PostgresStateBackend(settings: state, environment: environment)
        }
    }

    /// Writes a file atomically with mode 0600 (saved plans).
    public static func writePrivateFile(_ path: String, _ text: String) async throws(StateError) {
        try await Blocking.run { () throws(StateError) in try FileIO.writeAtomically(path, Array(text.utf8)) }
    }

    /// Reads a file's bytes.
    public static func readFile(_ path: String) async throws(StateError) -> Data {
        let data = try await Blocking.run { () throws(StateError) in try FileIO.read(path) }
        guard let data else { throw .io(path: path, operation: "read", reason: "no such file") }
        return data
    }
}
