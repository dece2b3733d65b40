/// What `plan` decided for one asset key (docs/design.md §3).
public enum PlanAction: String, Sendable, Equatable, CaseIterable {
    /// Not in the state: upload.
    case create
    /// Only fields `UpdateMediaInfo` manages changed: update in place.
    case update
    /// An upload-time input changed: upload again (the old media is deleted only when pruning).
    case replace
    /// The last upload failed: upload again.
    case retry
    /// A key renamed in the manifests (the same source and upload inputs under a new key): the record moves to the
    /// new key in the state, keeping job ID, media ID and history. Nothing is uploaded; field changes that came with
    /// the rename are sent with `UpdateMediaInfo` in the same apply.
    case move
    /// Gone from the manifests, pruning on, not protected: delete the media.
    case delete
    /// Gone from the manifests but kept (pruning off, or protected): reported, nothing sent.
    case orphan
    /// Deleted outside mediaform, and protected: reported, not uploaded again (a refresh found it gone).
    case missing
    /// Submitted and not finished: nothing to do until `refresh` or `apply --wait` sees it end.
    case inProgress = "in-progress"
    /// Nothing changed.
    case noOp = "no-op"

    /// Whether the action sends anything to the API.
    public var isChange: Bool {
        switch self {
        case .create, .update, .replace, .retry, .move, .delete: true
        case .orphan, .missing, .inProgress, .noOp: false
        }
    }

    /// The symbol shown in text and Markdown plans.
    public var symbol: String {
        switch self {
        case .create: "+"
        case .update: "~"
        case .replace: "-/+"
        case .retry: "+"
        case .move: "→"
        case .delete: "-"
        case .orphan: "!"
        case .missing: "?"
        case .inProgress: "…"
        case .noOp: " "
        }
    }
}

/// One field that changes, for review: JSON values (`null` when absent on that side).
public struct FieldChange: Sendable, Equatable {
    public var field: String
    public var before: JSONValue
    public var after: JSONValue

    public init(field: String, before: JSONValue, after: JSONValue) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// The plan for one asset key.
public struct PlannedChange: Sendable, Equatable {
    public var key: String
    /// For a move: the key the record moves from (`key` is the one it moves to).
    public var from: String?
    public var action: PlanAction
    /// Why, in words ("title changed", "source changed", "last upload failed: URLInvalidError …").
    public var reason: String
    /// The fields shown to reviewers: for a create every field that will be sent, otherwise those that change.
    /// A create's list is derived from its asset when read (`creation(…)`): 100,000 new assets would otherwise
    /// hold 800,000 field changes from planning to exit, where the text renderer needs each list only while it
    /// writes it.
    public var fields: [FieldChange] {
        get { storedFields ?? payload?.creationFields ?? [] }
        set { storedFields = newValue }
    }
    /// The API operations this change performs, in order (`upload`, `update`, `delete`).
    public var operations: [RemoteOperation]
    /// The change undoes a change made outside mediaform (the `before` values are the library's, as last read),
    /// or uploads again a media deleted outside it.
    public var drift: Bool
    /// The asset, the record and the saved facts, in one box: inline they made every change 696 bytes, copied at
    /// every move of a 100,000-change plan (sorting it), while most changes of a large plan (no-ops) have none.
    private var payload: Payload?
    /// The fields as given, or nil for those derived from the asset (`creation(…)`).
    private var storedFields: [FieldChange]?

    private final class Payload: Sendable {
        let asset: Asset?
        let record: AssetRecord?
        let savedFacts: ChangeFacts?
        /// Set when the fields are the asset's creation fields: the project's application they are derived with.
        let creationAppId: String?

        init(asset: Asset?, record: AssetRecord?, savedFacts: ChangeFacts?, creationAppId: String?) {
            self.asset = asset
            self.record = record
            self.savedFacts = savedFacts
            self.creationAppId = creationAppId
        }

        var creationFields: [FieldChange]? {
            guard let asset, let creationAppId else { return nil }
            return Planner.creationFields(asset, appId: creationAppId)
        }
    }

