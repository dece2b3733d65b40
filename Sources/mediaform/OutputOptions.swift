import ArgumentParser
import Foundation

/// Flags shared by every command that prints.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Never colour the output (NO_COLOR in the environment does the same).")
    var noColor = false

    /// Colour only on a terminal, and never when `--no-color` or `NO_COLOR` says so.
    func useColor(onStandardError: Bool) -> Bool {
        if noColor { return false }
        if let value = ProcessInfo.processInfo.environment["NO_COLOR"], !value.isEmpty { return false }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
        return isatty(onStandardError ? STDERR_FILENO : STDOUT_FILENO) == 1
    }
}
