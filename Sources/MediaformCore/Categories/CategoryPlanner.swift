/// Plans the project's category tree against the state (issue 17): pure, like `Planner`, which calls it.
public enum CategoryPlanner {
    /// The reason of a plain category create.
    public static let createReason =
        "not in the state; a category IMS already has at this path is adopted instead of created"

    /// One change per declared path and per recorded path, parents first.
    /// - Parameters:
    ///   - declared: the project's `categories`, parents implied (`Project.categories`).
    ///   - changes: the plan's asset changes: a category is in use while a record that stays refers to it.
    ///   - assets: the manifests' assets, categories resolved: an asset naming a `CateId` keeps it in use too.
    ///   - unchanged: keys of assets the manifest cache skipped: in step with their records, so in theirs.
    static func plan(
        declared: [String], state: State, changes: [PlannedChange], assets: [Asset], unchanged: [String] = [],
        prune: Bool
    ) -> [CategoryChange] {
        guard !declared.isEmpty || !state.categories.isEmpty else { return [] }
        var out: [CategoryChange] = []
        let declaredSet = Set(declared)
        for path in declared {
            guard let record = state.categories[path] else {
                out.append(
                    CategoryChange(path: path, action: .create, reason: createReason, operations: [.createCategory]))
                continue
            }
            let leaf = CategoryPath.leaf(path)
            if record.missing {
                out.append(
                    CategoryChange(
                        path: path, action: .create,
                        reason: "deleted outside mediaform; created again, and the assets in it moved to the new one",
                        id: record.id, operations: [.createCategory], drift: true))
            } else if record.name != leaf {
                let reason =
                    record.drift
                    ? "renamed to '\(record.name)' outside mediaform; named '\(leaf)' again"
                    : "renamed with state mv-category; IMS still names it '\(record.name)'"
                out.append(
                    CategoryChange(
                        path: path, action: .rename, reason: reason, id: record.id, currentName: record.name,
                        operations: [.renameCategory], drift: record.drift))
            } else {
                out.append(CategoryChange(path: path, action: .noOp, reason: "", id: record.id))
            }
        }
        let removed = state.categories.keys.filter { !declaredSet.contains($0) }
        if !removed.isEmpty {
            out += hintingRenames(
                removals(
                    removed, state: state, changes: changes, assets: assets, unchanged: unchanged, prune: prune),
                creates: out)
        }
        return out.sorted { CategoryPath.precedes($0.path, $1.path) }
    }

    /// Categories gone from the project file: deleted under prune when nothing refers to them and nothing kept
    /// lies below them (IMS deletes a category's children with it), deepest first; otherwise orphans.
    private static func removals(
        _ removed: [String], state: State, changes: [PlannedChange], assets: [Asset], unchanged: [String],
        prune: Bool
    ) -> [CategoryChange] {
        // In use after this plan: the category each manifest asset will have (its own, or, when it names none, the
        // one the library gave it), and that of each record that stays without being in the manifests. Apply checks
        // again before deleting, in case an update that moves an asset out of the category fails.
        let leaving = Set(changes.lazy.filter { $0.action == .delete }.map(\.key))
        var uses: [Int64: Int] = [:]
        var declaring = Set<String>()
        for asset in assets {
            declaring.insert(asset.key)
            let id = asset.category ?? (asset.categoryPath == nil ? state.assets[asset.key]?.fields.category : nil)
            if let id { uses[id, default: 0] += 1 }
        }
        for key in unchanged {
            declaring.insert(key)
            if let id = state.assets[key]?.fields.category { uses[id, default: 0] += 1 }
        }
        for (key, record) in state.assets where !leaving.contains(key) && !declaring.contains(key) {
            if let id = record.fields.category { uses[id, default: 0] += 1 }
        }
        var kept = Set<String>()
        var out: [CategoryChange] = []
        for path in removed.sorted(by: { CategoryPath.depth($0) > CategoryPath.depth($1) }) {
            guard let record = state.categories[path] else { continue }
            let keptBelow = kept.filter { CategoryPath.isBelow($0, path) }.sorted(by: CategoryPath.precedes).first
            let orphan = { (reason: String) in
                kept.insert(path)
                out.append(CategoryChange(path: path, action: .orphan, reason: reason, id: record.id))
            }
            if record.missing {
                guard prune else {
                    orphan("not in the project file, and deleted outside mediaform (use --prune to forget it)")
                    continue
                }
                out.append(
                    CategoryChange(
                        path: path, action: .delete,
                        reason: "not in the project file, and deleted outside mediaform: the record is only forgotten",
                        id: record.id, drift: true))
            } else if let n = uses[record.id] {
                orphan(
                    "not in the project file; still the category of \(n) asset\(n == 1 ? "" : "s"), so never deleted")
            } else if let below = keptBelow {
                orphan("not in the project file; kept because '\(below)' below it is kept")
            } else if !prune {
                orphan("not in the project file; kept because pruning is off (use --prune to delete it)")
            } else {
                out.append(
                    CategoryChange(
                        path: path, action: .delete, reason: "not in the project file and pruning is on",
                        id: record.id, operations: [.deleteCategory]))
            }
        }
        return out
    }

