import ArgumentParser
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform validate [DIR]`: every problem in the project, in one run.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the project file and every asset manifest without contacting the API.",
            discussion: """
                Reports every problem in one run on stderr as `path:LINE:COL: error|warning: message`: YAML \
                syntax, duplicate keys, wrong types, unknown keys, missing fields, duplicate asset keys or \
                sources, and the API's limits (title, description, tags, emoji, URLs, extensions, region). \
                Prints nothing when the project is valid.

                With --check-sources it then checks every source over the network (see the option); without \
                it, nothing touches the network.

                Exit codes: 0 valid (warnings allowed unless --strict); 1 errors found.
                """
        )

        @Argument(help: "The project directory (holding mediaform.yaml).", completion: .directory)
        var directory: String = "."

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        @OptionGroup var sources: SourceCheckOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let loaded = ProjectLoader.load(directory: directory)
            let printer = DiagnosticPrinter(color: output.useColor(onStandardError: true))
            printer.print(loaded.diagnostics)
            if loaded.hasErrors || (strict && !loaded.diagnostics.isEmpty) {
                throw ExitCode.failure
            }
            try await sources.run(on: loaded.assets, color: output.useColor(onStandardError: true))
        }
    }
}