    /// The desired asset (nil for delete and orphan, and in a plan read back from a file).
    public var asset: Asset? {
        get { payload?.asset }
        set {
            // The fields stay those planned for the asset it had.
            storedFields = fields
            payload = Self.box(newValue, record, savedFacts)
        }
    }
    /// The current record (nil for create, and in a plan read back from a file).
    public var record: AssetRecord? {
        get { payload?.record }
        set { payload = Self.box(asset, newValue, savedFacts, creationAppId: payload?.creationAppId) }
    }
    /// What a plan read back from its JSON form said of the asset (it has neither `asset` nor `record`).
    public var savedFacts: ChangeFacts? {
        get { payload?.savedFacts }
        set { payload = Self.box(asset, record, newValue, creationAppId: payload?.creationAppId) }
    }

    private static func box(
        _ asset: Asset?, _ record: AssetRecord?, _ facts: ChangeFacts?, creationAppId: String? = nil
    ) -> Payload? {
        asset == nil && record == nil && facts == nil
            ? nil : Payload(asset: asset, record: record, savedFacts: facts, creationAppId: creationAppId)
    }

    public init(
        key: String, from: String? = nil, action: PlanAction, reason: String, fields: [FieldChange] = [],
        operations: [RemoteOperation] = [], asset: Asset? = nil, record: AssetRecord? = nil, drift: Bool = false
    ) {
        self.key = key
        self.from = from
        self.action = action
        self.reason = reason
        self.storedFields = fields
        self.operations = operations
        self.drift = drift
        self.payload = Self.box(asset, record, nil)
    }

    /// The upload of `asset` (new, or again after its media was deleted outside mediaform); its fields are
    /// `Planner.creationFields(asset, appId: appId)`, derived when read.
    static func creation(
        key: String, reason: String, asset: Asset, appId: String, record: AssetRecord? = nil, drift: Bool = false
    ) -> PlannedChange {
        var change = PlannedChange(
            key: key, action: .create, reason: reason,
            operations: asset.registersInPlace ? creatingRegister : creatingUpload, drift: drift)
        change.storedFields = nil
        change.payload = Self.box(asset, record, nil, creationAppId: appId)
        return change
    }

    /// One shared array each, rather than one allocated per new asset.
    private static let creatingUpload: [RemoteOperation] = [.upload]
    private static let creatingRegister: [RemoteOperation] = [.register]

    public static func == (a: PlannedChange, b: PlannedChange) -> Bool {
        a.key == b.key && a.from == b.from && a.action == b.action && a.reason == b.reason && a.fields == b.fields
            && a.operations == b.operations && a.drift == b.drift
            && (a.payload === b.payload
                || (a.asset == b.asset && a.record == b.record && a.savedFacts == b.savedFacts))
    }
}

/// What a reviewer recognises an asset by: its title, source and cover (without signed query), and the manifest
/// file that declares it (nil for an asset that left the manifests).
public struct ChangeFacts: Sendable, Equatable {
    public var title: String?
    public var source: String?
    public var cover: String?
    public var file: String?

    public init(title: String? = nil, source: String? = nil, cover: String? = nil, file: String? = nil) {
        self.title = title
        self.source = source
        self.cover = cover
        self.file = file
    }
}

extension PlannedChange {
    /// The asset's facts: from the desired asset, else from the record, else as a saved plan gave them.
    public var facts: ChangeFacts {
        if let asset {
            return ChangeFacts(
                title: asset.title, source: asset.redactedSource, cover: asset.cover.map(URLRedaction.redact),
                file: asset.location.file == "<memory>" ? nil : asset.location.file)
        }
        if let record {
            return ChangeFacts(title: record.fields.title, source: record.source, cover: record.fields.cover)
        }
        return savedFacts ?? ChangeFacts()
    }
}

/// The result of planning: one change per asset key, sorted by key (byte order), and the state it was made against.
public struct Plan: Sendable, Equatable {
    public var changes: [PlannedChange]
    public var prune: Bool
    public var lineage: String
    public var serial: Int
    /// What was planned: everything, or only `--target`ed assets; and the `--replace`d ones.
    public var scope: PlanScope
    /// Assets left out by `--target` (0 when the plan is whole).
    public var excluded: Int
    /// Made from the library as read (`--refresh`), not from the state alone: applying it reads the library again.
    public var refreshed = false
    /// The project's category tree: one change per declared or recorded path, parents first.
    public var categories: [CategoryChange]

