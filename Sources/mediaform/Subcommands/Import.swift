import ArgumentParser
import Foundation
import MediaformCore
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
            let workspace = try Workspace.openForCommand(
                directory: project, computeDigest: false, color: output.useColor(onStandardError: true))
            guard let asset = workspace.project.assets.first(where: { $0.key == key }) else {
                var message = "no asset '\(key)' in the manifests; declare it first"
                if let s = Spelling.suggestion(for: key, among: workspace.project.assets.map(\.key)) {
                    message += " (did you mean '\(s)'?)"
                }
                Console.error(message)
                throw ExitCode.failure
            }
            let (lock, loaded) = try workspace.backend.lock(operation: "import", timeout: lockOptions.seconds)
            defer { lock.release() }
            if let existing = loaded.state.assets[key] {
                Console.error(
                    "'\(key)' is already in the state (media \(existing.mediaId ?? "none")); 'mediaform state rm \(key)' first to replace it"
                )
                throw ExitCode.failure
            }
            let connection = try await Connection.open(
                project: workspace.project.project, directory: project, options: api)
            let info: MediaInfo?
            do {
                info = try await connection.client.getMediaInfo(mediaId: mediaId)
            } catch {
                await connection.close()
                Console.error("cannot read media \(mediaId): \(error)")
                throw ExitCode.failure
            }
            await connection.close()
            guard let info else {
                Console.error("no media \(mediaId) in IMS")
                throw ExitCode.failure
            }
            var record = AssetRecord(
                asset: asset, appId: workspace.project.project.appId, status: .ready, mediaId: mediaId,
                time: Timestamps.now())
            record.fields = MutableFieldValues(
                title: info.title ?? "", description: info.description, tags: info.tags, category: info.cateId,
                cover: info.coverURL.map(URLRedaction.redact))
            // The mutable fingerprint of what IMS holds: the next plan updates whatever differs from the manifest.
            var remote = asset
            remote.title = info.title ?? ""
            remote.description = info.description
            remote.tags = info.tags
            remote.category = info.cateId
            remote.cover = info.coverURL
            record.fingerprints.mutable = remote.fingerprints(appId: workspace.project.project.appId).mutable
            if info.status == "PrepareFail" { record.status = .failed }
            if info.status == "Preparing" || info.status == "Init" { record.status = .processing }
            try lock.append([.put(key: key, record: record)])
            var state = loaded.state
            state.assets[key] = record
            let written = try lock.writeSnapshot(state, unresolved: loaded.unresolved)
            Console.out(
                "Imported media \(mediaId) as '\(key)' (status \(record.status.rawValue)); state serial \(written.serial). Run 'mediaform plan' to see any difference.\n"
            )
        }
    }
}
