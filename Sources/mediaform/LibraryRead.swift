import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

/// `--refresh` outside the apply sequence: reads the library with a progress line on stderr.
enum LibraryRead {
    /// `state` as the library has it (nothing is written).
    /// - Throws: `LibraryReadError` (shown as "error: …", exit 1), the connection's errors.
    static func refreshed(_ state: State, project: Project, directory: String, api: APIOptions) async throws -> State {
        let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
        let refreshed = try await Connection.open(project: project, directory: directory, options: api).closing {
            try await LibraryReader(
                client: $0, parallelism: api.parallelism ?? project.limits.parallelism,
                progress: { progress.handle(.reading(done: $0, total: $1)) }
            ).refreshed(state, declared: project.categories)
        }
        progress.handle(.observed(read: refreshed.read, findings: refreshed.findings))
        for finding in refreshed.categoryFindings { progress.handle(.progress(.note(finding.description))) }
        return refreshed.state
    }
}
