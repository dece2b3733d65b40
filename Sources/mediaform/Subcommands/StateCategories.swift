import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand.StateCommand {
    struct MoveCategory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mv-category",
            abstract: "Record that a category of the project file was renamed, keeping it in IMS.",
            discussion: """
                A category renamed in the project file's 'categories:' is, by its path alone, a new category \
                and an orphan. This records the rename instead: the state's record of OLD (its CateId) moves \
                to NEW, with the categories below it, and the next apply renames it in IMS with \
                UpdateCategory; the media in it stay where they are. OLD and NEW must have the same parent \
                (IMS renames a category but cannot move it). Nothing is sent to IMS now. Takes the state lock.
                """
        )

        @Argument(help: "The category path the state records now (e.g. Courses/Golang).")
        var old: String

        @Argument(help: "Its new path, as in the project file (e.g. Courses/Go).")
        var new: String

        @OptionGroup var project: ProjectOption
        @OptionGroup var lockOptions: LockOptions

        func run() async throws {
            let backend = try MediaformCommand.StateCommand.backend(project.project)
            let written = try await StateEdit.moveCategory(
                from: old, to: new, in: backend, lockTimeout: lockOptions.seconds
            ) {
                for warning in $0 { Console.warning(warning) }
            }
            Console.note(
                "Moved category '\(old)' to '\(new)'; the next apply renames it in IMS. The state is now at serial "
                    + "\(written.serial).")
        }
    }

    struct Categories: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "categories",
            abstract: "List the categories in the state: path, CateId and what IMS names it, tab-separated.")

        @OptionGroup var project: ProjectOption

        func run() async throws {
            let state = try await MediaformCommand.StateCommand.read(project.project)
            var out = ""
            for (path, record) in state.categories.sorted(by: { CategoryPath.precedes($0.key, $1.key) }) {
                var note = ""
                if record.missing {
                    note = "\t(deleted outside mediaform)"
                } else if record.name != CategoryPath.leaf(path) {
                    note = "\t(IMS names it '\(record.name)')"
                }
                out += "\(path)\t\(record.id)\(note)\n"
            }
            Console.out(out)
        }
    }
}
