/// What the state holds for one category of the project's tree, under its path.
public struct CategoryRecord: Sendable, Equatable {
    /// IMS's `CateId`.
    public var id: Int64
    /// The name IMS holds, as last sent or read: differs from the path's last segment after a rename in the console
    /// (found by a refresh) or after `state mv-category` (until apply sends `UpdateCategory`).
    public var name: String
    /// A refresh found that IMS no longer has it (deleted in the console): the next apply creates it again.
    public var missing: Bool
    /// The name differs because the library changed it outside mediaform (not because of `state mv-category`).
    public var drift: Bool

    public init(id: Int64, name: String, missing: Bool = false, drift: Bool = false) {
        self.id = id
        self.name = name
        self.missing = missing
        self.drift = drift
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["id": .int(id), "name": .string(name)]
        if missing { o["missing"] = .bool(true) }
        if drift { o["drift"] = .bool(true) }
        return .object(o)
    }

    init(json: JSONValue, path: String, file: String) throws(StateFormatError) {
        let f = try JSONFields(json, path: path, file: file)
        self.init(
            id: try f.int("id"), name: try f.string("name"), missing: try f.bool("missing", default: false),
            drift: try f.bool("drift", default: false))
    }

    /// The state's `categories` object (path → record), as written and read by both backends.
    public static func json(_ categories: [String: CategoryRecord]) -> JSONValue {
        .object(categories.mapValues(\.json))
    }

    /// Reads a `categories` object; `file` and `path` name it in messages.
    public static func decode(_ value: JSONValue, path: String, file: String) throws(StateFormatError)
        -> [String: CategoryRecord]
    {
        guard case .object(let entries) = value else {
            throw StateFormatError(file: file, position: path, message: "expected an object of categories")
        }
        var out: [String: CategoryRecord] = [:]
        for (categoryPath, record) in entries {
            out[categoryPath] = try CategoryRecord(json: record, path: "\(path)[\"\(categoryPath)\"]", file: file)
        }
        return out
    }
}
