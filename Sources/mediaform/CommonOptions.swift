import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

/// `--project DIR` for commands whose positional arguments are something else.
struct ProjectOption: ParsableArguments {
    @Option(
        name: [.customShort("C"), .long], help: "The project directory (holding mediaform.yaml).",
        completion: .directory)
    var project: String = "."
}

/// `--lock-timeout`.
struct LockOptions: ParsableArguments {
    @Option(help: "How long to wait for the state lock held by another run (e.g. 0, 30s, 5m).")
    var lockTimeout: DurationArgument = DurationArgument(.seconds(0))

    var seconds: Double { lockTimeout.seconds }
}

extension Workspace {
    /// Opens the project for a command: prints its diagnostics, and fails when there are errors.
    static func openForCommand(directory: String, computeDigest: Bool, color: Bool) async throws -> Workspace {
        let workspace = await Workspace.open(directory: directory, computeDigest: computeDigest)
        try report(workspace.project, color: color)
        return workspace
    }

    /// Opens the project and reads its state in parallel; prints diagnostics and warnings; fails on errors.
    /// - Parameter skipUnchanged: leave unparsed the files the manifest cache vouches for (`Workspace`).
    static func openWithState(directory: String, computeDigest: Bool, skipUnchanged: Bool = false, color: Bool)
        async throws -> (Workspace, LoadedState)
    {
        let (workspace, state) = await Workspace.openReadingState(
            directory: directory, computeDigest: computeDigest, skipUnchanged: skipUnchanged)
        try report(workspace.project, color: color)
        guard let state else { throw ExitCode.failure }
        let loaded = try state.get()
        for warning in loaded.warnings { Console.warning(warning) }
        return (workspace, loaded)
    }

    /// Prints the project's diagnostics; fails when any is an error.
    private static func report(_ project: LoadedProject, color: Bool) throws {
        DiagnosticPrinter(color: color).print(project.diagnostics)
        if project.hasErrors {
            Console.note("mediaform: the project has errors (see above); nothing was planned")
            throw ExitCode.failure
        }
    }
}
