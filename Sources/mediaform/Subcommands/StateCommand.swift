import ArgumentParser
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform state list | show KEY | rm KEY…`.
    struct StateCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state",
            abstract: "Inspect or edit the state.",
            subcommands: [List.self, ShowKey.self, Remove.self]
        )

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List the asset keys in the state, one per line.")

            @Flag(name: .shortAndLong, help: "Also show status and media ID, tab-separated.")
            var long = false

            @OptionGroup var project: ProjectOption

            func run() throws {
                let state = try StateCommand.read(project.project)
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

        struct ShowKey: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Show one asset's record as JSON.")

            @Argument(help: "The asset key.")
            var key: String

            @OptionGroup var project: ProjectOption

            func run() throws {
                let state = try StateCommand.read(project.project)
                guard let record = state.assets[key] else {
                    var message = "no asset '\(key)' in the state"
                    if let s = Spelling.suggestion(for: key, among: Array(state.assets.keys)) { message += "; did you mean '\(s)'?" }
                    Console.error(message)
                    throw ExitCode.failure
                }
                Console.out(JSONValue.object([key: record.json]).prettyJSON)
            }
        }

        struct Remove: ParsableCommand {
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

            func run() throws {
                let backend = try StateCommand.backend(project.project)
                let (lock, loaded) = try backend.lock(operation: "state rm", timeout: lockOptions.seconds)
                defer { lock.release() }
                for warning in lock.warnings + loaded.warnings { Console.warning(warning) }
                let missing = keys.filter { loaded.state.assets[$0] == nil }
                guard missing.isEmpty else {
                    Console.error("not in the state: \(missing.map { "'\($0)'" }.joined(separator: ", ")); nothing was changed")
                    throw ExitCode.failure
                }
                var state = loaded.state
                try lock.append(keys.map { .remove(key: $0) })
                for key in keys { state.assets[key] = nil }
                let written = try lock.writeSnapshot(state, unresolved: loaded.unresolved)
                Console.note("Forgot \(keys.count) asset\(keys.count == 1 ? "" : "s"); the state is now at serial \(written.serial).")
            }
        }

        static func backend(_ directory: String) throws -> any StateBackend {
            let (backend, diagnostics) = Workspace.backend(directory: directory)
            DiagnosticPrinter(color: false).print(diagnostics)
            guard let backend else { throw ExitCode.failure }
            return backend
        }

        static func read(_ directory: String) throws -> State {
            let loaded = try backend(directory).read()
            for warning in loaded.warnings { Console.warning(warning) }
            return loaded.state
        }
    }

    /// `mediaform force-unlock ID`.
    struct ForceUnlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "force-unlock",
            abstract: "Remove a state lock left behind by a run that cannot release it.",
            discussion: """
                A killed run on this machine releases its lock by itself; this is for a lock whose holder is \
                gone on another machine. The ID is printed in the 'state is locked' error. Breaking the lock \
                of a run that is still working lets two runs write the state at once: be sure first.
                """
        )

        @Argument(help: "The lock ID from the error message.")
        var id: String

        @OptionGroup var project: ProjectOption

        func run() throws {
            let backend = try StateCommand.backend(project.project)
            let info = try backend.forceUnlock(id: id)
            Console.note("Removed the lock \(info.id) (\(info.summary)).")
        }
    }
}
