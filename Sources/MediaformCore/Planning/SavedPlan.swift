/// A plan written by `plan --out FILE`, to be applied later by `apply FILE` (docs/design.md §3 "Saved plans").
///
/// It records what the plan was made against: the state's lineage and serial and a digest of the project file and
/// every manifest. `apply` refuses it when any of them changed. It holds no secret: sources are redacted, and apply
/// reads the full URLs from the (unchanged) manifests.
public struct SavedPlan: Sendable, Equatable {
    public static let kind = "mediaform-plan"
    public static let formatVersion = "1.0"

    public var plan: Plan
    /// `LoadedProject.digest` when the plan was made.
    public var digest: String
    public var created: String
    public var generator: String
    /// The project directory as given to `plan` (relative to where it ran); `apply FILE` uses it unless told
    /// otherwise with `--project`.
    public var directory: String

    public init(plan: Plan, digest: String, created: String, generator: String, directory: String = ".") {
        self.plan = plan
        self.digest = digest
        self.created = created
        self.generator = generator
        self.directory = directory
    }

    /// The file's text (pretty JSON).
    public var fileText: String {
        JSONValue.object([
            "kind": .string(Self.kind), "format_version": .string(Self.formatVersion), "created": .string(created),
            "generator": .string(generator), "manifest_digest": .string(digest),
            "project_directory": .string(directory),
            "plan": PlanRenderer.json(plan, generator: generator),
        ]).prettyJSON
    }

    /// Reads a saved plan. Returns nil when the JSON is not a saved plan at all (so `show` can try a state file).
    public static func decode(_ value: JSONValue, file: String) throws(StateFormatError) -> SavedPlan? {
        guard value["kind"]?.stringValue == kind else { return nil }
        let root = try JSONFields(value, path: "", file: file)
        let version = try root.string("format_version")
        guard version.hasPrefix("1.") else {
            throw root.fail(
                "format_version", "saved plan format \(version) is not supported by this mediaform (reads 1.x)")
        }
        let plan = try PlanRenderer.plan(fromJSON: root.object["plan"] ?? .null, file: file)
        return SavedPlan(
            plan: plan, digest: try root.string("manifest_digest"), created: try root.string("created"),
            generator: try root.optionalString("generator") ?? "",
            directory: try root.optionalString("project_directory") ?? ".")
    }

    /// Why this plan may no longer be applied, or nil when it still matches the state and the manifests.
    public func staleness(lineage: String, serial: Int, digest currentDigest: String) -> String? {
        if lineage != plan.lineage {
            let was = plan.lineage.isEmpty ? "no state yet" : "lineage \(plan.lineage)"
            let now = lineage.isEmpty ? "there is no state" : "the state has lineage \(lineage)"
            return "the plan was made against \(was), but \(now): it belongs to another state"
        }
        if serial != plan.serial {
            return
                "the state changed since the plan was made (serial \(plan.serial) then, \(serial) now); run plan again"
        }
        if currentDigest != digest {
            return "the project file or a manifest changed since the plan was made; run plan again"
        }
        return nil
    }

    /// Why this plan may not be applied by `generator` (the running mediaform): a plan saved by another version
    /// may mean something else to it. Nil when the versions are the same.
    public func versionProblem(current generator: String) -> String? {
        guard self.generator != generator else { return nil }
        let saver = self.generator.isEmpty ? "an unknown version of mediaform" : self.generator
        return "it was saved by \(saver), and this is \(generator); run plan again with this version"
    }

    /// The first asset whose change differs between this saved plan and `recomputed` (the plan made now from the
    /// same state and manifests), described for the user; nil when every change is the same (action, API
    /// operations and field values; the reason text is not compared). A difference means the file was edited, or
    /// that this mediaform plans differently: either way, what the reviewer read is not what would be applied.
    public func firstDifference(from recomputed: Plan) -> String? {
        let saved = Dictionary(plan.changes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(recomputed.changes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Set(saved.keys).union(now.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for key in keys {
            guard let was = saved[key] else { return "'\(key)' is not in the saved plan but is in the plan made now" }
            guard let change = now[key] else { return "'\(key)' is in the saved plan but not in the plan made now" }
            if was.action != change.action {
                return
                    "'\(key)': the saved plan says \(was.action.rawValue), the plan made now \(change.action.rawValue)"
            }
            if was.from != change.from {
                let source = { (from: String?) in from.map { "a move from '\($0)'" } ?? "no move" }
                return "'\(key)': the saved plan says \(source(was.from)), the plan made now \(source(change.from))"
            }
            if was.operations != change.operations {
                let list = { (ops: [RemoteOperation]) in ops.map(\.rawValue).joined(separator: ", ") }
                return
                    "'\(key)': the saved plan sends [\(list(was.operations))], the plan made now [\(list(change.operations))]"
            }
            // Compared as canonical JSON: the saved side went through a JSON file, the other did not.
            let text = { (f: FieldChange) in
                f.field + "\u{0}" + f.before.canonicalJSON + "\u{0}" + f.after.canonicalJSON
            }
            if was.fields.map(text) != change.fields.map(text) {
                let field =
                    zip(was.fields, change.fields).first { text($0) != text($1) }?.0.field
                    ?? (was.fields.count > change.fields.count ? was.fields : change.fields).last?.field ?? "?"
                return "'\(key)': field '\(field)' differs between the saved plan and the plan made now"
            }
        }
        let categoryText = { (c: CategoryChange) in
            "category '\(c.path)' \(c.action.rawValue) [\(c.operations.map(\.rawValue).joined(separator: ", "))]"
        }
        let savedCategories = plan.categories.filter { $0.action != .noOp }.map(categoryText)
        let currentCategories = recomputed.categories.filter { $0.action != .noOp }.map(categoryText)
        if savedCategories != currentCategories {
            let first = zip(savedCategories, currentCategories).first { $0 != $1 }
            return first.map { "the saved plan says \($0.0), the plan made now \($0.1)" }
                ?? "the category changes differ between the saved plan (\(savedCategories.count)) and the plan made "
                + "now (\(currentCategories.count))"
        }
        return nil
    }
}
