import ArgumentParser
import MediaformKit

/// The `mediaform` executable: commands only; the work happens in MediaformCore and MediaformKit.
@main
struct MediaformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediaform",
        abstract: "Plan and apply Alibaba Cloud IMS media libraries declared in YAML.",
        discussion: """
            A git repository is the source of truth for a media library: declare assets in YAML, review \
            what would change with `plan`, and submit new uploads with `apply`.

            Exit codes: 0 success; 1 error (including invalid manifests); 2 changes present \
            (plan --detailed-exitcode); 3 apply finished with failed assets; 64 wrong usage; 130 interrupted.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            Init.self, Validate.self, Plan.self, Apply.self, Refresh.self, Show.self, StateCommand.self, Import.self,
            ForceUnlock.self, Emulator.self,
        ]
    )

    static var _errorLabel: String { "error" }

    /// Parses and runs the command, then shuts the shared HTTP client down before exiting (with the command's
    /// exit code), so that no connection is left to the process's end.
    static func main() async {
        AllocatorTuning.apply()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            await HTTPClientTransport.shared.shutdown()
        } catch {
            await HTTPClientTransport.shared.shutdown()
            exit(withError: error)
        }
    }
}
