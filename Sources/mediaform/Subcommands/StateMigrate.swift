import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand.StateCommand {
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
            let source = try MediaformCommand.StateCommand.backend(project.project)
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

}