    /// A path is not an identity: a category renamed in the project file is a create and a removal. Where one
    /// removed category has exactly one new sibling, its reason says how to record the rename instead.
    private static func hintingRenames(_ removals: [CategoryChange], creates: [CategoryChange]) -> [CategoryChange] {
        let created = creates.filter { $0.action == .create && $0.id == nil }
        return removals.map { change in
            let siblings = created.filter { CategoryPath.parent($0.path) == CategoryPath.parent(change.path) }
            guard change.operations != [] || change.action == .orphan, siblings.count == 1 else { return change }
            var hinted = change
            hinted.reason +=
                "; if it was renamed to '\(siblings[0].path)', record that with: mediaform state mv-category "
                + "'\(change.path)' '\(siblings[0].path)'"
            return hinted
        }
    }

    /// `assets` with each category path replaced by the `CateId` the state records for it; a path with no record
    /// (or whose category was deleted outside mediaform) stays unresolved until apply creates it.
    static func resolve(_ assets: [Asset], categories: [String: CategoryRecord]) -> [Asset] {
        guard assets.contains(where: { $0.categoryPath != nil }) else { return assets }
        return assets.map { asset in
            guard let path = asset.categoryPath else { return asset }
            var resolved = asset
            resolved.category = categories[path].flatMap { $0.missing ? nil : $0.id }
            return resolved
        }
    }

    /// Shows categories by path in the field changes: an asset's path as written, a recorded `CateId` by the path
    /// the state gives it. An asset whose category does not exist yet gets its `category` field added.
    static func describe(_ changes: inout [PlannedChange], categories: [String: CategoryRecord]) {
        var names: [Int64: String] = [:]
        for (path, record) in categories {
            names[record.id] = record.missing ? path + " (deleted outside mediaform)" : path
        }
        let label = { (value: JSONValue) -> JSONValue in
            if case .int(let id) = value, let path = names[id] { return .string(path) }
            return value
        }
        for i in changes.indices {
            let change = changes[i]
            let path = change.asset?.categoryPath
            // Read once, and set only when relabelled: a create's fields are derived when read (`PlannedChange`).
            var fields = change.fields
            if let index = fields.firstIndex(where: { $0.field == "category" }) {
                let before = label(fields[index].before)
                let after = path.map(JSONValue.string) ?? label(fields[index].after)
                if before != fields[index].before || after != fields[index].after {
                    fields[index].before = before
                    fields[index].after = after
                    changes[i].fields = fields
                }
            } else if let path, change.asset?.category == nil, sendsFields(change) {
                let before = change.record?.fields.category.map { label(.int($0)) } ?? .null
                // Beside the other managed fields, as a reviewer reads them.
                let at =
                    (fields.lastIndex { ["source", "title", "description", "tags"].contains($0.field) })
                    .map { $0 + 1 } ?? fields.count
                fields.insert(FieldChange(field: "category", before: before, after: .string(path)), at: at)
                changes[i].fields = fields
            }
        }
    }

    private static func sendsFields(_ change: PlannedChange) -> Bool {
        switch change.action {
        case .create, .retry, .replace, .update: true
        case .move: !change.fields.isEmpty
        default: false
        }
    }

    /// The category changes a `--target`ed plan keeps: the creations its assets need (with their parents).
    static func scoped(_ changes: [CategoryChange], to assetChanges: [PlannedChange]) -> [CategoryChange] {
        var needed = Set<String>()
        for change in assetChanges {
            if let path = change.asset?.categoryPath, change.asset?.category == nil {
                needed.formUnion(CategoryPath.lineage(path))
            }
        }
        return changes.filter { $0.action == .create && needed.contains($0.path) }
    }
}
