import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

extension MediaformCommand {
    /// `mediaform show [FILE]`: a saved plan or a state, in any format.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a saved plan, a state file, or the project's state.",
            discussion:
                "Without FILE, shows the state of the project given by --project (default: the current directory)."
        )

        @Argument(help: "A plan saved with 'plan --out', or a state file.", completion: .file())
        var file: String?

        @Option(help: "Output format: text, json or markdown.")
        var format: OutputFormat = .text

        @OptionGroup var project: ProjectOption
        @OptionGroup var output: OutputOptions

        func run() throws {
            let color = output.useColor(onStandardError: false)
            guard let file else {
                let (backend, diagnostics) = Workspace.backend(directory: project.project)
                DiagnosticPrinter(color: output.useColor(onStandardError: true)).print(diagnostics)
                guard let backend else { throw ExitCode.failure }
                let loaded = try backend.read()
                for warning in loaded.warnings { Console.warning(warning) }
                Console.out(StateOutput.render(loaded.state, exists: loaded.exists, format: format))
                return
            }
            let data = try Workspace.readFile(file)
            let value: JSONValue
            do {
                value = try JSONParser.parse(data)
            } catch {
                throw StateError.corrupt(
                    StateFormatError(
                        file: file, position: "\(error.line):\(error.column)",
                        message: "not a saved plan or a state file: \(error.message)"))
            }
            do {
                if let saved = try SavedPlan.decode(value, file: file) {
                    Console.out(PlanOutput.render(saved.plan, format: format, color: color))
                } else {
                    let state = try State.decode(data, file: file)
                    Console.out(StateOutput.render(state, exists: true, format: format))
                }
            } catch {
                throw StateError.corrupt(error)
            }
        }
    }
}

/// Rendering of a state for `show` and `state list`.
enum StateOutput {
    static func render(_ state: State, exists: Bool, format: OutputFormat) -> String {
        let keys = state.assets.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        switch format {
        case .json:
            return state.json.prettyJSON
        case .markdown:
            var out =
                "### mediaform state\n\n\(keys.count) assets · serial \(state.serial) · lineage `\(state.lineage)`\n\n"
            out += "| key | status | media ID | source |\n|---|---|---|---|\n"
            for key in keys {
                guard let r = state.assets[key] else { continue }
                out += "| \(cell(key)) | \(r.status.rawValue) | \(cell(r.mediaId ?? "")) | \(cell(r.source)) |\n"
            }
            return out
        case .text:
            guard exists else { return "No state yet: nothing has been applied.\n" }
            var out = "State: \(keys.count) assets, serial \(state.serial), lineage \(state.lineage)\n"
            for key in keys {
                guard let r = state.assets[key] else { continue }
                out +=
                    "\n\(key)\n  status:  \(r.status.rawValue)\n  source:  \(r.source)\n  title:   \(JSONValue.quoted(r.fields.title))\n"
                if let m = r.mediaId { out += "  media:   \(m)\n" }
                if let j = r.jobId { out += "  job:     \(j)\n" }
                if r.protect { out += "  protect: true\n" }
                if let e = r.lastError { out += "  error:   \(e.code): \(e.message)\n" }
            }
            return out
        }
    }

    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
    }
}
