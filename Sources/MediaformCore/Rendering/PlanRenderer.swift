import Dispatch
import Foundation
import Synchronization

/// Output formats of `plan` and `show`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, markdown
}

/// Renders a plan for people (text, Markdown) and programs (JSON). Pure: the caller decides where it goes.
public enum PlanRenderer {
    /// The JSON plan's format version: bumped only for incompatible changes; new fields may appear at any time.
    public static let jsonFormatVersion = "1.0"
    /// GitHub refuses comments over 65,536 characters; Markdown plans stay under this.
    public static let markdownBudget = 60_000

    // MARK: - Text

    /// Terminal text: one block per change, then the summary line. No-op assets are not listed.
    /// - Parameter color: ANSI colours (only for a terminal).
    public static func text(_ plan: Plan, color: Bool) -> String {
        var out: [UInt8] = []
        writeText(plan, color: color) { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    /// The same text as `text(_:color:)` as UTF-8, handed to `write` in consecutive parts of about a megabyte: a plan
    /// of 100,000 new assets is 43 MB of text, which `plan` writes as it renders instead of holding it whole (and
    /// again as the bytes written).
    public static func writeText(_ plan: Plan, color: Bool, to write: ([UInt8]) -> Void) {
        // Positions rather than a filtered copy: copying 100,000 changes retained every value they hold.
        let changes = plan.changes
        let listed = changes.indices.filter { changes[$0].action != .noOp }
        let categories = plan.categories.filter { $0.action != .noOp }
        if listed.isEmpty && categories.isEmpty {
            write(Array((plan.summaryLine + "\n").utf8))
            return
        }
        let actions = Set(listed.map { changes[$0].action })
        let width =
            (actions.map { $0.symbol.count } + categories.map { $0.action.symbol.count }).max() ?? 1
        // The tree first: categories are created before the uploads that go into them.
        var out = ""
        for change in categories {
            var head = padded(change.action.symbol, width) + " \(change.action.rawValue) category \(change.path)"
            if change.action != .create || change.reason != CategoryPlanner.createReason {
                head += "  (\(change.reason))"
            }
            out += paint(head, change.action.allowedAs, color) + "\n"
        }
        if !out.isEmpty { write(Array(out.utf8)) }
        // Each change renders on its own, so large plans render in chunks on every core, written in order as
        // each round of chunks is done. Into bytes: see `TextBuffer`.
        ParallelChunks.inRounds(
            count: listed.count, size: 2048,
            { range in
                var text = TextBuffer(capacity: range.count * 512)
                for i in range { textBlock(changes[listed[i]], width: width, color: color, into: &text) }
                return text.bytes
            }, consume: write)
        write(Array(("\n" + (color ? "\u{1B}[1m\(plan.summaryLine)\u{1B}[0m" : plan.summaryLine) + "\n").utf8))
    }

    /// One change's lines: the head, then each field.
    private static func textBlock(_ change: PlannedChange, width: Int, color: Bool, into out: inout TextBuffer) {
        var head = padded(change.action.symbol, width) + " " + change.action.rawValue + " " + headKeys(change)
        if showsReason(change) { head += "  (" + change.reason + ")" }
        out.append(paint(head, change.action, color))
        out.append(ascii: UInt8(ascii: "\n"))
        let fields = change.fields  // a create's are derived when read: once
        // Field names are mediaform's ASCII names, so their UTF-8 length is their width (counting characters was 2 %
        // of a plan of 100,000 new assets); a hand-edited state's odd input name is only aligned less well.
        var fieldWidth = 0
        for field in fields { fieldWidth = max(fieldWidth, field.field.utf8.count) }
        for field in fields {
            out.appendSpaces(width + 3)
            out.append(field.field)
            out.append(ascii: UInt8(ascii: ":"))
            out.appendSpaces(fieldWidth + 1 - field.field.utf8.count)
            switch (field.before, field.after) {
            case (.null, let after) where change.action == .create || change.action == .retry:
                display(after, into: &out)
            case (.null, let after):
                out.append("(none) → ")
                display(after, into: &out)
            case (let before, .null):
                display(before, into: &out)
                out.append(" → (none)")
            case (let before, let after):
                display(before, into: &out)
                out.append(" → ")
                display(after, into: &out)
            }
            out.append(ascii: UInt8(ascii: "\n"))
        }
    }

    /// `s` followed by spaces up to `width` characters (Foundation's `padding` bridges through NSString: slow).
    private static func padded(_ s: String, _ width: Int) -> String {
        let count = s.count
        return count >= width ? s : s + String(repeating: " ", count: width - count)
    }

    /// "KEY", or "OLD → NEW" for a move.
    private static func headKeys(_ change: PlannedChange) -> String {
        change.from.map { "\($0) → \(change.key)" } ?? change.key
    }

    /// A create's usual reason ("not in the state") goes without saying; any other reason is shown.
    private static func showsReason(_ change: PlannedChange) -> Bool {
        change.action != .create || change.reason != Planner.createReason
    }

    private static func paint(_ s: String, _ action: PlanAction, _ color: Bool) -> String {
        guard color else { return s }
        let code: String
        switch action {
        case .create, .retry: code = "32"
        case .update: code = "33"
        case .replace: code = "35"
        case .delete: code = "31"
        case .move: code = "34"
        case .orphan, .missing: code = "33"
        case .inProgress, .noOp: code = "36"
        }
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }

    /// A field value as reviewers read it: strings quoted (JSON escaping, so control characters are visible),
    /// lists as `[a, b]`, numbers plain.
    public static func display(_ value: JSONValue) -> String {
        var out = ""
        display(value, into: &out)
        return out
    }

    /// `display(value)` appended to `out` (no string of its own per value: plans render millions of values).
    static func display<Out: TextOutput>(_ value: JSONValue, into out: inout Out) {
        switch value {
        case .string(let s) where startsWithHTTPScheme(s):
            out.append(s)
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(", ") }
                display(item, into: &out)
            }
            out.append("]")
        default: value.write(into: &out)
        }
    }

