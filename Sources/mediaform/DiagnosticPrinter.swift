import Foundation
import MediaformCore

/// Prints diagnostics to stderr like a compiler: `path:LINE:COL: error: message`, coloured on a terminal.
struct DiagnosticPrinter {
    var color: Bool

    func print(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        var out = ""
        for d in diagnostics {
            out += render(d)
            out += "\n"
        }
        FileHandle.standardError.write(Data(out.utf8))
    }

    func render(_ d: Diagnostic) -> String {
        guard color else { return d.description }
        let label: String
        switch d.severity {
        case .error: label = "\u{1B}[1;31merror\u{1B}[0m"
        case .warning: label = "\u{1B}[1;33mwarning\u{1B}[0m"
        case .note: label = "\u{1B}[1;36mnote\u{1B}[0m"
        }
        let prefix = d.location.map { "\u{1B}[1m\($0)\u{1B}[0m: " } ?? ""
        return "\(prefix)\(label): \(d.message)"
    }
}
