import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand.StateCommand {
    /// `mediaform state rebuild [-C DIR] [--write] [--force]`.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: "Rebuild a lost state from the library, so that nothing is uploaded twice.",
            discussion: """
                Lists the whole library (ListMediaBasicInfos, 100 a page) and matches each media's InputURL to \
                a manifest source (compared without signed query, scheme or host case). Matched assets are \
                recorded with their media IDs, statuses and the library's titles, descriptions, tags, categories \
                and covers; upload inputs come from the manifests. After it, plan uploads only what is really \
                missing and updates what differs. Several media for one source: the one uploaded by mediaform \
                (its marker) wins, else the newest; the others are listed and left alone.

                Without --write it prints what it would record, one asset a line (key, media ID, status). With \
                --write it records it under the state lock; a state that already holds records is refused \
                unless --force (then the matched keys' records are replaced and the others kept).
                """
        )

        @Flag(help: "Record the proposed state (default: only print it).")
        var write = false

        @Flag(help: "With --write, record over a state that already holds records.")
        var force = false

        @OptionGroup var project: ProjectOption
        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if force && !write { throw ValidationError("--force only goes with --write") }
        }

        func run() async throws {
            let directory = project.project
            let workspace = try await Workspace.openForCommand(
                directory: directory, computeDigest: false, color: output.useColor(onStandardError: true))
            let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
            let rebuild = StateRebuildRun(
                workspace: workspace, lockTimeout: lockOptions.seconds, parallelism: api.parallelism,
                connect: { [api] settings in
                    try await Connection.open(project: settings, directory: directory, options: api)
                },
                events: { progress.handle($0) })
            // Refusals (StateRebuildRun.Failure, LibraryReadError) reach the user as "error: …", exit 1.
            if write {
                let (proposal, state) = try await rebuild.write(force: force)
                Console.out(proposal.report + "Recorded; the state is now at serial \(state.serial).\n")
            } else {
                let proposal = try await rebuild.propose()
                Console.out(proposal.report + "Nothing was written; record it with --write.\n")
            }
        }
    }
}