    /// Whether `s` starts with "http://" or "https://" (case-sensitive), on its bytes: the generic
    /// `utf8.starts(with:)` was 2 % of a plan of 100,000 new assets, where every value is looked at.
    static func startsWithHTTPScheme(_ s: String) -> Bool {
        var s = s  // `withUTF8` is mutating; for a native string this copies nothing
        return s.withUTF8 { u in
            guard u.count >= 7, u[0] == UInt8(ascii: "h"), u[1] == UInt8(ascii: "t"), u[2] == UInt8(ascii: "t"),
                u[3] == UInt8(ascii: "p")
            else { return false }
            let rest = u[4] == UInt8(ascii: "s") ? 5 : 4
            return u.count >= rest + 3 && u[rest] == UInt8(ascii: ":") && u[rest + 1] == UInt8(ascii: "/")
                && u[rest + 2] == UInt8(ascii: "/")
        }
    }

    // MARK: - JSON

    /// The versioned JSON document (documented in docs/plan-json.md). Keys sorted; changes sorted by key.
    public static func json(_ plan: Plan, generator: String) -> JSONValue {
        var summary: [String: JSONValue] = [:]
        let counts = plan.counts
        for action in PlanAction.allCases { summary[action.rawValue] = .int(Int64(counts[action, default: 0])) }
        let changes = plan.changes.map { change -> JSONValue in
            var object: [String: JSONValue] = [
                "key": .string(change.key), "action": .string(change.action.rawValue),
                "actions": .array(change.operations.map { .string($0.rawValue) }), "reason": .string(change.reason),
                "drift": .bool(change.drift),
                "fields": .array(
                    change.fields.map { .object(["field": .string($0.field), "before": $0.before, "after": $0.after]) }),
            ]
            if let from = change.from { object["from"] = .string(from) }
            if change.action != .noOp {
                let facts = change.facts
                object["title"] = facts.title.map(JSONValue.string) ?? .null
                object["source"] = facts.source.map(JSONValue.string) ?? .null
                object["cover"] = facts.cover.map(JSONValue.string) ?? .null
                object["file"] = facts.file.map(JSONValue.string) ?? .null
            }
            return .object(object)
        }
        let categories = plan.categories.map { change -> JSONValue in
            .object([
                "path": .string(change.path), "action": .string(change.action.rawValue),
                "actions": .array(change.operations.map { .string($0.rawValue) }), "reason": .string(change.reason),
                "drift": .bool(change.drift), "id": change.id.map(JSONValue.int) ?? .null,
                "current_name": change.currentName.map(JSONValue.string) ?? .null,
            ])
        }
        var categorySummary: [String: JSONValue] = [:]
        for action in CategoryAction.allCases {
            categorySummary[action.rawValue] = .int(Int64(plan.categoryCounts[action, default: 0]))
        }
        return .object([
            "categories": .array(categories), "category_summary": .object(categorySummary),
            "format_version": .string(jsonFormatVersion), "generator": .string(generator), "prune": .bool(plan.prune),
            "partial": .bool(plan.scope.isPartial), "refreshed": .bool(plan.refreshed),
            "targets": .array(plan.scope.targets.map(JSONValue.string)),
            "replace": .array(plan.scope.replacing.map(JSONValue.string)), "excluded": .int(Int64(plan.excluded)),
            "state": .object(["lineage": .string(plan.lineage), "serial": .int(Int64(plan.serial))]),
            "summary": .object(summary), "has_changes": .bool(plan.hasChanges),
            "summary_line": .string(plan.summaryLine),
            "changes": .array(changes),
        ])
    }

