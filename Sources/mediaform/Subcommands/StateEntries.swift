import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand.StateCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the asset keys in the state, one per line.")

        @Flag(name: .shortAndLong, help: "Also show status and media ID, tab-separated.")
        var long = false

        @OptionGroup var project: ProjectOption

        func run() async throws {
            let state = try await MediaformCommand.StateCommand.read(project.project)
            var out = ""
            for key in state.assets.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if long, let r = state.assets[key] {
                    out += "\(key)\t\(r.status.rawValue)\t\(r.mediaId ?? "-")\n"
                } else {
                    out += key + "\n"
                }
            }
            Console.out(out)
        }
    }

    struct ShowKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one asset's record as JSON.")

        @Argument(help: "The asset key.")
        var key: String

        @OptionGroup var project: ProjectOption

        func run() async throws {
            let state = try await MediaformCommand.StateCommand.read(project.project)
            guard let record = state.assets[key] else {
                var message = "no asset '\(key)' in the state"
                if let s = Spelling.suggestion(for: key, among: Array(state.assets.keys)) {
                    message += "; did you mean '\(s)'?"
                }
                Console.error(message)
                throw ExitCode.failure
            }
            Console.out(JSONValue.object([key: record.json]).prettyJSON)
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mv",
            abstract: "Record that an asset's key was renamed, keeping its media.",
            discussion: """
                Moves the record of OLD to NEW: job ID, media ID and history go with it, and nothing is sent \
                to IMS. Plan finds a rename on its own when exactly one removed key and one new key have the \
                same source and upload inputs (shown as '→ move OLD → NEW'); use this when it cannot tell \
                (several candidates; the plan says so). If an upload-time input changed with the key, the next \
                plan replaces the media as it would under the old key. Refused when OLD is not in the state, \
                when NEW already is, or while a call of an interrupted apply covering OLD is unresolved. Takes \
                the state lock; the previous state is kept as a backup.
                """
        )

        @Argument(help: "The key the record has now.")
        var old: String

        @Argument(help: "The key it moves to (as in the manifests).")
        var new: String

        @OptionGroup var project: ProjectOption
        @OptionGroup var lockOptions: LockOptions

        func run() async throws {
            let backend = try MediaformCommand.StateCommand.backend(project.project)
            // A refusal (StateEdit.Failure) reaches the user as "error: …", exit 1, through MediaformCommand.main.
            let written = try await StateEdit.move(
                from: old, to: new, in: backend, lockTimeout: lockOptions.seconds
            ) {
                for warning in $0 { Console.warning(warning) }
            }
            Console.note("Moved '\(old)' to '\(new)'; the state is now at serial \(written.serial).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Forget assets without deleting anything remotely.",
            discussion: """
                The media stay in IMS; mediaform stops managing them. If they are still in the manifests, \
                the next plan shows them as new uploads. Takes the state lock; the previous state is kept \
                as a backup.
                """
        )

        @Argument(help: "The asset keys to forget.")
        var keys: [String]

        @OptionGroup var project: ProjectOption
        @OptionGroup var lockOptions: LockOptions

        func validate() throws {
            if keys.isEmpty { throw ValidationError("name at least one asset key") }
        }

        func run() async throws {
            let backend = try MediaformCommand.StateCommand.backend(project.project)
            let written = try await StateEdit.forget(keys, in: backend, lockTimeout: lockOptions.seconds) {
                for warning in $0 { Console.warning(warning) }
            }
            Console.note(
                "Forgot \(keys.count) asset\(keys.count == 1 ? "" : "s"); the state is now at serial "
                    + "\(written.serial).")
        }
    }

}
