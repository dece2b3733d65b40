/// The fields `UpdateMediaInfo` manages — title, description, tags, category, cover — as a set: the fields an
/// asset leaves to the console (`ignoreChanges`), or the fields the library changed outside mediaform (drift).
public struct ManagedFields: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let title = ManagedFields(rawValue: 1)
    public static let description = ManagedFields(rawValue: 2)
    public static let tags = ManagedFields(rawValue: 4)
    public static let category = ManagedFields(rawValue: 8)
    public static let cover = ManagedFields(rawValue: 16)

    /// Each field with its name in manifests, plans and the state, in the order plans list them.
    public static let named: [(name: String, field: ManagedFields)] = [
        ("title", .title), ("description", .description), ("tags", .tags), ("category", .category),
        ("cover", .cover),
    ]

    /// The field called `name`, or nil.
    public init?(name: String) {
        guard let match = Self.named.first(where: { $0.name == name }) else { return nil }
        self = match.field
    }

    /// The names of the fields in this set, in plan order.
    public var names: [String] { Self.named.filter { contains($0.field) }.map(\.name) }

    /// The set of the fields called `names`; unknown names are left out.
    public init(names: some Sequence<String>) {
        self = names.reduce(into: []) { set, name in
            if let field = ManagedFields(name: name) { set.insert(field) }
        }
    }
}
