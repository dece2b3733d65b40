import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

/// `--refresh` outside the apply sequence: reads the library with a progress line on stderr.
enum LibraryRead {
    /// `state` as the library has it (nothing is written).
    /// - Throws: `ExitCode.failure` after printing the read's error.
    static func refreshed(_ state: State, project: Project, directory: String, api: APIOptions) async throws -> State {
        let connection = try await Connection.open(project: project, directory: directory, options: api)
        let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
        let reader = LibraryReader(
            client: connection.client, parallelism: api.parallelism ?? project.limits.parallelism,
            progress: { progress.handle(.reading(done: $0, total: $1)) })
        do {
            let refreshed = try await reader.refreshed(state)
            await connection.close()
            progress.handle(.observed(read: refreshed.read, findings: refreshed.findings))
            return refreshed.state
        } catch {
            await connection.close()
            Console.error(error.description)
            throw ExitCode.failure
        }
    }
}