    public init(
        changes: [PlannedChange], prune: Bool, lineage: String, serial: Int, scope: PlanScope = PlanScope(),
        excluded: Int = 0, categories: [CategoryChange] = []
    ) {
        self.categories = categories
        self.changes = changes
        self.prune = prune
        self.lineage = lineage
        self.serial = serial
        self.scope = scope
        self.excluded = excluded
    }

    /// How many changes have each action.
    public var counts: [PlanAction: Int] {
        // Counted by position: a `for change in changes` copied each change (a retain per value it holds).
        var counts: [PlanAction: Int] = [:]
        for i in changes.indices { counts[changes[i].action, default: 0] += 1 }
        return counts
    }

    /// How many changes send an operation (by position: `filter` copied every change it kept).
    func count(sending operation: RemoteOperation) -> Int {
        var n = 0
        for i in changes.indices where changes[i].operations.contains(operation) { n += 1 }
        return n
    }

    /// The assets this plan uploads or registers: creates, retries and replacements, in plan order.
    public var creatingAssets: [Asset] {
        changes.filter { [.create, .retry, .replace].contains($0.action) }.compactMap(\.asset)
    }

    /// True when applying would send anything.
    public var hasChanges: Bool {
        changes.contains { $0.action.isChange } || categories.contains { $0.action.isChange }
    }

    /// How many category changes have each action.
    public var categoryCounts: [CategoryAction: Int] {
        var counts: [CategoryAction: Int] = [:]
        for change in categories { counts[change.action, default: 0] += 1 }
        return counts
    }

    /// "Plan: 3 to upload, 1 to update, 0 to replace, 0 to delete." (", 2 to move" when there are moves) plus
    /// orphans, jobs in progress and a partial plan's scope, or "No changes." (docs/design.md §3). The update count
    /// includes moved assets whose fields change too: each is one `UpdateMediaInfo`.
    public var summaryLine: String {
        let c = counts
        var line: String
        if hasChanges {
            let uploads = c[.create, default: 0] + c[.retry, default: 0]
            let updates = count(sending: .update)
            line =
                "Plan: \(uploads) to upload, \(updates) to update, \(c[.replace, default: 0]) to replace, \(c[.delete, default: 0]) to delete"
            if let moves = c[.move], moves > 0 { line += ", \(moves) to move" }
            line += "."
        } else {
            line = "No changes."
        }
        var extras: [String] = []
        if let n = c[.orphan], n > 0 { extras.append("\(n) orphaned (kept; not in the manifests)") }
        if let n = c[.missing], n > 0 {
            extras.append("\(n) deleted outside mediaform and protected (not uploaded again)")
        }
        if let n = c[.inProgress], n > 0 { extras.append("\(n) in progress") }
        if let n = c[.retry], n > 0 { extras.append("\(n) of the uploads \(n == 1 ? "is a retry" : "are retries")") }
        if !extras.isEmpty { line += " " + extras.joined(separator: "; ").capitalizedFirst + "." }
        if let categoryLine = categorySummary { line += " " + categoryLine }
        if let partial = scope.partialNote(excluded: excluded) { line += " " + partial }
        return line
    }
}

extension Plan {
    /// "Categories: 2 to create, 1 to rename, 0 to delete; 1 orphaned (kept)." or nil when no category changes.
    var categorySummary: String? {
        let c = categoryCounts
        let (creates, renames, deletes, orphans) = (
            c[.create, default: 0], c[.rename, default: 0], c[.delete, default: 0], c[.orphan, default: 0]
        )
        guard creates + renames + deletes + orphans > 0 else { return nil }
        var line = "Categories: \(creates) to create, \(renames) to rename, \(deletes) to delete"
        if orphans > 0 { line += "; \(orphans) orphaned (kept)" }
        return line + "."
    }
}

extension String {
    /// The string with its first character upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
