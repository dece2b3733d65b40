/// What one run plans: every asset (the default), or only those named by `--target`; and the assets that
/// `--replace` forces to upload again.
///
/// A target is an asset key or a glob of keys (`*` and `?` within one `/`-separated segment, `**` across
/// segments, as in `manifests:`). A partial plan says so in its summary line and in the JSON (`"partial": true`),
/// and a saved partial plan is applied with the same scope.
public struct PlanScope: Sendable, Equatable {
    /// Key patterns (`--target`); empty plans everything.
    public let targets: [String]
    /// Keys to upload again although nothing changed (`--replace`). Always in scope, targets or not.
    public let replacing: [String]
    /// The targets as globs, made once: `includes` runs for every key of a plan.
    private let globs: [Glob]

    public init(targets: [String] = [], replacing: [String] = []) {
        self.targets = targets
        self.replacing = replacing
        self.globs = targets.map(Glob.init)
    }

    /// True when some assets may be left out.
    public var isPartial: Bool { !targets.isEmpty }

    /// Whether the change of `key` is planned.
    public func includes(_ key: String) -> Bool {
        guard isPartial else { return true }
        return replacing.contains(key) || globs.contains { $0.pattern == key || $0.matches(key) }
    }

    /// Whether `change` is planned: a move counts when either of its keys is in scope, so that targeting the old
    /// name of a renamed asset finds the rename.
    func includes(_ change: PlannedChange) -> Bool {
        includes(change.key) || change.from.map(includes) == true
    }

    /// The summary line's note for a partial plan, nil for a whole one.
    func partialNote(excluded: Int) -> String? {
        guard isPartial else { return nil }
        let list = targets.joined(separator: ", ")
        let others = excluded == 0 ? "no other asset" : "\(excluded) other asset\(excluded == 1 ? "" : "s")"
        return "Partial plan (--target \(list)): \(others) left out."
    }

    /// Why this scope cannot be planned against `assets` and `state`, one message per problem; empty when it can.
    ///
    /// A target that matches nothing is a mistake (a typo would otherwise plan nothing, silently). A replacement
    /// needs the asset in the manifests, and no upload in progress: the running job's media would be left behind.
    public func problems(assets: [Asset], state: State) -> [String] {
        // A whole plan has nothing to check (and sorting every key of a large project is not free).
        guard !globs.isEmpty || !replacing.isEmpty else { return [] }
        var problems: [String] = []
        let manifestKeys = Set(assets.map(\.key))
        // Sorted, so that a suggestion among equally near keys is always the same one.
        let allKeys = manifestKeys.union(state.assets.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for glob in globs where !allKeys.contains(where: { $0 == glob.pattern || glob.matches($0) }) {
            var message = "--target '\(glob.pattern)' matches no asset in the manifests or the state"
            if let near = Spelling.suggestion(for: glob.pattern, among: allKeys) {
                message += "; did you mean '\(near)'?"
            }
            problems.append(message)
        }
        for key in replacing {
            guard manifestKeys.contains(key) else {
                var message = "--replace '\(key)': no asset with this key in the manifests"
                if let near = Spelling.suggestion(for: key, among: allKeys.filter(manifestKeys.contains)) {
                    message += "; did you mean '\(near)'?"
                }
                problems.append(message)
                continue
            }
            if let record = state.assets[key], record.status.isRunning {
                let job = record.jobId.map { " (job \($0))" } ?? ""
                problems.append(
                    "--replace '\(key)': its upload is \(record.status.rawValue)\(job); wait until it ends "
                        + "(mediaform refresh) before replacing it")
            }
        }
        return problems
    }
}
