import ArgumentParser
import MediaformKit

extension MediaformCommand {
    /// `mediaform import KEY MEDIA_ID`: adopt media that already exist in IMS.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Adopt an existing IMS media as the asset KEY of the manifests, without uploading it again.",
            discussion: """
                Reads the media with GetMediaInfo and records it in the state as KEY's upload. Its current title, \
                description, tags, category and cover are recorded as they are in IMS, so the next plan shows an \
                update wherever the manifest differs. Takes the state lock.
                """
        )

        @Argument(help: "The asset key, as declared in the manifests.")
        var key: String

        @Argument(help: "The IMS media ID.")
        var mediaId: String

        @Option(name: [.customShort("C"), .long], help: "The project directory.", completion: .directory)
        var project = "."

        @OptionGroup var api: APIOptions
        @OptionGroup var lockOptions: LockOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let workspace = try await Workspace.openForCommand(
                directory: project, computeDigest: false, color: output.useColor(onStandardError: true))
            let importer = MediaImport(
                workspace: workspace, lockTimeout: lockOptions.seconds,
                connect: { [api, project] settings in
                    try await Connection.open(project: settings, directory: project, options: api)
                })
            do {
                let (record, state) = try await importer.run(key: key, mediaId: mediaId)
                Console.out(
                    "Imported media \(mediaId) as '\(key)' (status \(record.status.rawValue)); state serial "
                        + "\(state.serial). Run 'mediaform plan' to see any difference.\n")
            } catch let failure as MediaImport.Failure {
                Console.error(failure.description)
                throw ExitCode.failure
            }
        }
    }
}
