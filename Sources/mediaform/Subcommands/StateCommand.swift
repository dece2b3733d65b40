import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform state list | show KEY | rm KEY…`.
    struct StateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state",
            abstract: "Inspect or edit the state.",
            subcommands: [List.self, ShowKey.self, Remove.self, Migrate.self]
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List the asset keys in the state, one per line.")

            @Flag(name: .shortAndLong, help: "Also show status and media ID, tab-separated.")
            var long = false

            @OptionGroup var project: ProjectOption

            func run() async throws {
                let state = try await StateCommand.read(project.project)
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
                let state = try await StateCommand.read(project.project)
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
                let backend = try StateCommand.backend(project.project)
                do {
                    let written = try await StateEdit.forget(keys, in: backend, lockTimeout: lockOptions.seconds) {
                        for warning in $0 { Console.warning(warning) }
                    }
                    Console.note(
                        "Forgot \(keys.count) asset\(keys.count == 1 ? "" : "s"); the state is now at serial "
                            + "\(written.serial).")
                } catch let failure as StateEdit.Failure {
                    Console.error(failure.description)
                    throw ExitCode.failure
                }
            }
        }

        struct Migrate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "migrate",
                abstract:
                    "Copy the state to another backend (a local file or PostgreSQL), exactly, and verify the copy.",
                discussion: """
                    The source is the backend mediaform.yaml names now. Both states are locked while copying; the \
                    copy keeps the lineage, serial, records and open intents, and is read back and compared before \
                    the command succeeds. The source is left as it is. Afterwards, change the state: section of \
                    mediaform.yaml as printed, and commit it.

                    To PostgreSQL: the URL comes from MEDIAFORM_PG_URL (or --url without a password, with the \
                    password in PGPASSWORD); --name names the state in the database.
                      mediaform state migrate --to postgres --name course-library
                    Back to a file:
                      mediaform state migrate --to local --path mediaform.state.json
                    """
            )

            enum Target: String, ExpressibleByArgument, CaseIterable {
                case local, postgres
            }

            @Option(help: "The backend to copy the state to: local or postgres.")
            var to: Target

            @Option(help: "For --to local: the state file, relative to the project directory.")
            var path: String = Project.StateSettings.defaultPath

            @Option(help: "For --to postgres: the state's name in the database.")
            var name: String?

            @Option(help: "For --to postgres: the database URL without a password (default: MEDIAFORM_PG_URL).")
            var url: String?

            @Option(help: "For --to postgres: the database schema of mediaform's tables.")
            var schema: String = Project.StateSettings.defaultSchema

            @OptionGroup var project: ProjectOption
            @OptionGroup var lockOptions: LockOptions

            func validate() throws {
                if to == .postgres {
                    guard let name, !name.isEmpty else {
                        throw ValidationError("--to postgres needs --name, the state's name in the database")
                    }
                    if let url {
                        guard case .success(let parsed) = PostgresURL.parse(url) else {
                            throw ValidationError("--url is not a PostgreSQL URL (postgres://user@host:5432/database)")
                        }
                        if parsed.password != nil {
                            throw ValidationError(
                                "--url must not contain a password (command lines are visible to other users and kept in shell history); use MEDIAFORM_PG_URL or PGPASSWORD"
                            )
                        }
                    }
                    guard PostgresURL.isPlainIdentifier(schema) else {
                        throw ValidationError("--schema must be a plain identifier")
                    }
                }
            }

            func run() async throws {
                let source = try StateCommand.backend(project.project)
                let settings: Project.StateSettings
                var environment = ProcessInfo.processInfo.environment
                switch to {
                case .local:
                    settings = Project.StateSettings(backend: .local, path: path)
                case .postgres:
                    settings = Project.StateSettings(backend: .postgres, url: url, name: name, schema: schema)
                    // An explicit --url is the destination even when MEDIAFORM_PG_URL names the source's database.
                    if url != nil { environment[PostgresStateSettings.urlVariable] = nil }
                }
                let destination = Workspace.makeBackend(
                    state: settings, directory: project.project, environment: environment)
                guard source.name != destination.name else {
                    Console.error("the state already lives in \(source.name)")
                    throw ExitCode.failure
                }
                let report = try await StateMigration.copy(
                    from: source, to: destination, lockTimeout: lockOptions.seconds)
                for warning in report.warnings { Console.warning(warning) }
                if report.alreadyCopied {
                    Console.note(
                        "\(destination.name) already holds this state (lineage \(report.lineage), serial \(report.serial)); nothing was written."
                    )
                } else {
                    let intents =
                        report.unresolved > 0
                        ? " and \(report.unresolved) open call\(report.unresolved == 1 ? "" : "s")" : ""
                    Console.note(
                        "Copied \(report.assets) asset\(report.assets == 1 ? "" : "s")\(intents) from \(source.name) to \(destination.name) and verified the copy (lineage \(report.lineage), serial \(report.serial), sha256 \(report.digest.prefix(16)))."
                    )
                }
                var snippet = "state:\n  backend: \(to.rawValue)\n"
                switch to {
                case .local:
                    if path != Project.StateSettings.defaultPath { snippet += "  path: \(path)\n" }
                case .postgres:
                    snippet += "  name: \(name ?? "")\n"
                    if let url { snippet += "  url: \(url)\n" }
                    if schema != Project.StateSettings.defaultSchema { snippet += "  schema: \(schema)\n" }
                }
                Console.note(
                    "The source is unchanged. Point \(Project.fileName) at the new backend, and commit it:\n\n\(snippet)"
                )
            }
        }

        static func backend(_ directory: String) throws -> any StateBackend {
            let (backend, diagnostics) = Workspace.backend(directory: directory)
            DiagnosticPrinter(color: false).print(diagnostics)
            guard let backend else { throw ExitCode.failure }
            return backend
        }

        static func read(_ directory: String) async throws -> State {
            let loaded = try await backend(directory).read()
            for warning in loaded.warnings { Console.warning(warning) }
            return loaded.state
        }
    }

    /// `mediaform force-unlock ID`.
    struct ForceUnlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "force-unlock",
            abstract: "Remove a state lock left behind by a run that cannot release it.",
            discussion: """
                A killed run releases its lock by itself (the local backend's file lock and PostgreSQL's advisory \
                lock both end with the process or its connection); this is for a holder that is stuck or gone. \
                The ID is printed in the 'state is locked' error.

                local: removes a lock record left on a shared file system; refuses while the holder still runs \
                on this machine. Breaking the lock of a run that is still working lets two runs write the state \
                at once: be sure first.

                postgres: when the holder's database session is still connected (a hung CI runner), it is \
                ended; from then on that run cannot write the state (every write of a run goes through the \
                connection that holds the lock), and the calls it left open are resolved by the next apply.
                """
        )

        @Argument(help: "The lock ID from the error message.")
        var id: String

        @OptionGroup var project: ProjectOption

        func run() async throws {
            let backend = try StateCommand.backend(project.project)
            let info = try await backend.forceUnlock(id: id)
            Console.note("Removed the lock \(info.id) (\(info.summary)).")
        }
    }
}
