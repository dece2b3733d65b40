/// Slash-separated category paths (`Courses/Swift`): the names of the categories from the top of the tree down.
///
/// IMS knows categories by number (`CateId`) and name (`CateName`); a path is how a project names one, and the
/// state records which `CateId` each path has.
public enum CategoryPath {
    /// The names along `path`, top first.
    public static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The category's own name: the last segment.
    public static func leaf(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// The parent's path, nil for a top-level category.
    public static func parent(_ path: String) -> String? {
        path.lastIndex(of: "/").map { String(path[..<$0]) }
    }

    /// How many levels deep: 1 for a top-level category.
    public static func depth(_ path: String) -> Int { path.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) } }

    /// `path` and every ancestor of it, top first.
    public static func lineage(_ path: String) -> [String] {
        var out: [String] = []
        var current = ""
        for segment in segments(path) {
            current = current.isEmpty ? String(segment) : current + "/" + segment
            out.append(current)
        }
        return out
    }

    /// Whether `path` lies below `ancestor` (not equal to it).
    public static func isBelow(_ path: String, _ ancestor: String) -> Bool {
        path.count > ancestor.count && path.hasPrefix(ancestor + "/")
    }

    /// Every path with its parents implied, each once, sorted so that a parent comes before its children.
    public static func closure(_ paths: [String]) -> [String] {
        var all = Set<String>()
        for path in paths { all.formUnion(lineage(path)) }
        return all.sorted(by: precedes)
    }

    /// Parent-first order: byte order of the segments (a parent's segments are a prefix of its children's).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        segments(a).lexicographicallyPrecedes(segments(b)) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// What is wrong with `path`, or nil: empty segments, names over `APILimits.categoryNameBytes`, emoji,
    /// control characters, surrounding spaces, more than `APILimits.categoryDepth` levels.
    public static func problem(_ path: String) -> String? {
        let parts = segments(path)
        if parts.contains(where: \.isEmpty) {
            return
                "category path '\(path)' has an empty name (write names separated by single '/', e.g. 'Courses/Swift')"
        }
        if parts.count > APILimits.categoryDepth {
            return
                "category path '\(path)' is \(parts.count) levels deep; IMS allows at most \(APILimits.categoryDepth)"
        }
        for part in parts {
            let bytes = part.utf8.count
            if bytes > APILimits.categoryNameBytes {
                return
                    "category name '\(part)' is \(bytes) bytes in UTF-8; IMS allows at most \(APILimits.categoryNameBytes)"
            }
            if let emoji = part.unicodeScalars.first(where: AssetValidator.isEmoji) {
                return "category name '\(part)' contains the emoji '\(emoji)'; IMS does not accept emoji"
            }
            if part.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "category name '\(part)' contains a control character"
            }
            if part.first == " " || part.last == " " {
                return "category name '\(part)' must not start or end with a space"
            }
        }
        return nil
    }
}
