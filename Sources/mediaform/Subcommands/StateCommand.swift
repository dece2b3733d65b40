import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform state list | show KEY | mv | mv-category | categories | rm KEY… | rebuild | migrate`.
    struct StateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state",
            abstract: "Inspect or edit the state.",
            subcommands: [
                List.self, ShowKey.self, Move.self, MoveCategory.self, Categories.self, Remove.self, Rebuild.self,
                Migrate.self,
            ]
        )

        /// The backend the project file names; prints the project file's diagnostics.
        static func backend(_ directory: String) throws -> any StateBackend {
            let (backend, diagnostics) = Workspace.backend(directory: directory)
            DiagnosticPrinter(color: false).print(diagnostics)
            guard let backend else { throw ExitCode.failure }
            return backend
        }

        /// The state as read (warnings printed).
        static func read(_ directory: String) async throws -> State {
            let loaded = try await backend(directory).read()
            for warning in loaded.warnings { Console.warning(warning) }
            return loaded.state
        }
    }
}
