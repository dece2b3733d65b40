import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform import KEY MEDIA_ID`, or `mediaform import --all --out FILE`: adopt media that already exist in IMS.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Adopt existing IMS media without uploading them again: one as KEY, or all with --all.",
            discussion: """
                KEY MEDIA_ID: reads the media with GetMediaInfo and records it in the state as the upload of the \
                manifest asset KEY. Its current title, description, tags, category and cover are recorded as they \
                are in IMS, so the next plan shows an update wherever the manifest differs.

                --all --out FILE: lists the whole library (ListMediaBasicInfos) and writes FILE, a manifest with \
                one asset per media that the state does not know and no manifest source matches (key from the \
                InputURL's path, source without its signed query, title, description, tags, category, cover), \
                then records them in the state as imported: the next plan says "No changes". A value the \
                manifest language rejects (an emoji in a title) is written in an accepted form, with a comment \
                and the field in ignoreChanges, so the library keeps its value; so is a field the project's \
                defaults would change. FILE must be matched by 'manifests' in mediaform.yaml and must not exist. \
                Filters: --status, --media-type, --category (repeatable).

                Both take the state lock.
                """
        )

        @Argument(help: "The asset key, as declared in the manifests (without --all).")
        var key: String?

        @Argument(help: "The IMS media ID (without --all).")
        var mediaId: String?

        @Flag(help: "Import every media of the library that is not managed yet into --out.")
        var all = false

        @Option(
            help: "With --all: the manifest file to write (inside the project's manifests globs).", completion: .file())
        var out: String?

        @Option(help: "With --all: only media with this status (Normal, PrepareFail, Preparing, Init). Repeatable.")
        var status: [String] = []

        @Option(help: "With --all: only media of this type (video, audio, image, text). Repeatable.")
        var mediaType: [String] = []

        @Option(help: "With --all: only media in this category ID. Repeatable.")
        var category: [Int64] = []

        @Option(name: [.customShort("C"), .long], help: "The project directory.", completion: .directory)
        var project = "."

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if all {
                guard key == nil, mediaId == nil else { throw ValidationError("--all takes no KEY or MEDIA_ID") }
                guard out != nil else { throw ValidationError("--all needs --out FILE, the manifest to write") }
            } else {
                guard key != nil, mediaId != nil else { throw ValidationError("name KEY and MEDIA_ID, or use --all") }
                guard out == nil, status.isEmpty, mediaType.isEmpty, category.isEmpty else {
                    throw ValidationError("--out and the filters go with --all")
                }
            }
        }

        func run() async throws {
            let workspace = try await Workspace.openForCommand(
                directory: project, computeDigest: false, color: output.useColor(onStandardError: true))
            let connect: APIConnection.Connector = { [api, project] settings in
                try await Connection.open(project: settings, directory: project, options: api)
            }
            // Refusals (MediaImport.Failure, LibraryImportRun.Failure, LibraryReadError) reach the user as
            // "error: <description>", exit 1, through MediaformCommand.main.
            if all, let out {
                try await importAll(workspace, out: out, connect: connect)
            } else if let key, let mediaId {
                let importer = MediaImport(workspace: workspace, lockTimeout: lockOptions.seconds, connect: connect)
                let (record, state) = try await importer.run(key: key, mediaId: mediaId)
                Console.out(
                    "Imported media \(mediaId) as '\(key)' (status \(record.status.rawValue)); state serial "
                        + "\(state.serial). Run 'mediaform plan' to see any difference.\n")
            }
        }

        private func importAll(_ workspace: Workspace, out: String, connect: @escaping APIConnection.Connector)
            async throws
        {
            let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
            let run = LibraryImportRun(
                workspace: workspace, lockTimeout: lockOptions.seconds, parallelism: api.parallelism,
                connect: connect, events: { progress.handle($0) })
            let (made, state) = try await run.run(
                out: out, filter: LibraryImport.Filter(statuses: status, mediaTypes: mediaType, categories: category))
            var text = ""
            for skipped in made.skipped where !skipped.reason.hasPrefix("already in the state") {
                text += "  left out \(skipped.mediaId): \(skipped.reason)\n"
            }
            if let state {
                text +=
                    "Imported \(made.imported.count) media into \(out); state serial \(state.serial). The next plan "
                    + "shows no change for them.\n"
            } else {
                text += "Nothing to import: every media matching the filters is managed already.\n"
            }
            Console.out(text)
        }
    }
}
