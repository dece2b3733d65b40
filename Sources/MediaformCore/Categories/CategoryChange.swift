/// What a plan does to one category of the project's tree.
public enum CategoryAction: String, Sendable, Equatable, CaseIterable {
    /// Declared and not in the state (or deleted outside mediaform): created with `AddCategory`, or adopted when
    /// IMS already has a category with this path.
    case create
    /// IMS holds another name (renamed in the console, or recorded with `state mv-category`): `UpdateCategory`.
    case rename
    /// Gone from the project file, pruning on, no asset in it: `DeleteCategory`.
    case delete
    /// Gone from the project file and kept (pruning off, or still in use).
    case orphan
    case noOp = "no-op"

    public var isChange: Bool { self == .create || self == .rename || self == .delete }

    public var symbol: String {
        switch self {
        case .create: "+"
        case .rename: "~"
        case .delete: "-"
        case .orphan: "!"
        case .noOp: " "
        }
    }

    /// The asset action `--allow` names for it: creating is `create`, renaming `update`, deleting `delete`.
    public var allowedAs: PlanAction {
        switch self {
        case .create: .create
        case .rename: .update
        case .delete: .delete
        case .orphan: .orphan
        case .noOp: .noOp
        }
    }
}

/// The plan for one category path.
public struct CategoryChange: Sendable, Equatable {
    public var path: String
    public var action: CategoryAction
    public var reason: String
    /// The `CateId` the state records (nil for a category not created yet).
    public var id: Int64?
    /// For a rename: the name IMS holds now.
    public var currentName: String?
    /// The API operations: `create-category`, `rename-category` or `delete-category`; none for a record that is
    /// only forgotten (deleted outside mediaform already).
    public var operations: [RemoteOperation]
    /// Undoes a change made outside mediaform (renamed or deleted in the console).
    public var drift: Bool

    public init(
        path: String, action: CategoryAction, reason: String, id: Int64? = nil, currentName: String? = nil,
        operations: [RemoteOperation] = [], drift: Bool = false
    ) {
        self.path = path
        self.action = action
        self.reason = reason
        self.id = id
        self.currentName = currentName
        self.operations = operations
        self.drift = drift
    }
}
