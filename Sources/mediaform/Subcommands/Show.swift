import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform show [FILE]`: a saved plan or a state, in any format.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a saved plan, a state file, or the project's state.",
            discussion:
                "Without FILE, shows the state of the project given by --project (default: the current directory)."
        )

        @Argument(help: "A plan saved with 'plan --out', or a state file.", completion: .file())
        var file: String?

        @Option(help: "Output format: text, json or markdown.")
        var format: OutputFormat = .text

        @Option(
            help: ArgumentHelp(
                "With a saved plan: also write it as one self-contained HTML page for review.", valueName: "file"),
            completion: .file())
        var html: String?

        @OptionGroup var project: ProjectOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let color = output.useColor(onStandardError: false)
            guard let file else {
                let (backend, diagnostics) = Workspace.backend(directory: project.project)
                DiagnosticPrinter(color: output.useColor(onStandardError: true)).print(diagnostics)
                guard let backend else { throw ExitCode.failure }
                let loaded = try await backend.read()
                for warning in loaded.warnings { Console.warning(warning) }
                Console.out(StateRenderer.render(loaded.state, exists: loaded.exists, format: format))
                return
            }
            let data = try await Workspace.readFile(file)
            let value: JSONValue
            do {
                value = try JSONParser.parse(data)
            } catch {
                throw StateError.corrupt(
                    StateFormatError(
                        file: file, position: "\(error.line):\(error.column)",
                        message: "not a saved plan or a state file: \(error.message)"))
            }
            let saved: SavedPlan?
            do {
                saved = try SavedPlan.decode(value, file: file)
            } catch {
                throw StateError.corrupt(error)
            }
            if let saved {
                PlanOutput.write(saved.plan, format: format, color: color)
                if let html { try await PlanOutput.writeHTML(saved.plan, to: html) }
                return
            }
            if html != nil { Console.warning("--html applies to a saved plan; \(file) is a state file") }
            let state: State
            do {
                state = try State.decode(data, file: file)
            } catch {
                throw StateError.corrupt(error)
            }
            Console.out(StateRenderer.render(state, exists: true, format: format))
        }
    }
}