    /// Reads a plan back from its JSON form (for `show` of a saved plan).
    public static func plan(fromJSON value: JSONValue, file: String) throws(StateFormatError) -> Plan {
        let root = try JSONFields(value, path: "", file: file)
        let version = try root.string("format_version")
        guard version.hasPrefix("1.") else {
            throw root.fail("format_version", "plan format \(version) is not supported by this mediaform (reads 1.x)")
        }
        let state = try root.nested("state")
        guard case .array(let items)? = root.object["changes"] else { throw root.fail("changes", "expected a list") }
        var changes: [PlannedChange] = []
        for (i, item) in items.enumerated() {
            let f = try JSONFields(item, path: "changes[\(i)]", file: file)
            let actionText = try f.string("action")
            guard let action = PlanAction(rawValue: actionText) else {
                throw f.fail("action", "unknown action '\(actionText)'")
            }
            var fields: [FieldChange] = []
            for (j, fieldValue) in (f.object["fields"]?.arrayValue ?? []).enumerated() {
                let ff = try JSONFields(fieldValue, path: "changes[\(i)].fields[\(j)]", file: file)
                fields.append(
                    FieldChange(
                        field: try ff.string("field"), before: ff.object["before"] ?? .null,
                        after: ff.object["after"] ?? .null))
            }
            var operations: [RemoteOperation] = []
            for name in try f.strings("actions") {
                guard let operation = RemoteOperation(rawValue: name) else {
                    throw f.fail("actions", "unknown operation '\(name)'")
                }
                operations.append(operation)
            }
            let from = try f.optionalString("from")
            if (action == .move) != (from != nil) {
                throw f.fail("from", action == .move ? "a move needs 'from'" : "only a move has 'from'")
            }
            var change = PlannedChange(
                key: try f.string("key"), from: from, action: action, reason: try f.string("reason"),
                fields: fields, operations: operations, drift: try f.bool("drift", default: false))
            if f.object["title"] != nil || f.object["source"] != nil {
                change.savedFacts = ChangeFacts(
                    title: try f.optionalString("title"), source: try f.optionalString("source"),
                    cover: try f.optionalString("cover"), file: try f.optionalString("file"))
            }
            changes.append(change)
        }
        // Plans saved before --target and --replace existed have neither: a whole plan.
        let scope = PlanScope(
            targets: root.object["targets"] == nil ? [] : try root.strings("targets"),
            replacing: root.object["replace"] == nil ? [] : try root.strings("replace"))
        var plan = Plan(
            changes: changes, prune: try root.bool("prune", default: false), lineage: try state.string("lineage"),
            serial: Int(try state.int("serial")), scope: scope,
            excluded: root.object["excluded"] == nil ? 0 : Int(try root.int("excluded")))
        plan.refreshed = try root.bool("refreshed", default: false)
        // Plans saved before categories were managed have none.
        for (i, item) in (root.object["categories"]?.arrayValue ?? []).enumerated() {
            let f = try JSONFields(item, path: "categories[\(i)]", file: file)
            let actionText = try f.string("action")
            guard let action = CategoryAction(rawValue: actionText) else {
                throw f.fail("action", "unknown category action '\(actionText)'")
            }
            var operations: [RemoteOperation] = []
            for name in try f.strings("actions") {
                guard let operation = RemoteOperation(rawValue: name) else {
                    throw f.fail("actions", "unknown operation '\(name)'")
                }
                operations.append(operation)
            }
            plan.categories.append(
                CategoryChange(
                    path: try f.string("path"), action: action, reason: try f.string("reason"),
                    id: f.object["id"]?.intValue, currentName: try f.optionalString("current_name"),
                    operations: operations, drift: try f.bool("drift", default: false)))
        }
        return plan
    }

