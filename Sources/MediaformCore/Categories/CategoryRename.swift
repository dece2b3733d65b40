/// `state mv-category OLD NEW`: records that a category of the project file was renamed, so that apply renames it
/// in IMS (`UpdateCategory`, keeping its `CateId` and the media in it) instead of creating NEW and orphaning OLD.
public enum CategoryRename {
    /// Why the rename cannot be recorded; nothing was changed.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notInState(String, suggestion: String?)
        case alreadyInState(String)
        /// IMS renames a category, it does not move one under another parent.
        case otherParent(from: String, to: String)
        case invalid(String)

        public var description: String {
            switch self {
            case .notInState(let path, let suggestion):
                "no category '\(path)' in the state" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
                    + "; nothing was changed"
            case .alreadyInState(let path):
                "category '\(path)' is already in the state; nothing was changed"
            case .otherParent(let from, let to):
                "'\(from)' and '\(to)' have different parents: IMS can rename a category but not move it under "
                    + "another parent (UpdateCategory changes the name only); nothing was changed"
            case .invalid(let problem): problem + "; nothing was changed"
            }
        }
    }

    /// The journal entries that move `from` and every category below it to `to`. The moved category keeps the
    /// name IMS holds, so the next plan shows `~ rename category NEW` and apply sends the new name.
    public static func entries(from: String, to: String, in state: State) throws(Refusal) -> [JournalEntry] {
        if let problem = CategoryPath.problem(to) { throw .invalid(problem) }
        guard let record = state.categories[from] else {
            throw .notInState(from, suggestion: Spelling.suggestion(for: from, among: Array(state.categories.keys)))
        }
        guard state.categories[to] == nil else { throw .alreadyInState(to) }
        guard CategoryPath.parent(from) == CategoryPath.parent(to) else { throw .otherParent(from: from, to: to) }
        var entries: [JournalEntry] = [.category(path: from, record: nil)]
        var moved = record
        moved.drift = false
        entries.append(.category(path: to, record: moved))
        for (path, below) in state.categories.sorted(by: { CategoryPath.precedes($0.key, $1.key) })
        where CategoryPath.isBelow(path, from) {
            let target = to + path.dropFirst(from.count)
            guard state.categories[target] == nil else { throw .alreadyInState(target) }
            entries.append(.category(path: path, record: nil))
            entries.append(.category(path: target, record: below))
        }
        return entries
    }
}
