/// A category as `GetCategories` or `AddCategory` answers it.
public struct RemoteCategory: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// Nil for a top-level category (IMS answers `-1` or `0`, or nothing: read leniently, UNCONFIRMED).
    public var parentId: Int64?

    public init(id: Int64, name: String, parentId: Int64? = nil) {
        self.id = id
        self.name = name
        self.parentId = parentId
    }

    /// Every category of `tree` by its path. Where IMS holds two categories with the same path (the console allows
    /// duplicate names), the oldest one (the lowest ID) is the one a project adopts.
    public static func paths(of tree: [RemoteCategory]) -> [String: RemoteCategory] {
        let byId = Dictionary(tree.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: RemoteCategory] = [:]
        for category in tree.sorted(by: { $0.id < $1.id }) {
            var names = [category.name]
            var parent = category.parentId
            var hops = 0
            while let id = parent, let up = byId[id], hops < 16 {
                names.append(up.name)
                parent = up.parentId
                hops += 1
            }
            // A parent the answer did not hold: the path is unknown, never guessed.
            if let id = parent, byId[id] == nil { continue }
            let path = names.reversed().joined(separator: "/")
            if out[path] == nil { out[path] = category }
        }
        return out
    }
}

/// What reading the category tree found about the project's categories.
public enum CategoryFinding: Sendable, Equatable, CustomStringConvertible {
    case renamed(path: String, name: String)
    case deleted(path: String)
    case adopted(path: String, id: Int64)

    public var description: String {
        switch self {
        case .renamed(let path, let name): "category \(path): renamed to '\(name)' outside mediaform"
        case .deleted(let path): "category \(path): deleted outside mediaform"
        case .adopted(let path, let id): "category \(path): found in IMS (CateId \(id)), adopted"
        }
    }
}

extension State {
    /// The state with the category tree as read: names and deletions made in the console recorded (the plan
    /// then puts them back), and declared paths IMS already has adopted (so apply does not create duplicates).
    public func observingCategories(_ tree: [RemoteCategory], declared: [String]) -> (
        state: State, findings: [CategoryFinding]
    ) {
        var next = self
        var findings: [CategoryFinding] = []
        let byId = Dictionary(tree.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (path, record) in categories.sorted(by: { CategoryPath.precedes($0.key, $1.key) }) {
            var updated = record
            if let remote = byId[record.id] {
                updated.missing = false
                if remote.name != record.name {
                    updated.name = remote.name
                    updated.drift = remote.name != CategoryPath.leaf(path)
                    if updated.drift { findings.append(.renamed(path: path, name: remote.name)) }
                }
            } else if !record.missing {
                updated.missing = true
                findings.append(.deleted(path: path))
            }
            next.categories[path] = updated
        }
        let remotePaths = RemoteCategory.paths(of: tree)
        for path in declared where next.categories[path]?.missing ?? true {
            guard let remote = remotePaths[path] else { continue }
            next.categories[path] = CategoryRecord(id: remote.id, name: remote.name)
            findings.append(.adopted(path: path, id: remote.id))
        }
        return (next, findings)
    }

    /// The category records that differ from `previous`'s, as journal entries, parents first.
    public func categoryEntries(since previous: State) -> [JournalEntry] {
        categories.sorted { CategoryPath.precedes($0.key, $1.key) }
            .filter { previous.categories[$0.key] != $0.value }
            .map { .category(path: $0.key, record: $0.value) }
    }
}