    // MARK: - Markdown

    /// A pull-request comment: the summary table first, then one collapsed section per change, always under
    /// `budget` characters (the rest is counted in "… and N more assets; see the JSON plan").
    public static func markdown(_ plan: Plan, title: String = "mediaform plan", budget: Int = markdownBudget) -> String
    {
        let counts = plan.counts
        var head = "### \(escape(title))\n\n**\(escape(plan.summaryLine))**\n\n"
        head += "| action | assets |\n|---|---:|\n"
        for action in PlanAction.allCases where action != .noOp {
            let n = counts[action, default: 0]
            if n > 0 { head += "| \(action.symbol) \(action.rawValue) | \(n) |\n" }
        }
        if let n = counts[.noOp], n > 0 { head += "| unchanged | \(n) |\n" }
        head += "\n"
        let categories = plan.categories.filter { $0.action != .noOp }
        if !categories.isEmpty {
            head += "#### Categories (\(categories.count))\n\n| | category | why |\n|---|---|---|\n"
            for change in categories {
                head +=
                    "| <code>\(change.action.symbol)</code> \(change.action.rawValue) | <code>\(html(change.path))</code> | "
                    + "\(escape(change.reason)) |\n"
            }
            head += "\n"
        }
        // Changes that undo the console's edits first, under their own heading: a reviewer must see them.
        let drifted = plan.changes.filter { $0.action != .noOp && $0.drift }
        let listed = drifted + plan.changes.filter { $0.action != .noOp && !$0.drift }
        var body = ""
        var shown = 0
        // Room for the "… and N more" line, however large N is.
        let reserve = 120
        for (i, change) in listed.enumerated() {
            var section = markdownSection(change)
            if !drifted.isEmpty && i == 0 {
                section =
                    "#### Changed outside mediaform (\(drifted.count))\n\nThe library differs from what mediaform "
                    + "last applied; these changes set it back to the manifests.\n\n" + section
            }
            if !drifted.isEmpty && i == drifted.count { section = "\n#### Changes from the manifests\n\n" + section }
            if head.count + body.count + section.count + reserve > budget { break }
            body += section
            shown += 1
        }
        var out = head + body
        if shown < listed.count {
            out += "\n… and \(listed.count - shown) more assets; see the JSON plan (`mediaform plan --format json`).\n"
        }
        return out
    }

    private static func markdownSection(_ change: PlannedChange) -> String {
        var s =
            "<details><summary><code>\(change.action.symbol)</code> \(change.action.rawValue) "
        if let from = change.from { s += "<code>\(html(from))</code> → " }
        s += "<code>\(html(change.key))</code>"
        if showsReason(change) { s += " — \(html(change.reason))" }
        s += "</summary>\n\n"
        let fields = change.fields  // a create's are derived when read: once
        if !fields.isEmpty {
            s += "| field | before | after |\n|---|---|---|\n"
            for field in fields {
                s += "| \(escape(field.field)) | \(cell(field.before)) | \(cell(field.after)) |\n"
            }
        }
        s += "\n</details>\n"
        return s
    }

    private static func cell(_ value: JSONValue) -> String {
        if value == .null { return "" }
        var text = display(value)
        if text.count > 300 { text = String(text.prefix(300)) + "…" }
        return "<code>"
            + html(text).replacingOccurrences(of: "|", with: "&#124;").replacingOccurrences(of: "\n", with: " ")
            + "</code>"
    }

    /// HTML escaping for text inside tags.
    static func html(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Markdown escaping for table cells and headings.
    static func escape(_ s: String) -> String {
        html(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "*", with: "\\*")
            .replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "`", with: "\\`")
    }
}
