import Foundation

/// Rendering of a state for `show`: text, JSON or a Markdown table.
public enum StateRenderer {
    /// The state as `format`; `exists` false renders the "no state yet" text.
    public static func render(_ state: State, exists: Bool, format: OutputFormat) -> String {
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
