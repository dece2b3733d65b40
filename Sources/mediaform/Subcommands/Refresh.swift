import ArgumentParser
import MediaformKit

extension MediaformCommand {
    /// `mediaform refresh [DIR]`: one pass of job tracking over every in-progress asset.
    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update the state of submitted uploads from GetUrlUploadInfos (one pass).",
            discussion: """
                Exit codes: 0 success; 1 error; 3 some jobs failed (listed).
                """)

        @Argument(help: "The project directory.", completion: .directory)
        var directory: String = "."

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let workspace = try await Workspace.openForCommand(
                directory: directory, computeDigest: false, color: output.useColor(onStandardError: true))
            let progress = Progress(format: .text, terminal: false)
            let refresh = RefreshRun(
                workspace: workspace, lockTimeout: lockOptions.seconds,
                connect: { [api, directory] project in
                    try await Connection.open(project: project, directory: directory, options: api)
                },
                events: { progress.handle($0) })
            switch try await refresh.run() {
            case .nothingRunning:
                Console.out("Nothing in progress.\n")
            case .refreshed(let polled, let left, let report, let state):
                Console.out(
                    "Refreshed \(polled) job(s): \(report.ready) ready, \(report.failures.count) failed, "
                        + "\(left) still running. State serial \(state.serial).\n")
                if !report.failures.isEmpty { throw ExitCode(3) }
            }
        }
    }
}
