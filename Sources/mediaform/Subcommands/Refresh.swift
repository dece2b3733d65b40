import ArgumentParser
import Foundation
import MediaformKit

extension MediaformCommand {
    /// `mediaform refresh [DIR]`: one pass of job tracking over every in-progress asset.
    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the library as it is in the state: media infos, and the jobs still running.",
            discussion: """
                Reads every managed media from IMS (BatchGetMediaInfos, 20 IDs a call, under the project's \
                request rate) and records what it holds — titles, descriptions, tags, categories and covers \
                edited in the console, media deleted there, media whose processing failed — then makes one \
                pass of GetUrlUploadInfos over the uploads still running. Nothing is changed in IMS. It prints \
                what was changed outside mediaform; after it, a plain 'plan' shows those changes and sets them \
                back to the manifests, or uploads again what was deleted (unless protected).

                A read that fails (no permission, throttling or server errors after retries, the network) \
                fails the command with exit 1 and leaves the state untouched.

                Exit codes: 0 success; 1 error; 3 some jobs failed (listed).
                """)

        @Argument(help: "The project directory.", completion: .directory)
        var directory: String = "."

        @Flag(help: "Only track the jobs still running; do not read the media infos.")
        var jobsOnly = false

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let workspace = try await Workspace.openForCommand(
                directory: directory, computeDigest: false, color: output.useColor(onStandardError: true))
            let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
            let refresh = RefreshRun(
                workspace: workspace, lockTimeout: lockOptions.seconds, readLibrary: !jobsOnly,
                parallelism: api.parallelism,
                connect: { [api, directory] project in
                    try await Connection.open(project: project, directory: directory, options: api)
                },
                events: { event in
                    if case .observed = event { return }  // The summary below says it.
                    progress.handle(event)
                })
            let outcome: RefreshRun.Outcome
            do {
                outcome = try await refresh.run()
            } catch let error as LibraryReadError {
                Console.error(error.description + "; the state was not changed")
                throw ExitCode.failure
            }
            switch outcome {
            case .nothingToRefresh:
                Console.out("Nothing to refresh: no media recorded and no upload in progress.\n")
            case .refreshed(let read, let findings, let polled, let left, let report, let state):
                var out = ""
                if !findings.isEmpty {
                    out += "Changed outside mediaform (recorded; 'mediaform plan' shows what sets them back):\n"
                    for finding in findings { out += "  \(finding.description)\n" }
                }
                if polled > 0 {
                    out +=
                        "Refreshed \(polled) job(s): \(report.ready) ready, \(report.failures.count) failed, "
                        + "\(left) still running.\n"
                }
                out +=
                    "Read \(read) media; \(findings.count) changed outside mediaform. State serial \(state.serial).\n"
                Console.out(out)
                if !report.failures.isEmpty { throw ExitCode(3) }
            }
        }
    }
}
