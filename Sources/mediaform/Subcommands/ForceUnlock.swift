import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
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
