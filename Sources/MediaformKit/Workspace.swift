import Foundation
import MediaformCore
import Synchronization

/// A project directory opened for a command: the loaded project and its state backend.
public struct Workspace: Sendable {
    public var project: LoadedProject
    public var backend: any StateBackend

    /// Loads the project in `directory` (every diagnostic is in `project.diagnostics`) and picks its backend.
    public static func open(directory: String, computeDigest: Bool = false) -> Workspace {
        let loaded = ProjectLoader.load(directory: directory, computeDigest: computeDigest)
        return Workspace(project: loaded, backend: makeBackend(state: loaded.project.state, directory: directory))
    }

    /// Loads the project and reads its state at the same time (design §8: two cores): the state is read on another
    /// thread while the manifests are parsed. The state result is nil when the project file itself is unusable.
    public static func openReadingState(directory: String, computeDigest: Bool = false) -> (
        Workspace, Result<LoadedState, StateError>?
    ) {
        let (early, _) = backend(directory: directory)
        let stateResult = Mutex<Result<LoadedState, StateError>?>(nil)
        let group = DispatchGroup()
        if let early {
            DispatchQueue.global().async(group: group) {
                let result: Result<LoadedState, StateError>
                do throws(StateError) { result = .success(try early.read()) } catch { result = .failure(error) }
                stateResult.withLock { $0 = result }
            }
        }
        let workspace = open(directory: directory, computeDigest: computeDigest)
        group.wait()
        return (workspace, stateResult.withLock { $0 })
    }

    /// The backend of a project without loading its manifests (for state commands): only the project file is read.
    public static func backend(directory: String) -> (backend: (any StateBackend)?, diagnostics: [Diagnostic]) {
        let path = ProjectLoader.join(directory, Project.fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            return (
                nil,
                [.error("no \(Project.fileName) in '\(directory)'; pass the project directory with --project", at: nil)]
            )
        }
        let parsed = ManifestParser.parseProject(data, file: path)
        guard let project = parsed.project, !parsed.diagnostics.hasErrors else { return (nil, parsed.diagnostics) }
        return (makeBackend(state: project.state, directory: directory), parsed.diagnostics)
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
    public static func writePrivateFile(_ path: String, _ text: String) throws(StateError) {
        try FileIO.writeAtomically(path, Array(text.utf8))
    }

    /// Reads a file's bytes.
    public static func readFile(_ path: String) throws(StateError) -> Data {
        guard let data = try FileIO.read(path) else { throw .io(path: path, operation: "read", reason: "no such file") }
        return data
    }
}
